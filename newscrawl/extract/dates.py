"""Dates, times and durations as a site writes them, to tz-aware UTC. Pure functions.

Visible dates are read by the profile's date shape (``visible_date_re``: day, month name,
year, optional time; digits of any script) in the profile's time zone.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timezone, tzinfo

from newscrawl.site import SiteProfile

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.I,
)


def parse_iso_datetime(value, naive_tz: tzinfo = timezone.utc) -> datetime | None:
    """ISO 8601 / W3C datetime (or date) to UTC; a value without offset is read in ``naive_tz``."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    if value[-1:] in "zZ":
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_tz)
    try:
        return parsed.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None


# Arabic-Indic and Extended Arabic-Indic digits read as ASCII digits
_DIGITS = str.maketrans("\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
                        "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
                        "01234567890123456789")
_ISO_DAY = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def ascii_digits(text: str) -> str:
    return text.translate(_DIGITS)


def _profile(profile: SiteProfile | None) -> SiteProfile:
    if profile is not None:
        return profile
    from newscrawl.sites import get_profile

    return get_profile()


def _local_parts(match: re.Match, profile: SiteProfile) -> tuple[date, time | None] | None:
    month = profile.month_names.get(match["month"].lower().rstrip("."))
    if month is None:
        return None
    try:
        day = date(int(ascii_digits(match["year"])), month, int(ascii_digits(match["day"])))
        hour = match.groupdict().get("hour")
        at = time(int(ascii_digits(hour)), int(ascii_digits(match["minute"]))) if hour else None
    except ValueError:
        return None
    return day, at


def _dates_in(text: str, profile: SiteProfile) -> list[tuple[date, time | None]]:
    """Every readable date written in ``text`` in one of the profile's shapes, in text order."""
    found = []
    for shape in profile.date_shapes:
        for match in shape.finditer(text or ""):
            parts = _local_parts(match, profile)
            if parts:
                found.append((match.start(), parts))
    return [parts for _, parts in sorted(found, key=lambda f: f[0])]


def visible_datetimes(text: str, profile: SiteProfile | None = None) -> list[datetime]:
    """Every date with a time of day written in ``text``, as UTC, in text order."""
    profile = _profile(profile)
    return [datetime.combine(day, at, tzinfo=profile.timezone).astimezone(timezone.utc)
            for day, at in _dates_in(text, profile) if at is not None]


def parse_visible_datetime(value: str, profile: SiteProfile | None = None) -> datetime | None:
    """``13 Sep 2022 19:36`` (the whole text) in the site's local time (DST-aware) to UTC."""
    profile = _profile(profile)
    value = (value or "").strip()
    for shape in profile.date_shapes:
        match = shape.fullmatch(value)
        parts = _local_parts(match, profile) if match else None
        if parts and parts[1] is not None:
            return datetime.combine(*parts, tzinfo=profile.timezone).astimezone(timezone.utc)
    return None


def find_date(text: str, profile: SiteProfile | None = None) -> date | None:
    """The first date written in ``text``: the profile's shape (time optional) or ISO YYYY-MM-DD."""
    profile = _profile(profile)
    written = _dates_in(text, profile)
    if written:
        return written[0][0]
    iso = _ISO_DAY.search(ascii_digits(text or ""))
    if iso:
        try:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None
    return None


def parse_card_date(value: str, profile: SiteProfile | None = None) -> date | None:
    """A card's date (``06 Nov 2025``, ``2025-11-06``, ...) when the whole text is one."""
    value = (value or "").strip()
    found = find_date(value, profile)
    return found if found and len(value) <= 40 else None


def date_attribute(value: str | None, profile: SiteProfile | None = None) -> date | None:
    """The local date of a machine-readable ``<time datetime>`` value."""
    moment = parse_iso_datetime(value, naive_tz=_profile(profile).timezone)
    if moment is not None:
        return moment.astimezone(_profile(profile).timezone).date()
    return find_date(value or "", profile)


def parse_duration(value) -> int | None:
    """Seconds from ``185``, ``185.0`` or ISO 8601 ``PT3M5S``; None when unreadable or negative."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            seconds = float(text)
        except ValueError:
            match = _ISO_DURATION.match(text)
            if not match or text.upper() in ("P", "PT"):
                return None
            parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
            seconds = parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return int(round(seconds))


def to_utc(value):
    """A datetime in UTC (naive ones are taken as UTC); ISO 8601 strings are parsed; others unchanged."""
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)
    return value

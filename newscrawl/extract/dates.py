"""Dates, times and durations as the site writes them, to tz-aware UTC. Pure functions."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone, tzinfo

from newscrawl import site

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.I,
)


def parse_iso_datetime(value, naive_tz: tzinfo = site.TIMEZONE) -> datetime | None:
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


def parse_visible_datetime(value: str) -> datetime | None:
    """``13 Sep 2022 19:36`` in the site's local time (DST-aware) to UTC."""
    try:
        local = datetime.strptime(value.strip(), site.VISIBLE_DATE_FORMAT)
    except (ValueError, AttributeError):
        return None
    return local.replace(tzinfo=site.TIMEZONE).astimezone(timezone.utc)


def parse_card_date(value: str) -> date | None:
    try:
        return datetime.strptime(value.strip(), site.CARD_DATE_FORMAT).date()
    except (ValueError, AttributeError):
        return None


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

"""Beirut local times at whole minutes, and the ways the site writes them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tests.replica import facts

TZ = facts.TIMEZONE
EPOCH1_START = datetime(2022, 1, 1)
EPOCH1_END = datetime(2025, 11, 30, 23, 59)
EPOCH2_START = datetime(2025, 12, 1)
EPOCH2_END = datetime(2025, 12, 31, 23, 59)


def is_clear(naive: datetime) -> bool:
    """False for local times that DST skips or repeats."""
    if naive.month not in (3, 10) or naive.day < 24:  # Beirut switches on the last Sunday of these months
        return True
    aware = naive.replace(tzinfo=TZ)
    if aware.utcoffset() != aware.replace(fold=1).utcoffset():
        return False
    return aware.astimezone(UTC).astimezone(TZ).replace(tzinfo=None) == naive


def local_minute(rng: random.Random, start: datetime, end: datetime) -> datetime:
    """A random unambiguous Beirut local time (aware) at a whole minute in [start, end]."""
    span = int((end - start).total_seconds() // 60)
    while True:
        naive = start + timedelta(minutes=rng.randrange(span + 1))
        if is_clear(naive):
            return naive.replace(tzinfo=TZ)


def later(rng: random.Random, local: datetime, min_minutes: int, max_minutes: int) -> datetime:
    while True:
        naive = local.replace(tzinfo=None) + timedelta(minutes=rng.randint(min_minutes, max_minutes))
        if is_clear(naive):
            return naive.replace(tzinfo=TZ)


def utc(local: datetime | None) -> datetime | None:
    return local.astimezone(UTC) if local else None


def iso(local: datetime | None) -> str:
    """Metadata style: 2024-05-30T23:49:00+03:00."""
    return local.isoformat() if local else ""


def visible(local: datetime) -> str:
    """The English byline date: 13 Sep 2022 19:36 (seen)."""
    return f"{card(local)} {local.hour:02d}:{local.minute:02d}"


def card(local: datetime) -> str:
    """The English card date: 10 Nov 2025 (assumed)."""
    return f"{local.day:02d} {facts.MONTHS_EN_SHORT[local.month - 1]} {local.year}"


def long_date(local: datetime) -> str:
    """Markup 2's card date: 10 November 2025."""
    return f"{local.day} {facts.MONTHS_EN[local.month - 1]} {local.year}"


def arabic_digits(value: str, indic: bool) -> str:
    return value.translate(facts.TO_ARABIC_INDIC) if indic else value


def visible_ar(local: datetime, indic: bool) -> str:
    """The Arabic byline date: 13 أيلول 2022 19:36, in Western or Arabic-Indic digits."""
    return arabic_digits(f"{card_ar(local, False)} {local.hour:02d}:{local.minute:02d}", indic)


def card_ar(local: datetime, indic: bool) -> str:
    return arabic_digits(f"{local.day} {facts.MONTHS_AR[local.month - 1]} {local.year}", indic)


def http_date(local: datetime) -> str:
    """Last-Modified style: Tue, 13 Sep 2022 16:36:00 GMT."""
    u = local.astimezone(UTC)
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[u.weekday()]
    return f"{day}, {u.day:02d} {facts.MONTHS_EN_SHORT[u.month - 1]} {u.year} {u:%H:%M:%S} GMT"

"""Beirut local times at whole minutes, and the ways the site writes them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from newscrawl import site

TZ = site.TIMEZONE
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
    return local.strftime(site.VISIBLE_DATE_FORMAT)


def card(local: datetime) -> str:
    return local.strftime(site.CARD_DATE_FORMAT)

"""When to fetch what again: pure rules, no Scrapy, no store.

- A source (the home page, a listing's first page, the current month's sitemap) is polled on an
  adaptive interval, as StormCrawler's AdaptiveScheduler does for pages: a poll that brought news
  (articles new to the store, or changed) shrinks the interval towards the minimum
  (``interval * (1 - dec) + minimum * dec``), one that brought none stretches it
  (``interval * (1 + inc)``, at most the maximum). Each poll is jittered so that sources with the
  same interval do not fire together.
- A listing seen for the first time starts from how often its own cards say it publishes: the
  gap between the newest cards on its first page.
- A recent article is revisited on a decaying ladder after its publication (10 minutes, 1 hour,
  6 hours, 1 day, 3 days by default), so a correction becomes a revision without re-reading
  unchanged pages over and over.
"""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

DEFAULT_LADDER = "10m,1h,6h,1d,3d"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.I)
_UNIT = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds_of(text: str) -> float:
    """``90``, ``90s``, ``10m``, ``6h``, ``3d`` as seconds; ValueError for anything else."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r}: expected a duration such as 90s, 10m, 6h or 3d")
    return float(match[1]) * _UNIT[match[2].lower()]


def ladder(text: str | list) -> tuple[float, ...]:
    """A revisit ladder (``10m,1h,6h``) as increasing seconds after publication."""
    steps = text if isinstance(text, (list, tuple)) else [s for s in str(text).split(",") if s.strip()]
    values = tuple(sorted(seconds_of(s) for s in steps))
    if not values or values[0] <= 0:
        raise ValueError(f"{text!r}: expected positive durations such as {DEFAULT_LADDER}")
    return values


def adapt(interval: float, brought_news: bool, minimum: float, maximum: float,
          shrink: float = 0.5, stretch: float = 0.5) -> float:
    """The next interval of a source after a poll (StormCrawler's adaptive rule)."""
    if brought_news:
        interval = (1.0 - shrink) * interval + shrink * minimum
    else:
        interval = interval * (1.0 + stretch)
    return min(maximum, max(minimum, interval))


def jittered(interval: float, rng: random.Random, share: float = 0.1) -> float:
    """``interval`` moved by up to ``share`` of itself either way."""
    return interval * (1.0 + rng.uniform(-share, share))


def interval_from_cards(moments: list[datetime], minimum: float, maximum: float) -> float:
    """A listing's starting interval: half the mean gap between its newest cards (a poll then finds about
    one new article in two), within the bounds; the maximum when the cards give fewer than two dates."""
    moments = sorted(moments, reverse=True)
    if len(moments) < 2:
        return maximum
    gap = (moments[0] - moments[-1]).total_seconds() / (len(moments) - 1)
    return min(maximum, max(minimum, gap / 2))


def next_revisit(published: datetime, now: datetime, steps: tuple[float, ...], done: int = 0) -> tuple[int, datetime] | None:
    """The next rung of the ladder after rung ``done`` (0: none yet) that is still ahead of ``now``: (its
    number, from 1, and when it is due); None when the ladder is over. Rungs passed while nobody was
    following are skipped, not caught up one by one."""
    for number, after in enumerate(steps, start=1):
        due = published + timedelta(seconds=after)
        if number > done and due > now:
            return number, due
    return None


def usual_gap(published: list[datetime]) -> float | None:
    """The median gap in seconds between consecutive publications (None for fewer than three)."""
    times = sorted(published)
    gaps = sorted((b - a).total_seconds() for a, b in zip(times, times[1:]) if b > a)
    if len(gaps) < 2:
        return None
    return gaps[len(gaps) // 2]


def median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def percentile(values: list[float], share: float) -> float | None:
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, max(0, round(share * (len(values) - 1))))]

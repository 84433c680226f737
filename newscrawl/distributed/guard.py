"""Pause, don't crash, while Redis is unreachable: every call goes through one guard per crawler.

After a connection failure no call is attempted until a backoff (doubling from
NEWSCRAWL_REDIS_BACKOFF_BASE up to NEWSCRAWL_REDIS_BACKOFF_MAX) has passed; callers
get FrontierUnavailable at once meanwhile and keep their work in local memory.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newscrawl.distributed.connection import mask_url

logger = logging.getLogger(__name__)

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class FrontierUnavailable(Exception):
    """Redis cannot be reached now; try again later."""


class RedisGuard:
    def __init__(self, stats, url: str | None, base: float = 0.5, cap: float = 5.0, clock=time.monotonic):
        self.stats = stats
        self.url = mask_url(url)
        self.base = base
        self.cap = cap
        self.clock = clock
        self.failures = 0
        self.retry_at = 0.0
        self.down_since: float | None = None

    @classmethod
    def from_crawler(cls, crawler) -> RedisGuard:
        guard = getattr(crawler, "_newscrawl_redis_guard", None)
        if guard is None:
            settings = crawler.settings
            guard = cls(crawler.stats, settings.get("REDIS_URL"),
                        base=settings.getfloat("NEWSCRAWL_REDIS_BACKOFF_BASE", 0.5),
                        cap=settings.getfloat("NEWSCRAWL_REDIS_BACKOFF_MAX", 5.0))
            crawler._newscrawl_redis_guard = guard
        return guard

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def call(self, fn, *args, **kwargs):
        """fn(*args, **kwargs), or FrontierUnavailable while Redis is down or backing off."""
        if self.down and self.clock() < self.retry_at:
            raise FrontierUnavailable(self.url)
        try:
            result = fn(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._failed(exc)
            raise FrontierUnavailable(self.url) from exc
        if self.down:
            self._recovered()
        return result

    def _failed(self, exc: Exception) -> None:
        now = self.clock()
        self.failures += 1
        self.stats.inc_value("frontier/redis/errors")
        delay = min(self.cap, self.base * 2 ** (self.failures - 1))
        self.retry_at = now + delay
        if self.down_since is None:
            self.down_since = now
            self.stats.inc_value("frontier/redis/outages")
            logger.warning("Redis at %s is unreachable (%s): pausing the frontier, retrying with backoff",
                           self.url, exc)

    def _recovered(self) -> None:
        seconds = self.clock() - self.down_since
        self.stats.inc_value("frontier/redis/outage_seconds", round(seconds, 3))
        logger.warning("Redis at %s is back after %.1f s: resuming", self.url, seconds)
        self.failures = 0
        self.down_since = None

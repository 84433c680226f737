"""The poller lease: with a shared frontier, one worker at a time polls the site's front (follow mode).

``newscrawl:{spider}:{site}:poller`` holds the polling worker's id for NEWSCRAWL_POLLER_LEASE_SECONDS;
the holder renews it on every tick, another worker takes it once it lapses (its holder died or
stopped). Everything the poller finds goes through the shared frontier, so every worker fetches
articles, and none is fetched twice.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from newscrawl.distributed.keys import FrontierKeys, site_of
from newscrawl.distributed.leases import new_worker_id

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# take the lease if free, or renew it if ours: one step, so two workers never both hold it
HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class PollerLease:
    def __init__(self, server, key: str, ttl_seconds: float, worker_id: str | None = None):
        self.server = server
        self.key = key
        self.ttl_ms = int(ttl_seconds * 1000)
        self.worker_id = worker_id or new_worker_id()
        self._hold = server.register_script(HOLD)
        self._release = server.register_script(RELEASE)
        self.held = False
        self.quiet_until = 0.0  # after a failure, Redis is not asked again (on the reactor) for a while

    def hold(self) -> bool:
        """Take or renew the lease; False while another worker holds it or Redis cannot be asked."""
        if time.monotonic() < self.quiet_until:
            return False
        try:
            self.held = bool(self._hold(keys=[self.key], args=[self.worker_id, self.ttl_ms]))
        except RedisError as exc:
            if self.held:
                logger.warning("poller lease: Redis unavailable (%s); polling paused", exc)
            self.held = False
            self.quiet_until = time.monotonic() + RETRY_SECONDS
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        try:
            self._release(keys=[self.key], args=[self.worker_id])
        except RedisError:
            pass  # it lapses by itself
        self.held = False


def poller_lease(crawler, spider) -> PollerLease | None:
    """The lease when the crawl shares a frontier (REDIS_URL), else None (a lone crawl always polls)."""
    if not crawler.settings.get("SCHEDULER", "").endswith("DistributedScheduler"):
        return None
    from newscrawl.distributed.connection import get_redis

    keys = FrontierKeys(spider.name, site_of(crawler.settings, spider))
    return PollerLease(get_redis(crawler), f"{keys.base}:poller",
                       crawler.settings.getfloat("NEWSCRAWL_POLLER_LEASE_SECONDS", 15.0))

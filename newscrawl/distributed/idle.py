"""Close an idle worker once the whole frontier has been quiet for NEWSCRAWL_IDLE_CLOSE_SECONDS.

On spider_idle this worker has nothing queued locally. It stays open while the shared
frontier still has queued or leased requests (another worker's page may yet add work,
and an expired lease comes back to the queue), or while Redis cannot be asked; it
closes when nothing has happened, here or anywhere, for the configured time. While
idle it wakes the engine every NEWSCRAWL_IDLE_POLL_SECONDS so new work is taken at once
(the engine's own heartbeat is 5 s).
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)


class IdleClose:
    def __init__(self, crawler, close_after: float, poll: float, clock=time.monotonic):
        self.crawler = crawler
        self.close_after = close_after
        self.poll = poll
        self.clock = clock
        self.last_activity = clock()
        self._loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("SCHEDULER", "").endswith("DistributedScheduler"):
            raise NotConfigured
        ext = cls(crawler, settings.getfloat("NEWSCRAWL_IDLE_CLOSE_SECONDS", 30.0),
                  settings.getfloat("NEWSCRAWL_IDLE_POLL_SECONDS", 0.5))
        for handler, signal in ((ext.active, signals.request_scheduled), (ext.active, signals.response_received),
                                (ext.spider_idle, signals.spider_idle), (ext.spider_opened, signals.spider_opened),
                                (ext.spider_closed, signals.spider_closed)):
            crawler.signals.connect(handler, signal=signal)
        return ext

    def active(self, *args, **kwargs) -> None:
        self.last_activity = self.clock()

    def spider_opened(self, spider) -> None:
        self.last_activity = self.clock()
        self._loop = LoopingCall(self.wake)
        self._loop.start(self.poll, now=False)

    def spider_closed(self, spider, reason) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    def spider_idle(self, spider) -> None:
        state = self.crawler.engine._slot.scheduler.frontier_state()
        now = self.clock()
        if state is None or state["queued"] or state["leased"]:
            self.last_activity = now
            raise DontCloseSpider
        quiet = now - self.last_activity
        if quiet < self.close_after:
            raise DontCloseSpider
        self.crawler.stats.set_value("frontier/idle/closed_after_seconds", round(quiet, 1))
        logger.info("frontier empty, no lease outstanding, quiet for %.1f s: closing this worker", quiet)

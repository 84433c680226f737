"""Measure how late the reactor runs a timer: the event-loop lag a blocking call would cause.

Enabled by NEWSCRAWL_REACTOR_LAG_INTERVAL (seconds between probes, e.g. 0.01); the stats get
`reactor/lag/p50_ms`, `reactor/lag/p99_ms`, `reactor/lag/max_ms` and `reactor/lag/samples`.
"""

from __future__ import annotations

import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import reactor


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class ReactorLag:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.lags: list[float] = []
        self.call = None
        self.expected = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("NEWSCRAWL_REACTOR_LAG_INTERVAL", 0.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.start, signal=signals.spider_opened)
        crawler.signals.connect(ext.stop, signal=signals.spider_closed)
        return ext

    def start(self, spider) -> None:
        self.schedule()

    def schedule(self) -> None:
        self.expected = time.perf_counter() + self.interval
        self.call = reactor.callLater(self.interval, self.probe)

    def probe(self) -> None:
        self.lags.append(max(0.0, time.perf_counter() - self.expected) * 1000)
        self.schedule()

    def stop(self, spider, reason) -> None:
        if self.call is not None and self.call.active():
            self.call.cancel()
        stats = self.crawler.stats
        stats.set_value("reactor/lag/samples", len(self.lags))
        stats.set_value("reactor/lag/p50_ms", round(percentile(self.lags, 0.50), 2))
        stats.set_value("reactor/lag/p99_ms", round(percentile(self.lags, 0.99), 2))
        stats.set_value("reactor/lag/max_ms", round(max(self.lags, default=0.0), 2))

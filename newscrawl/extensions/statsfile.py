"""Write the crawl's final stats as JSON to NEWSCRAWL_STATS_FILE (for scripts, tests and dashboards)."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured


class StatsFile:
    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, path)
        # engine_stopped comes after every spider_closed handler (the health monitors included)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self):
        stats = dict(self.crawler.stats.get_stats())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # written once at close: a small file, off the hot path
        self.path.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True))

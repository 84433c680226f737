"""scrapy-redis's fingerprint set, keyed per spider and site, sharing the crawler's Redis client.

Its fingerprints are written by the scheduler's atomic push (see LeasedPriorityQueue);
closing never deletes them: only a finished frontier or `newscrawl frontier reset` does.
"""

from __future__ import annotations

from scrapy_redis.dupefilter import RFPDupeFilter

from newscrawl.distributed.connection import get_redis
from newscrawl.distributed.keys import DUPEFILTER_KEY_TEMPLATE, FrontierKeys, site_of


class FrontierDupeFilter(RFPDupeFilter):
    @classmethod
    def from_crawler(cls, crawler):
        return cls.for_spider(crawler, crawler.spidercls.name)

    @classmethod
    def for_spider(cls, crawler, spider_name: str, spider=None):
        settings = crawler.settings
        keys = FrontierKeys(spider_name, site_of(settings, spider))
        key = keys.format(settings.get("SCHEDULER_DUPEFILTER_KEY") or DUPEFILTER_KEY_TEMPLATE)
        return cls(get_redis(crawler), key=key, debug=settings.getbool("DUPEFILTER_DEBUG"))

    def close(self, reason=""):
        """Keep the fingerprints: the frontier outlives a worker."""

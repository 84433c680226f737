"""CleaningPipeline: normalises every ArticleItem (newscrawl.pipelines.cleaning_rules); other items pass."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawl.items import ArticleItem, fields_of
from newscrawl.pipelines.cleaning_rules import clean_article
from newscrawl.pipelines.stats import PipelineStats
from newscrawl.sites import PROFILES
from newscrawl.urls import host_of

logger = logging.getLogger(__name__)


class CleaningPipeline:
    """Stats: ``clean/items/in|out``, ``clean/fields/changed/<field>``. Off with ``CLEANING_ENABLED = False``."""

    def __init__(self, stats: PipelineStats, mirror_hosts: tuple[str, ...] = ()):
        self.stats = stats
        self.mirror_hosts = mirror_hosts

    @classmethod
    def from_crawler(cls, crawler) -> CleaningPipeline:
        if not crawler.settings.getbool("CLEANING_ENABLED", True):
            raise NotConfigured("CLEANING_ENABLED is off")
        # pages fetched from a mirror (BASE_URL) are stored under the site's own URLs
        base_host = host_of(crawler.settings.get("BASE_URL") or "")
        known = {p.host for p in PROFILES.values()}
        mirror_hosts = (base_host,) if base_host and base_host.split(":")[0] not in known else ()
        return cls(PipelineStats(crawler.stats, "clean"), mirror_hosts)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        self.stats.item_in()
        before = fields_of(item)  # read only: clean_article builds new values
        for field, value in clean_article(before, self.mirror_hosts).items():
            if not same(value, before[field]):
                setattr(item, field, value)
                self.stats.inc("fields", "changed", field)
        self.stats.item_out()
        return item

    def close_spider(self) -> None:
        logger.info("clean: %s; fields changed: %s", self.stats.summary(),
                    self.stats.under("fields", "changed") or "none")


# types whose equal values have equal reprs: for them == is enough
_PLAIN = frozenset({str, int, bool, type(None)})


def same(a: Any, b: Any) -> bool:
    # == alone calls a Beirut-time datetime equal to its UTC form, which still has to be replaced
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _PLAIN:
        return a == b  # no repr of the body (two copies of it) for each article
    if kind is list and all(type(x) is str for x in a) and all(type(x) is str for x in b):
        return a == b
    return a == b and repr(a) == repr(b)

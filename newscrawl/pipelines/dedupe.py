"""One item per canonical URL and text per run; a repeated text under another URL goes on as an alias.

An item whose URL was already passed in this run with the same text is dropped
(``dedupe/dropped/url``); the same URL with another text (an edit met later in a long
crawl, such as follow mode's) goes on, and the store keeps it as a new revision.
An item whose ``content_hash`` was already passed under another URL is passed on
(``dedupe/aliased/content_hash``): the store makes that URL an alias of the first
document (see ``newscrawl.store.revisions``), so the result is one document whose
``aliases`` hold the other URL. Only 16-byte digests are kept, never items.
Items without a ``content_hash`` (breaking lines) pass untouched.
"""

from __future__ import annotations

import hashlib
from typing import Any

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from newscrawl.pipelines.stats import PipelineStats

logger = logging.getLogger(__name__)

DIGEST_SIZE = 16


def url_digest(url: str) -> bytes:
    return hashlib.blake2b(url.encode("utf-8"), digest_size=DIGEST_SIZE).digest()


def hash_digest(content_hash: str) -> bytes:
    try:
        return bytes.fromhex(content_hash)[:DIGEST_SIZE]
    except ValueError:
        return url_digest(content_hash)


class DedupePipeline:
    def __init__(self, stats):
        self.stats = stats
        self.urls: dict[bytes, bytes | None] = {}  # URL digest -> digest of the text last passed under it
        self.texts: dict[bytes, bytes] = {}  # content digest -> digest of the first URL that had it

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("DEDUPE_ENABLED", True):
            raise NotConfigured
        return cls(crawler.stats)

    def close_spider(self) -> None:
        counts = PipelineStats(self.stats, "dedupe")
        logger.info("dedupe: %s; dropped as repeated URLs %d, passed on as aliases %d", counts.summary(),
                    counts.get("dropped", "url"), counts.get("aliased", "content_hash"))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "content_hash" not in adapter.field_names() or not adapter.get("url"):
            return item
        self.stats.inc_value("dedupe/items/in")
        url = url_digest(adapter["url"])
        content = adapter.get("content_hash")
        text = hash_digest(content) if content else None
        if url in self.urls and self.urls[url] == text:
            self.stats.inc_value("dedupe/dropped/url")
            self.stats.inc_value("dedupe/items/dropped")
            # expected (an article is linked from many listings): not worth a warning per item
            raise DropItem(f"already seen in this run: {adapter['url']}", log_level="DEBUG")
        self.urls[url] = text
        if text is not None:
            first = self.texts.setdefault(text, url)
            if first != url:
                self.stats.inc_value("dedupe/aliased/content_hash")
        self.stats.inc_value("dedupe/items/out")
        return item

"""ValidationPipeline: drops ArticleItems that break the schema (newscrawl.schema), keeping every reject.

A reject ``{url, errors: [{field, rule, message}], item, at}`` goes to the store's
``rejects`` collection (``newscrawl.store.get_store``); with no store, or when the store
fails, it is appended to ``<NEWSCRAWL_DATA_DIR>/rejects.jsonl``. Writes run in a thread.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bson import json_util
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl.items import ArticleItem, fields_of
from newscrawl.pipelines.stats import PipelineStats
from newscrawl.schema import Limits, compiled_validator, validate_article

logger = logging.getLogger(__name__)

REJECTS_FILE = "rejects.jsonl"
SUMMARY_URLS = 5
INT64_MAX = 2**63 - 1


class ValidationPipeline:
    """Stats: ``validate/items/in|out|dropped``, ``validate/rejected/<field>/<rule>``,
    ``validate/rejects/store|file|lost`` (where each reject was kept). Off with ``VALIDATION_ENABLED = False``."""

    def __init__(self, crawler: Any, limits: Limits, rejects_path: Path):
        self.crawler = crawler
        self.stats = PipelineStats(crawler.stats, "validate")
        self.limits = limits
        self.rejects_path = rejects_path
        self.reasons: Counter[str] = Counter()
        self.first_urls: list[str] = []
        self._store: Any = None
        self._store_resolved = False
        self._store_lock = threading.Lock()
        self._file_lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler) -> ValidationPipeline:
        settings = crawler.settings
        if not settings.getbool("VALIDATION_ENABLED", True):
            raise NotConfigured("VALIDATION_ENABLED is off")
        defaults = Limits()
        limits = Limits(
            min_body_words=settings.getint("VALIDATION_MIN_BODY_WORDS", defaults.min_body_words),
            future_skew=timedelta(hours=settings.getfloat(
                "VALIDATION_FUTURE_SKEW_HOURS", defaults.future_skew.total_seconds() / 3600)),
            min_words_per_minute=settings.getint("VALIDATION_MIN_WORDS_PER_MINUTE", defaults.min_words_per_minute),
            max_words_per_minute=settings.getint("VALIDATION_MAX_WORDS_PER_MINUTE", defaults.max_words_per_minute),
        )
        rejects_path = settings.get("VALIDATION_REJECTS_FILE") or Path(
            settings.get("NEWSCRAWL_DATA_DIR") or "data") / REJECTS_FILE
        return cls(crawler, limits, Path(rejects_path))

    run_in_thread = staticmethod(deferToThread)

    async def open_spider(self) -> None:
        # importing fastjsonschema and compiling the schema take some 50 ms: not on the reactor at the first item
        await maybe_deferred_to_future(self.run_in_thread(compiled_validator))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        reject = self.check(item)
        if reject is None:
            return item
        kept_in = await maybe_deferred_to_future(self.run_in_thread(self.keep, [reject]))
        self.stats.inc("rejects", kept_in)
        reasons = sorted({f"{e['field']}/{e['rule']}" for e in reject["errors"]})
        raise DropItem(f"invalid article {reject['url']}: {', '.join(reasons)}", log_level="DEBUG")

    def check(self, item: Any) -> dict | None:
        """None for a valid article; else the reject to keep, with the stats counted."""
        self.stats.item_in()
        doc = fields_of(item)  # read only: no copy unless the item is rejected (bson_safe below)
        errors = validate_article(doc, self.limits)
        if not errors:
            self.stats.item_out()
            return None
        self.stats.item_dropped()
        reasons = sorted({f"{e.field}/{e.rule}" for e in errors})
        for reason in reasons:
            self.stats.inc("rejected", reason)
        self.reasons.update(reasons)
        url = doc.get("url")
        if len(self.first_urls) < SUMMARY_URLS:
            self.first_urls.append(str(url))
        logger.debug("rejected %s: %s", url, "; ".join(f"{e.field}/{e.rule}: {e.message}" for e in errors))
        return {"url": url, "errors": [e.as_dict() for e in errors], "item": bson_safe(doc),
                "at": datetime.now(timezone.utc)}

    def keep(self, rejects: list[dict]) -> str:
        """Save rejects to the store, else to the file; where they went. Runs in a thread."""
        store = self.store()
        if store is not None:
            try:
                store.save_rejects(rejects)
                return "store"
            except Exception as exc:
                journal = getattr(store, "journal", None)
                if journal is not None:  # the store's journal is replayed into `rejects` once it is back
                    try:
                        journal.append("rejects", rejects, datetime.now(timezone.utc))
                        # the store known to be down was said once, by its circuit
                        level = logging.DEBUG if type(exc).__name__ == "StoreUnavailable" else logging.WARNING
                        logger.log(level, "could not save %d reject(s) to the store (%s); journaled to %s",
                                   len(rejects), type(exc).__name__, journal.path)
                        return "journal"
                    except Exception:
                        logger.exception("could not journal %d reject(s)", len(rejects))
                logger.error("could not save %d reject(s) to the store (%s: %s); writing them to %s",
                             len(rejects), type(exc).__name__, exc, self.rejects_path)
        try:
            self.append_to_file(rejects)
            return "file"
        except Exception:
            logger.exception("LOST %d reject(s), neither store nor %s took them: %s", len(rejects),
                             self.rejects_path, [r["url"] for r in rejects])
            return "lost"

    def store(self) -> Any:
        """The crawler's Store (None when storage is off or unavailable), looked up once."""
        with self._store_lock:
            if not self._store_resolved:
                self._store_resolved = True
                self._store = self._open_store()
            return self._store

    def _open_store(self) -> Any:
        from newscrawl import store as store_package

        get_store = getattr(store_package, "get_store", None)
        if get_store is None:
            logger.warning("newscrawl.store.get_store is missing; rejects go to %s", self.rejects_path)
            return None
        try:
            return get_store(self.crawler)
        except Exception:
            logger.exception("no store for rejects; they go to %s", self.rejects_path)
            return None

    def append_to_file(self, rejects: list[dict]) -> None:
        lines = "".join(json_util.dumps(r, json_options=json_util.RELAXED_JSON_OPTIONS) + "\n" for r in rejects)
        with self._file_lock:
            self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
            with self.rejects_path.open("a", encoding="utf-8") as f:
                f.write(lines)
                f.flush()

    def close_spider(self) -> None:
        rejected = self.stats.get("items", "dropped")
        if not rejected:
            logger.info("validate: %s; no article rejected", self.stats.summary())
            return
        where = ", ".join(f"{k} {v}" for k, v in sorted(self.stats.under("rejects").items()))
        logger.warning(
            "validate: %s; %d article(s) rejected (kept: %s) for: %s; first: %s",
            self.stats.summary(), rejected, where,
            ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common()),
            ", ".join(self.first_urls),
        )


def bson_safe(value: Any) -> Any:
    """A copy that both BSON and JSON can hold; what neither can is kept as its repr."""
    if isinstance(value, dict):
        return {str(k): bson_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [bson_safe(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool, datetime)):
        return value
    return repr(value)

"""CrawlHealth: coverage, progress and monitors for every run, recorded in the `crawls` collection.

- each article item that leaves the pipelines is counted per field (coverage);
- every NEWSCRAWL_PROGRESS_INTERVAL seconds the log shows done/total, rate and time left,
  and the run's `crawls` document is updated, so `newscrawl stats` shows a running crawl;
- at the end the monitors judge the run against the recent passed runs of the same spider
  on the same site (or, on a first run, against fixed floors); a monitor that fails marks
  the run failed (stats `health/status`, `crawls.status`, exit 3 of `scrapy crawl`) and
  triggers the configured actions; a warning is logged and recorded only.
- a run the site never answered (finish reason `unreachable_*` or `blocked`, see
  newscrawl.health.reachability) is recorded as failed without judging it further.
- while the store is known to be down (its circuit is open, newscrawl.store.circuit), the record
  is neither written nor read, and nothing waits for the server: said once.

CaptureHealth does the same for the breaking-ticker spider: it fails when no capture succeeded.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task
from twisted.internet.threads import deferToThread

from newscrawl.health.actions import actions_from_settings, log_action
from newscrawl.health.coverage import Coverage, fallback_share, source_shares
from newscrawl.health.monitors import (
    FAIL, WARN, MonitorResult, Thresholds, check_captures, evaluate, per_change, stat_total, stats_below,
)
from newscrawl.health.reachability import UNREACHABLE_REASONS, message_of
from newscrawl.items import fields_of

logger = logging.getLogger(__name__)
COLLECTION = "crawls"


def progress_line(known: int, done: int, elapsed: float, frontier_queued: int | None = None) -> tuple[str, dict]:
    """The progress line; ``frontier_queued`` (a worker of a shared frontier): the requests every
    worker still has before it, since this worker's own counts are only its share of the crawl."""
    done = min(done, known)
    rate = done / elapsed if elapsed > 0 else 0.0
    share = f" ({done / known:.0%})" if known else ""
    if frontier_queued is not None:
        text = (f"progress (this worker): {done}/{known} articles it met{share}, {rate:.1f} articles/s; "
                f"shared frontier: {frontier_queued} requests queued")
        return text, {"known": known, "done": done, "rate": round(rate, 3), "eta_seconds": None,
                      "frontier_queued": frontier_queued}
    left = (known - done) / rate if rate > 0 else None
    eta = f", about {left:.0f} s left" if left is not None else ""
    text = f"progress: {done}/{known} articles{share}, {rate:.1f} articles/s{eta}"
    return text, {"known": known, "done": done, "rate": round(rate, 3),
                  "eta_seconds": round(left, 1) if left is not None else None}


def site_of(spider, settings) -> str:
    """The host being crawled: the spider's profile when it has one, else BASE_URL's host."""
    host = getattr(getattr(spider, "profile", None), "host", None)
    if host:
        return str(host).lower()
    return (urlsplit(settings.get("BASE_URL") or "").hostname or "").lower()


def capture_spiders(settings) -> list[str]:
    return settings.getlist("NEWSCRAWL_CAPTURE_SPIDERS", ["breaking"])


class CrawlHealth:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.interval = settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 30.0)
        self.thresholds = Thresholds.from_settings(settings)
        self.actions = actions_from_settings(settings)
        self.coverage = Coverage()
        self.run_id = uuid.uuid4().hex
        self.started = time.monotonic()
        self.start_at = datetime.now(timezone.utc)
        self.loop: task.LoopingCall | None = None
        self.site = ""
        self.record_skipped = False  # said once: the store was down when the record was to be written

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NEWSCRAWL_HEALTH_ENABLED", True):
            raise NotConfigured
        if getattr(crawler.spidercls, "name", None) in capture_spiders(crawler.settings):
            raise NotConfigured  # judged by CaptureHealth
        ext = cls(crawler)
        ext.connect_signals()
        return ext

    def connect_signals(self) -> None:
        self.crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        self.crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @property
    def stats(self):
        return self.crawler.stats

    def collection(self):
        """The `crawls` collection, or None without a store. Connects: call it off the reactor.

        Raises StoreUnavailable at once while the store is known to be down (its circuit is open):
        a crawl record never waits for server-selection timeouts."""
        from newscrawl.store import get_store

        store = get_store(self.crawler)
        if store is None:
            return None
        store.circuit.check()
        return store.db[COLLECTION]

    def _guarded(self, fn):
        """``fn(collection)`` in a worker thread; a connection failure tells the store's circuit."""
        from newscrawl.store import get_store
        from newscrawl.store.circuit import is_connection_error

        coll = self.collection()
        if coll is None:
            return None
        try:
            return fn(coll)
        except Exception as exc:
            store = get_store(self.crawler)
            if store is not None and is_connection_error(exc):
                store.circuit.failed(exc)
            raise

    async def _write(self, fn, *args) -> None:
        from newscrawl.store.circuit import StoreUnavailable

        try:
            await maybe_deferred_to_future(deferToThread(self._guarded, lambda coll: fn(coll, *args)))
        except StoreUnavailable:
            if not self.record_skipped:
                self.record_skipped = True
                logger.warning("the crawl record in %s is not written while the store is unreachable", COLLECTION)
        except Exception as exc:  # a health record must never break the crawl
            logger.warning("could not record the crawl in %s: %s", COLLECTION, exc)

    async def spider_opened(self, spider):
        self.site = site_of(spider, self.crawler.settings)
        doc = {"_id": self.run_id, "spider": spider.name, "site": self.site, "arguments": self.arguments(spider),
               "start": self.start_at, "status": "running"}
        await self._write(lambda coll, d: coll.insert_one(d), doc)
        if getattr(getattr(spider, "args", None), "follow", False):
            return  # following: the follower reports its own progress (new articles, delays)
        if self.interval > 0:
            self.loop = task.LoopingCall(self.report_progress)
            self.loop.start(self.interval, now=False).addErrback(lambda f: logger.warning("progress: %s", f))

    @staticmethod
    def arguments(spider) -> dict:
        args = getattr(spider, "args", None)
        if args is None:
            return {}
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in vars(args).items()}

    def item_scraped(self, item, spider):
        fields = fields_of(item)  # read, not copied: coverage only looks
        if "body" in fields:
            self.coverage.add(fields)

    def progress(self) -> tuple[str, dict]:
        known = self.stats.get_value("progress/articles/known", 0)
        done = self.stats.get_value("progress/articles/done", 0)
        return progress_line(known, done, time.monotonic() - self.started, self.stats.get_value("frontier/queued"))

    def report_progress(self):
        text, figures = self.progress()
        logger.info(text)
        figures["updated_at"] = datetime.now(timezone.utc)
        return deferToThread(self._update_progress, figures)

    def _update_progress(self, figures: dict) -> None:
        try:
            self._guarded(lambda coll: coll.update_one({"_id": self.run_id}, {"$set": {"progress": figures}}))
        except Exception as exc:  # noqa: BLE001 - the progress line was logged; the next update may pass
            logger.debug("progress not recorded in %s: %s", COLLECTION, exc)

    def summary(self, reason: str) -> dict:
        stats = dict(self.stats.get_stats())
        sources = source_shares(stats)
        spider = getattr(self.crawler, "spider", None)
        return {"articles": self.coverage.articles, "coverage": self.coverage.shares(), "sources": sources,
                "fallback_share": fallback_share(sources), "stats": stats, "finish_reason": reason,
                "follow": bool(getattr(getattr(spider, "args", None), "follow", False)),
                **self.discoveries(stats)}

    def discoveries(self, stats: dict) -> dict:
        """What the crawl learned of the site beyond its profile, for the record, the monitors and the doctor:
        each listing's first-page article links, URL shapes the sitemaps list that the profile's article
        pattern does not match, listings found by what they are, and where the page and the profile disagree."""
        spider = getattr(self.crawler, "spider", None)
        yields = getattr(spider, "listing_yields", None) or {}
        shapes = getattr(spider, "unknown_shapes", None) or {}
        return {
            "listings": [{"path": path, "articles": n} for path, n in sorted(yields.items())],
            "unknown_shapes": [{"shape": shape, "urls": n, "example": example}
                               for shape, (n, example) in sorted(shapes.items())],
            "learned_listings": [{"shape": shape, "listings": n}
                                 for shape, n in sorted((getattr(spider, "learned_listings", None) or {}).items())],
            "disagreements": {name: int(n) for name, n in stats_below(stats, "extract/disagreement").items()},
        }

    def _history(self, spider: str, limit: int) -> list[dict]:
        def read(coll) -> list[dict]:
            cursor = coll.find({"spider": spider, "site": self.site, "status": "passed"},
                               {"articles": 1, "coverage": 1, "fallback_share": 1, "listings": 1}
                               ).sort("start", -1).limit(limit)
            return list(cursor)

        return self._guarded(read) or []

    async def history(self, spider) -> list[dict]:
        from newscrawl.store.circuit import StoreUnavailable

        try:
            return await maybe_deferred_to_future(
                deferToThread(self._history, spider.name, self.thresholds.history_runs))
        except StoreUnavailable:  # the store's outage was said by its circuit; judged as a first run
            logger.info("earlier crawls not read: the store is unreachable; judged against the first-run floors")
            return []
        except Exception as exc:
            logger.warning("could not read earlier crawls: %s", exc)
            return []

    async def judge(self, spider, run: dict) -> list[MonitorResult]:
        return evaluate(run, await self.history(spider), self.thresholds)

    async def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        spent = per_change(self.stats.get_stats())
        if spent is not None:
            self.stats.set_value("requests/per_change", spent)
        run = self.summary(reason)
        unreachable = reason in UNREACHABLE_REASONS
        # a site that never answered has nothing to judge: the reachability message says it all
        results = [] if unreachable else await self.judge(spider, run)
        failed = [r for r in results if r.level == FAIL]
        warned = [r for r in results if r.level == WARN]
        status = "failed" if failed or unreachable else "passed"
        self.stats.set_value("health/status", status)
        self.stats.set_value("health/monitors/failed", len(failed))
        self.stats.set_value("health/monitors/warned", len(warned))
        for result in failed:
            self.stats.set_value(f"health/failed/{result.name}", result.message)
        for result in warned:
            self.stats.set_value(f"health/warned/{result.name}", result.message)
        finish_reason = "monitors_failed" if failed and reason == "finished" else reason
        text, figures = self.progress()
        report = {
            "spider": spider.name, "site": self.site, "status": status, "finish_reason": finish_reason,
            "end": datetime.now(timezone.utc), "articles": run["articles"], "coverage": run["coverage"],
            "sources": run["sources"], "fallback_share": run["fallback_share"], "progress": figures,
            "counts": self.counts(run["stats"]), "monitors": [r.as_dict() for r in results],
            **{key: run[key] for key in ("listings", "unknown_shapes", "learned_listings", "disagreements") if key in run},
        }
        if unreachable:
            report["message"] = message_of(self.crawler) or reason
        else:
            log_action(report)
        for action in self.actions if status == "failed" else []:
            try:
                await maybe_deferred_to_future(deferToThread(action, report))
            except Exception as exc:
                logger.error("alert action failed: %s", exc)
        await self._write(lambda c, r: c.update_one({"_id": self.run_id}, {"$set": r}, upsert=True), report)

    @staticmethod
    def counts(stats: dict) -> dict:
        return {
            "requests": stats.get("downloader/request_count", 0),
            "responses": stats.get("downloader/response_count", 0),
            "items": stats.get("item_scraped_count", 0),
            "dropped": stats.get("item_dropped_count", 0),
            "rejected": stats.get("validate/items/dropped", 0),
            "generic": stats.get("extract/method/generic", 0),  # stored through the generic fallback
            "new": stats.get("mongo/articles/new", 0),
            "changed": stats.get("mongo/articles/changed", 0),
            "unchanged": stats.get("mongo/articles/unchanged", 0),
            "errors": int(stat_total(stats, "errors")),
            "retries": stats.get("retry/count", 0),
            "blocked": stats.get("blocked/403/count", 0),
            "challenges": stats.get("blocked/challenge/count", 0),
            "rate_limited": stats.get("downloader/response_status_count/429", 0),
            "skipped_unchanged": int(stat_total(stats, "incremental/skipped")),
            # what the run spent, by kind of page, and per article it brought (new or changed)
            "requests_by_kind": {kind: int(n) for kind, n in stats_below(stats, "requests").items()
                                 if "/" not in kind and kind != "per_change"},
            "per_change": per_change(stats),
        }


class CaptureHealth(CrawlHealth):
    """The breaking-ticker spider's run: recorded in `crawls`, failed when no capture succeeded.

    Enabled for the spiders named in NEWSCRAWL_CAPTURE_SPIDERS (default ["breaking"]);
    NEWSCRAWL_CAPTURE_HEALTH_ENABLED=False switches it off.
    """

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_CAPTURE_HEALTH_ENABLED", True):
            raise NotConfigured
        if getattr(crawler.spidercls, "name", None) not in capture_spiders(settings):
            raise NotConfigured
        ext = cls(crawler)
        ext.interval = 0.0  # no article progress to report
        ext.connect_signals()
        return ext

    def item_scraped(self, item, spider):
        pass

    async def judge(self, spider, run: dict) -> list[MonitorResult]:
        return [check_captures(run["stats"])]

    @staticmethod
    def counts(stats: dict) -> dict:
        return {
            "requests": stats.get("downloader/request_count", 0),
            "captures": stats.get("breaking/capture/succeeded", 0) + stats.get("breaking/capture/failed", 0),
            "succeeded": stats.get("breaking/capture/succeeded", 0),
            "lines": stats.get("breaking/lines/seen", 0),
            "new": stats.get("mongo/breaking/new", 0),
            "errors": int(stat_total(stats, "breaking/error")),
        }

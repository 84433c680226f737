"""Store items in MongoDB in batches, off the reactor, surviving a store that goes away.

Items are buffered and flushed every MONGO_FLUSH_ITEMS items or MONGO_FLUSH_SECONDS
seconds and at close. Each flush runs in the pipeline's own single worker thread (so
flushes are serial and never hold the reactor's thread pool, which also resolves DNS).
Transient errors are retried with exponential backoff for MONGO_RETRY_SECONDS while the
server answers; once the store's circuit knows it is down (newscrawl.store.circuit), a
batch goes straight to the store's journal (<NEWSCRAWL_DATA_DIR>/journal/<store>.jsonl)
and the crawl goes on. The journal is replayed at open, when the circuit closes again,
and after the next successful flush: only this store's records (newscrawl.store.journal).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from pymongo.errors import OperationFailure
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred, DeferredList
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from newscrawl.items import BreakingItem, PageItem, SightingItem, as_document
from newscrawl.pipelines.stats import PipelineStats
from newscrawl.store import Store, get_store
from newscrawl.store.circuit import StoreUnavailable, is_connection_error, short_reason
from newscrawl.store.connection import mask_uri
from newscrawl.store.journal import waiting
from newscrawl.store.retry import TRANSIENT_ERRORS, with_retry

logger = logging.getLogger(__name__)


class StoreAuthenticationError(RuntimeError):
    """The MongoDB server refused the configured user or password."""


def is_breaking(item: Any, doc: dict) -> bool:
    return isinstance(item, BreakingItem) or ("text_hash" in doc and "content_hash" not in doc)


def is_page(item: Any) -> bool:
    return isinstance(item, PageItem)


class MongoPipeline:
    def __init__(self, crawler, store: Store):
        self.crawler = crawler
        self.stats = crawler.stats
        self.store = store
        settings = crawler.settings
        self.flush_items = settings.getint("MONGO_FLUSH_ITEMS", 100)
        self.flush_seconds = settings.getfloat("MONGO_FLUSH_SECONDS", 2.0)
        self.retry_seconds = settings.getfloat("MONGO_RETRY_SECONDS", 30.0)
        self.max_pending = settings.getint("MONGO_MAX_PENDING_FLUSHES", 4)
        self.articles: list[dict] = []
        self.breaking: list[dict] = []
        self.pages: list[dict] = []
        self.sightings: list[dict] = []
        self.in_flight: set[Deferred] = set()
        self.waiters: list[Deferred] = []
        self.journal_dirty = False  # touched only from the worker thread
        self.other_targets = 0  # journals of other stores found at open
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="newscrawl-store")
        self.loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        store = get_store(crawler)
        if store is None:
            raise NotConfigured("storage is off (NEWSCRAWL_STORE_ENABLED = False)")
        return cls(crawler, store)

    # --- the spider's lifetime ----------------------------------------------------

    async def open_spider(self) -> None:
        from twisted.internet import reactor

        self.pool.start()
        # should close_spider never run, a live worker thread would keep the process from exiting
        reactor.addSystemEventTrigger("during", "shutdown", self._stop_pool)
        # the store is back: its journal is replayed now, not only after the next flush
        self.store.circuit.listeners.append(
            lambda opened, _: None if opened else reactor.callFromThread(self._replay_soon))
        self.loop = LoopingCall(self.flush)
        self.loop.start(self.flush_seconds, now=False)
        replayed = await maybe_deferred_to_future(self._in_thread(self.connect_and_replay))
        if replayed:
            self.stats.inc_value("mongo/journal/replayed", replayed)
        if self.other_targets:
            self.stats.set_value("mongo/journal/other_targets", self.other_targets)

    async def process_item(self, item: Any) -> Any:
        doc = as_document(item)  # the chain's one copy: kept until the flush, in another thread
        buffer = self.pages if is_page(item) else self.breaking if is_breaking(item, doc) else \
            self.sightings if isinstance(item, SightingItem) else self.articles
        buffer.append(doc)
        self.stats.inc_value("mongo/items/in")
        if len(self.articles) + len(self.breaking) + len(self.pages) + len(self.sightings) >= self.flush_items:
            self.flush()
        # backpressure: hold the item (and so the scraper) while too many flushes are queued
        while len(self.in_flight) > self.max_pending:
            waiter: Deferred = Deferred()
            self.waiters.append(waiter)
            await maybe_deferred_to_future(waiter)
        return item

    async def close_spider(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.store.circuit.is_open:  # it may be back since the last re-test: one more, now (a short wait)
            await maybe_deferred_to_future(self._in_thread(self.store.circuit.retest))
        self.flush()  # with the store still down, this batch goes to the journal at once
        if self.in_flight:
            await maybe_deferred_to_future(DeferredList(list(self.in_flight)))
        # what the journal still holds, replayed if the store is back; the store itself closes once the engine
        # has stopped (newscrawl.store.get_store), after the crawl record is written
        replayed, left = await maybe_deferred_to_future(self._in_thread(self.journal_left))
        if replayed:
            self.stats.inc_value("mongo/journal/replayed", replayed)
        self._stop_pool()
        circuit = self.store.circuit
        if circuit.opened:
            self.stats.set_value("store/circuit/opened", circuit.opened)
            self.stats.set_value("store/circuit/closed", circuit.closed)
            self.stats.set_value("store/circuit/seconds_open", round(circuit.seconds_open(), 1))
        articles = PipelineStats(self.stats, "mongo/articles")
        logger.info("mongo: %d items in; articles %s; journaled %d", self.stats.get_value("mongo/items/in", 0),
                    ", ".join(f"{k} {v}" for k, v in sorted(articles.under().items())) or "none",
                    self.stats.get_value("mongo/journal/written", 0))
        if left:
            logger.warning("%d journaled records wait for %s in %s; the next crawl into that store replays them, "
                           "or `%s`", left, self.store.label, self.store.journal.path,
                           self.store.target.replay_command() if self.store.target else "newscrawl db replay")

    def journal_left(self) -> tuple[int, int]:
        """Replay what the store's journal holds if the store answers (worker thread): (replayed, left)."""
        journal = self.store.journal
        try:
            if journal is None or not journal.has_pending():
                return 0, 0
            replayed = self.replay()
            return replayed, journal.pending() if journal.has_pending() else 0
        except OSError:
            return 0, 0

    def _stop_pool(self) -> None:
        if self.pool.started and not self.pool.joined:
            self.pool.stop()

    # --- flushing ------------------------------------------------------------------

    def flush(self) -> Deferred | None:
        """Hand the buffered items to the worker thread (called on the reactor thread)."""
        if not (self.articles or self.breaking or self.pages or self.sightings):
            return None
        articles, breaking, pages, sightings = self.articles, self.breaking, self.pages, self.sightings
        self.articles, self.breaking, self.pages, self.sightings = [], [], [], []
        d = self._in_thread(self.write, articles, breaking, datetime.now(timezone.utc), pages, sightings)
        self.in_flight.add(d)
        d.addCallback(self._count)
        d.addErrback(lambda f: logger.error("store flush failed", exc_info=(f.type, f.value, f.getTracebackObject())))
        d.addBoth(self._flushed, d)
        return d

    def _flushed(self, _: Any, d: Deferred) -> None:
        self.in_flight.discard(d)
        if len(self.in_flight) <= self.max_pending:
            waiters, self.waiters = self.waiters, []
            for waiter in waiters:
                waiter.callback(None)

    def _count(self, increments: Counter) -> None:
        for key, value in increments.items():
            if value:
                self.stats.inc_value(key, value)

    def _in_thread(self, fn, *args) -> Deferred:
        from twisted.internet import reactor

        return deferToThreadPool(reactor, self.pool, fn, *args)

    # --- the worker thread -----------------------------------------------------------

    def connect_and_replay(self) -> int:
        """Connect (starting the embedded server if need be) and replay this store's journal; records replayed."""
        self.report_other_journals()
        try:
            self.store.db  # noqa: B018 - connects, ensures indexes and the validator
        except TRANSIENT_ERRORS as exc:
            if not self.store.circuit.failed(exc):
                logger.warning("MongoDB store unreachable at open (%s); writes will be retried, then journaled",
                               short_reason(exc))
            self.journal_dirty = True
            return 0
        except OperationFailure as exc:
            if exc.code in (13, 18):  # Unauthorized, AuthenticationFailed: a clear message, no driver noise
                raise StoreAuthenticationError(
                    f"MongoDB refused the credentials in MONGODB_URI ({mask_uri(self.store.uri or '')}): "
                    f"authentication failed") from None
            raise
        logger.info("MongoDB store: %s (database %s)", mask_uri(self.store.uri or ""), self.store.db.name)
        return self.replay()

    def report_other_journals(self) -> None:
        """Say once what waits in the journals of other stores (kept untouched: they are not this store's)."""
        journal = self.store.journal
        if journal is None:
            return
        try:
            others = waiting(journal.path.parent, exclude=journal.path.name[:-len(".jsonl")])
        except OSError as exc:
            logger.warning("could not read the journals in %s: %s", journal.path.parent, exc)
            return
        for other in others:
            if other.legacy:
                logger.warning("%d journaled records (%s) in %s were written before journals named their store; "
                               "they are not replayed by a crawl: `newscrawl db replay --legacy --uri URI --db DB` "
                               "writes them into the store you name", other.records, other.describe_kinds(),
                               other.path)
            else:
                logger.warning("%d journaled records (%s) for %s are waiting; they will be replayed by a crawl into "
                               "that store, or by `%s`", other.records, other.describe_kinds(), other.target.label,
                               other.target.replay_command())
        self.other_targets = len(others)  # counted on the reactor thread

    def replay(self) -> int:
        journal = self.store.journal
        if journal is None or not journal.has_pending():
            self.journal_dirty = False
            return 0
        if self.store.circuit.is_open:
            self.journal_dirty = True
            return 0
        try:
            replayed = journal.replay(self.store)
        except TRANSIENT_ERRORS as exc:
            if is_connection_error(exc):
                self.store.circuit.failed(exc)
            logger.warning("journal replay interrupted (%s); it will be tried again", type(exc).__name__)
            self.journal_dirty = True
            return 0
        except Exception:
            # not something a retry fixes: leave the journal for the next run (and a human), stop trying now
            logger.exception("journal replay failed; %s keeps the records", journal.path)
            self.journal_dirty = False
            return 0
        self.journal_dirty = False
        if replayed:
            logger.info("replayed %d journaled records into the store", replayed)
        return replayed

    def _replay_soon(self) -> None:
        """The circuit closed (reactor thread): replay the journal in the worker thread."""
        if self.pool.joined:
            return
        d = self._in_thread(lambda: Counter({"mongo/journal/replayed": self.replay()}))
        self.in_flight.add(d)
        d.addCallback(self._count)
        d.addErrback(lambda f: logger.error("journal replay failed", exc_info=(f.type, f.value, f.getTracebackObject())))
        d.addBoth(self._flushed, d)

    def _upsert(self, kind: str, docs: list[dict], now: datetime):
        if kind == "articles":
            return self.store.articles.upsert_many(docs, now)
        if kind == "pages":
            return self.store.pages.save_many(docs, now)
        if kind == "sightings":
            return self.store.articles.mark_seen(docs, now)
        return self.store.breaking.upsert_many(docs, now)

    def write(self, articles: list[dict], breaking: list[dict], now: datetime, pages: list[dict] = (),
              sightings: list[dict] = ()) -> Counter:
        """Store one flush; the stats increments (applied on the reactor thread)."""
        inc: Counter = Counter()
        journaled = False
        circuit = self.store.circuit

        def retrying(exc: BaseException, attempt: int) -> None:
            inc["mongo/flush/retries"] += 1
            try:
                self.store.recover()
            except Exception as error:  # the next attempt reports what is still wrong
                logger.warning("could not restart the embedded store: %s", error)

        for kind, docs in (("articles", articles), ("breaking", breaking), ("pages", list(pages)),
                           ("sightings", list(sightings))):
            if not docs:
                continue
            try:
                result = with_retry(lambda: self._write_batch(kind, docs, now), self.retry_seconds, retrying,
                                    give_up=circuit.failed)
            except Exception as exc:
                # unreachable (the circuit is open) or for too long, or a failure nobody can fix mid-crawl:
                # keep the batch, go on
                written = self.store.journal.append(kind, docs, now)
                inc["mongo/journal/written"] += written
                inc["mongo/items/durable"] += len(docs)
                journaled = self.journal_dirty = True
                if circuit.is_open or isinstance(exc, StoreUnavailable):  # said once, when the circuit opened
                    logger.debug("store unreachable: %d %s journaled to %s", written, kind, self.store.journal.path)
                elif isinstance(exc, TRANSIENT_ERRORS):
                    logger.error("MongoDB store unreachable for %ss (%s): %d %s journaled to %s", self.retry_seconds,
                                 type(exc).__name__, written, kind, self.store.journal.path)
                else:
                    inc["mongo/flush/errors"] += 1
                    logger.exception("storing %d %s failed; journaled to %s", written, kind, self.store.journal.path)
                continue
            inc["mongo/items/durable"] += len(docs)
            if kind == "articles":
                for outcome, n in result.counts.items():
                    inc[f"mongo/articles/{outcome}"] += n
            elif kind == "pages":
                inc["mongo/pages/kept"] += len(docs)
            elif kind == "sightings":
                inc["mongo/articles/not_modified"] += result
            else:
                inc["mongo/breaking/new"] += result["new"]
                inc["mongo/breaking/seen"] += result["seen"]
        inc["mongo/flush/count"] += 1
        # the journal may also hold other pipelines' records (rejects kept during an outage)
        if not journaled and (self.journal_dirty or (self.store.journal is not None and self.store.journal.has_pending())):
            inc["mongo/journal/replayed"] += self.replay()
        return inc

    def _write_batch(self, kind: str, docs: list[dict], now: datetime):
        return self.store.guarded(self._upsert, kind, docs, now)

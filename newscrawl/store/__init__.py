"""The MongoDB store: articles (with revisions and aliases), breaking lines, rejects, and a local journal.

``Store(db)`` wraps a pymongo database you already have. ``get_store(crawler)`` gives
a crawler its one Store that connects lazily, on first use, from the settings
(MONGODB_URI, else the embedded SecantusDB server under NEWSCRAWL_DATA_DIR); that
first use does network and process work, so make it from a worker thread.
"""

from __future__ import annotations

import atexit
import logging
import threading
import weakref
from datetime import datetime, timezone
from functools import cached_property
from typing import Any, Iterable

import pymongo
from pymongo import MongoClient, UpdateOne
from pymongo.database import Database
from pymongo.errors import PyMongoError

from newscrawl.extract.dates import to_utc
from newscrawl.store import connection
from newscrawl.store.articles import Articles, UpsertResult
from newscrawl.store.breaking import Breaking
from newscrawl.store.circuit import CONNECTION_ERRORS, Circuit, StoreUnavailable, TopologyWatcher
from newscrawl.store.pages import Pages
from newscrawl.store.schedule import Schedule
from newscrawl.store.indexes import IndexReport, ensure_indexes
from newscrawl.store.journal import Journal, journal_dir
from newscrawl.store.target import StoreTarget

logger = logging.getLogger(__name__)

__all__ = ["Store", "StoreUnavailable", "get_store", "open_store", "Articles", "Breaking", "Journal", "UpsertResult"]

_stores: "weakref.WeakKeyDictionary[Any, Store]" = weakref.WeakKeyDictionary()
COLLECTION_WRAPPERS = ("articles", "breaking", "pages", "schedule")
CLOSE_TIMEOUT = 2.0  # seconds closing the client may wait for the server
CLOSE_TIMEOUT_DOWN = 0.1
_embedded_users: dict[Any, int] = {}
_embedded_lock = threading.Lock()


class Store:
    """A MongoDB database, its journal (the store's own file under NEWSCRAWL_DATA_DIR/journal)
    and its circuit (``newscrawl.store.circuit``: whether the server is known to be down)."""

    def __init__(self, db: Database | None = None, *, settings: Any = None, journal: Journal | None = None):
        self._db = db
        self.settings = settings
        self._journal = journal
        self.uri: str | None = None
        self.client = None  # the client this Store made (and closes)
        self.embedded = None  # the embedded server this Store uses, if any
        self.index_report: IndexReport | None = None
        self._lock = threading.Lock()
        self.circuit = Circuit(
            self.probe,
            interval=float(connection.setting(settings, "MONGO_CIRCUIT_PROBE_SECONDS", 2.0)),
            probe_timeout=float(connection.setting(settings, "MONGO_CIRCUIT_PROBE_TIMEOUT_MS", 1000)) / 1000,
            label=lambda: f"MongoDB store {self.label}",
            journal=lambda: str(self.journal.path) if self.journal is not None else "the journal")

    # --- what this store is -----------------------------------------------------------

    @cached_property
    def target(self) -> StoreTarget | None:
        """The store's identity (never its credentials); None for a Store made from a bare database."""
        if self.settings is None:
            return None
        return StoreTarget.from_settings(self.settings)

    @property
    def label(self) -> str:
        if self.target is not None:
            return self.target.label
        if self._db is not None:
            return f"database {self._db.name}"
        return "MongoDB"

    @property
    def journal(self) -> Journal | None:
        """This store's own journal (its target's file); None without settings, unless one was given."""
        if self._journal is None and self.settings is not None:
            self._journal = Journal.for_target(journal_dir(connection.data_dir(self.settings)), self.target)
        return self._journal

    # --- the connection ------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            with self._lock:
                if self._db is None:
                    self._connect()
        return self._db

    def _connect(self) -> None:
        if not connection.configured_uri(self.settings) and self.embedded is None:
            self.embedded = _acquire_embedded(self.settings)
        uri = connection.resolve_uri(self.settings)
        client = connection.make_client(uri, self.settings, event_listeners=[TopologyWatcher(self.circuit)])
        db = client[connection.database_name(self.settings)]
        try:
            self.index_report = ensure_indexes(db)
        except Exception:
            client.close()
            raise
        self.uri, self.client, self._db = uri, client, db

    @property
    def connected(self) -> bool:
        return self._db is not None

    def ensure_indexes(self) -> IndexReport:
        if self.index_report is None:
            self.index_report = ensure_indexes(self.db)
        return self.index_report

    @property
    def text_index_available(self) -> bool:
        return self.ensure_indexes().text_index_available

    def ping(self) -> bool:
        try:
            self.db.client.admin.command("ping")
            return True
        except PyMongoError:
            return False

    def probe(self, timeout: float) -> bool:
        """Whether the server answers within ``timeout`` seconds (the circuit's re-test; blocking).

        An embedded server that died is started again first (same port, same data); a store
        never connected is connected once it answers."""
        if self.embedded is not None and not self.embedded.running():
            self.recover()
        if self._db is not None:
            with pymongo.timeout(timeout):
                self._db.client.admin.command("ping")
            return True
        uri = connection.resolve_uri(self.settings)  # the embedded store: started if need be
        # a first connection may need the configured time (DNS, TLS, discovering a replica set)
        ms = max(int(timeout * 1000), int(connection.setting(self.settings, "MONGO_SERVER_SELECTION_TIMEOUT_MS",
                                                             connection.DEFAULT_SERVER_SELECTION_TIMEOUT_MS)))
        client = MongoClient(uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms)
        try:
            client.admin.command("ping")
        finally:
            client.close()
        self.db  # noqa: B018 - it answers: connect, with the indexes and the validator
        return True

    def guarded(self, fn, *args):
        """``fn(*args)`` unless the store is known to be down (StoreUnavailable at once); a connection
        failure tells the circuit, which may open, and is raised."""
        self.circuit.check()
        try:
            return fn(*args)
        except CONNECTION_ERRORS as exc:
            self.circuit.failed(exc)
            raise

    def recover(self) -> None:
        """After a transient failure: start the embedded server again if it died (same port, same data)."""
        if self.embedded is not None and not self.embedded.running():
            logger.warning("the embedded SecantusDB server is not answering; starting it again")
            self.embedded.start()

    def close(self) -> None:
        self.circuit.stop()
        if self.client is not None:
            # closing ends the client's sessions on the server, which waits for a server to select: not for
            # long (the server forgets them by itself), and not at all when it is known to be down
            with pymongo.timeout(CLOSE_TIMEOUT_DOWN if self.circuit.is_open else CLOSE_TIMEOUT):
                self.client.close()
            self.client, self._db = None, None
            for name in COLLECTION_WRAPPERS:  # bound to the closed client: made again on the next use
                self.__dict__.pop(name, None)
        if self.embedded is not None:
            keep = connection.setting(self.settings, "NEWSCRAWL_EMBEDDED_KEEP", False)
            _release_embedded(self.embedded, keep)
            self.embedded = None

    # --- the collections -------------------------------------------------------------

    @cached_property
    def articles(self) -> Articles:
        return Articles(self.db)

    @cached_property
    def breaking(self) -> Breaking:
        return Breaking(self.db)

    @cached_property
    def pages(self) -> Pages:
        return Pages(self.db)

    @cached_property
    def schedule(self) -> Schedule:
        return Schedule(self.db)

    @property
    def revisions(self):
        return self.db["article_revisions"]

    @property
    def rejects(self):
        return self.db["rejects"]

    def known_versions(self, urls: Iterable[str]) -> dict[str, dict]:
        """For incremental crawls: what the store holds of these URLs, stored or rejected.

        A page rejected on purpose by validation is not downloaded again until the site shows
        a newer version of it, like a stored article.
        """
        return self.guarded(self._known_versions, list(dict.fromkeys(urls)))

    def _known_versions(self, urls: list[str]) -> dict[str, dict]:
        known = self.articles.lookup(urls)
        missing = [url for url in urls if url not in known]
        if missing:
            projection = {"_id": 0, "url": 1, "item.modified_at": 1, "item.published_at": 1}
            for doc in self.rejects.find({"url": {"$in": missing}}, projection):
                item = doc.get("item") or {}
                known.setdefault(doc["url"], {"modified_at": as_datetime(item.get("modified_at")),
                                              "published_at": as_datetime(item.get("published_at")),
                                              "rejected": True})
        return known

    def save_rejects(self, docs: Iterable[dict]) -> int:
        """Record items that failed validation: {url, errors, item, at}. Keyed by (url, at): replays add nothing."""
        return self.guarded(self._save_rejects, docs)

    def _save_rejects(self, docs: Iterable[dict]) -> int:
        now = datetime.now(timezone.utc)
        ops = []
        for doc in docs:
            doc = {**doc, "at": doc.get("at") or now}
            ops.append(UpdateOne({"url": doc.get("url"), "at": doc["at"]}, {"$setOnInsert": doc}, upsert=True))
        if not ops:
            return 0
        return self.rejects.bulk_write(ops, ordered=False).upserted_count


def as_datetime(value) -> datetime | None:
    value = to_utc(value)
    return value if isinstance(value, datetime) else None


def journal_path(settings: Any):
    """The journal file of the store these settings name (one file per store; see store.journal)."""
    return StoreTarget.from_settings(settings).journal_path(journal_dir(connection.data_dir(settings)))


def get_store(crawler) -> Store | None:
    """The crawler's one Store (not connected yet), or None when NEWSCRAWL_STORE_ENABLED is False.

    It is closed (client, circuit, the embedded server) when the engine has stopped: after the pipelines
    and after every spider_closed handler, so that the crawl record is written with the same connection."""
    if not crawler.settings.getbool("NEWSCRAWL_STORE_ENABLED", True):
        return None
    store = _stores.get(crawler)
    if store is None:
        store = _stores[crawler] = Store(settings=crawler.settings)
        signals = getattr(crawler, "signals", None)
        if signals is not None:
            from scrapy import signals as scrapy_signals

            signals.connect(lambda: _close_off_the_reactor(store), signal=scrapy_signals.engine_stopped, weak=False)
    return store


async def _close_off_the_reactor(store: Store) -> None:
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet.threads import deferToThread

    try:
        await maybe_deferred_to_future(deferToThread(store.close))
    except Exception as exc:  # noqa: BLE001 - the crawl is over; say it, do not fail it
        logger.warning("closing the store: %s", exc)


def open_store(settings: Any = None) -> Store:
    """A connected Store for scripts and commands (blocking; not for the reactor thread)."""
    store = Store(settings=settings or {})
    store.db  # noqa: B018 - connect now, so errors surface here
    return store


def _acquire_embedded(settings: Any):
    server = connection.embedded_server(settings)
    with _embedded_lock:
        _embedded_users[server] = _embedded_users.get(server, 0) + 1
    return server


def _release_embedded(server, keep: bool) -> None:
    # several crawlers of one process share a server: the last one out stops it
    with _embedded_lock:
        _embedded_users[server] = _embedded_users.get(server, 1) - 1
        last = _embedded_users[server] <= 0
    if last and not keep:
        server.stop()


def terminate_embedded_servers() -> None:
    """SIGTERM to every embedded server this process started, without waiting (a forced exit)."""
    for server in list(_embedded_users):
        server.terminate()


@atexit.register
def _stop_embedded_servers() -> None:
    for server in list(_embedded_users):
        server.stop()

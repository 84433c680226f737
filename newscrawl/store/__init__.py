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

from pymongo import UpdateOne
from pymongo.database import Database
from pymongo.errors import PyMongoError

from newscrawl.extract.dates import to_utc
from newscrawl.store import connection
from newscrawl.store.articles import Articles, UpsertResult
from newscrawl.store.breaking import Breaking
from newscrawl.store.pages import Pages
from newscrawl.store.schedule import Schedule
from newscrawl.store.indexes import IndexReport, ensure_indexes
from newscrawl.store.journal import Journal

logger = logging.getLogger(__name__)

__all__ = ["Store", "get_store", "open_store", "Articles", "Breaking", "Journal", "UpsertResult"]

_stores: "weakref.WeakKeyDictionary[Any, Store]" = weakref.WeakKeyDictionary()
COLLECTION_WRAPPERS = ("articles", "breaking", "pages", "schedule")
_embedded_users: dict[Any, int] = {}
_embedded_lock = threading.Lock()


class Store:
    def __init__(self, db: Database | None = None, *, settings: Any = None, journal: Journal | None = None):
        self._db = db
        self.settings = settings
        self.journal = journal or (Journal(journal_path(settings)) if settings is not None else None)
        self.uri: str | None = None
        self.client = None  # the client this Store made (and closes)
        self.embedded = None  # the embedded server this Store uses, if any
        self.index_report: IndexReport | None = None
        self._lock = threading.Lock()

    # --- the connection ------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            with self._lock:
                if self._db is None:
                    self._connect()
        return self._db

    def _connect(self) -> None:
        if not connection.configured_uri(self.settings):
            self.embedded = _acquire_embedded(self.settings)
        uri = connection.resolve_uri(self.settings)
        client = connection.make_client(uri, self.settings)
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

    def recover(self) -> None:
        """After a transient failure: start the embedded server again if it died (same port, same data)."""
        if self.embedded is not None and not self.embedded.running():
            logger.warning("the embedded SecantusDB server is not answering; starting it again")
            self.embedded.start()

    def close(self) -> None:
        if self.client is not None:
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
        urls = list(dict.fromkeys(urls))
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
    return connection.data_dir(settings) / "journal" / "articles.jsonl"


def get_store(crawler) -> Store | None:
    """The crawler's one Store (not connected yet), or None when NEWSCRAWL_STORE_ENABLED is False."""
    if not crawler.settings.getbool("NEWSCRAWL_STORE_ENABLED", True):
        return None
    store = _stores.get(crawler)
    if store is None:
        store = _stores[crawler] = Store(settings=crawler.settings)
    return store


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


@atexit.register
def _stop_embedded_servers() -> None:
    for server in list(_embedded_users):
        server.stop()

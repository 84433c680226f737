"""The ``schedule`` and ``revisits`` collections: what the crawler knows of the site's pages between runs.

``schedule``: one document per (site, kind, url) of a page that is not an article: the home page,
a listing or tag listing's first page, a sitemap, a page probed as a possible listing. It keeps
the page's validators (ETag, Last-Modified), when it was last fetched, when it last brought news,
its polling interval and when it is next due; a monthly sitemap also its ``lastmod`` as of the last
run that stored everything it listed. ``revisits``: one document per recent article, with the next
rung of its revisit ladder. Both are read once when a crawl opens and written in bulk (off the
reactor) when it closes, and every few seconds in follow mode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from pymongo import DeleteOne, UpdateOne
from pymongo.database import Database

SOURCE_FIELDS = ("checked_at", "next_due", "interval", "etag", "last_modified", "news_at", "polls", "news",
                 "lastmod", "stored_at", "verdict", "learned", "walked_at", "cards")


class Schedule:
    def __init__(self, db: Database):
        self.sources = db["schedule"]
        self.revisits = db["revisits"]

    # --- source pages ---------------------------------------------------------------
    def load(self, site: str) -> dict[tuple[str, str], dict]:
        """{(kind, url): document} of a site."""
        return {(d["kind"], d["url"]): d for d in self.sources.find({"site": site}, {"_id": 0})}

    def save(self, site: str, docs: Iterable[dict]) -> int:
        """Upsert source documents ({kind, url, ...fields}); fields absent from a document are left as stored."""
        ops = []
        for doc in docs:
            fields = {k: doc[k] for k in SOURCE_FIELDS if k in doc}
            ops.append(UpdateOne({"site": site, "kind": doc["kind"], "url": doc["url"]},
                                 {"$set": fields, "$setOnInsert": {"site": site, "kind": doc["kind"], "url": doc["url"]}},
                                 upsert=True))
        if not ops:
            return 0
        self.sources.bulk_write(ops, ordered=False)
        return len(ops)

    # --- revisits ---------------------------------------------------------------------
    def load_revisits(self, site: str) -> dict[str, dict]:
        return {d["url"]: d for d in self.revisits.find({"site": site}, {"_id": 0})}

    def save_revisits(self, site: str, due: dict[str, dict], finished: Iterable[str]) -> int:
        """Upsert ``due`` ({url: {published_at, rung, due_at}}) and delete the ``finished`` ones."""
        ops: list = [UpdateOne({"site": site, "url": url}, {"$set": {**doc, "site": site, "url": url}}, upsert=True)
                     for url, doc in due.items()]
        ops += [DeleteOne({"site": site, "url": url}) for url in finished]
        if not ops:
            return 0
        self.revisits.bulk_write(ops, ordered=False)
        return len(ops)

    def published_recently(self, site: str, articles, limit: int = 60) -> list[datetime]:
        """The publication times of the site's latest stored articles (for its usual gap between them)."""
        cursor = articles.find({"site": site}, {"_id": 0, "published_at": 1}).sort("published_at", -1).limit(limit)
        return [d["published_at"] for d in cursor if d.get("published_at")]

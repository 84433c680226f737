"""The `pages` collection: raw article pages, compressed, kept for re-extraction."""

from __future__ import annotations

from datetime import datetime

from bson import Binary
from pymongo import UpdateOne
from pymongo.database import Database


class Pages:
    def __init__(self, db: Database):
        self.collection = db["pages"]

    def save_many(self, docs: list[dict], now: datetime) -> int:
        """Keyed by (url, fetched_at): a replayed batch adds nothing."""
        ops = [UpdateOne({"url": d["url"], "fetched_at": d["fetched_at"]},
                         {"$setOnInsert": {**d, "html": Binary(bytes(d["html"]))}}, upsert=True) for d in docs]
        return self.collection.bulk_write(ops, ordered=False).upserted_count if ops else 0

"""The ``breaking`` collection: one document per distinct ticker line of a site."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from itemadapter import ItemAdapter
from pymongo import UpdateOne
from pymongo.database import Database


class Breaking:
    def __init__(self, db: Database):
        self.collection = db["breaking"]

    def upsert_many(self, lines: Iterable[Any], now: datetime) -> dict[str, int]:
        """Count each line once more; first/last seen from its ``seen_at`` (else ``now``). One bulk write."""
        grouped: dict[str, dict] = {}
        for line in lines:
            line = line if type(line) is dict else ItemAdapter(line).asdict()
            seen = line.get("seen_at") or now
            key = (line.get("site"), line["text_hash"])
            g = grouped.get(key)
            if g is None:
                grouped[key] = {"text": line["text"], "url": line.get("url"), "first": seen,
                                "last": seen, "count": 1}
            else:
                g["first"], g["last"], g["count"] = min(g["first"], seen), max(g["last"], seen), g["count"] + 1
        if not grouped:
            return {"new": 0, "seen": 0}
        # $min/$max rather than $setOnInsert/$set: a late journal replay must not move the dates backwards
        ops = [UpdateOne({"site": site, "text_hash": h},
                         {"$setOnInsert": {"text": g["text"], "url": g["url"]},
                          "$min": {"first_seen_at": g["first"]}, "$max": {"last_seen_at": g["last"]},
                          "$inc": {"seen_count": g["count"]}},
                         upsert=True)
               for (site, h), g in grouped.items()]
        result = self.collection.bulk_write(ops, ordered=False)
        return {"new": result.upserted_count, "seen": sum(g["count"] for g in grouped.values())}

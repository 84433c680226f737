"""Store throughput: batched upsert_many against one update_one per item, in the same run.

    .venv/bin/python bench/store.py [--items 5000] [--batch 500]

Uses MONGODB_URI if set, else starts a throwaway SecantusDB server. Prints items/s
for each way, for a first crawl (all new) and a recrawl (all unchanged), and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawl.store import Store  # noqa: E402
from newscrawl.store.connection import make_client  # noqa: E402
from newscrawl.store.embedded import EmbeddedServer  # noqa: E402
from newscrawl.store.samples import sample_article  # noqa: E402


def per_item(collection, items: list[dict], now: datetime) -> None:
    """The baseline: what a naive pipeline does, one round trip per item."""
    for item in items:
        collection.update_one({"url": item["url"]},
                              {"$set": {**item, "last_seen_at": now},
                               "$setOnInsert": {"first_seen_at": now, "revision": 1, "aliases": []}},
                              upsert=True)


def batched(store: Store, items: list[dict], now: datetime, batch: int) -> None:
    for start in range(0, len(items), batch):
        store.articles.upsert_many(items[start:start + batch], now)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def reactor_lag() -> None:
    """Placeholder: the reactor-lag half of this benchmark (pipeline flushes vs an idle reactor)."""
    raise NotImplementedError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    server = None
    uri = os.environ.get("MONGODB_URI")
    if not uri:
        server = EmbeddedServer(tempfile.mkdtemp(prefix="bench-store-"))
        uri = server.start()
    client = make_client(uri)
    names = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        items = [sample_article(i) for i in range(args.items)]
        bulk_store = Store(client[names[0]])
        bulk_store.ensure_indexes()
        single_store = Store(client[names[1]])
        single_store.ensure_indexes()
        single = single_store.db["articles"]
        print(f"{args.items} items, batches of {args.batch}, server {'MONGODB_URI' if server is None else 'SecantusDB'}")
        ratios = []
        for phase in ("new", "unchanged"):
            now = datetime.now(timezone.utc)
            t_single = timed(lambda: per_item(single, items, now))
            t_bulk = timed(lambda: batched(bulk_store, items, now, args.batch))
            assert bulk_store.db["articles"].count_documents({}) == single.count_documents({}) == args.items
            ratio = t_single / t_bulk
            ratios.append(ratio)
            print(f"{phase:>9}: update_one {args.items / t_single:8.0f} items/s   "
                  f"upsert_many {args.items / t_bulk:8.0f} items/s   ratio {ratio:5.1f}x")
        print(f"min ratio {min(ratios):.1f}x (target >= 10x): {'OK' if min(ratios) >= 10 else 'BELOW TARGET'}")
        return 0
    finally:
        for name in names:
            client.drop_database(name)
        client.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())

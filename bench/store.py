"""Store throughput (bulk upserts against per-item update_one) and the reactor's lag, in one run.

    .venv/bin/python -m bench store [--items 5000] [--batch 500] [--lag-articles 300]

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


def reactor_lag(uri: str, articles: int, concurrency: int) -> None:
    """The reactor's lag during a crawl of the replica, with storage on against storage off."""
    from tests.conftest import ReplicaProcess
    from tests.e2e.crawl import run_crawl

    workdir = Path(tempfile.mkdtemp(prefix="bench-lag-"))
    replica = ReplicaProcess(workdir, articles=articles, seed=1, epoch=1)
    try:
        # a steady crawl, not a CPU-saturating one: lag then shows blocking calls, not a full queue
        lag = {"NEWSCRAWL_REACTOR_LAG_INTERVAL": "0.01", "NEWSCRAWL_HEALTH_ENABLED": "False",
               "CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency)}
        runs = {
            "storage off": {**lag, "NEWSCRAWL_STORE_ENABLED": "False"},
            "storage on": {**lag, "MONGODB_URI": uri, "MONGODB_DATABASE": f"bench_lag_{uuid.uuid4().hex[:8]}"},
        }
        figures = {}
        for name, settings in runs.items():
            result = run_crawl("almayadeen", workdir, {"BASE_URL": replica.url, **settings})
            replica.clear_log()
            stats = result.stats
            figures[name] = (stats.get("reactor/lag/p99_ms", 0.0), stats.get("reactor/lag/max_ms", 0.0))
            print(f"{name:>12}: {stats.get('item_scraped_count', 0)} items, reactor lag p50 "
                  f"{stats.get('reactor/lag/p50_ms')} ms, p99 {figures[name][0]} ms, max {figures[name][1]} ms")
        p99_on, p99_off = figures["storage on"][0], figures["storage off"][0]
        print(f"p99 lag storage on / off: {p99_on / max(p99_off, 0.01):.2f}x; "
              f"p99 with storage {p99_on} ms (target < 50 ms): {'OK' if p99_on < 50 else 'ABOVE TARGET'}")
    finally:
        replica.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--lag-articles", type=int, default=300, help="replica size for the reactor-lag crawls")
    parser.add_argument("--lag-concurrency", type=int, default=4, help="concurrent requests of those crawls")
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
        reactor_lag(uri, args.lag_articles, args.lag_concurrency)
        return 0
    finally:
        for name in names:
            client.drop_database(name)
        client.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())

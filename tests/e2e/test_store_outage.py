"""The database dies in the middle of a crawl and comes back: nothing missing, nothing twice."""

from __future__ import annotations

import time

import pymongo
import pytest

from tests.e2e.crawl import Crawl
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e


def count_articles(uri: str, db: str) -> int:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000)
    try:
        return client[db].articles.count_documents({})
    except pymongo.errors.PyMongoError:
        return -1
    finally:
        client.close()


def test_database_killed_mid_crawl_loses_nothing_and_stores_nothing_twice(replica_factory, own_secantus, tmp_path):
    replica = replica_factory(articles=300, seed=1, epoch=1, latency_ms=60)
    crawl = Crawl("almayadeen", tmp_path, {
        "BASE_URL": replica.url, "MONGODB_URI": own_secantus.uri, "MONGODB_DATABASE": "outage",
        "CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "MONGO_FLUSH_SECONDS": "0.5", "MONGO_FLUSH_ITEMS": "10",
        "MONGO_RETRY_SECONDS": "1",
        "MONGO_SERVER_SELECTION_TIMEOUT_MS": "500", "NEWSCRAWL_HEALTH_ENABLED": "False"})
    deadline = time.monotonic() + 120
    while count_articles(own_secantus.uri, "outage") < 30:
        assert time.monotonic() < deadline and crawl.proc.poll() is None, "the crawl never got going"
        time.sleep(0.2)
    own_secantus.kill()  # SIGKILL: no clean shutdown
    # nothing waits for a store known to be down (its circuit is open): slow the site so that the crawl
    # outlives the outage, and speed it up again once the crawl has seen the store come back
    replica.control(latency_ms=1000)
    time.sleep(5)
    own_secantus.start()  # same port, same storage
    deadline = time.monotonic() + 120
    while "is back after" not in crawl.log_file.read_text():
        assert time.monotonic() < deadline and crawl.proc.poll() is None, "the crawl never saw the store back"
        time.sleep(0.2)
    replica.control(latency_ms=60)
    result = crawl.wait(600)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("mongo/journal/written", 0) > 0  # the outage was real and journaled
    assert result.stats.get("mongo/journal/replayed", 0) > 0

    model = SiteModel(seed=1, articles=300, epoch=1)
    client = pymongo.MongoClient(own_secantus.uri, tz_aware=True)
    docs = list(client["outage"].articles.find({}, {"url": 1, "aliases": 1, "body": 1, "revision": 1}))
    urls = [d["url"] for d in docs]
    aliases = {a for d in docs for a in d.get("aliases", [])}
    expected = {d["url"] for d in model.truth()} - set(model.invalid)
    assert len(urls) == len(set(urls))  # none twice
    assert set(urls) | aliases == expected  # none missing
    truth = {d["url"]: d for d in model.truth()}
    assert all(d["body"] == truth[d["url"]]["body"] and d["revision"] == 1 for d in docs)
    assert {r["url"] for r in client["outage"].rejects.find()} == set(model.invalid)
    client.close()

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


def outage_crawl(replica, own_secantus, tmp_path, **settings) -> Crawl:
    """A crawl into ``own_secantus`` (database "outage"), once it has stored 30 articles."""
    crawl = Crawl("almayadeen", tmp_path, {
        "BASE_URL": replica.url, "MONGODB_URI": own_secantus.uri, "MONGODB_DATABASE": "outage",
        "CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
        "MONGO_FLUSH_SECONDS": "0.5", "MONGO_FLUSH_ITEMS": "10",
        "MONGO_RETRY_SECONDS": "1",
        "MONGO_SERVER_SELECTION_TIMEOUT_MS": "500", "NEWSCRAWL_HEALTH_ENABLED": "False", **settings})
    deadline = time.monotonic() + 120
    while count_articles(own_secantus.uri, "outage") < 30:
        assert time.monotonic() < deadline and crawl.proc.poll() is None, "the crawl never got going"
        time.sleep(0.2)
    return crawl


def wait_for_log(crawl: Crawl, text: str, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while text not in crawl.log_file.read_text():
        assert time.monotonic() < deadline and crawl.proc.poll() is None, what
        time.sleep(0.2)


def check_every_article_once(uri: str) -> None:
    """Every valid article of the replica stored once, with its text, and every invalid one rejected."""
    model = SiteModel(seed=1, articles=300, epoch=1)
    client = pymongo.MongoClient(uri, tz_aware=True)
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


def test_database_killed_mid_crawl_loses_nothing_and_stores_nothing_twice(replica_factory, own_secantus, tmp_path):
    replica = replica_factory(articles=300, seed=1, epoch=1, latency_ms=60)
    crawl = outage_crawl(replica, own_secantus, tmp_path)
    own_secantus.kill()  # SIGKILL: no clean shutdown
    # nothing waits for a store known to be down (its circuit is open): slow the site so that the crawl
    # outlives the outage, and speed it up again once the crawl has seen the store come back
    replica.control(latency_ms=1000)
    time.sleep(5)
    own_secantus.start()  # same port, same storage
    wait_for_log(crawl, "is back after", "the crawl never saw the store back")
    replica.control(latency_ms=60)
    result = crawl.wait(600)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("mongo/journal/written", 0) > 0  # the outage was real and journaled
    assert result.stats.get("mongo/journal/replayed", 0) > 0
    check_every_article_once(own_secantus.uri)


def test_a_store_back_before_its_next_re_test_takes_the_journal_when_the_crawl_closes(replica_factory, own_secantus,
                                                                                      tmp_path):
    """The store comes back while its circuit's next re-test is an hour away: the crawl journals to the end,
    and its close re-tests the store at once and replays the whole journal into it, in the same run."""
    replica = replica_factory(articles=300, seed=1, epoch=1, latency_ms=60)
    crawl = outage_crawl(replica, own_secantus, tmp_path, MONGO_CIRCUIT_PROBE_SECONDS="3600")
    own_secantus.kill()
    replica.control(latency_ms=1000)  # the crawl outlives the outage
    wait_for_log(crawl, "is unreachable", "the crawl never saw the store go")
    own_secantus.start()
    replica.control(latency_ms=60)
    result = crawl.wait(600)
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("is back after") == 1  # seen by the close's re-test, not a timed one
    journaled = result.stats.get("mongo/journal/written", 0)  # articles (rejects are journaled beside them)
    assert journaled > 0 and result.stats.get("mongo/journal/replayed", 0) >= journaled
    assert "journaled records wait for" not in result.log  # nothing left for the next crawl
    check_every_article_once(own_secantus.uri)

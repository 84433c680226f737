"""Store faults end to end (issue #23): real SecantusDB servers, real `scrapy crawl` processes, real signals.

- a journal goes back only to the store it was written for: a crawl into another store (another
  port, another edition) replays nothing of it and says it waits; the crawl into its own store,
  once that store is back, replays it, every article exactly once;
- SIGTERM while the store is down (SIGKILLed 5 s before) ends the crawl within 10 s, exit 143,
  the store's outage said once; the next run against the restarted store stores every article once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timezone

import pymongo
import pytest

from tests.conftest import SecantusProcess
from tests.e2e.crawl import Crawl, run_crawl
from tests.integration.test_cli_support import NEWSCRAWL, ROOT
from tests.e2e.test_store_outage import count_articles
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e

SIGTERM_BOUND = 10.0  # seconds from SIGTERM to the process's exit (issue #23)


def stored(uri: str, db: str) -> list[dict]:
    client = pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
    try:
        return list(client[db].articles.find({}, {"_id": 0, "url": 1, "aliases": 1, "body": 1, "revision": 1,
                                                  "first_seen_at": 1}))
    finally:
        client.close()


def wait_until(predicate, timeout: float, what: str, crawl: Crawl | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert crawl is None or crawl.proc.poll() is None, f"the crawl ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.1)


# An interrupted crawl's next run skips the articles it stored, and so the tag links on them: tag-only
# articles are found again only by a run that reads those articles. The runs that follow an interruption
# here walk the listings and sitemaps, which every run walks whole, so that "every article once" is exact.
RESUMABLE = {"discover": "listings,sitemaps"}


def resumable(model: SiteModel) -> set[str]:
    return model.reachable("listings") | model.reachable("sitemaps")


def check_stored_once(docs: list[dict], model: SiteModel, reachable: set[str] | None = None) -> None:
    urls = [d["url"] for d in docs]
    aliases = {a for d in docs for a in d.get("aliases", [])}
    expected = ({d["url"] for d in model.truth()} if reachable is None else reachable) - set(model.invalid)
    assert len(urls) == len(set(urls))  # none twice
    assert set(urls) | aliases == expected  # none missing, none foreign
    truth = {d["url"]: d for d in model.truth()}
    assert all(d["body"] == truth[d["url"]]["body"] and d["revision"] == 1 for d in docs)


def journals(data_dir) -> list[dict]:
    result = subprocess.run([NEWSCRAWL, "db", "journal", "--json", "--data-dir", str(data_dir)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_a_journal_is_replayed_only_into_its_own_store(replica_factory, tmp_path):
    site_a = replica_factory(articles=600, seed=1, epoch=1, latency_ms=20)
    store_a = SecantusProcess(tmp_path / "store-a")
    store_b = None
    try:
        settings_a = {"BASE_URL": site_a.url, "MONGODB_URI": store_a.uri, "MONGODB_DATABASE": "news",
                      "CONCURRENT_REQUESTS": "8", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                      "MONGO_FLUSH_SECONDS": "0.5", "MONGO_FLUSH_ITEMS": "10"}
        crawl = Crawl("almayadeen", tmp_path, settings_a)
        wait_until(lambda: count_articles(store_a.uri, "news") >= 50, 120, "50 articles stored in A", crawl)
        store_a.kill()  # A is gone for the rest of this crawl: what is left goes to A's journal
        first = crawl.wait(600)
        assert first.returncode == 0, first.log[-3000:]
        journaled = first.stats["mongo/journal/written"] + first.stats.get("validate/rejects/journal", 0)
        assert journaled > 0 and first.stats["store/circuit/opened"] == 1
        waiting = journals(tmp_path / "data")
        assert [(w["store"], w["records"]) for w in waiting] == [(f"mongodb://127.0.0.1:{store_a.port}/news",
                                                                  journaled)]
        journal_file = tmp_path / "data" / "journal" / f"{waiting[0]['key']}.jsonl"
        before = journal_file.read_bytes()

        # the same checkout crawls the Arabic edition into another store: nothing of A's goes there
        site_b = replica_factory(articles=100, seed=2, epoch=1, edition="ar")
        store_b = SecantusProcess(tmp_path / "store-b")
        b_started = datetime.now(timezone.utc)
        second = run_crawl("almayadeen", tmp_path, {"BASE_URL": site_b.url, "MONGODB_URI": store_b.uri,
                                                    "MONGODB_DATABASE": "news"}, args={"edition": "ar"})
        assert second.returncode == 0, second.log[-3000:]
        assert second.stats.get("mongo/journal/replayed", 0) == 0
        said = (f"{journaled} journaled records (articles {waiting[0]['kinds'].get('articles', 0)}")
        assert second.log.count(said) == 1 and f"mongodb://127.0.0.1:{store_a.port}/news are waiting" in second.log
        docs_b = stored(store_b.uri, "news")
        check_stored_once(docs_b, SiteModel(seed=2, articles=100, epoch=1, edition="ar"))
        assert all(d["first_seen_at"] >= b_started.replace(microsecond=0) for d in docs_b)  # nothing replayed
        assert journal_file.read_bytes() == before  # kept untouched

        # A is back: the next crawl into A replays A's journal, every article once
        store_a.start()
        third = run_crawl("almayadeen", tmp_path, settings_a)
        assert third.returncode == 0, third.log[-3000:]
        assert third.stats["mongo/journal/replayed"] == journaled
        check_stored_once(stored(store_a.uri, "news"), SiteModel(seed=1, articles=600, epoch=1))
        assert journals(tmp_path / "data") == []
        print(f"\ncross-target: {journaled} records journaled for A; 0 replayed into B; "
              f"{third.stats['mongo/journal/replayed']} replayed into A once it was back")
    finally:
        store_a.stop()
        if store_b is not None:
            store_b.stop()


@pytest.mark.parametrize("after", [5.0, 0.0], ids=["5s-after-the-kill", "at-the-kill"])
def test_sigterm_with_the_store_down_ends_the_crawl_within_the_bound(replica_factory, own_secantus, tmp_path, after):
    replica = replica_factory(articles=2000, seed=1, epoch=1, latency_ms=20)
    # the store's own defaults (server selection, retries): the fault as users meet it
    settings = {"BASE_URL": replica.url, "MONGODB_URI": own_secantus.uri, "MONGODB_DATABASE": "sigterm"}
    crawl = Crawl("almayadeen", tmp_path, settings, args=RESUMABLE)
    wait_until(lambda: count_articles(own_secantus.uri, "sigterm") >= 200, 300, "200 articles stored", crawl)
    own_secantus.kill()
    killed = time.monotonic()
    time.sleep(after)  # the scenario: SIGTERM 5 s after the store went; and at the very moment
    assert crawl.proc.poll() is None, "the crawl ended on its own"
    crawl.proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    result = crawl.wait(120)
    took = time.monotonic() - sent
    assert took <= SIGTERM_BOUND, f"the crawl took {took:.1f} s to end after SIGTERM"
    assert result.returncode == 128 + signal.SIGTERM, result.log[-3000:]
    assert result.stats["finish_reason"] == "shutdown"
    assert result.log.count("[newscrawl.store.circuit] WARNING") == 1  # said once, not per look-up
    assert "Traceback" not in result.log
    # batches the pipeline journaled and rejects the validation journaled
    journaled = result.stats.get("mongo/journal/written", 0) + result.stats.get("validate/rejects/journal", 0)
    print(f"\nSIGTERM {sent - killed:.1f} s after the store's SIGKILL: exited in {took:.1f} s "
          f"(code {result.returncode}); {result.stats.get('mongo/articles/new', 0)} articles stored before, "
          f"{journaled} records journaled, look-ups skipped {result.stats.get('incremental/lookup_skipped', 0)}")

    own_secantus.start()
    again = run_crawl("almayadeen", tmp_path, settings, args=RESUMABLE)
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats.get("mongo/journal/replayed", 0) == journaled
    model = SiteModel(seed=1, articles=2000, epoch=1)
    check_stored_once(stored(own_secantus.uri, "sigterm"), model, resumable(model))
    assert journals(tmp_path / "data") == []
    print(f"the run after the restart: {again.stats.get('mongo/articles/new', 0)} new, {journaled} replayed; "
          f"every article stored once")


def test_a_second_sigterm_ends_the_crawl_at_once_and_what_was_journaled_stays(replica_factory, own_secantus,
                                                                                tmp_path):
    from newscrawl.store.journal import waiting

    replica = replica_factory(articles=600, seed=1, epoch=1, latency_ms=20)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": own_secantus.uri, "MONGODB_DATABASE": "twice",
                "MONGO_FLUSH_SECONDS": "0.5", "MONGO_FLUSH_ITEMS": "10"}
    crawl = Crawl("almayadeen", tmp_path, settings, args=RESUMABLE)
    wait_until(lambda: count_articles(own_secantus.uri, "twice") >= 50, 300, "50 articles stored", crawl)
    own_secantus.kill()
    journal_dir = tmp_path / "data" / "journal"
    wait_until(lambda: sum(w.records for w in waiting(journal_dir)) >= 10, 120, "10 journaled records", crawl)
    crawl.proc.send_signal(signal.SIGTERM)
    # two signals sent at once are one signal to the kernel: the second once the first was handled
    wait_until(lambda: "shutting down gracefully" in crawl.log_file.read_text(), 30, "the first signal handled", crawl)
    crawl.proc.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    result = crawl.wait(60)
    took = time.monotonic() - sent
    assert took <= 3.0, f"the second signal left the crawl running {took:.1f} s"
    assert result.returncode == 128 + signal.SIGTERM
    assert "Received SIGTERM twice, forcing unclean shutdown" in result.log
    [entry] = waiting(journal_dir)  # every record readable: fsynced batches, no half-written line in the way
    journal = entry.journal()
    records = [r for path in journal.files() for r in journal.read(path)]
    assert len(records) == entry.records >= 10
    journaled = {r["doc"]["url"] for r in records if r["kind"] == "articles"}

    own_secantus.start()
    replay = subprocess.run([NEWSCRAWL, "db", "replay", "--uri", own_secantus.uri, "--db", "twice", "--data-dir",
                             str(tmp_path / "data")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0, replay.stderr
    assert f"replayed {entry.records} items" in replay.stdout
    docs = stored(own_secantus.uri, "twice")
    assert journaled <= {d["url"] for d in docs} | {a for d in docs for a in d.get("aliases", [])}
    again = run_crawl("almayadeen", tmp_path, settings, args=RESUMABLE)
    assert again.returncode == 0, again.log[-3000:]
    model = SiteModel(seed=1, articles=600, epoch=1)
    check_stored_once(stored(own_secantus.uri, "twice"), model, resumable(model))
    print(f"\nsecond SIGTERM: exited in {took:.1f} s (code {result.returncode}); {entry.records} journaled records "
          f"all readable and replayed once")


def test_the_embedded_store_killed_mid_crawl_is_started_again_and_its_journal_replayed(replica_factory, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.delenv("MONGODB_URI", raising=False)  # the embedded store, as `make crawl` runs it
    replica = replica_factory(articles=600, seed=1, epoch=1, latency_ms=20)
    settings = {"BASE_URL": replica.url, "MONGODB_DATABASE": "embedded", "MONGO_FLUSH_SECONDS": "0.5",
                "MONGO_FLUSH_ITEMS": "10"}
    crawl = Crawl("almayadeen", tmp_path, settings, env={"MONGODB_URI": ""})
    state = tmp_path / "data" / "mongo" / "server.json"
    wait_until(lambda: state.exists() and json.loads(state.read_text()).get("pid"), 120, "the embedded store", crawl)
    server = json.loads(state.read_text())
    uri = f"mongodb://127.0.0.1:{server['port']}/"
    wait_until(lambda: count_articles(uri, "embedded") >= 50, 300, "50 articles stored", crawl)
    os.kill(server["pid"], signal.SIGKILL)
    result = crawl.wait(600)
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert "the embedded SecantusDB server is not answering; starting it again" in result.log
    # the server is started again by the write that found it gone, or by the circuit's re-test once that
    # opened: either way every journaled record is replayed, and an open circuit is closed again
    assert stats.get("store/circuit/opened", 0) == stats.get("store/circuit/closed", 0) <= 1
    assert result.log.count("[newscrawl.store.circuit] WARNING") == 2 * stats.get("store/circuit/opened", 0)
    journaled = stats.get("mongo/journal/written", 0) + stats.get("validate/rejects/journal", 0)
    assert stats.get("mongo/journal/replayed", 0) == journaled
    restarted = json.loads(state.read_text())
    assert restarted["port"] == server["port"] and restarted["pid"] is None  # the same port; stopped at the end
    from newscrawl.store.embedded import EmbeddedServer

    embedded = EmbeddedServer(tmp_path / "data", database="embedded")  # the same store, started for the check
    embedded.start()
    try:
        check_stored_once(stored(embedded.uri.rsplit("/", 1)[0] + "/", "embedded"),
                          SiteModel(seed=1, articles=600, epoch=1))
    finally:
        embedded.stop()
    print(f"\nembedded store killed: started again; circuit open {stats.get('store/circuit/seconds_open', 0)} s, "
          f"{journaled} journaled records replayed, every article stored once")

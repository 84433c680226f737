"""Staying current at the cost of what changed (real HTTP, real SecantusDB and Redis, `scrapy crawl` processes).

Requests are counted where they land: the replica's own log. Expected values come from the replica's
model (what epoch 2 added or changed, what its sitemaps list, which listing shows what), never from
newscrawl. Timings are never asserted except the bound on a stop; waits are on events with deadlines.
"""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from collections import Counter
from urllib.parse import unquote, urlsplit

import pymongo
import pytest

from tests.e2e.crawl import Crawl, run_crawl
from tests.e2e.test_distributed_crawl import ADDONS
from tests.integration.test_cli_support import run_cli
from tests.replica.model import PAGE_SIZE, SiteModel

pytestmark = pytest.mark.e2e

SITE = "https://english.almayadeen.net"
# follow mode, quick: the front polled every 0.5 to 4 s, revisits 3 s and 30 s after publication
FOLLOW_QUICK = {"NEWSCRAWL_FOLLOW_MIN_INTERVAL": "0.5", "NEWSCRAWL_FOLLOW_MAX_INTERVAL": "4",
                "NEWSCRAWL_REVISIT_AFTER": "3s,30s", "NEWSCRAWL_PROGRESS_INTERVAL": "2",
                "NEWSCRAWL_FOLLOW_CHECKPOINT_SECONDS": "1", "MONGO_FLUSH_SECONDS": "0.3"}


def documents(mongo_uri: str, db: str) -> dict[str, dict]:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    try:
        return {d["url"]: d for d in client[db].articles.find({}, {"_id": 0, "body": 0})}
    finally:
        client.close()


def listing_pages(log: list[dict], model: SiteModel) -> Counter:
    """Pages fetched of each section, group or region listing (the replica's own listing paths)."""
    paths = (unquote(urlsplit(e["path"]).path) for e in log)
    return Counter(p for p in paths if p in model.listing_keys and p != "/")


def wait_for(predicate, deadline_s: float, what: str, every: float = 0.5):
    limit = time.monotonic() + deadline_s
    while time.monotonic() < limit:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {deadline_s} s")


def events(replica) -> list[dict]:
    with urllib.request.urlopen(replica.url + "/__replica/releases", timeout=30) as resp:
        return json.load(resp)


# --- incremental runs ----------------------------------------------------------------------------


@pytest.mark.slow
def test_incremental_runs_cost_what_changed(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    """2,000 articles crawled once; a re-run with nothing changed makes at most 30 requests; a re-run after
    epoch 2 (5% new, 5% changed) makes at most 1.5 per new or changed article and stores every new article
    and every change its sitemaps reveal, as a new revision."""
    articles = 2000
    replica = replica_factory(articles=articles, seed=1, epoch=1)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    first = run_crawl("almayadeen", tmp_path, settings)
    assert first.returncode == 0, first.log[-3000:]

    replica.clear_log()
    unchanged = run_crawl("almayadeen", tmp_path, settings)
    assert unchanged.returncode == 0, unchanged.log[-3000:]
    log = replica.requests()
    assert len(log) <= 30, Counter(e["path"] for e in log)
    assert not [e for e in log if e["path"].startswith("/tags/")]  # every tag walked less than a week ago
    assert unchanged.stats.get("mongo/articles/new", 0) == unchanged.stats.get("mongo/articles/changed", 0) == 0

    before = documents(mongo_uri, mongo_db_name)
    # the home page answers last: the sitemaps have requested its news before it is read, and its sections
    # must be walked all the same (the order that once left them unwalked)
    replica.control(epoch=2, slow_path="/", slow_ms=1500)
    replica.clear_log()
    second = run_crawl("almayadeen", tmp_path, settings)
    assert second.returncode == 0, second.log[-3000:]
    model = SiteModel(seed=1, articles=articles, epoch=2)
    in_sitemaps = model.reachable("sitemaps")
    added, changed = model.added(2) & in_sitemaps, model.changed(2) & in_sitemaps
    assert len(added) >= 90 and len(changed) >= 80
    after = documents(mongo_uri, mongo_db_name)
    assert added <= set(after) and not added & set(before)
    assert {url for url in changed if after[url]["revision"] == 2} == changed
    log = replica.requests()
    stored_changes = second.stats["mongo/articles/new"] + second.stats["mongo/articles/changed"]
    assert stored_changes >= len(added) + len(changed)
    assert len(log) <= 1.5 * stored_changes, Counter(e["path"].split("/")[1] for e in log)
    # requests per change, from the replica's log and the store's documents (new, or a higher revision)
    stored_now = len(set(after) - set(before)) + sum(1 for url, doc in before.items()
                                                     if url in after and after[url]["revision"] > doc["revision"])
    assert second.stats["requests/per_change"] == round(len(log) / stored_now, 3)

    # a listing walked in that run stopped at the first page all in the store: no page past the new articles'
    pages = listing_pages(log, model)
    assert pages  # the sections the home page showed news of were walked
    for path, fetched in pages.items():
        heads = model.listing(path)
        last_new = max((i for i, h in enumerate(heads) if h.url in added), default=-1)
        assert fetched <= last_new // PAGE_SIZE + 2, (path, fetched, last_new)

    # what each run spent is on record, and `newscrawl stats` says it
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({}, sort=[("start", -1)])
    client.close()
    assert record["counts"]["requests"] == len(log) and record["counts"]["per_change"] == round(len(log) / stored_now, 3)
    assert sum(record["counts"]["requests_by_kind"].values()) == len(log)
    out = run_cli("stats", uri=mongo_uri, db=mongo_db_name)
    assert f"  requests: {len(log)} (" in out.stdout and " per new or changed article" in out.stdout


def test_a_full_walk_stays_available_and_tags_come_round_on_their_rotation(replica_factory, mongo_uri,
                                                                         mongo_db_name, tmp_path):
    replica = replica_factory(articles=300, seed=1, epoch=1)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    first = run_crawl("almayadeen", tmp_path, settings)
    assert first.returncode == 0, first.log[-3000:]
    model = SiteModel(seed=1, articles=300, epoch=1)
    log = replica.requests()
    walked = listing_pages(log, model)
    tags = {unquote(urlsplit(e["path"]).path) for e in log if e["path"].startswith("/tags/")}

    replica.clear_log()
    full = run_crawl("almayadeen", tmp_path, settings, args={"refresh": "listings"})
    assert full.returncode == 0, full.log[-3000:]
    again = listing_pages(replica.requests(), model)
    assert again == walked  # every listing walked to its end again, nothing new on it

    replica.clear_log()
    rotation = run_crawl("almayadeen", tmp_path, {**settings, "NEWSCRAWL_TAG_REVISIT_DAYS": "0",
                                                  "NEWSCRAWL_TAG_ROTATION_MAX": "1000"})
    assert rotation.returncode == 0, rotation.log[-3000:]
    tag_pages = Counter(unquote(urlsplit(e["path"]).path) for e in replica.requests() if e["path"].startswith("/tags/"))
    assert set(tag_pages) == tags and set(tag_pages.values()) == {1}  # each known tag's first page: all stored
    assert rotation.stats["tags/rotation"] == len(tags)
    assert rotation.stats["listing/stopped/known"] >= len(tags)


# --- follow mode ------------------------------------------------------------------------------------


def released_and_edited(replica) -> tuple[list[dict], list[dict]]:
    happened = events(replica)
    return ([e for e in happened if e["event"] == "released"], [e for e in happened if e["event"] == "edited"])


def all_stored(replica, mongo_uri: str, db: str, count: int) -> bool:
    """Whether all ``count`` releases have happened and each is in the store (one look at each)."""
    released = released_and_edited(replica)[0]
    docs = documents(mongo_uri, db)
    return len(released) == count and all(e["url"] in docs for e in released)


def test_follow_mode_stores_news_and_corrections_stops_on_sigterm_and_resumes(replica_factory, mongo_uri,
                                                                            mongo_db_name, tmp_path):
    replica = replica_factory(articles=60, seed=1, epoch=1, release_every=1.5, release_count=8, release_edits=2,
                              release_edit_after=20)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    archive = run_crawl("almayadeen", tmp_path, settings)
    assert archive.returncode == 0, archive.log[-3000:]
    replica.clear_log()

    follow = Crawl("almayadeen", tmp_path / "first", {**settings, **FOLLOW_QUICK}, args={"follow": "true"})
    wait_for(lambda: follow.log_file.exists() and "following english.almayadeen.net" in follow.log_file.read_text(),
             60, "follow mode started")
    replica.control(release="start")
    # half the releases stored, then a stop mid-run
    wait_for(lambda: len(set(documents(mongo_uri, mongo_db_name)) & {e["url"] for e in released_and_edited(replica)[0]})
             >= 4, 90, "four releases stored")
    asked = time.monotonic()
    follow.proc.send_signal(signal.SIGTERM)
    first = follow.wait(60)
    assert time.monotonic() - asked < 10  # stopped within seconds
    assert first.returncode == 0, first.log[-3000:]  # SIGTERM is how following ends
    assert "followed english.almayadeen.net:" in first.log

    # a restart picks up where it stopped: the schedule, the revisits and the validators come from the store
    resumed = Crawl("almayadeen", tmp_path / "second", {**settings, **FOLLOW_QUICK}, args={"follow": "true"})

    def everything_stored():
        released, edited = released_and_edited(replica)
        docs = documents(mongo_uri, mongo_db_name)
        return (len(released) == 8 and len(edited) == 2 and all(e["url"] in docs for e in released)
                and all(docs[e["url"]]["content_hash"] == e["content_hash"] for e in edited))

    wait_for(everything_stored, 120, "every release and both edits stored")
    resumed.proc.send_signal(signal.SIGTERM)
    second = resumed.wait(60)
    assert second.returncode == 0, second.log[-3000:]

    released, edited = released_and_edited(replica)
    docs = documents(mongo_uri, mongo_db_name)
    fetched = Counter(urlsplit(e["path"]).path for e in replica.requests() if e["status"] == 200)
    edited_urls = {e["url"] for e in edited}
    for release in released:  # nothing lost, nothing repeated: once each, a corrected one once more at most
        path = urlsplit(release["url"]).path
        assert fetched[path] == 1 or (release["url"] in edited_urls and fetched[path] == 2), (path, fetched[path])
    for edit in edited:  # a correction of an article first stored unedited is its revision 2
        twice = fetched[urlsplit(edit["url"]).path] == 2
        assert docs[edit["url"]]["revision"] == (2 if twice else 1) and docs[edit["url"]]["modified_at"] is not None
    # the first correction came 20 s after its article, stored by the first follower long before
    assert docs[edited[0]["url"]]["revision"] == 2
    assert first.stats["follow/polls/home"] > 0 and first.stats["requests/news"] > 0


def test_two_following_workers_poll_one_at_a_time_and_fetch_no_article_twice(replica_factory, redis_server,
                                                                           mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=60, seed=1, epoch=1, release_every=1, release_count=8)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    archive = run_crawl("almayadeen", tmp_path, settings)
    assert archive.returncode == 0, archive.log[-3000:]
    replica.clear_log()
    shared = {**settings, **FOLLOW_QUICK, "ADDONS": ADDONS, "REDIS_URL": redis_server.url,
              "NEWSCRAWL_POLLER_LEASE_SECONDS": "30"}
    crew = [Crawl("almayadeen", tmp_path / f"worker-{k}", shared, args={"follow": "true"}) for k in range(2)]
    wait_for(lambda: all(c.log_file.exists() and "following english.almayadeen.net" in c.log_file.read_text()
                         for c in crew), 60, "both workers following")
    replica.control(release="start")
    wait_for(lambda: all_stored(replica, mongo_uri, mongo_db_name, 8), 120, "every release stored")
    for c in crew:
        c.proc.send_signal(signal.SIGTERM)
    results = [c.wait(60) for c in crew]
    assert all(r.returncode == 0 for r in results), [r.log[-2000:] for r in results]
    pollers = [r for r in results if r.stats.get("follow/polls/requested")]
    assert len(pollers) == 1  # one worker held the lease throughout
    assert sum("this worker holds the poller lease" in r.log for r in results) == 1
    fetched = Counter(urlsplit(e["path"]).path for e in replica.requests() if e["status"] == 200)
    released = released_and_edited(replica)[0]
    assert all(fetched[urlsplit(e["url"]).path] == 1 for e in released)
    assert sum(r.stats.get("frontier/dequeued/redis", 0) for r in results) >= len(released)  # through the frontier


def test_follow_mode_runs_as_a_long_scrapyd_job_until_cancelled(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    from tests.integration.test_scrapyd import ScrapydProcess, deploy

    replica = replica_factory(articles=60, seed=1, epoch=1, release_every=1, release_count=4)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    archive = run_crawl("almayadeen", tmp_path, settings)
    assert archive.returncode == 0, archive.log[-3000:]
    node = ScrapydProcess(tmp_path, "follow", base_url=replica.url, max_proc=1, poll_interval=0.5)
    try:
        deployed = deploy(node, tmp_path)
        assert deployed.returncode == 0, deployed.stderr
        job = node.client.schedule("newscrawl", "almayadeen", jobid="follow-1", args={"follow": "true"},
                                   settings={"MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name,
                                             **FOLLOW_QUICK})
        wait_for(lambda: [j for j in node.client.list_jobs("newscrawl")["running"] if j["id"] == job], 60,
                 "the follow job running")
        replica.control(release="start")
        wait_for(lambda: all_stored(replica, mongo_uri, mongo_db_name, 4), 90, "every release stored by the Scrapyd job")
        assert [j["id"] for j in node.client.list_jobs("newscrawl")["running"]] == [job]  # still following
        node.client.cancel("newscrawl", job, signal="TERM")
        wait_for(lambda: [j for j in node.client.list_jobs("newscrawl")["finished"] if j["id"] == job], 30,
                 "the cancelled job finished")
        log = next(node.data_dir.rglob(f"{job}.log")).read_text()
        assert "followed english.almayadeen.net: 4 new articles" in log
    finally:
        node.stop()

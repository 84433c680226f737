"""Three `scrapy crawl almayadeen` workers sharing one Redis frontier, against the replica (1,000 articles).

Real Redis, real worker processes, real SecantusDB. The union of what the workers store
must equal the truth; no URL is fetched twice (robots.txt aside: each worker reads it
once); a worker killed with SIGKILL loses nothing for good; a Redis outage pauses the
workers and they resume.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.robotparser
from collections import Counter
from pathlib import Path

import pytest
import redis

from newscrawl.distributed.keys import FrontierKeys
from newscrawl.urls import host_of
from tests.e2e.crawl import FAST, ROOT, SCRAPY
from tests.e2e.test_almayadeen_crawl import stored
from tests.e2e.truth import valid_truth
from tests.replica.model import SiteModel

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ARTICLES = 1000
ADDONS = json.dumps({"newscrawl.distributed.DistributedAddon": 0})


class Worker:
    """One `scrapy crawl almayadeen` process joined to the frontier at REDIS_URL."""

    def __init__(self, workdir: Path, name: str, settings: dict):
        self.name = name
        self.stats_file = workdir / f"{name}.stats.json"
        self.log_file = workdir / f"{name}.log"
        merged = {**FAST, "ADDONS": ADDONS, "NEWSCRAWL_STATS_FILE": str(self.stats_file),
                  "LOG_FILE": str(self.log_file), "NEWSCRAWL_DATA_DIR": str(workdir / f"data-{name}"), **settings}
        cmd = [SCRAPY, "crawl", "almayadeen"]
        for key, value in merged.items():
            cmd += ["-s", f"{key}={value}"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL,
                                     stderr=open(workdir / f"{name}.stderr", "w"))

    def wait(self, timeout: float = 600) -> int:
        return self.proc.wait(timeout)

    @property
    def stats(self) -> dict:
        return json.loads(self.stats_file.read_text()) if self.stats_file.exists() else {}

    @property
    def log(self) -> str:
        return self.log_file.read_text() if self.log_file.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(settings: dict, n: int = 1, prefix: str = "worker") -> list[Worker]:
        new = [Worker(tmp_path, f"{prefix}{len(started) + i}", settings) for i in range(n)]
        started.extend(new)
        return new

    yield start
    for worker in started:
        worker.stop()


def worker_settings(replica, redis_server, mongo_uri, db, **extra) -> dict:
    return {"BASE_URL": replica.url, "REDIS_URL": redis_server.url, "MONGODB_URI": mongo_uri,
            "MONGODB_DATABASE": db, "NEWSCRAWL_IDLE_CLOSE_SECONDS": "3", **extra}


def wait_until(condition, timeout: float = 300, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(every)


def articles_fetched(replica) -> int:
    from tests.e2e.test_almayadeen_crawl import article_paths

    return sum(article_paths(replica.requests()).values())


def finished(all_workers: list[Worker]) -> None:
    for worker in all_workers:
        code = worker.wait()
        assert code == 0, f"{worker.name} exited {code}:\n{worker.log[-3000:]}"
        assert worker.stats.get("finish_reason") == "finished", worker.stats


def assert_store_equals_truth(mongo_uri: str, db: str) -> None:
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1)
    truths = valid_truth(model)
    docs = stored(mongo_uri, db)
    aliases = {alias for doc in docs.values() for alias in doc.get("aliases", [])}
    missing = set(truths) - (set(docs) | aliases)
    extra = (set(docs) | aliases) - set(truths)
    assert not missing and not extra, (sorted(missing)[:10], sorted(extra)[:10])
    for dup, original in model.duplicates.items():
        pair = {dup, original}
        assert len(pair & set(docs)) == 1 and len(pair & aliases) == 1


def fetched_twice(replica) -> dict[str, int]:
    counts = Counter(e["path"] for e in replica.requests() if e["status"] == 200)
    return {path: n for path, n in counts.items() if n > 1 and path != "/robots.txt"}


def frontier_keys(replica) -> FrontierKeys:
    return FrontierKeys("almayadeen", host_of(replica.url))


def test_three_workers_share_the_frontier_and_store_the_truth(replica_factory, redis_server, mongo_uri,
                                                              mongo_db_name, workers):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1)
    crew = workers(worker_settings(replica, redis_server, mongo_uri, mongo_db_name), n=3)
    finished(crew)

    assert_store_equals_truth(mongo_uri, mongo_db_name)
    assert not fetched_twice(replica)
    robots = sum(1 for e in replica.requests() if e["path"] == "/robots.txt")
    assert robots == 3  # once per worker, outside the frontier
    # every worker took requests from the shared queue, and together they took each one once
    dequeued = [w.stats.get("frontier/dequeued/redis", 0) for w in crew]
    assert all(n > 0 for n in dequeued), dequeued
    responses = sum(w.stats.get("response_received_count", 0) for w in crew)
    # a request robots.txt forbids (a page the home page links, probed as a possible listing) gets none
    forbidden = sum(v for w in crew for k, v in w.stats.items() if k.startswith("requests/ignored/"))
    assert forbidden == 1  # /live
    assert sum(dequeued) == responses - robots + forbidden
    # the last worker out cleared the finished frontier, so the next run starts from the seeds
    server = redis.Redis.from_url(redis_server.url)
    keys = frontier_keys(replica)
    assert not server.exists(keys.requests, keys.leases, keys.dupefilter, keys.workers)
    assert sum(w.stats.get("frontier/finished/cleared", 0) for w in crew) == 1


def test_a_worker_killed_mid_crawl_loses_nothing(replica_factory, redis_server, mongo_uri, mongo_db_name, workers):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1)
    settings = worker_settings(replica, redis_server, mongo_uri, mongo_db_name, NEWSCRAWL_LEASE_SECONDS="5")
    crew = workers(settings, n=3)
    victim, survivors = crew[0], crew[1:]
    server = redis.Redis.from_url(redis_server.url)
    keys = frontier_keys(replica)
    victim_prefix = f"{os.uname().nodename}:{victim.proc.pid}:".encode()

    def victim_leases() -> dict[bytes, bytes]:
        return {lid: data for lid, data in server.hgetall(keys.lease_data).items() if lid.startswith(victim_prefix)}

    wait_until(lambda: articles_fetched(replica) >= 200 and len(victim_leases()) >= 3)
    os.kill(victim.proc.pid, signal.SIGKILL)
    victim.wait(30)
    held = victim_leases()  # what it had taken when it died: leased, never released
    assert held
    replica.clear_log()  # held pages stay leased for 5 s: none can be fetched again before this

    finished(survivors)
    assert sum(w.stats.get("frontier/leases/requeued", 0) for w in survivors) >= len(held)
    # every page the dead worker held was fetched by the others after its death, and its articles stored
    from newscrawl.distributed import serializer
    held_urls = {serializer.loads(data.split(b"|", 1)[1])["url"] for data in held.values()}
    robots = urllib.robotparser.RobotFileParser(replica.url + "/robots.txt")
    robots.read()  # a page robots.txt forbids (/live, probed as a possible listing) is dropped, not fetched
    held_urls = {url for url in held_urls if robots.can_fetch("newscrawl", url)}
    after_kill = Counter(e["path"] for e in replica.requests() if e["status"] == 200)
    assert all(after_kill[url[len(replica.url):] or "/"] == 1 for url in held_urls), held_urls
    docs = stored(mongo_uri, mongo_db_name)
    truths = valid_truth(SiteModel(seed=1, articles=ARTICLES, epoch=1))
    aliases = {alias for doc in docs.values() for alias in doc.get("aliases", [])}
    held_articles = {replica_url for replica_url in (u.replace(replica.url, "https://english.almayadeen.net")
                                                      for u in held_urls) if replica_url in truths}
    assert held_articles <= set(docs) | aliases

    # a restart runs the crawl again: what the dead worker had not stored yet is fetched, nothing else twice
    replica.clear_log()
    # (health off: a run that finds nothing to store but the replica's invalid pages is "failed" by design)
    restarted = workers({**settings, "NEWSCRAWL_HEALTH_ENABLED": "False"}, n=1, prefix="restarted")
    finished(restarted)
    assert_store_equals_truth(mongo_uri, mongo_db_name)
    assert not fetched_twice(replica)


def test_a_redis_outage_pauses_the_workers_and_they_resume(replica_factory, redis_server, mongo_uri,
                                                           mongo_db_name, workers):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1)
    server = redis.Redis.from_url(redis_server.url)
    server.config_set("save", "3600 1")  # written to disk at shutdown, read back at start, like a real deployment
    settings = worker_settings(replica, redis_server, mongo_uri, mongo_db_name, NEWSCRAWL_LEASE_SECONDS="60")
    crew = workers(settings, n=3)

    wait_until(lambda: articles_fetched(replica) >= 150)
    redis_server.stop()
    down_at = articles_fetched(replica)
    time.sleep(10)
    assert all(w.proc.poll() is None for w in crew), "a worker exited while Redis was down"
    redis_server.start()

    finished(crew)
    assert articles_fetched(replica) > down_at  # the crawl went on after the outage
    assert all(w.stats.get("frontier/redis/outages", 0) >= 1 for w in crew), [w.stats for w in crew]
    assert_store_equals_truth(mongo_uri, mongo_db_name)
    assert not fetched_twice(replica)

"""The frontier's parts against a real Redis: atomic push, leases, sweep, leave, outage guard, CLI, add-on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

from newscrawl.distributed import admin, serializer
from newscrawl.distributed.addon import DistributedAddon
from newscrawl.distributed.guard import FrontierUnavailable, RedisGuard
from newscrawl.distributed.keys import FrontierKeys
from newscrawl.distributed.leases import LeaseKeeper
from newscrawl.distributed.queue import LeasedPriorityQueue
from scrapy_redis.dupefilter import RFPDupeFilter

from tests.conftest import ROOT


class NewsSpider(Spider):
    name = "news"

    def parse_article(self, response):
        pass


class Stats(MemoryStatsCollector):
    def __init__(self):
        self._stats = {}


@pytest.fixture
def server(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def frontier(server):
    keys = FrontierKeys("news", "replica.test:8080")
    spider = NewsSpider()
    queue = LeasedPriorityQueue(server, spider, keys.requests, serializer, keys)
    stats = Stats()
    guard = RedisGuard(stats, None, base=0.05, cap=0.2)
    return keys, spider, queue, stats, guard


def push(queue, keys, spider, url, priority=0, dont_filter=False) -> bool:
    request = Request(url, callback=spider.parse_article, priority=priority, dont_filter=dont_filter)
    fingerprint = None if dont_filter else RFPDupeFilter(None, keys.dupefilter).request_fingerprint(request)
    return queue.push_unseen(queue.encode(request), priority, fingerprint, keys.dupefilter)


def test_push_filters_seen_requests_atomically_and_pops_by_priority(server, frontier):
    keys, spider, queue, _, _ = frontier
    assert push(queue, keys, spider, "https://site/a", priority=10)
    assert not push(queue, keys, spider, "https://site/a", priority=10)  # a second worker's seed: filtered
    assert push(queue, keys, spider, "https://site/a", priority=10, dont_filter=True)  # a retry passes
    assert push(queue, keys, spider, "https://site/b", priority=30)
    assert server.scard(keys.dupefilter) == 2
    first = queue.decode(queue.pop_leased("w:1", 60_000))
    assert first.url == "https://site/b" and first.callback == spider.parse_article
    assert server.zcard(keys.leases) == 1 and server.hexists(keys.lease_data, "w:1")


def test_an_expired_lease_goes_back_to_the_queue_and_a_released_one_does_not(server, frontier):
    keys, spider, queue, stats, guard = frontier
    push(queue, keys, spider, "https://site/dead", priority=30)
    push(queue, keys, spider, "https://site/done", priority=20)
    dead_worker = LeaseKeeper(server, guard, stats, keys, ttl_seconds=0.001, worker_id="dead")
    dead_worker.hold("dead:1", queue.decode(queue.pop_leased("dead:1", 1)))
    live_worker = LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="live")
    done = queue.decode(queue.pop_leased("live:1", 60_000))
    live_worker.hold("live:1", done)
    assert server.zcard(keys.requests) == 0
    time.sleep(0.01)

    live_worker.tick(in_progress=set())  # "done" has left the engine: released; "dead" expired: re-queued
    assert stats.get_value("frontier/leases/released") == 1
    assert stats.get_value("frontier/leases/requeued") == 1
    assert server.zcard(keys.leases) == 0 and server.hlen(keys.lease_data) == 0
    back = queue.decode(queue.pop_leased("live:2", 60_000))
    assert back.url == "https://site/dead" and back.priority == 30 and back.callback == spider.parse_article
    assert queue.pop_leased("live:3", 60_000) is None


def test_leases_in_progress_are_renewed_not_swept(server, frontier):
    keys, spider, queue, stats, guard = frontier
    push(queue, keys, spider, "https://site/slow")
    keeper = LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="w")
    request = queue.decode(queue.pop_leased("w:1", 1))  # popped with a lease about to lapse
    keeper.hold("w:1", request)
    keeper.tick(in_progress={request})  # renewed to 60 s before the sweep runs
    time.sleep(0.01)
    keeper.tick(in_progress={request})
    assert server.zcard(keys.leases) == 1 and not stats.get_value("frontier/leases/requeued")


def test_the_last_worker_to_leave_a_finished_frontier_clears_its_fingerprints(server, frontier):
    keys, spider, queue, stats, guard = frontier
    push(queue, keys, spider, "https://site/a")
    first = LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="first")
    second = LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="second")
    first.tick(set())
    second.tick(set())
    request = queue.decode(queue.pop_leased("first:1", 60_000))
    first.hold("first:1", request)

    assert not second.leave(set(), finished=True, clear_when_done=True, can_release=True)  # first still works
    assert not first.leave({request}, finished=False, clear_when_done=True, can_release=True)  # shut down mid-page
    assert server.zcard(keys.requests) == 1 and server.zcard(keys.leases) == 0  # given back, not lost
    assert server.scard(keys.dupefilter) == 1

    third = LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="third")
    third.hold("third:1", queue.decode(queue.pop_leased("third:1", 60_000)))
    assert third.leave(set(), finished=True, clear_when_done=True, can_release=True)
    assert server.scard(keys.dupefilter) == 0 and server.zcard(keys.workers) == 0


def test_the_guard_pauses_while_redis_is_down_and_resumes_on_the_same_port(redis_server, server, frontier):
    keys, _, _, stats, guard = frontier
    redis_server.stop()
    with pytest.raises(FrontierUnavailable):
        guard.call(server.zcard, keys.requests)
    assert guard.down
    with pytest.raises(FrontierUnavailable):  # within the backoff: no call made at all
        guard.call(lambda: pytest.fail("called during backoff"))
    redis_server.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            assert guard.call(server.zcard, keys.requests) == 0
            break
        except FrontierUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert not guard.down
    assert stats.get_value("frontier/redis/outages") == 1 and stats.get_value("frontier/redis/errors") >= 1


def newscrawl(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if env_url:
        env["REDIS_URL"] = env_url
    return subprocess.run([str(Path(sys.executable).parent / "newscrawl"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)


def test_cli_status_and_reset(redis_server, server, frontier):
    keys, spider, queue, stats, guard = frontier
    push(queue, keys, spider, "https://site/a")
    push(queue, keys, spider, "https://site/b")
    other = FrontierKeys("breaking", "replica.test:8080")
    server.sadd(other.dupefilter, "fp")
    LeaseKeeper(server, guard, stats, keys, ttl_seconds=60, worker_id="w").tick(set())
    queue.pop_leased("w:1", 60_000)

    done = newscrawl("frontier", "status", "--json", env_url=redis_server.url)
    assert done.returncode == 0, done.stderr
    rows = {row["spider"]: row for row in json.loads(done.stdout)}
    assert rows["news"] == {"spider": "news", "site": "replica.test:8080", "queued": 1, "fingerprints": 2,
                            "leases": 1, "leases_expired": 0, "workers": 1}
    assert rows["breaking"]["fingerprints"] == 1

    table = newscrawl("frontier", "status", "--redis-url", redis_server.url)
    assert "news" in table.stdout and "queued" in table.stdout

    unconfirmed = newscrawl("frontier", "reset", "--spider", "news", env_url=redis_server.url)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    assert server.zcard(keys.requests) == 1

    reset = newscrawl("frontier", "reset", "--spider", "news", "--yes", env_url=redis_server.url)
    assert reset.returncode == 0, reset.stderr
    assert not any(server.exists(key) for key in keys.all())
    assert server.scard(other.dupefilter) == 1  # another spider's frontier is untouched
    assert [k.spider for k in admin.find(server)] == ["breaking"]


def test_cli_names_a_missing_or_unreachable_redis_without_a_password():
    missing = newscrawl("frontier", "status")
    assert missing.returncode == 2 and "REDIS_URL" in missing.stderr
    down = newscrawl("frontier", "status", env_url="redis://:s3cret@127.0.0.1:1/0")
    assert down.returncode == 1 and "cannot reach Redis" in down.stderr and "s3cret" not in down.stderr


@pytest.mark.parametrize("given, on", [({"REDIS_URL": "redis://h:6379/0"}, True), ({}, False),
                                       ({"NEWSCRAWL_DISTRIBUTED": "True"}, True),
                                       ({"REDIS_URL": "redis://h:6379/0", "NEWSCRAWL_DISTRIBUTED": "False"}, False)])
def test_the_addon_turns_on_only_when_asked(given, on):
    settings = Settings({"EXTENSIONS": {"newscrawl.extensions.statsfile.StatsFile": 500}})
    settings.setdict(given, priority="project")
    DistributedAddon().update_settings(settings)
    assert (settings["SCHEDULER"] == "newscrawl.distributed.scheduler.DistributedScheduler") is on
    if on:
        assert settings["SCHEDULER_SERIALIZER"] == "newscrawl.distributed.serializer"
        assert settings.getbool("SCHEDULER_PERSIST")
        assert settings["DUPEFILTER_CLASS"] == "newscrawl.distributed.dupefilter.FrontierDupeFilter"
        assert len(settings.getdict("EXTENSIONS")) == 2


def test_project_settings_win_over_the_addon():
    settings = Settings()
    settings.setdict({"REDIS_URL": "redis://h/0", "SCHEDULER_PERSIST": False}, priority="project")
    DistributedAddon().update_settings(settings)
    assert settings.getbool("SCHEDULER_PERSIST") is False

"""The poller lease (follow mode with REDIS_URL), against a real Redis: one holder at a time."""

from __future__ import annotations

import time

import redis

from newscrawl.distributed.poller import PollerLease

KEY = "newscrawl:almayadeen:english.almayadeen.net:poller"


def client(redis_server) -> redis.Redis:
    return redis.Redis.from_url(redis_server.url, socket_timeout=2, socket_connect_timeout=1)


def test_one_worker_holds_the_lease_and_hands_it_on(redis_server):
    server = client(redis_server)
    first, second = PollerLease(server, KEY, 30, "w1"), PollerLease(server, KEY, 30, "w2")
    assert first.hold() and first.hold()  # taken, then renewed
    assert not second.hold()
    assert server.get(KEY) == b"w1" and 0 < server.pttl(KEY) <= 30_000
    first.release()
    assert server.get(KEY) is None
    assert second.hold() and not first.hold()


def test_a_lease_its_holder_stopped_renewing_passes_on_when_it_lapses(redis_server):
    server = client(redis_server)
    dead, alive = PollerLease(server, KEY, 0.3, "dead"), PollerLease(server, KEY, 30, "alive")
    assert dead.hold()
    deadline = time.monotonic() + 10
    while not alive.hold():
        assert time.monotonic() < deadline, "the lease never lapsed"
        time.sleep(0.05)
    assert server.get(KEY) == b"alive"
    dead.release()  # not its lease any more: it must not free another's
    assert server.get(KEY) == b"alive"


def test_without_redis_nobody_polls_and_redis_is_left_alone_for_a_while(redis_server, monkeypatch):
    monkeypatch.setattr("newscrawl.distributed.poller.RETRY_SECONDS", 600.0)  # a quiet time no restart outlasts
    server = client(redis_server)
    lease = PollerLease(server, KEY, 30, "w1")
    assert lease.hold()
    redis_server.stop()
    assert not lease.hold() and not lease.held
    redis_server.start()  # back, and empty: a lease asked for now would be granted
    assert not lease.hold()  # within the quiet time: not asked at all
    assert server.get(KEY) is None
    lease.quiet_until = 0.0  # the quiet time over: asked again, and granted
    assert lease.hold() and server.get(KEY) == b"w1"

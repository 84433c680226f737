"""The store's circuit: when the server is known to be down, nobody waits for it (issue #23)."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from newscrawl.store.circuit import Circuit, StoreUnavailable
from newscrawl.store.retry import with_retry


class Server:
    """A fake server the probe asks: up or down, and how often it was asked."""

    def __init__(self, up: bool = True):
        self.up = up
        self.asked = 0

    def probe(self, timeout: float) -> bool:
        self.asked += 1
        if not self.up:
            raise ServerSelectionTimeoutError("no server")
        return True


def circuit_for(server: Server, **kw) -> Circuit:
    return Circuit(server.probe, interval=kw.pop("interval", 0.05), probe_timeout=0.01,
                   label=lambda: "MongoDB store mongodb://db:1/x", journal=lambda: "the journal file", **kw)


def test_a_server_selection_timeout_opens_it_at_once_and_then_nothing_waits():
    server = Server(up=False)
    circuit = circuit_for(server, interval=60)
    assert circuit.failed(ServerSelectionTimeoutError("127.0.0.1:1: connection refused, Timeout: 5.0s"))
    assert circuit.is_open and server.asked == 0  # it already waited: no second check
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        circuit.check()
    assert time.monotonic() - started < 0.01
    circuit.stop()


def test_a_dropped_connection_opens_it_only_when_a_check_finds_no_server():
    server = Server(up=True)
    circuit = circuit_for(server)
    assert not circuit.failed(AutoReconnect("connection closed"))  # a blip: the server answers
    assert not circuit.is_open and server.asked == 1
    server.up = False
    assert circuit.failed(AutoReconnect("connection closed"))
    assert circuit.is_open
    circuit.stop()


def test_errors_that_are_not_about_the_connection_never_open_it():
    circuit = circuit_for(Server(up=False))
    assert not circuit.failed(OperationFailure("validation failed", code=121))
    assert not circuit.failed(ValueError("bad"))
    assert not circuit.is_open


def test_it_re_tests_on_a_timer_and_closes_when_the_server_answers_once_warning_each_way(caplog):
    server = Server(up=False)
    circuit = circuit_for(server)
    changes = []
    circuit.listeners.append(lambda opened, seconds: changes.append((opened, seconds)))
    with caplog.at_level(logging.WARNING, logger="newscrawl.store.circuit"):
        circuit.failed(ServerSelectionTimeoutError("gone"))
        for _ in range(5):  # more failures while open say nothing more
            circuit.failed(AutoReconnect("gone"))
        deadline = time.monotonic() + 5
        while server.asked < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert circuit.is_open and server.asked >= 3  # re-tested, still down
        server.up = True
        assert circuit.wait_closed(5)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("MongoDB store mongodb://db:1/x is unreachable (ServerSelectionTimeoutError: gone)")
    assert "writes go to the journal file" in messages[0]
    assert messages[1].startswith("MongoDB store mongodb://db:1/x is back after ")
    assert [opened for opened, _ in changes] == [True, False] and changes[1][1] > 0
    assert circuit.opened == 1 and circuit.closed == 1 and circuit.seconds_open() > 0
    circuit.stop()


def test_the_driver_losing_the_server_is_checked_in_the_background():
    server = Server(up=False)
    circuit = circuit_for(server, interval=60)
    circuit.suspect()
    deadline = time.monotonic() + 5
    while not circuit.is_open and time.monotonic() < deadline:
        time.sleep(0.01)
    assert circuit.is_open
    circuit.stop()
    server = Server(up=True)
    calm = circuit_for(server)
    calm.suspect()
    deadline = time.monotonic() + 5
    while server.asked == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.asked == 1 and not calm.is_open
    calm.stop()


def test_threads_failing_together_check_once_and_all_see_it_open():
    server = Server(up=False)
    circuit = circuit_for(server, interval=60)
    verdicts = []
    threads = [threading.Thread(target=lambda: verdicts.append(circuit.failed(AutoReconnect("reset"))))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert verdicts == [True] * 8 and server.asked == 1 and circuit.opened == 1
    circuit.stop()


def test_a_write_gives_up_retrying_once_the_circuit_is_open():
    server = Server(up=False)
    circuit = circuit_for(server, interval=60)
    calls = []

    def write():
        calls.append(1)
        raise AutoReconnect("connection refused")

    started = time.monotonic()
    with pytest.raises(AutoReconnect):
        with_retry(write, 30.0, sleep=lambda s: None, give_up=circuit.failed)
    assert len(calls) == 1 and time.monotonic() - started < 1  # not 30 s of retries
    with pytest.raises(StoreUnavailable):  # and the next one is not even tried
        with_retry(lambda: circuit.check(), 30.0, sleep=lambda s: None, give_up=circuit.failed)
    circuit.stop()


def test_a_write_still_retries_through_a_blip_while_the_server_answers():
    circuit = circuit_for(Server(up=True))
    attempts = []

    def write():
        attempts.append(1)
        if len(attempts) < 3:
            raise AutoReconnect("connection reset")
        return "ok"

    assert with_retry(write, 30.0, sleep=lambda s: None, give_up=circuit.failed) == "ok"
    assert len(attempts) == 3 and not circuit.is_open

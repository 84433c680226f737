"""The embedded SecantusDB server: start, reuse, stop, stale state."""

from __future__ import annotations

import json
import os

import pytest

from newscrawl.store.connection import make_client, resolve_uri
from newscrawl.store.embedded import EmbeddedServer, pid_alive, pings


@pytest.fixture
def servers():
    started: list[EmbeddedServer] = []
    yield started
    for server in started:
        server.stop()


def assert_starts_its_own_server(data_dir, servers) -> None:
    """A new EmbeddedServer on ``data_dir`` starts a server of its own and records its pid."""
    server = EmbeddedServer(data_dir)
    servers.append(server)
    server.start()
    assert server.started_here and pings(server.port)
    assert json.loads((data_dir / "mongo" / "server.json").read_text())["pid"] == server.proc.pid


def test_start_writes_state_reuse_finds_it_and_stop_ends_only_its_own(tmp_path, servers):
    first = EmbeddedServer(tmp_path)
    servers.append(first)
    uri = first.start()
    assert uri == f"mongodb://127.0.0.1:{first.port}/newscrawl"
    state = json.loads((tmp_path / "mongo" / "server.json").read_text())
    assert state == {"pid": first.proc.pid, "port": first.port}

    client = make_client(uri)
    client.get_default_database()["probe"].insert_one({"x": 1})
    client.close()

    second = EmbeddedServer(tmp_path)
    servers.append(second)
    assert second.start() == uri and not second.started_here
    second.stop()  # not its server: it keeps running
    assert pings(first.port) and pid_alive(state["pid"])

    first.stop()
    assert not pid_alive(state["pid"]) or os.waitpid(state["pid"], os.WNOHANG)
    assert json.loads((tmp_path / "mongo" / "server.json").read_text()) == {"pid": None, "port": first.port}

    # data survives a restart, on the same port when it is free
    third = EmbeddedServer(tmp_path)
    servers.append(third)
    assert third.start() == uri
    client = make_client(uri)
    assert client.get_default_database()["probe"].count_documents({}) == 1
    client.close()


def test_a_stale_state_file_from_a_killed_server_is_replaced(tmp_path, servers):
    first = EmbeddedServer(tmp_path)
    servers.append(first)
    first.start()
    first.proc.kill()  # as if the crawl and its server died: the state file stays behind
    first.proc.wait()
    first.proc = None
    assert (tmp_path / "mongo" / "server.json").exists()

    assert_starts_its_own_server(tmp_path, servers)


def test_a_state_file_naming_a_foreign_pid_is_not_trusted(tmp_path, servers):
    (tmp_path / "mongo").mkdir()
    (tmp_path / "mongo" / "server.json").write_text(json.dumps({"pid": os.getpid(), "port": 1}))
    assert_starts_its_own_server(tmp_path, servers)


def test_resolve_uri_prefers_mongodb_uri_and_otherwise_starts_the_embedded_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MONGODB_URI", raising=False)
    assert resolve_uri({"MONGODB_URI": "mongodb://db.example:27017/"}) == "mongodb://db.example:27017/"
    from newscrawl.store import connection

    settings = {"NEWSCRAWL_DATA_DIR": str(tmp_path), "MONGODB_DATABASE": "news"}
    uri = resolve_uri(settings)
    server = connection.embedded_server(settings)
    try:
        assert uri == f"mongodb://127.0.0.1:{server.port}/news" and pings(server.port)
    finally:
        server.stop()

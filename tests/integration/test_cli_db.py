"""`newscrawl db serve|replay|uri|indexes` as a user runs them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pymongo
from bson import json_util
from bson.json_util import JSONMode, JSONOptions

from tests.conftest import stop_process
from tests.integration.test_cli_support import NEWSCRAWL, NOW, ROOT, article, aware, breaking_line, run_cli

RELAXED = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True)
STORE_FIELDS = ("revision", "aliases", "first_seen_at", "last_seen_at")


def start_serve(data_dir) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([NEWSCRAWL, "db", "serve", "--data-dir", str(data_dir)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    uri = proc.stdout.readline().strip()
    if not uri.startswith("mongodb://"):
        stop_process(proc)
        raise AssertionError(f"db serve printed {uri!r}: {proc.stderr.read()}")
    return proc, uri


def port_open(uri: str) -> bool:
    parts = urlsplit(uri)
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((parts.hostname, parts.port)) == 0


def test_serve_answers_pymongo_and_stops_on_sigterm(tmp_path):
    data = tmp_path / "data"
    proc, uri = start_serve(data)
    try:
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        client.newscrawl.articles.insert_one({"url": "https://english.almayadeen.net/news/politics/kept"})
        assert client.newscrawl.articles.count_documents({}) == 1
        client.close()
        # `db uri` finds the running server
        shown = run_cli("db", "uri", "--data-dir", str(data), uri=None)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.strip() == uri
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert "embedded store stopped" in proc.stderr.read()
    finally:
        stop_process(proc)
        proc.stdout.close()
        proc.stderr.close()
    assert not port_open(uri)  # the server process is gone with it
    # the data stays on disk for the next start
    proc, uri = start_serve(data)
    try:
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        assert client.newscrawl.articles.count_documents({}) == 1
        client.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        stop_process(proc)
        proc.stdout.close()
        proc.stderr.close()


def test_query_commands_use_the_embedded_store_without_a_uri(tmp_path):
    data = tmp_path / "data"
    proc, uri = start_serve(data)
    try:
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000)
        client.newscrawl.articles.insert_one(article("embedded-one"))
        client.close()
        result = run_cli("articles", "--json", uri=None, env_extra={"NEWSCRAWL_DATA_DIR": str(data)})
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["url"].endswith("embedded-one")
        assert port_open(uri)  # a server this command did not start keeps running
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
        proc.stdout.close()
        proc.stderr.close()


def write_journal(path, records: list[tuple[str, object, dict]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for kind, now, doc in records:
            fh.write(json_util.dumps({"kind": kind, "now": now, "doc": doc}, json_options=RELAXED) + "\n")


def item(slug: str, **kw) -> dict:
    return {k: v for k, v in article(slug, **kw).items() if k not in STORE_FIELDS}


def test_replay_writes_the_legacy_journal_into_the_store_only_when_asked(tmp_path, mongo_uri, mongo_db, mongo_db_name):
    journal = tmp_path / "data" / "journal" / "articles.jsonl"  # written before records named their store
    seen = NOW - timedelta(hours=5)
    line = breaking_line("A ticker line", minutes_ago=0)
    write_journal(journal, [
        ("articles", seen, item("journaled-one", days_ago=1)),
        ("articles", seen, item("journaled-two", days_ago=2)),
        ("breaking", seen, {"text": line["text"], "text_hash": line["text_hash"], "url": None, "seen_at": seen}),
    ])
    unasked = run_cli("db", "replay", "--data-dir", str(tmp_path / "data"), uri=mongo_uri, db=mongo_db_name)
    assert unasked.returncode == 0, unasked.stderr
    assert "replayed 0 items" in unasked.stdout
    assert "not replayed: 3 records for legacy records" in unasked.stderr
    assert mongo_db.articles.count_documents({}) == 0 and journal.exists()
    result = run_cli("db", "replay", "--legacy", "--data-dir", str(tmp_path / "data"), uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    assert "replayed 3 items from " in result.stdout and str(journal) in result.stdout
    stored = {d["url"].rsplit("/", 1)[1]: d for d in aware(mongo_db).articles.find()}
    assert set(stored) == {"journaled-one", "journaled-two"}
    assert stored["journaled-one"]["revision"] == 1
    assert stored["journaled-one"]["first_seen_at"] == seen
    assert mongo_db.breaking.count_documents({"text_hash": line["text_hash"]}) == 1
    # replayed once: a second replay finds nothing
    again = run_cli("db", "replay", "--journal", str(journal), uri=mongo_uri, db=mongo_db_name)
    assert again.returncode == 0, again.stderr
    assert "replayed 0 items" in again.stdout
    assert mongo_db.articles.count_documents({}) == 2


def test_journal_lists_each_store_and_replay_writes_only_the_named_stores_records(tmp_path, mongo_uri):
    from newscrawl.store.journal import Journal
    from newscrawl.store.target import StoreTarget

    data = tmp_path / "data"
    names = ["t_" + uuid.uuid4().hex[:12] for _ in range(2)]
    a, b = (StoreTarget.from_uri(mongo_uri, name) for name in names)
    seen = NOW - timedelta(hours=2)
    Journal.for_target(data / "journal", a).append("articles", [item("for-a-1"), item("for-a-2")], seen)
    Journal.for_target(data / "journal", b).append("articles", [item("for-b-1")], seen)
    client = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000)
    try:
        listed = run_cli("db", "journal", "--data-dir", str(data), uri=None)
        assert listed.returncode == 0, listed.stderr
        assert f"{a.label}  (key {a.key})" in listed.stdout and f"{b.label}  (key {b.key})" in listed.stdout
        assert "2 records: articles 2; sites: english.almayadeen.net 2" in listed.stdout
        assert f"replay: {a.replay_command()}" in listed.stdout
        as_json = [json.loads(line) for line in
                   run_cli("db", "journal", "--json", "--data-dir", str(data), uri=None).stdout.splitlines()]
        assert {(d["key"], d["records"], d["kinds"]["articles"]) for d in as_json} == {(a.key, 2, 2), (b.key, 1, 1)}

        # into A: A's records, none of B's
        into_a = run_cli("db", "replay", "--data-dir", str(data), uri=mongo_uri, db=names[0])
        assert into_a.returncode == 0, into_a.stderr
        assert f"replayed 2 items from {data / 'journal' / (a.key + '.jsonl')} into {a.label}" in into_a.stdout
        assert f"not replayed: 1 records for {b.label}" in into_a.stderr
        assert sorted(d["url"].rsplit("/", 1)[1] for d in client[names[0]].articles.find()) == ["for-a-1", "for-a-2"]
        assert client[names[1]].articles.count_documents({}) == 0
        remaining = [json.loads(line) for line in
                     run_cli("db", "journal", "--json", "--data-dir", str(data), uri=None).stdout.splitlines()]
        assert [(d["key"], d["records"]) for d in remaining] == [(b.key, 1)]

        # B's records go elsewhere only when named: a store that moved
        moved = run_cli("db", "replay", "--from", b.key, "--data-dir", str(data), uri=mongo_uri, db=names[0])
        assert moved.returncode == 0, moved.stderr
        assert "replayed 1 items" in moved.stdout
        assert client[names[0]].articles.count_documents({}) == 3
        empty = run_cli("db", "journal", "--data-dir", str(data), uri=None)
        assert empty.stdout.startswith("no journaled records wait in ")
    finally:
        for name in names:
            client.drop_database(name)
        client.close()


def test_uri_is_masked():
    result = run_cli("db", "uri", uri="mongodb://crawler:hunter2@db.example:27017/?authSource=admin")
    assert result.returncode == 0
    assert result.stdout.strip() == "mongodb://crawler:***@db.example:27017/?authSource=admin"
    flag = run_cli("db", "uri", "--uri", "mongodb://u:p@other:1/", uri="mongodb://x@y/")
    assert flag.stdout.strip() == "mongodb://u:***@other:1/"


def test_indexes(mongo_server, mongo_uri, mongo_db, mongo_db_name):
    result = run_cli("db", "indexes", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    assert "url: url 1 unique" in result.stdout
    assert "text_hash: site 1, text_hash 1 unique" in result.stdout
    names = {i["name"] for i in mongo_db.articles.list_indexes()}
    assert {"url", "published_at", "tags", "section_published_at", "content_hash"} <= names
    has_text = any("text" in i["key"].values() for i in mongo_db.articles.list_indexes())
    assert f"text index: {'yes' if has_text else 'no'}" in result.stdout
    if mongo_server is not None:  # SecantusDB cannot make one
        assert not has_text

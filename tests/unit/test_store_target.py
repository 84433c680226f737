"""A journal record's target: the store's identity without its credentials, and the site (issue #23)."""

from __future__ import annotations

from datetime import datetime, timezone

from bson import json_util

from newscrawl.store import journal_path
from newscrawl.store.journal import JSON_OPTIONS, LEGACY_NAME, Journal, journal_dir, site_of, waiting
from newscrawl.store.target import StoreTarget

T0 = datetime(2025, 11, 10, 12, tzinfo=timezone.utc)


def target(uri: str, db: str = "newscrawl") -> StoreTarget:
    return StoreTarget.from_uri(uri, db)


def test_the_identity_is_hosts_database_and_replica_set_never_credentials():
    a = target("mongodb://crawler:hunter2@DB2.example:27018,db1.example/?replicaSet=rs0&authSource=admin&tls=true")
    b = target("mongodb://other:secret@db1.example:27017,db2.example:27018/ignored?replicaSet=rs0")
    assert a == b and a.key == b.key
    assert a.hosts == ("db1.example:27017", "db2.example:27018") and a.replica_set == "rs0"
    for text in (a.label, a.replay_command(), str(a.as_record()), a.key):
        assert "hunter2" not in text and "crawler" not in text and "secret" not in text
    assert a.label == "mongodb://db1.example:27017,db2.example:27018/newscrawl?replicaSet=rs0"
    assert a.replay_command() == ("newscrawl db replay --uri mongodb://db1.example:27017,db2.example:27018/"
                                  "?replicaSet=rs0 --db newscrawl")


def test_another_port_database_or_replica_set_is_another_target():
    base = target("mongodb://127.0.0.1:27017/")
    assert target("mongodb://127.0.0.1/") == base  # the default port
    for other in (target("mongodb://127.0.0.1:27018/"), target("mongodb://127.0.0.1:27017/", "test"),
                  target("mongodb://127.0.0.1:27017/?replicaSet=rs")):
        assert other != base and other.key != base.key


def test_srv_and_ipv6_hosts():
    srv = target("mongodb+srv://u:p@Cluster0.Example.net/db?retryWrites=true")
    assert srv.hosts == ("cluster0.example.net",) and srv.srv and srv.label.startswith("mongodb+srv://cluster0")
    assert target("mongodb://[::1]:5,[::1]/").hosts == ("[::1]:27017", "[::1]:5")


def test_the_embedded_store_is_its_absolute_data_directory_and_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    here = StoreTarget.from_settings({"NEWSCRAWL_DATA_DIR": "data", "MONGODB_DATABASE": "news"})
    assert here.embedded == str(tmp_path / "data") and here.database == "news" and not here.hosts
    assert here == StoreTarget.from_settings({"NEWSCRAWL_DATA_DIR": str(tmp_path / "data"), "MONGODB_DATABASE": "news"})
    assert here != StoreTarget.from_settings({"NEWSCRAWL_DATA_DIR": "data", "MONGODB_DATABASE": "other"})
    assert here.replay_command() == f"newscrawl db replay --data-dir {tmp_path / 'data'} --db news"
    # a configured URI names a server, whatever the data directory
    uri = StoreTarget.from_settings({"NEWSCRAWL_DATA_DIR": "data", "MONGODB_URI": "mongodb://h:1/"})
    assert uri.embedded is None and uri.hosts == ("h:1",)


def test_each_store_has_its_own_journal_file_beside_the_legacy_one(tmp_path):
    settings = {"NEWSCRAWL_DATA_DIR": str(tmp_path), "MONGODB_URI": "mongodb://u:p@h:1/"}
    path = journal_path(settings)
    assert path.parent == journal_dir(tmp_path) and path.name == target("mongodb://h:1/").key + ".jsonl"
    assert path.name != LEGACY_NAME


def test_every_record_names_its_store_and_site(tmp_path):
    store = target("mongodb://h:1/")
    journal = Journal.for_target(tmp_path, store)
    article = {"url": "https://www.almayadeen.net/news/x", "site": "www.almayadeen.net", "title": "t"}
    reject = {"url": "https://english.almayadeen.net/news/y", "errors": [], "item": {"site": "english.almayadeen.net"}}
    page = {"url": "https://english.almayadeen.net/news/z", "html": b"x"}
    journal.append("articles", [article], T0)
    journal.append("rejects", [reject], T0)
    journal.append("pages", [page], T0)
    records = journal.read(journal.path)
    assert [r["site"] for r in records] == ["www.almayadeen.net", "english.almayadeen.net", "english.almayadeen.net"]
    assert all(StoreTarget.from_record(r) == store for r in records)
    assert records[0]["doc"] == article
    assert site_of({"text": "a line"}) is None


def test_waiting_lists_each_store_and_the_legacy_records_apart(tmp_path):
    a, b = target("mongodb://a:1/"), target("mongodb://b:2/", "other")
    Journal.for_target(tmp_path, a).append("articles", [{"url": "https://english.almayadeen.net/n/1",
                                                         "site": "english.almayadeen.net"}] * 3, T0)
    later = T0.replace(hour=13)
    Journal.for_target(tmp_path, a).append("rejects", [{"url": "https://english.almayadeen.net/n/2"}], later)
    Journal.for_target(tmp_path, b).append("breaking", [{"text": "x", "site": "www.almayadeen.net"}], T0)
    with open(tmp_path / LEGACY_NAME, "w") as fh:  # written by an older release: no store, no site
        fh.write(json_util.dumps({"kind": "articles", "now": T0, "doc": {"url": "u"}}, json_options=JSON_OPTIONS) + "\n")
    found = {w.name: w for w in waiting(tmp_path)}
    assert set(found) == {a.key, b.key, "articles"}
    first = found[a.key]
    assert (first.target, first.records, dict(first.kinds)) == (a, 4, {"articles": 3, "rejects": 1})
    assert dict(first.sites) == {"english.almayadeen.net": 4}
    assert (first.oldest, first.newest) == (T0, later)
    assert found["articles"].legacy and found["articles"].records == 1 and "legacy" in found["articles"].label
    assert [w.name for w in waiting(tmp_path, exclude=a.key)] == sorted([b.key, "articles"])


def test_a_line_torn_by_a_killed_process_does_not_swallow_the_next_batch(tmp_path):
    journal = Journal.for_target(tmp_path, target("mongodb://h:1/"))
    journal.append("articles", [{"url": "https://english.almayadeen.net/n/1"}], T0)
    with open(journal.path, "a") as fh:  # the process died in the middle of an append
        fh.write('{"kind": "articles", "now": {"$date": "2025-11-10T12:00:00Z"}, "site": "engl')
    journal.append("articles", [{"url": "https://english.almayadeen.net/n/2"}], T0)
    urls = [r["doc"]["url"] for r in journal.read(journal.path)]
    assert urls == ["https://english.almayadeen.net/n/1", "https://english.almayadeen.net/n/2"]
    assert waiting(tmp_path)[0].records == 2

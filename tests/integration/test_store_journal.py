"""The journal: durable JSON lines, replayed into a real server exactly once."""

from __future__ import annotations

import fcntl
from datetime import timedelta

import pytest

from newscrawl.store import Store
from newscrawl.store.connection import make_client
from newscrawl.store.journal import Journal
from newscrawl.store.samples import EPOCH, sample_article, sample_url

T0 = EPOCH + timedelta(days=3)


@pytest.fixture
def store(mongo_uri, mongo_db_name):
    client = make_client(mongo_uri)
    s = Store(client[mongo_db_name])
    s.ensure_indexes()
    yield s
    client.close()


def test_records_round_trip_with_tz_aware_dates(tmp_path):
    journal = Journal(tmp_path / "j" / "articles.jsonl")
    assert journal.append("articles", [sample_article(1), sample_article(2)], T0) == 2
    records = journal.read(journal.path)
    assert [r["doc"] for r in records] == [sample_article(1), sample_article(2)]
    assert records[0]["now"] == T0 and records[0]["doc"]["published_at"].tzinfo is not None
    assert journal.pending() == 2


def test_replay_stores_everything_once_and_empties_the_journal(tmp_path, store):
    journal = Journal(tmp_path / "articles.jsonl")
    journal.append("articles", [sample_article(i) for i in range(5)], T0)
    journal.append("articles", [sample_article(1, version=2), sample_article(7, text_of=0)], T0 + timedelta(hours=1))
    journal.append("breaking", [{"text": "A line", "text_hash": "c" * 64, "url": None}], T0)
    assert journal.replay(store) == 8
    assert journal.pending() == 0 and not list(tmp_path.glob("articles.jsonl.replaying-*"))
    docs = {d["url"]: d for d in store.db["articles"].find()}
    assert set(docs) == {sample_url(i) for i in range(5)}
    assert docs[sample_url(1)]["revision"] == 2 and docs[sample_url(0)]["aliases"] == [sample_url(7)]
    assert store.db["breaking"].count_documents({}) == 1
    assert journal.replay(store) == 0


def test_a_replay_cut_short_is_repeated_without_storing_twice(tmp_path, store):
    journal = Journal(tmp_path / "articles.jsonl")
    batch = [sample_article(i) for i in range(6)] + [sample_article(1, version=2)]
    journal.append("articles", batch, T0)
    store.articles.upsert_many(batch[:3], T0)  # as if the first replay wrote half and died
    pending = journal.path.with_name(journal.path.name + ".replaying-1")
    journal.path.rename(pending)  # ... after renaming the file aside
    journal.append("articles", [sample_article(9)], T0 + timedelta(hours=1))  # appended meanwhile
    assert journal.replay(store) == 8
    assert store.db["articles"].count_documents({}) == 7
    assert store.db["articles"].find_one({"url": sample_url(1)})["revision"] == 2
    assert store.db["article_revisions"].count_documents({}) == 1


def test_only_one_process_replays_at_a_time(tmp_path, store):
    journal = Journal(tmp_path / "articles.jsonl")
    journal.append("articles", [sample_article(1)], T0)
    with open(journal._replay_lock_path, "a") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        assert journal.replay(store) == 0
        fcntl.flock(other, fcntl.LOCK_UN)
    assert journal.pending() == 1
    assert journal.replay(store) == 1


def test_a_torn_last_line_is_skipped(tmp_path, store):
    journal = Journal(tmp_path / "articles.jsonl")
    journal.append("articles", [sample_article(1)], T0)
    with open(journal.path, "a") as fh:
        fh.write('{"kind": "articles", "now": {"$date": ')
    assert journal.replay(store) == 1
    assert store.db["articles"].count_documents({}) == 1

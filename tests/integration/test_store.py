"""The store against a real server (SecantusDB, or MONGODB_URI)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pymongo.errors import WriteError

from newscrawl.store import Store
from newscrawl.store.articles import UpsertResult
from newscrawl.store.connection import make_client, mask_uri
from newscrawl.store.indexes import INDEXES, ensure_indexes
from newscrawl.store.samples import EPOCH, sample_article, sample_url

T0 = EPOCH + timedelta(days=10)
T1 = T0 + timedelta(hours=6)
T2 = T1 + timedelta(hours=6)


@pytest.fixture
def db(mongo_uri, mongo_db_name):
    client = make_client(mongo_uri)
    yield client[mongo_db_name]
    client.close()


@pytest.fixture
def store(db):
    s = Store(db)
    s.ensure_indexes()
    return s


def articles(store) -> dict[str, dict]:
    return {d["url"]: d for d in store.db["articles"].find({}, {"_id": 0})}


def test_new_articles_get_revision_1_no_aliases_and_both_seen_dates(store):
    result = store.articles.upsert_many([sample_article(i) for i in range(3)], T0)
    assert result.counts["new"] == 3
    docs = articles(store)
    assert set(docs) == {sample_url(i) for i in range(3)}
    for doc in docs.values():
        assert (doc["revision"], doc["aliases"], doc["first_seen_at"], doc["last_seen_at"]) == (1, [], T0, T0)
        assert doc["first_seen_at"].tzinfo is not None
    assert docs[sample_url(1)]["title"] == sample_article(1)["title"]


def test_unchanged_text_moves_only_last_seen(store):
    store.articles.upsert_many([sample_article(1)], T0)
    result = store.articles.upsert_many([sample_article(1)], T1)
    assert result.counts["unchanged"] == 1
    doc = articles(store)[sample_url(1)]
    assert (doc["revision"], doc["first_seen_at"], doc["last_seen_at"]) == (1, T0, T1)
    assert store.revisions.count_documents({}) == 0


def test_changed_text_keeps_the_previous_version_in_article_revisions(store):
    store.articles.upsert_many([sample_article(1)], T0)
    result = store.articles.upsert_many([sample_article(1, version=2)], T1)
    assert result.counts["changed"] == 1
    doc = articles(store)[sample_url(1)]
    assert doc["revision"] == 2 and doc["body"] == sample_article(1, version=2)["body"]
    assert (doc["first_seen_at"], doc["last_seen_at"]) == (T0, T1)
    (old,) = store.revisions.find({}, {"_id": 0})
    v1 = sample_article(1)
    assert old == {"url": v1["url"], "revision": 1, "content_hash": v1["content_hash"], "title": v1["title"],
                   "body": v1["body"], "modified_at": None, "replaced_at": T1}
    store.articles.upsert_many([sample_article(1, version=3)], T2)
    assert articles(store)[sample_url(1)]["revision"] == 3
    assert sorted(r["revision"] for r in store.revisions.find()) == [1, 2]


def test_the_same_text_under_another_url_is_an_alias(store):
    store.articles.upsert_many([sample_article(1)], T0)
    twin = sample_article(9, text_of=1)
    result = store.articles.upsert_many([twin], T1)
    assert result.counts["aliased"] == 1
    docs = articles(store)
    assert set(docs) == {sample_url(1)}
    assert docs[sample_url(1)]["aliases"] == [twin["url"]] and docs[sample_url(1)]["last_seen_at"] == T1


def test_within_one_batch_the_second_url_of_a_text_becomes_an_alias(store):
    result = store.articles.upsert_many([sample_article(1), sample_article(2, text_of=1), sample_article(3)], T0)
    assert (result.counts["new"], result.counts["aliased"]) == (2, 1)
    docs = articles(store)
    assert set(docs) == {sample_url(1), sample_url(3)}
    assert docs[sample_url(1)]["aliases"] == [sample_url(2)]


def test_an_article_edited_into_another_articles_text_keeps_its_own_document(store):
    store.articles.upsert_many([sample_article(1), sample_article(2)], T0)
    result = store.articles.upsert_many([sample_article(2, text_of=1)], T1)
    docs = articles(store)
    assert result.counts["changed"] == 1
    assert docs[sample_url(2)]["revision"] == 2
    assert docs[sample_url(2)]["content_hash"] == docs[sample_url(1)]["content_hash"]
    (copy,) = store.revisions.find({}, {"_id": 0})
    assert (copy["url"], copy["revision"], copy["content_hash"]) == \
        (sample_url(2), 1, sample_article(2)["content_hash"])


def test_two_writers_inserting_one_text_under_two_urls_leave_one_document_and_an_alias(db, store):
    mine = [sample_article(2, text_of=1)]
    plan = store.articles._plan(mine, T0)  # read before the other writer's insert lands
    Store(db).articles.upsert_many([sample_article(1)], T0)
    rejected, conflict = store.articles._apply(plan, mine, T0, UpsertResult())
    assert conflict and not rejected and set(articles(store)) == {sample_url(1)}
    result = store.articles.upsert_many(mine, T0)
    assert result.counts["aliased"] == 1
    assert articles(store)[sample_url(1)]["aliases"] == [sample_url(2)]


def test_a_stored_document_the_validator_now_refuses_is_rejected_and_other_sightings_move(db, store):
    batch = [sample_article(i) for i in range(3)]
    store.articles.upsert_many(batch, T0)
    # stored by an older release whose schema allowed a field this one does not
    db["articles"].update_one({"url": sample_url(1)}, {"$set": {"legacy": 1}}, bypass_document_validation=True)
    result = store.articles.upsert_many(batch, T1)
    docs = articles(store)
    assert (result.counts["unchanged"], result.counts["rejected"]) == (2, 1)
    assert docs[sample_url(0)]["last_seen_at"] == docs[sample_url(2)]["last_seen_at"] == T1
    assert docs[sample_url(1)]["last_seen_at"] == T0
    (reject,) = store.rejects.find()
    assert reject["url"] == sample_url(1) and reject["errors"][0]["rule"] == "store-validator"


def test_replaying_a_batch_changes_nothing_but_last_seen(store):
    batch = [sample_article(1), sample_article(2, text_of=1), sample_article(3, version=2)]
    store.articles.upsert_many([sample_article(3)], T0)
    store.articles.upsert_many(batch, T1)
    before = articles(store)
    revisions_before = list(store.revisions.find({}, {"_id": 0}))
    result = store.articles.upsert_many(batch, T2)
    after = articles(store)
    assert result.counts["new"] == result.counts["changed"] == 0
    assert set(after) == set(before)
    for url in before:
        assert {k: v for k, v in after[url].items() if k != "last_seen_at"} == \
               {k: v for k, v in before[url].items() if k != "last_seen_at"}
        assert after[url]["last_seen_at"] == T2
    assert list(store.revisions.find({}, {"_id": 0})) == revisions_before


def test_replaying_a_url_that_was_an_alias_of_two_documents_stores_nothing(store):
    # URL 0 serves text 0 (an alias of 2), then text 1 v2 (an alias of 1 too), then 1 changes its text
    batches = [[sample_article(2, text_of=0), sample_article(0), sample_article(1, version=2)],
               [sample_article(0, version=2, text_of=1)],
               [sample_article(1)]]
    times = [T0, T1, T2]
    for batch, at in zip(batches, times):
        store.articles.upsert_many(batch, at)
    before = articles(store)
    assert set(before) == {sample_url(1), sample_url(2)}
    assert before[sample_url(1)]["aliases"] == before[sample_url(2)]["aliases"] == [sample_url(0)]
    revisions_before = list(store.revisions.find({}, {"_id": 0}))
    outcomes = [store.articles.upsert_many(batch, at).outcomes for batch, at in zip(batches, times)]
    assert outcomes[1] == [(sample_url(0), "stale")]
    after = articles(store)
    assert set(after) == {sample_url(1), sample_url(2)}
    for url in before:
        assert {k: v for k, v in after[url].items() if k != "last_seen_at"} == \
               {k: v for k, v in before[url].items() if k != "last_seen_at"}
    assert list(store.revisions.find({}, {"_id": 0})) == revisions_before


def test_a_batch_reads_and_writes_in_bulk(store, monkeypatch):
    calls = {"find": 0, "bulk_write": 0, "update_one": 0}
    collection_type = type(store.db["articles"])
    for name in calls:
        real = getattr(collection_type, name)

        def counted(self, *a, _real=real, _name=name, **kw):
            calls[_name] += 1
            return _real(self, *a, **kw)

        monkeypatch.setattr(collection_type, name, counted)
    store.articles.upsert_many([sample_article(i) for i in range(50)], T0)
    store.articles.upsert_many([sample_article(i, version=1 + i % 2) for i in range(50)], T1)
    # new batch: url, aliases and content_hash reads, one bulk insert; recrawl with half changed: url and
    # (for the changed) body reads, bulk writes for revisions, changed documents and mere sightings
    assert calls == {"find": 3 + 2, "bulk_write": 1 + 3, "update_one": 0}


def test_lookup_answers_for_urls_and_aliases(store):
    store.articles.upsert_many([sample_article(1), sample_article(2, text_of=1), sample_article(3)], T0)
    found = store.articles.lookup([sample_url(1), sample_url(2), sample_url(4)])
    assert set(found) == {sample_url(1), sample_url(2)}
    assert found[sample_url(2)]["content_hash"] == sample_article(1)["content_hash"]
    assert set(found[sample_url(1)]) == {"modified_at", "content_hash", "published_at", "last_seen_at", "http_etag",
                                         "http_last_modified"}
    assert found[sample_url(1)]["last_seen_at"] == T0
    assert store.articles.lookup([]) == {}


def test_indexes_are_created_and_ensuring_twice_is_harmless(db):
    first = ensure_indexes(db)
    second = ensure_indexes(db)
    assert first == second
    for name, models in INDEXES.items():
        present = db[name].index_information()
        for model in models:
            assert model.document["name"] in present, (name, model.document["name"])
    assert db["articles"].index_information()["url"]["unique"] is True
    assert db["breaking"].index_information()["text_hash"]["unique"] is True
    assert ("text" in db["articles"].index_information()) is first.text_index_available


def test_an_index_an_older_release_defined_otherwise_is_rebuilt(db):
    db["articles"].create_index([("content_hash", 1)], name="content_hash", unique=True)
    ensure_indexes(db)
    info = db["articles"].index_information()
    assert not info["content_hash"].get("unique")
    assert info["content_hash_first_revision"]["unique"] is True


def test_the_validator_rejects_a_bad_document(db, store):
    assert store.index_report.validator
    with pytest.raises(WriteError) as info:
        db["articles"].insert_one({"url": "not a url", "title": ""})
    assert info.value.code == 121
    db["articles"].insert_one({**sample_article(1), "revision": 1, "aliases": [], "first_seen_at": T0,
                               "last_seen_at": T0})


def test_a_document_the_validator_refuses_goes_to_rejects_and_the_rest_is_stored(store):
    assert store.index_report.validator
    bad = {**sample_article(2), "section": "Not A Section"}
    result = store.articles.upsert_many([sample_article(1), bad], T0)
    assert (result.counts["new"], result.counts["rejected"]) == (1, 1)
    assert set(articles(store)) == {sample_url(1)}
    (reject,) = store.rejects.find()
    assert reject["url"] == bad["url"] and reject["item"]["section"] == "Not A Section" and reject["errors"]


def test_breaking_lines_are_counted_per_capture(store):
    line = {"text": "Breaking: something", "text_hash": "a" * 64, "url": None}
    other = {"text": "Another line", "text_hash": "b" * 64, "url": sample_url(1), "seen_at": T0}
    assert store.breaking.upsert_many([line, other], T0) == {"new": 2, "seen": 2}
    assert store.breaking.upsert_many([line], T1) == {"new": 0, "seen": 1}
    docs = {d["text_hash"]: d for d in store.db["breaking"].find()}
    assert (docs["a" * 64]["seen_count"], docs["a" * 64]["first_seen_at"], docs["a" * 64]["last_seen_at"]) == (2, T0, T1)
    assert docs["b" * 64]["url"] == sample_url(1) and docs["b" * 64]["seen_count"] == 1


def test_rejects_are_saved_once(store):
    reject = {"url": sample_url(5), "errors": [{"field": "title", "rule": "required", "message": "x"}],
              "item": {"url": sample_url(5)}, "at": T0}
    assert store.save_rejects([reject]) == 1
    assert store.save_rejects([reject]) == 0
    assert store.rejects.count_documents({"url": sample_url(5)}) == 1


@pytest.mark.parametrize("uri, masked", [
    ("mongodb://user:s3cret@host:27017/db", "mongodb://user:***@host:27017/db"),
    ("mongodb+srv://u:p%40ss@cluster.example.net/?retryWrites=true", "mongodb+srv://u:***@cluster.example.net/?retryWrites=true"),
    ("mongodb://127.0.0.1:27017/newscrawl", "mongodb://127.0.0.1:27017/newscrawl"),
    ("mongodb://h/?tlsCertificateKeyFilePassword=abc&w=1", "mongodb://h/?tlsCertificateKeyFilePassword=***&w=1"),
])
def test_mask_uri_hides_passwords(uri, masked):
    assert mask_uri(uri) == masked


def test_sightings_move_last_seen_of_articles_and_their_aliases_only(store):
    store.articles.upsert_many([sample_article(1), sample_article(2, text_of=1), sample_article(3)], T0)
    later = T0 + timedelta(hours=5)
    sightings = [{"url": sample_url(1), "site": "english.almayadeen.net", "seen_at": later},
                 {"url": sample_url(2), "site": "english.almayadeen.net", "seen_at": later - timedelta(hours=1)}]
    assert store.articles.mark_seen(sightings, later) == 2
    assert store.articles.mark_seen(sightings, later) == 2  # a replay changes nothing ($max)
    docs = {d["url"]: d for d in store.articles.collection.find({}, {"_id": 0})}
    assert docs[sample_url(1)]["last_seen_at"] == later  # its own sighting, and its alias's earlier one
    assert docs[sample_url(3)]["last_seen_at"] == T0
    assert set(docs) == {sample_url(1), sample_url(3)} and docs[sample_url(1)]["revision"] == 1

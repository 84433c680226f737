"""The write planner (newscrawl.store.revisions): pure, no database."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st

from newscrawl.store.revisions import plan_batch
from newscrawl.store.samples import EPOCH, sample_article, sample_url

NOW = EPOCH + timedelta(days=30)


def stored(doc: dict, revision: int = 1, seen=EPOCH, aliases=()) -> dict:
    return {**doc, "revision": revision, "aliases": list(aliases), "first_seen_at": EPOCH, "last_seen_at": seen}


def test_a_new_url_is_inserted_with_revision_1_and_both_seen_dates():
    plan = plan_batch([sample_article(1)], {}, {}, NOW)
    assert plan.outcomes == [(sample_url(1), "new")]
    (doc,) = plan.inserts()
    assert (doc["revision"], doc["aliases"], doc["first_seen_at"], doc["last_seen_at"]) == (1, [], NOW, NOW)
    assert plan.updates() == [] and plan.revisions == []


def test_same_text_only_moves_last_seen_and_refreshes_non_text_fields():
    old = stored(sample_article(1))
    item = {**sample_article(1), "tags": ["Changed tag"]}
    plan = plan_batch([item], {old["url"]: old}, {old["content_hash"]: old}, NOW)
    assert plan.counts()["unchanged"] == 1 and plan.revisions == [] and plan.inserts() == []
    ((flt, update),) = plan.updates()
    assert flt == {"url": old["url"], "revision": 1}
    assert update["$max"] == {"last_seen_at": NOW}
    assert update["$set"]["revision"] == 1 and update["$set"]["tags"] == ["Changed tag"]
    assert "first_seen_at" not in update["$set"]


def test_an_identical_sighting_only_touches_last_seen_whatever_the_revision():
    old = stored(sample_article(1), revision=2)
    plan = plan_batch([sample_article(1)], {old["url"]: old}, {}, NOW)
    assert plan.updates() == [] and plan.seen() == [old["url"]]


def test_a_stored_document_read_without_its_body_is_unchanged_by_its_hash():
    old = stored(sample_article(1))
    del old["body"]
    plan = plan_batch([sample_article(1)], {old["url"]: old}, {}, NOW)
    assert plan.outcomes == [(old["url"], "unchanged")]
    assert plan.updates() == [] and plan.seen() == [old["url"]]


def test_new_aliases_or_fields_are_not_mere_sightings():
    old = stored(sample_article(1))
    plan = plan_batch([{**sample_article(1), "tags": ["Other"]}], {old["url"]: old}, {}, NOW)
    assert plan.seen() == [] and len(plan.updates()) == 1


def test_changed_text_copies_the_stored_version_and_bumps_the_revision():
    old = stored(sample_article(1), revision=3)
    new = sample_article(1, version=2)
    plan = plan_batch([new], {old["url"]: old}, {}, NOW)
    assert plan.counts()["changed"] == 1
    (copy,) = plan.revisions
    assert copy == {"url": old["url"], "revision": 3, "content_hash": old["content_hash"], "title": old["title"],
                    "body": old["body"], "modified_at": old["modified_at"], "replaced_at": NOW}
    ((flt, update),) = plan.updates()
    assert flt["revision"] == 3 and update["$set"]["revision"] == 4
    assert update["$set"]["content_hash"] == new["content_hash"]


def test_same_text_under_a_new_url_becomes_an_alias_not_a_document():
    old = stored(sample_article(1))
    twin = sample_article(2, text_of=1)
    plan = plan_batch([twin], {}, {old["content_hash"]: old}, NOW)
    assert plan.outcomes == [(twin["url"], "aliased")]
    assert plan.inserts() == []
    ((flt, update),) = plan.updates()
    assert flt["url"] == old["url"] and update["$addToSet"] == {"aliases": {"$each": [twin["url"]]}}
    assert "$set" not in update  # the alias does not overwrite the document's fields


def test_within_a_batch_the_second_url_with_the_same_text_is_an_alias():
    first, twin = sample_article(1), sample_article(2, text_of=1)
    plan = plan_batch([first, twin], {}, {}, NOW)
    assert [o for _, o in plan.outcomes] == ["new", "aliased"]
    (doc,) = plan.inserts()
    assert doc["url"] == first["url"] and doc["aliases"] == [twin["url"]]


def test_an_older_sighting_of_other_text_is_stale_and_changes_nothing():
    old = stored(sample_article(1), seen=NOW)
    plan = plan_batch([sample_article(1, version=2)], {old["url"]: old}, {}, NOW - timedelta(hours=1))
    assert plan.counts()["stale"] == 1 and plan.revisions == []
    assert plan.updates() == [] and plan.seen() == []


def test_a_document_read_for_an_alias_that_now_serves_other_text_is_not_seen():
    doc = stored(sample_article(1), aliases=[sample_url(2)])
    moved = sample_article(2, version=2)  # the alias URL's own, new text
    plan = plan_batch([moved], {}, {}, NOW, {sample_url(2): doc})
    assert plan.outcomes == [(sample_url(2), "new")]
    assert plan.seen() == [] and plan.updates() == []


def test_an_alias_listed_by_two_documents_is_stale_by_the_later_one_in_either_order():
    # URL 0 served text 0 (an alias of 2), then text 1 (an alias of 1), whose document was seen later
    first = stored(sample_article(2, text_of=0), aliases=[sample_url(0)], seen=EPOCH)
    later = stored(sample_article(1), revision=2, aliases=[sample_url(0)], seen=NOW)
    late = sample_article(0, version=2, text_of=1)  # text 1 v2: neither document holds it any more
    for listing in ([first, later], [later, first]):
        plan = plan_batch([late], {}, {}, NOW - timedelta(hours=1), {sample_url(0): listing})
        assert plan.outcomes == [(sample_url(0), "stale")]
        assert plan.inserts() == [] and plan.updates() == [] and plan.seen() == [] and plan.revisions == []


def test_an_alias_seen_with_the_text_of_a_document_listing_it_is_that_documents_alias():
    holder = stored(sample_article(1))  # the first document with text 1
    edited = stored(sample_article(3, text_of=1), revision=2, aliases=[sample_url(0)])  # edited into text 1
    plan = plan_batch([sample_article(0, text_of=1)], {}, {holder["content_hash"]: [holder, edited]}, NOW,
                      {sample_url(0): [edited]})
    assert plan.outcomes == [(sample_url(0), "aliased")]
    assert plan.updates() == [] and plan.seen() == [sample_url(3)]


def test_the_same_url_twice_in_a_batch_stores_the_last_one():
    plan = plan_batch([sample_article(1), sample_article(1, version=2)], {}, {}, NOW)
    assert [o for _, o in plan.outcomes] == ["superseded", "new"]
    (doc,) = plan.inserts()
    assert doc["revision"] == 1 and doc["content_hash"] == sample_article(1, version=2)["content_hash"]
    assert plan.revisions == []


def _apply(db: dict, revisions: dict, plan) -> None:
    """A dict model of what the store does with a plan (the MongoDB semantics the planner relies on)."""
    for doc in plan.inserts():
        db.setdefault(doc["url"], doc)
    for r in plan.revisions:
        revisions.setdefault((r["url"], r["revision"]), r)
    for url in plan.seen():
        db[url]["last_seen_at"] = max(db[url]["last_seen_at"], plan.now)
    for flt, update in plan.updates():
        doc = db[flt["url"]]
        if "revision" in flt and doc.get("revision") != flt["revision"]:
            continue
        doc.update(update.get("$set", {}))
        doc["last_seen_at"] = max(doc["last_seen_at"], update["$max"]["last_seen_at"])
        for a in update.get("$addToSet", {}).get("aliases", {}).get("$each", []):
            if a not in doc["aliases"]:
                doc["aliases"].append(a)


def _run(db: dict, revisions: dict, batch: list[dict], now) -> None:
    by_url = {i["url"]: db[i["url"]] for i in batch if i["url"] in db}
    by_hash, by_alias = {}, {}
    for doc in sorted(db.values(), key=lambda d: d["first_seen_at"]):
        by_hash.setdefault(doc["content_hash"], []).append(doc)
        for alias in doc["aliases"]:
            by_alias.setdefault(alias, []).append(doc)
    _apply(db, revisions, plan_batch(batch, by_url, by_hash, now, by_alias))


articles = st.builds(lambda n, v, t: sample_article(n, version=v, text_of=t),
                     st.integers(0, 5), st.integers(1, 3), st.one_of(st.none(), st.integers(0, 5)))


# derandomized: CI runs the same examples every time (explore with --hypothesis-seed and no derandomize)
@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.lists(articles, min_size=1, max_size=6), min_size=1, max_size=4))
# URL 0 is an alias of 2 (text 0), then of 1 (text 1 v2), whose text changes after: replaying the sighting
# of URL 0 must be stale by document 1, whichever of the two documents listing it the store reads first
@example(batches=[[sample_article(2, version=1, text_of=0), sample_article(0, version=1, text_of=None),
                   sample_article(1, version=2, text_of=None)],
                  [sample_article(0, version=2, text_of=1)],
                  [sample_article(1, version=1, text_of=None)]])
def test_replaying_any_batch_changes_nothing_but_last_seen(batches):
    db, revisions = {}, {}
    for i, batch in enumerate(batches):
        _run(db, revisions, batch, NOW + timedelta(minutes=i))
    before = {u: {k: v for k, v in d.items() if k != "last_seen_at"} for u, d in db.items()}
    revisions_before = dict(revisions)
    for i, batch in enumerate(batches):
        _run(db, revisions, batch, NOW + timedelta(minutes=i))
    # the last batch replays cleanly; earlier ones are older than what is stored and change nothing
    assert {u: {k: v for k, v in d.items() if k != "last_seen_at"} for u, d in db.items()} == before
    assert revisions == revisions_before
    # an alias is another URL, listed once (a former alias may later hold a text of its own: history stays)
    for url, doc in db.items():
        assert url not in doc["aliases"] and len(doc["aliases"]) == len(set(doc["aliases"]))


def test_a_url_stored_by_another_worker_between_the_reads_is_never_its_own_alias():
    # the read by URL missed it, the read by text found it: the same document, seen again
    theirs = stored(sample_article(1))
    plan = plan_batch([sample_article(1)], {}, {theirs["content_hash"]: theirs}, NOW)
    assert plan.outcomes == [(theirs["url"], "unchanged")]
    assert plan.inserts() == []
    assert all(theirs["url"] not in str(update.get("$addToSet", "")) for _, update in plan.updates())

"""The schema as a real server's collection validator (SecantusDB, or MONGODB_URI)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pymongo.errors import WriteError

from newscrawl.schema import mongo_validator
from tests.unit.test_schema import NOW, make_article


@pytest.fixture
def articles(mongo_db):
    mongo_db.create_collection("articles", validator=mongo_validator(), validationLevel="strict",
                               validationAction="error")
    return mongo_db["articles"]


def test_server_accepts_the_validator(mongo_db, articles):
    options = articles.options()
    assert options["validator"] == mongo_validator()


def test_valid_document_inserts(articles):
    doc = make_article(revision=1, aliases=[], first_seen_at=NOW, last_seen_at=NOW)
    articles.insert_one(doc)
    stored = articles.find_one({"url": doc["url"]})
    assert stored["title"] == doc["title"] and stored["revision"] == 1


@pytest.mark.parametrize(
    "overrides",
    [
        {"published_at": "2022-09-13T16:36:00Z"},  # a string, not a date
        {"url": "http://english.almayadeen.net/news/politics/x"},
        {"type": "videoobject"},
        {"reading_minutes": 500},
        {"content_hash": "nothex"},
        {"body": "short"},
        {"images": [{"url": "data:image/png;base64,xx", "caption": None, "credit": None}]},
        {"unexpected_field": True},
    ],
)
def test_bad_document_is_rejected_with_code_121(articles, overrides):
    with pytest.raises(WriteError) as caught:
        articles.insert_one(make_article(**overrides))
    assert caught.value.code == 121
    assert articles.count_documents({}) == 0


def test_missing_required_field_is_rejected(articles):
    doc = make_article(published_at=NOW - timedelta(days=1))
    del doc["title"]
    with pytest.raises(WriteError) as caught:
        articles.insert_one(doc)
    assert caught.value.code == 121

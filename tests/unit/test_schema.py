"""The article schema: every field's rule and every cross-field rule, each with an input that breaks it."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone

import pytest
from jsonschema import Draft202012Validator

from newscrawl.extract import text
from newscrawl.items import STORE_FIELDS, ArticleItem
from newscrawl.schema import Limits, ValidationError, load_schema, mongo_validator, validate_article
from newscrawl.schema.rules import RULES

NOW = datetime(2025, 11, 10, 12, 0, tzinfo=timezone.utc)
BODY = "\n\n".join(
    "Armenia and Azerbaijan exchanged fire along their border on Tuesday, and the United States "
    f"called for an immediate halt to the fighting in paragraph {i} of the report." for i in range(1, 9)
)
TITLE = "Blinken calls for immediate halt to Armenia, Azerbaijan fight"


def make_article(**overrides) -> dict:
    """A valid article document (SCHEMA.md), with fields replaced by ``overrides``."""
    doc = {
        "url": "https://english.almayadeen.net/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight",
        "site": "english.almayadeen.net",
        "postid": "1234567",
        "type": "article",
        "section": "news/politics",
        "category": "Politics",
        "title": TITLE,
        "description": "The US Secretary of State calls for an end to the fighting.",
        "authors": ["Al Mayadeen English"],
        "source": "Agencies",
        "published_at": datetime(2022, 9, 13, 16, 36, tzinfo=timezone.utc),
        "modified_at": None,
        "reading_minutes": 2,
        "word_count": text.word_count(BODY),
        "body": BODY,
        "images": [{"url": "https://english.almayadeen.net/Content/uploadsimages/blinken.jpg",
                    "caption": "Antony Blinken", "credit": "AP Photo/Darron Cummings"}],
        "tags": ["Armenia", "Azerbaijan", "Antony Blinken"],
        "countries": ["Armenia", "Azerbaijan"],
        "related_urls": ["https://english.almayadeen.net/news/politics/armenia-says-49-soldiers-killed"],
        "video_duration": None,
        "lang": "en",
        "content_hash": text.content_hash(TITLE, BODY),
        "extraction": "site",
    }
    doc.update(overrides)
    return doc


def rules_of(doc: dict, **kw) -> set[tuple[str, str]]:
    return {(e.field, e.rule) for e in validate_article(doc, now=NOW, **kw)}


def test_valid_article_has_no_errors():
    assert validate_article(make_article(), now=NOW) == []


def test_stored_document_with_store_fields_and_id_is_valid():
    doc = make_article(revision=2, aliases=["https://english.almayadeen.net/news/politics/other-slug"],
                       first_seen_at=NOW - timedelta(days=3), last_seen_at=NOW, _id="abc")
    assert validate_article(doc, now=NOW) == []


def test_field_list_is_schema_md_plus_store_fields():
    schema = load_schema()
    item_fields = set(ArticleItem.__dataclass_fields__)
    # optional: documents stored before they existed stay valid (a missing extraction means "site")
    optional = {"extraction", "http_etag", "http_last_modified"}
    assert set(schema["required"]) == item_fields - optional
    assert set(schema["properties"]) == item_fields | set(STORE_FIELDS)


def test_schema_is_valid_draft_2020_12_once_date_is_read_as_a_type_name():
    schema = copy.deepcopy(load_schema())
    for prop in schema["properties"].values():
        if prop.get("type") == "date":
            prop["type"] = "string"
        elif prop.get("type") == ["date", "null"]:
            prop["type"] = ["string", "null"]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


@pytest.mark.parametrize("field", sorted(set(ArticleItem.__dataclass_fields__) - {"extraction", "http_etag",
                                                                                  "http_last_modified"}))
def test_every_schema_md_field_is_required(field):
    doc = make_article()
    del doc[field]
    assert (field, "required") in rules_of(doc)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"url": "http://english.almayadeen.net/news/politics/x"}, ("url", "pattern")),
        ({"url": "https://example.com/news/politics/x"}, ("url", "same_site")),
        ({"url": "https://english.almayadeen.net/news/politics/x?utm_source=t"}, ("url", "pattern")),
        ({"related_urls": ["https://evil.example/news/politics/x"]}, ("related_urls", "same_site")),
        ({"related_urls": ["http://english.almayadeen.net/news/politics/x"]}, ("related_urls", "pattern")),
        ({"related_urls": ["https://english.almayadeen.net/a", "https://english.almayadeen.net/a"]},
         ("related_urls", "uniqueItems")),
        ({"images": [{"url": "ftp://cdn/x.jpg", "caption": None, "credit": None}]}, ("images.url", "pattern")),
        ({"images": [{"url": "https://cdn/x.jpg", "caption": ""}]}, ("images.credit", "required")),
        ({"images": [{"url": "https://cdn/x.jpg", "caption": "", "credit": None}]}, ("images.caption", "minLength")),
        ({"site": "www.almayadeen.net"}, ("url", "same_site")),
        ({"site": "example.org"}, ("site", "known_site")),
        ({"site": "English.almayadeen.net"}, ("site", "pattern")),
        ({"type": "videoobject"}, ("type", "enum")),
        ({"lang": "English"}, ("lang", "pattern")),
        ({"extraction": "guessed"}, ("extraction", "enum")),
        ({"section": "News/Politics"}, ("section", "pattern")),
        ({"section": "tags/x"}, ("section", "section_matches_url")),
        ({"section": "news/politics/x"}, ("section", "pattern")),
        ({"title": ""}, ("title", "minLength")),
        ({"title": None}, ("title", "type")),
        ({"body": "Too short."}, ("body", "minLength")),
        ({"content_hash": "abc"}, ("content_hash", "pattern")),
        ({"content_hash": "A" * 64}, ("content_hash", "pattern")),
        ({"reading_minutes": 0}, ("reading_minutes", "minimum")),
        ({"reading_minutes": 121}, ("reading_minutes", "maximum")),
        ({"reading_minutes": "3"}, ("reading_minutes", "type")),
        ({"word_count": True}, ("word_count", "type")),
        ({"published_at": "2022-09-13T16:36:00Z"}, ("published_at", "type")),
        ({"published_at": datetime(2022, 9, 13, 16, 36)}, ("published_at", "type")),
        ({"published_at": None}, ("published_at", "type")),
        ({"modified_at": "yesterday"}, ("modified_at", "type")),
        ({"authors": ["A", "A"]}, ("authors", "uniqueItems")),
        ({"tags": [""]}, ("tags", "minLength")),
        ({"countries": "Armenia"}, ("countries", "type")),
        ({"postid": ""}, ("postid", "minLength")),
        ({"video_duration": -1}, ("video_duration", "minimum")),
        ({"surprise": 1}, ("surprise", "additionalProperties")),
    ],
)
def test_schema_rules_reject_a_breaking_input(overrides, expected):
    assert expected in rules_of(make_article(**overrides))


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"published_at": NOW + timedelta(days=2)}, ("published_at", "not_in_future")),
        ({"modified_at": NOW + timedelta(days=30)}, ("modified_at", "not_in_future")),
        ({"published_at": datetime(2011, 12, 31, tzinfo=timezone.utc)}, ("published_at", "not_before_site")),
        ({"published_at": datetime(2022, 9, 13, 19, 36, tzinfo=timezone(timedelta(hours=3)))},
         ("published_at", "utc")),
        ({"body": "A" * 40, "word_count": 1, "content_hash": text.content_hash(TITLE, "A" * 40)},
         ("body", "body_words")),
        ({"word_count": 12}, ("word_count", "word_count_matches_body")),
        ({"reading_minutes": 60}, ("reading_minutes", "reading_minutes_consistent")),
        ({"content_hash": "0" * 64}, ("content_hash", "content_hash_matches_text")),
        ({"title": "Another title"}, ("content_hash", "content_hash_matches_text")),
        ({"section": "news/economy"}, ("section", "section_matches_url")),
        ({"url": "https://english.almayadeen.net/tags/Armenia"}, ("url", "article_path")),
        ({"url": "https://english.almayadeen.net/news/politics"}, ("url", "article_path")),  # a listing page
        ({"url": "https://english.almayadeen.net/about-us"}, ("url", "article_path")),  # no section in the path
        ({"url": "https://english.almayadeen.net/podcasts/weekly/episode-12"}, ("section", "section_matches_url")),
    ],
)
def test_python_rules_reject_a_breaking_input(overrides, expected):
    assert expected in rules_of(make_article(**overrides))


@pytest.mark.parametrize("url, section", [
    ("https://english.almayadeen.net/podcasts/weekly/episode-12", "podcasts/weekly"),  # the URL's leading segments
    ("https://english.almayadeen.net/podcasts/weekly/episode-12", "podcasts"),  # a breadcrumb naming fewer
    ("https://www.almayadeen.net/in-pictures/x", "in-pictures"),
])
def test_a_url_of_a_shape_the_profile_does_not_know_is_an_article_of_the_section_it_names(url, section):
    site = url.split("/")[2]
    arabic = site.startswith("www")
    doc = make_article(url=url, section=section, site=site, lang="ar" if arabic else "en")
    if arabic:
        doc["related_urls"] = []
    assert rules_of(doc) == set()


def test_every_python_rule_is_exercised_above():
    exercised = {"utc", "not_in_future", "not_before_site", "body_words", "word_count_matches_body",
                 "reading_minutes_consistent", "content_hash_matches_text", "section_matches_url", "article_path",
                 "known_site", "same_site"}
    assert set(RULES) == exercised


def test_clock_skew_of_less_than_a_day_is_tolerated_and_the_founding_day_is_allowed():
    assert rules_of(make_article(published_at=NOW + timedelta(hours=23))) == set()
    assert rules_of(make_article(published_at=datetime(2012, 6, 11, tzinfo=timezone.utc))) == set()


def test_reading_minutes_bounds_are_generous_and_follow_limits():
    words = text.word_count(BODY)  # 8 paragraphs of 26 words
    assert rules_of(make_article(reading_minutes=1)) == set()  # a 1-minute read at 208 words per minute
    assert rules_of(make_article(reading_minutes=None)) == set()
    strict = Limits(max_words_per_minute=words - 1)
    assert ("reading_minutes", "reading_minutes_consistent") in rules_of(make_article(reading_minutes=1), limits=strict)


def test_min_body_words_is_a_limit():
    assert ("body", "body_words") in rules_of(make_article(), limits=Limits(min_body_words=10_000))


def test_every_failure_is_reported_not_only_the_first():
    doc = make_article(title="", lang="French", word_count=3, published_at=NOW + timedelta(days=9))
    got = rules_of(doc)
    assert {("title", "minLength"), ("lang", "pattern"), ("word_count", "word_count_matches_body"),
            ("published_at", "not_in_future"), ("content_hash", "content_hash_matches_text")} <= got


def test_errors_carry_field_rule_and_a_bounded_message():
    [error] = validate_article(make_article(lang="x" * 5000), now=NOW)
    assert isinstance(error, ValidationError)
    assert error.as_dict()["field"] == "lang" and error.rule == "pattern"
    assert 0 < len(error.message) <= 300


def keywords(schema: dict) -> set[str]:
    """The keywords used anywhere in a schema (property names are not keywords)."""
    found = set(schema)
    for key, value in schema.items():
        subs = value.values() if key == "properties" else [value] if isinstance(value, dict) else []
        for sub in subs:
            found |= keywords(sub)
    return found


def test_mongo_validator_uses_bson_types_and_drops_unsupported_keywords():
    schema = mongo_validator()["$jsonSchema"]
    assert keywords(schema).isdisjoint({"$schema", "$id", "$ref", "$defs", "format", "examples", "type", "const"})
    assert {"bsonType", "required", "enum", "pattern", "minimum", "maximum", "minLength", "items"} <= keywords(schema)
    props = schema["properties"]
    assert props["published_at"]["bsonType"] == "date"
    assert props["modified_at"]["bsonType"] == ["date", "null"]
    assert props["reading_minutes"]["bsonType"] == ["int", "long", "null"]
    assert props["reading_minutes"]["minimum"] == 1
    assert props["images"]["items"]["properties"]["url"]["pattern"].startswith("^https?://")
    assert props["related_urls"]["items"]["pattern"] == load_schema()["$defs"]["site_url"]["pattern"]
    assert set(schema["required"]) == set(load_schema()["required"])
    assert "_id" in props and schema["additionalProperties"] is False

"""The compiled schema check agrees with jsonschema, document by document, and rejects stay identical.

``newscrawl.schema`` skips jsonschema for documents its compiled check calls valid, so the
check must never call valid a document jsonschema rejects; these tests hold it to agreeing
both ways, over the replica's pages (valid and invalid), the fuzz corpora and hand-made
edge cases. Rejects are compared reason for reason with jsonschema alone.
"""

from __future__ import annotations

import dataclasses
import json
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newscrawl.schema as schema_module
from newscrawl.extract.article import extract_article
from newscrawl.items import Image
from newscrawl.pipelines.cleaning_rules import clean_article
from newscrawl.schema import (
    ArticleValidator, UnsupportedSchema, compile_validator, compiled_validator, load_schema, validate_article,
)
from tests.replica.model import SiteModel
from tests.replica.routes import resolve
from tests.unit.test_clean_properties import ARTICLES
from tests.unit.test_fuzz_extract import SEED, into_body, with_dates
from tests.unit.test_schema import NOW, make_article

MIRROR = "http://127.0.0.1:5555"
SITE = "https://english.almayadeen.net"
HYPOTHESIS = settings(max_examples=150, deadline=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def jsonschema_valid(doc) -> bool:
    return not any(True for _ in ArticleValidator(load_schema()).iter_errors(doc))


def assert_agree(doc) -> bool:
    """The compiled check and jsonschema give the same answer for ``doc``; that answer."""
    expected = jsonschema_valid(doc)
    assert compiled_validator()(doc) is expected, doc
    return expected


def reference_errors(doc, now: datetime = NOW) -> list[tuple[str, str, str]]:
    """validate_article's errors with jsonschema alone (the compiled check switched off)."""
    with mock.patch.object(schema_module, "compiled_validator", lambda: None):
        return [(e.field, e.rule, e.message) for e in validate_article(doc, now=now)]


def errors(doc, now: datetime = NOW) -> list[tuple[str, str, str]]:
    return [(e.field, e.rule, e.message) for e in validate_article(doc, now=now)]


def outcome(validate, doc):
    """The errors, or the exception's type: both ways must fail alike too (a non-string key does)."""
    try:
        return validate(doc)
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__


def test_the_schema_file_compiles():
    # a schema change that the compiled check cannot take makes every article slow: fail loudly here
    assert compiled_validator() is not None


def test_compiling_leaves_the_shared_schema_as_the_file_has_it():
    raw = json.loads((Path(schema_module.__file__).parent / "article.schema.json").read_text(encoding="utf-8"))
    compile_validator(load_schema())
    assert load_schema() == raw
    assert load_schema()["properties"]["url"] == {"$ref": "#/$defs/site_url"}


# --- the replica's pages ------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def replica_documents(epoch: int) -> list[tuple[str, dict, dict]]:
    """(url, extracted fields, cleaned document) for every article page of a 300-article replica."""
    model = SiteModel(seed=1, articles=300, epoch=epoch)
    out = []
    for doc in model.truth():
        path = urlsplit(doc["url"]).path
        fields = extract_article(resolve(model, epoch, path).body, MIRROR + path).fields
        out.append((doc["url"], fields, clean_article(fields, mirror_hosts=("127.0.0.1:5555",))))
    return out


@pytest.mark.parametrize("epoch", [1, 2])
def test_the_replica_pages_get_the_same_answer_raw_cleaned_and_stored(epoch):
    model = SiteModel(seed=1, articles=300, epoch=epoch)
    truth = {d["url"]: d for d in model.truth()}
    answers = []
    for url, fields, cleaned in replica_documents(epoch):
        answers += [assert_agree(fields), assert_agree(cleaned), assert_agree(truth[url])]
        stored = {**cleaned, "revision": 1, "aliases": [], "first_seen_at": NOW, "last_seen_at": NOW, "_id": "x"}
        assert_agree({k: v for k, v in stored.items() if k != "_id"})
    # both answers occur: the three invalid pages, and everything else
    assert answers.count(True) > 800 and answers.count(False) >= 3


# hand-derived from what each invalid page of the replica is (tests/replica/model.py INVALID_REASONS)
INVALID_PAGE_REASONS = {
    "empty body (only a Read more paragraph)": {("body", "minLength"), ("body", "body_words")},
    "published date in the future (2099)": {("published_at", "not_in_future"), ("modified_at", "not_in_future")},
    "title empty everywhere": {("title", "minLength")},
}


def test_the_replica_invalid_pages_are_rejected_for_the_same_reasons_as_before():
    invalid = SiteModel(seed=1, articles=300, epoch=1).invalid
    assert sorted(invalid.values()) == sorted(INVALID_PAGE_REASONS)
    now = datetime.now(timezone.utc)  # the replica dates its articles up to the present
    for url, _, cleaned in replica_documents(1):
        got = errors(cleaned, now)
        assert got == reference_errors(cleaned, now), url
        if url in invalid:
            assert {(field, rule) for field, rule, _ in got} == INVALID_PAGE_REASONS[invalid[url]], url
        else:
            assert got == [], url


# --- the fuzz corpora --------------------------------------------------------------------------------


@HYPOTHESIS
@given(ARTICLES)
def test_messy_documents_raw_and_cleaned(doc):
    for candidate in (doc, clean_article(doc)):
        assert_agree(candidate)
        assert errors(candidate) == reference_errors(candidate)


@HYPOTHESIS
@given(st.binary(max_size=4096))
def test_random_pages(data):
    doc = clean_article(extract_article(data, SITE + "/news/politics/x").fields)
    assert_agree(doc)
    assert errors(doc) == reference_errors(doc)


FRAGMENTS = st.lists(st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<b>", "&nbsp;", "&amp;", "\u200b", "x",
                                      "Gaza ", "<script>x</script>", "<br>", "<p></p>", "\n\n", " "]), max_size=40)


@HYPOTHESIS
@given(FRAGMENTS.map("".join), st.sampled_from(["2022-09-13T19:36:00+03:00", "2099-01-01T00:00:00+03:00",
                                                "0001-01-01T00:00:00+00:00", "nonsense", ""]))
def test_the_seed_page_with_hostile_bodies_and_absurd_dates(fragment, published):
    doc = clean_article(extract_article(into_body(fragment, with_dates(published)), SITE + "/news/politics/x").fields)
    assert_agree(doc)
    assert errors(doc) == reference_errors(doc)


def test_the_seed_page_is_valid_for_both():
    doc = clean_article(extract_article(SEED, SITE + "/news/politics/blinken-calls-for-immediate-halt-to-armenia-"
                                              "azerbaijan-fight").fields)
    assert assert_agree(doc) is True


# --- hand-made edge cases -----------------------------------------------------------------------------


class NoOffset(tzinfo):
    def utcoffset(self, dt):
        return None


class Stamp(datetime):
    """A datetime subclass, as pandas' Timestamp is."""


BEIRUT = ZoneInfo("Asia/Beirut")
URL = f"{SITE}/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"

EDGE_CASES = {
    # the custom "date" type: a tz-aware datetime, nothing else
    "aware UTC": ({"published_at": datetime(2022, 9, 13, tzinfo=timezone.utc)}, True),
    "aware Beirut": ({"published_at": datetime(2022, 9, 13, 19, 36, tzinfo=BEIRUT)}, True),
    "aware +3": ({"modified_at": datetime(2022, 9, 13, tzinfo=timezone(timedelta(hours=3)))}, True),
    "naive": ({"published_at": datetime(2022, 9, 13, 16, 36)}, False),
    "tzinfo without offset": ({"published_at": datetime(2022, 9, 13, tzinfo=NoOffset())}, False),
    "a date": ({"published_at": date(2022, 9, 13)}, False),
    "an ISO string": ({"published_at": "2022-09-13T16:36:00+00:00"}, False),
    "a timestamp number": ({"published_at": 1663086960}, False),
    "aware subclass": ({"published_at": Stamp(2022, 9, 13, tzinfo=timezone.utc)}, True),
    "null modified": ({"modified_at": None}, True),
    "null published": ({"published_at": None}, False),
    "naive store date": ({"first_seen_at": datetime(2025, 1, 1)}, False),
    "aware store dates": ({"first_seen_at": NOW, "last_seen_at": NOW}, True),
    # patterns: jsonschema searches with the pattern as written ("$" also matches before a final newline)
    "section with a final newline": ({"section": "news/politics\n"}, True),
    "section with an inner newline": ({"section": "news/\npolitics"}, False),
    "hash with a final newline": ({"content_hash": "a" * 64 + "\n"}, True),
    "url with a final newline": ({"url": URL + "\n"}, True),
    "url with a query": ({"url": URL + "?a=1"}, False),
    # the schema takes any host; the rule same_site (newscrawl.schema.rules) holds a URL to its document's site
    "url of another host": ({"url": "https://english.almayadeen.net.evil.org/news/politics/x"}, True),
    "url with an upper-case host": ({"url": "https://English.almayadeen.net/news/politics/x"}, False),
    "upper-case hash": ({"content_hash": "A" * 64}, False),
    "image url over http": ({"images": [{"url": "http://cdn.example/x.jpg", "caption": None, "credit": None}]}, True),
    "image url without host": ({"images": [{"url": "https:///x.jpg", "caption": None, "credit": None}]}, False),
    # format "uri" is not asserted (jsonschema without a format checker)
    "url that is no URI but matches": ({"url": f"{SITE}/news/politics/a<b>|c^d"}, True),
    "image url that is no URI but matches": ({"images": [{"url": "https://x/%zz<>", "caption": None,
                                                          "credit": None}]}, True),
    # uniqueItems
    "duplicate tags": ({"tags": ["Gaza", "Gaza"]}, False),
    "tags that differ in case": ({"tags": ["Gaza", "gaza"]}, True),
    "duplicate related urls": ({"related_urls": [URL, URL]}, False),
    "duplicate aliases": ({"aliases": [URL, URL]}, False),
    "duplicate images are allowed": ({"images": [{"url": "https://x/a.jpg", "caption": None, "credit": None}] * 2},
                                     True),
    # additionalProperties
    "an unknown field": ({"extraction": {"body": "metadata"}}, False),
    "a non-string key": ({1: "x"}, False),
    "image with an unknown field": ({"images": [{"url": "https://x/a.jpg", "caption": None, "credit": None,
                                                 "width": 3}]}, False),
    # required
    "image without credit": ({"images": [{"url": "https://x/a.jpg", "caption": None}]}, False),
    # arrays are lists only, objects dicts only
    "tags as a tuple": ({"tags": ("Gaza",)}, False),
    "tags as a set": ({"tags": {"Gaza"}}, False),
    "an Image dataclass": ({"images": [Image(url="https://x/a.jpg")]}, False),
    "an image as an OrderedDict": ({"images": [OrderedDict(url="https://x/a.jpg", caption=None, credit=None)]},
                                   True),
    "a string for a list": ({"countries": "Armenia"}, False),
    "unhashable duplicate tags": ({"tags": [["a"], ["a"]]}, False),
    "dict tags": ({"tags": [{"a": 1}]}, False),
    # integers: floats without a fraction are integers, bools and Decimals are not
    "integral float word count": ({"word_count": 208.0}, True),
    "fractional word count": ({"word_count": 2.5}, False),
    "bool word count": ({"word_count": True}, False),
    "Decimal word count": ({"word_count": Decimal(208)}, False),
    "Fraction reading minutes": ({"reading_minutes": Fraction(2)}, False),
    "infinite word count": ({"word_count": float("inf")}, False),
    "NaN word count": ({"word_count": float("nan")}, False),
    "huge word count": ({"word_count": 10**30}, True),
    "negative word count": ({"word_count": -1}, False),
    # bounds
    "video at the maximum": ({"video_duration": 86400}, True),
    "video as an integral float at the maximum": ({"video_duration": 86400.0}, True),
    "video past the maximum": ({"video_duration": 86401}, False),
    "reading minutes at 120": ({"reading_minutes": 120}, True),
    "revision 0": ({"revision": 0}, False),
    "revision 1": ({"revision": 1}, True),
    # lengths count code points
    "postid of 64": ({"postid": "x" * 64}, True),
    "postid of 65": ({"postid": "x" * 65}, False),
    "title of 1000 with combining marks": ({"title": "e\u0301" * 500}, True),
    "title of 1001": ({"title": "t" * 1001}, False),
    "empty postid": ({"postid": ""}, False),
    "null postid": ({"postid": None}, True),
    # enums
    "lang in capitals": ({"lang": "EN"}, False),
    "lang null": ({"lang": None}, False),
    "type video": ({"type": "video"}, True),
    "site as bytes": ({"site": b"english.almayadeen.net"}, False),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES, key=str))
def test_edge_cases(name):
    overrides, valid = EDGE_CASES[name]
    doc = make_article(**{str(k): v for k, v in overrides.items() if not isinstance(k, int)})
    for key, value in overrides.items():
        if isinstance(key, int):
            doc[key] = value
    assert assert_agree(doc) is valid
    assert outcome(errors, doc) == outcome(reference_errors, doc)


@pytest.mark.parametrize("field", sorted(load_schema()["required"]))
def test_each_missing_field(field):
    doc = make_article()
    del doc[field]
    assert assert_agree(doc) is False


def test_not_an_object():
    for doc in ([], "doc", None, 3):
        assert compiled_validator()(doc) is jsonschema_valid(doc) is False


def test_a_dict_subclass_document():
    assert assert_agree(OrderedDict(make_article())) is True


# --- keywords beyond this schema's own, on small schemas -----------------------------------------------


SMALL_SCHEMAS = [
    ({"type": "object", "patternProperties": {"^x_": {"type": "integer"}}, "additionalProperties": False},
     [{"x_a": 1}, {"x_a": "1"}, {"y": 1}, {"x_a": 1, "ab": 2}, {}]),
    ({"type": "object", "additionalProperties": {"type": "string"}}, [{"a": "b"}, {"a": 1}, {}]),
    ({"type": "array", "minItems": 1, "maxItems": 2}, [[], [1], [1, 2], [1, 2, 3], (1,)]),
    ({"type": "array", "items": False}, [[], [1]]),
    ({"type": "array", "items": True}, [[], [1], "x"]),
    ({"items": {"type": "string"}}, [["a"], [1], (1,), "s"]),
    ({"type": "number", "minimum": 0.5, "maximum": 2}, [0.5, 0.4, 2, Decimal("2.5"), Fraction(1, 3), True, 1]),
    ({"type": ["number", "null"]}, [None, 1, 1.5, Fraction(1, 2), Decimal("1.1"), "1", True]),
    ({"type": "boolean"}, [True, False, 0, 1, None]),
    ({"type": "array", "uniqueItems": True}, [["a", "b"], ["a", "a"], ["a", "A"], [], ["e\u0301", "\u00e9"]]),
    ({"enum": ["a", None]}, ["a", None, "b", 0]),
    ({"$defs": {"s": {"type": "string", "pattern": "^a$"}}, "properties": {"p": {"$ref": "#/$defs/s"}}},
     [{"p": "a"}, {"p": "a\n"}, {"p": "ab"}, {"p": 1}, {}]),
    ({"properties": {"d": {"type": "date"}}}, [{"d": NOW}, {"d": datetime(2020, 1, 1)}, {"d": "x"}, {}]),
    # property names that are also keywords
    ({"$defs": {"s": {"type": "string"}}, "properties": {"$ref": {"$ref": "#/$defs/s"}, "enum": {"$ref": "#/$defs/s"}},
      "additionalProperties": False}, [{"$ref": "a", "enum": "b"}, {"$ref": 1}, {"enum": 1}, {"x": "a"}, {}]),
    ({"$defs": {"a/b": {"minLength": 2}, "t~": {"maxLength": 1}},
      "properties": {"p": {"$ref": "#/$defs/a~1b"}, "q": {"$ref": "#/$defs/t~0"}}},
     [{"p": "ab", "q": "x"}, {"p": "a"}, {"q": "xy"}]),
]


@pytest.mark.parametrize(("schema", "instances"), SMALL_SCHEMAS, ids=[str(i) for i in range(len(SMALL_SCHEMAS))])
def test_small_schemas_agree_with_jsonschema(schema, instances):
    check = compile_validator(schema)
    reference = ArticleValidator(schema)
    answers = [check(i) for i in instances]
    assert answers == [reference.is_valid(i) for i in instances], instances
    assert True in answers and False in answers


NAN = float("nan")
MIXED_LISTS = [[1, True], [1, 1.0], [0, False], [[1], [1]], [[1], (1,)], [range(1), (0,)], [{"a": 1}, {"a": True}],
               [{"a": 1}, {"a": 1}], [NAN, NAN], [float("nan"), float("nan")], ["a", b"a"], [None, None]]


def test_unique_items_of_other_than_strings_are_left_to_jsonschema():
    # the compiled check judges lists of strings only; for the others it never answers "valid" on its own,
    # so jsonschema (whose equality differs from Python's: 1 and True differ, [1] and (1,) do not) decides
    check = compile_validator({"type": "array", "uniqueItems": True})
    reference = ArticleValidator({"type": "array", "uniqueItems": True})
    assert [check(i) for i in MIXED_LISTS] == [False] * len(MIXED_LISTS)
    assert [reference.is_valid(i) for i in MIXED_LISTS] == [True, False, True, False, False, False, True, False,
                                                            False, True, True, False]


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"properties": {"a": {"$ref": "#/$defs/x", "maxLength": 3}}, "$defs": {"x": {"type": "string"}}}, "beside"),
        ({"$ref": "https://example.org/other.json"}, "outside"),
        ({"const": "a"}, "const"),
        ({"anyOf": [{"type": "string"}]}, "anyOf"),
        ({"type": "datetime"}, "type"),
        ({"enum": [1, 2]}, "enum"),
        ({"properties": {"a": {"items": [{"type": "string"}]}}}, "schema must be"),
        ({"properties": {"a": {"exclusiveMinimum": 0}}}, "exclusiveMinimum"),
        ({"$defs": {"a": {"items": {"$ref": "#/$defs/a"}}}, "items": {"$ref": "#/$defs/a"}}, "recursive"),
        ({"items": {"$ref": "#/$defs/missing"}}, "names nothing"),
    ],
)
def test_what_the_compiled_check_cannot_take_is_refused_by_name(schema, reason):
    with pytest.raises(UnsupportedSchema, match=reason):
        compile_validator(schema)


def test_without_the_compiled_check_validation_still_works_through_jsonschema():
    doc = make_article(title="", tags=["a", "a"])
    with mock.patch.object(schema_module, "compiled_validator", lambda: None):
        got = {(e.field, e.rule) for e in validate_article(doc, now=NOW)}
    assert got == {("title", "minLength"), ("tags", "uniqueItems"), ("content_hash", "content_hash_matches_text")}


def test_an_item_dataclass_is_never_passed_to_the_schema():
    # the pipelines give validate_article plain dicts: a dataclass document is not an object for either
    @dataclasses.dataclass
    class Doc:
        url: str

    assert compiled_validator()(Doc(URL)) is jsonschema_valid(Doc(URL)) is False

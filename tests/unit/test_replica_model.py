"""The replica's model on its own: variants, reachability, epochs, determinism, truth shape."""

from __future__ import annotations

from datetime import timedelta

import hashlib
import html
import re
import unicodedata

import pytest

from tests.replica.clock import TZ, is_clear
from tests.replica.model import SiteModel
from tests.replica.slugs import SLUG_MAX, cut_mid_word, slugify

VARIANTS_AT_LEAST_3 = (
    "title_h2", "no_source", "several_authors", "no_image", "several_figures", "figure_in_body", "video",
    "opinion_named_author", "rich_body", "non_latin_names", "slug_colon", "slug_double_dash", "slug_cut",
    "multi_listed", "no_metadata", "broken_metadata", "date_visible_only", "disagreement", "repeated_lead",
    "invalid", "sitemap_only", "tags_only",
)
SITE_URL, SITE_HOST = "https://english.almayadeen.net", "english.almayadeen.net"
SECTION_LABELS = {  # SITE.md's nav labels
    "news/politics": "Politics", "news/economy": "Economy", "news/sports": "Sports", "news/arts-culture": "Arts&Culture",
    "news/health": "Health", "news/miscellaneous": "Miscellaneous", "news/technology": "Technology",
    "news/environment": "Environment", "articles/opinion": "Opinion", "articles/analysis": "Analysis",
    "articles/blog": "Blog", "articles/features": "Features", "videos/newsfeed": "NewsFeed",
    "videos/video-features": "Video Features", "videos/explainers": "Explainers", "videos/tv": "TV",
    "videos/digital-series": "Digital Series", "infographs": "Infographs", "in-pictures": "In Pictures",
}


def normalise_text(raw: str) -> str:
    """SCHEMA.md's text rule, written independently of the replica's own."""
    text = unicodedata.normalize("NFC", html.unescape(raw))
    return " ".join(re.sub("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0e-\x1f]", "", text).split())


SCHEMA_FIELDS = {"url", "site", "postid", "type", "section", "category", "title", "description", "authors",
                 "source", "published_at", "modified_at", "reading_minutes", "word_count", "body", "images",
                 "tags", "countries", "related_urls", "video_duration", "lang", "content_hash", "revision",
                 "extraction"}


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1)


@pytest.fixture(scope="module")
def model2():
    return SiteModel(seed=1, articles=300, epoch=2)


@pytest.mark.parametrize("name", VARIANTS_AT_LEAST_3)
def test_every_variant_occurs_at_least_three_times(model, name):
    assert len(model.variants.get(name, [])) >= 3, name


def test_only_sitemap_and_only_tags_sets_have_five_or_more(model):
    listings, tags, sitemaps = (model.reachable(p) for p in ("listings", "tags", "sitemaps"))
    only_sitemaps = sitemaps - listings - tags
    only_tags = tags - listings - sitemaps
    assert len(only_sitemaps) >= 5 and len(only_tags) >= 5
    assert set(model.invalid) <= only_sitemaps
    assert listings | tags | sitemaps == {d["url"] for d in model.truth()}


def test_video_articles_are_videos_with_durations(model):
    docs = {d["url"]: d for d in model.truth()}
    for url in model.variants["video"]:
        doc = docs[url]
        assert doc["type"] == "video" and doc["section"].startswith("videos/")
        assert isinstance(doc["video_duration"], int) and doc["video_duration"] > 0
        assert doc["images"] == []


def test_truth_documents_are_consistent(model):
    docs = model.truth()
    assert len(docs) == 300 and len({d["url"] for d in docs}) == 300
    for doc in docs:
        assert set(doc) == SCHEMA_FIELDS
        assert doc["url"].startswith(SITE_URL + "/") and doc["site"] == SITE_HOST
        assert doc["category"] == SECTION_LABELS[doc["section"]]
        paragraphs = doc["body"].split("\n\n")
        assert doc["body"] == "" or all(p and p == normalise_text(p) for p in paragraphs)
        assert doc["word_count"] == len(doc["body"].split())
        assert doc["content_hash"] == hashlib.sha256(f"{doc['title']}\n{doc['body']}".encode()).hexdigest()
        assert doc["published_at"].tzinfo is not None and doc["published_at"].utcoffset() == timedelta(0)
        local = doc["published_at"].astimezone(TZ)
        assert local.second == 0 and is_clear(local.replace(tzinfo=None))
        assert "Read more" not in doc["body"] and doc["revision"] == 1
        assert doc["extraction"] == "site"  # no unknown template without the option
        assert doc["description"] is None or not doc["body"].startswith(doc["description"])
        assert len(doc["related_urls"]) == len(set(doc["related_urls"]))


def test_both_beirut_offsets_occur(model):
    offsets = {d["published_at"].astimezone(TZ).utcoffset() for d in model.truth()}
    assert offsets == {timedelta(hours=2), timedelta(hours=3)}


def test_fallback_variants_have_no_countries_and_visible_only_dates_no_modified(model):
    docs = {d["url"]: d for d in model.truth()}
    for url in model.variants["no_metadata"] + model.variants["broken_metadata"]:
        assert docs[url]["countries"] == []
    for url in model.variants["date_visible_only"]:
        assert docs[url]["modified_at"] is None


def test_invalid_and_duplicates(model):
    docs = {d["url"]: d for d in model.truth()}
    reasons = sorted(model.invalid.values())
    assert len(reasons) == 3 and all(reasons)
    by_reason = {r.split(" ")[0]: u for u, r in model.invalid.items()}
    assert docs[by_reason["empty"]]["body"] == ""
    assert docs[by_reason["published"]]["published_at"].year == 2099
    assert docs[by_reason["title"]]["title"] == ""
    assert len(model.duplicates) == 2
    for copy, original in model.duplicates.items():
        assert copy != original
        assert docs[copy]["content_hash"] == docs[original]["content_hash"]
        assert docs[copy]["title"] == docs[original]["title"] and docs[copy]["body"] == docs[original]["body"]


def test_epoch_two_changes_and_adds(model, model2):
    one = {d["url"]: d for d in model.truth()}
    two = {d["url"]: d for d in model2.truth()}
    added, changed = model2.added(2), model2.changed(2)
    assert set(two) - set(one) == added and not set(one) - set(two)
    assert 0.05 <= len(changed) / len(one) <= 0.15 and len(added) >= 0.04 * len(one)
    for url in one:
        if url in changed:
            assert two[url]["revision"] == 2 and two[url]["content_hash"] != one[url]["content_hash"]
            assert two[url]["modified_at"] > (one[url]["modified_at"] or one[url]["published_at"])
        else:
            assert two[url] == one[url]
    newest = max(d["published_at"] for u, d in one.items() if u not in model.invalid)
    assert all(two[u]["published_at"] > newest for u in added)
    assert model.changed(2) == changed and model.changed(1) == set()


def test_ticker_gains_lines_in_epoch_two(model, model2):
    one, two = model.ticker(), model2.ticker()
    assert 8 <= len(one) <= 12 and any(line["url"] for line in one) and any(not line["url"] for line in one)
    assert all(line["text"] == normalise_text(line["text"]) and line["text"] for line in one)
    assert [line for line in two if line not in one] and two[3:] == one[:len(two) - 3]


def test_same_seed_same_truth_other_seed_other_truth():
    a, b, c = SiteModel(seed=7, articles=60), SiteModel(seed=7, articles=60), SiteModel(seed=8, articles=60)
    assert a.truth() == b.truth() and a.ticker() == b.ticker()
    assert {d["url"] for d in a.truth()} != {d["url"] for d in c.truth()}


def test_small_sites_still_reach_every_article():
    m = SiteModel(seed=3, articles=40)
    assert m.reachable("listings") | m.reachable("tags") | m.reachable("sitemaps") == {d["url"] for d in m.truth()}


def test_slugs():
    assert slugify("The Ukrainian crisis: a second look", keep_colon=True) == "the-ukrainian-crisis:-a-second-look"
    assert slugify("Blinken calls for halt - Baku") == "blinken-calls-for-halt--baku"
    long = "Germany and France warn of energy crisis hitting European economies crumbling"
    assert len(slugify(long)) == SLUG_MAX and cut_mid_word(long)
    assert slugify('"Israel" kills 5 in Gaza’s north') == "israel-kills-5-in-gazas-north"


def test_epoch_rejects_unknown():
    with pytest.raises(ValueError):
        SiteModel(epoch=3)

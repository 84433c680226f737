"""The Arabic edition's model: slugs, URLs, truth documents, variants, reachability (no HTTP)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import unquote, urlsplit

import pytest

from tests.replica.arabic import cut_mid_word, slugify
from tests.replica.model import SiteModel

SITE = "www.almayadeen.net"
# the Arabic sections and labels the crawler's profile mirrors (docs/CONTRACTS.md, "Replica")
SECTIONS = {
    "news/politics": "سياسة", "news/palestine": "فلسطين", "news/lebanon": "لبنان", "news/economy": "اقتصاد",
    "news/arts-culture": "ثقافة وفنون", "news/sports": "رياضة", "news/technology": "تكنولوجيا",
    "news/health": "صحة", "articles/opinion": "مقالات رأي",
}
DIRECTIONAL = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
ENCODED_PATH = re.compile(r"^/(news/[a-z-]+|articles/opinion)/(%[0-9A-F]{2}|[a-zA-Z0-9-])+$")
VARIANTS_AT_LEAST_3 = (
    "title_h2", "no_source", "several_authors", "no_image", "several_figures", "video", "opinion_named_author",
    "rich_body", "latin_names", "slug_double_dash", "slug_triple_dash", "slug_cut", "multi_listed", "no_metadata",
    "broken_metadata", "date_visible_only", "disagreement", "invalid", "sitemap_only", "tags_only",
    "arabic_indic_digits",
)


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1, edition="ar")


def test_slug_of_the_seen_arabic_url():
    # SITE.md: /news/politics/ + this slug, seen on www.almayadeen.net (60 characters, cut mid-word)
    title = "حمد للميادين: نتنياهو أفشل صفقة وقف إطلاق النار - ولن ندخل بأي مفاوضات"
    assert slugify(title) == "حمد-للميادين--نتنياهو-أفشل-صفقة-وقف-إطلاق-النار---ولن-ندخل-ب"
    assert cut_mid_word(title)
    assert slugify("«حماس» تؤكّد: الـمقاومة مستمرة؟") == "حماس-تؤكد--المقاومة-مستمرة"
    assert slugify("Wang Yi يزور بكين") == "wang-yi-يزور-بكين"


@pytest.mark.parametrize("name", VARIANTS_AT_LEAST_3)
def test_every_arabic_variant_occurs_at_least_three_times(model, name):
    assert len(model.variants.get(name, [])) >= 3, name


def test_truth_documents(model):
    docs = model.truth()
    assert len(docs) == 300 and len({d["url"] for d in docs}) == 300
    indic = set(model.variants["arabic_indic_digits"])
    assert 0.3 < len(indic) / 300 < 0.7
    for doc in docs:
        parts = urlsplit(doc["url"])
        assert parts.scheme == "https" and parts.netloc == SITE and ENCODED_PATH.match(parts.path), doc["url"]
        section, slug = unquote(parts.path)[1:].rsplit("/", 1)
        assert section == doc["section"] and len(slug) <= 62  # 60, and a "-2" when two titles meet
        assert doc["site"] == SITE and doc["lang"] == "ar" and doc["category"] == SECTIONS[doc["section"]]
        for field in ("title", "body", "description"):
            value = doc[field] or ""
            assert not DIRECTIONAL.search(value) and value == unicodedata.normalize("NFC", value)
        assert doc["word_count"] == len(doc["body"].split())
        assert doc["content_hash"] == hashlib.sha256(f"{doc['title']}\n{doc['body']}".encode()).hexdigest()
        assert all(re.search("[\u0600-\u06ff]", c) for c in doc["countries"])
        assert all(u.startswith(f"https://{SITE}/") for u in doc["related_urls"])
        assert doc["extraction"] == "site"


def test_arabic_text_keeps_harakat_tatweel_indic_digits_and_punctuation(model):
    bodies = " ".join(d["body"] for d in model.truth())
    for mark in ("\u0651", "\u064e", "\u0652", "\u0640", "،", "؛", "؟"):
        assert mark in bodies, hex(ord(mark))
    assert re.search("[\u0660-\u0669]", bodies)
    assert "\u0625\u0646\u064e\u0651" in bodies  # إنَّ served shadda-first, NFC puts fatha first
    assert re.search("[A-Za-z]{3,}", bodies)  # Latin names mixed in


def test_authors_and_sources(model):
    docs = model.truth()
    authors = {a for d in docs for a in d["authors"]}
    assert "الميادين نت" in authors and any(re.match("^[A-Za-z ]+$", a) for a in authors)
    assert {d["source"] for d in docs} - {None} <= {"وكالات", "الميادين نت", "الميادين", "مواقع إخبارية", "رويترز"}


def test_reachability_sitemaps_are_the_backbone(model):
    listings, tags, sitemaps = (model.reachable(p) for p in ("listings", "tags", "sitemaps"))
    everything = {d["url"] for d in model.truth()}
    assert listings | tags | sitemaps == everything
    # listings show their first page only, so most articles are in no listing
    assert len(listings) < 0.7 * len(everything)
    assert len(tags - sitemaps) >= 5  # the tags-only articles, chained by tags of their own
    assert set(model.invalid) <= sitemaps - listings - tags


def test_epoch_two_and_duplicates():
    one = SiteModel(seed=2, articles=120, epoch=1, edition="ar")
    two = SiteModel(seed=2, articles=120, epoch=2, edition="ar")
    first = {d["url"]: d for d in one.truth()}
    second = {d["url"]: d for d in two.truth()}
    changed = two.changed(2)
    assert changed and set(second) - set(first) == two.added(2)
    for url in changed:
        assert second[url]["revision"] == 2 and second[url]["body"].split("\n\n")[-1].startswith("تحديث: ")
    assert len(one.duplicates) == 2
    for copy, original in one.duplicates.items():
        assert first[copy]["content_hash"] == first[original]["content_hash"]
    assert one.reachable("listings") | one.reachable("tags") | one.reachable("sitemaps") == set(first)
    assert two.reachable("listings") | two.reachable("tags") | two.reachable("sitemaps") == set(second)


def test_ticker_lines_are_arabic_and_normalised(model):
    lines = model.ticker()
    assert len(lines) == 10 and any(line["url"] for line in lines)
    for line in lines:
        assert re.search("[\u0600-\u06ff]", line["text"]) and not DIRECTIONAL.search(line["text"])
        assert line["text"] == " ".join(line["text"].split())

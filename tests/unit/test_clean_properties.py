"""clean_article is idempotent: clean(clean(x)) == clean(x), over generated messy articles."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract import text
from newscrawl.pipelines.cleaning_rules import clean_article

# the mess the site's pages hold: NBSP, zero-width characters, entities, odd spaces, line breaks
NOISE = st.sampled_from(["\u00a0", "\u200b", "\u200c", "\u200d", "\ufeff", "&nbsp;", "&amp;", "&#8217;", "&quot;",
                         "\t", "\n", "\n\n", " \n \n ", "\u3000", "\u2009", "\r\n", "&lt;b&gt;", "&", "amp;", "nbsp;", "#x200b;", "&amp;amp;",
                         "\u200e", "\u200f", "\u061c", "\u202b", "\u202c", "\u2067", "\u2069", "&rlm;", "&#x200F;"])
SCRIPTS = st.sampled_from([
    "Gaza", "Beirut", "بري", "لبنان", "فلسطين", "東京", "北京市", "서울", "Ἀθῆναι", "Cafe\u0301", "n\u0303o",
    "e\u0301\u0323", "\u0627\u064e\u0644\u0652", "Ω", "ﬁ", "x", "1,000", "(AP Photo)", "Read more:",
    "حمد للميادين: نتنياهو أفشل الصفقة؟", "الرئيسُ", "ثمّ", "ـــ", "١٢٣", "،", "؛", "اقرأ أيضاً:", "\u0628\u0651\u064e",
])
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
MESSY = st.lists(st.one_of(SCRIPTS, NOISE, WORDS, st.just(" ")), max_size=25).map("".join)
SITE = "https://english.almayadeen.net"
PATHS = st.lists(st.one_of(st.sampled_from(["news", "politics", "a--b", "x:y", "%20", "é", "/", "غزة"]), WORDS),
                 max_size=5).map("/".join)
URLS = st.one_of(
    st.builds(lambda scheme, host, path, tail: f"{scheme}://{host}/{path}{tail}",
              st.sampled_from(["http", "https", "HTTPS"]),
              st.sampled_from(["english.almayadeen.net", "English.AlMayadeen.NET", "127.0.0.1:8123", "cdn.x.org",
                               "www.almayadeen.net"]),
              PATHS, st.sampled_from(["", "/", "?utm_source=x", "#top", "/?a=1#b"])),
    MESSY,
)
DATES = st.one_of(
    st.none(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                 timezones=st.just(timezone(timedelta(hours=3)))).map(datetime.isoformat),
    MESSY,
)
IMAGES = st.lists(st.fixed_dictionaries({"url": st.one_of(URLS, st.just("//cdn.x.org/a.jpg")),
                                         "caption": st.one_of(st.none(), MESSY),
                                         "credit": st.one_of(st.none(), MESSY)}), max_size=4)
LABELS = st.lists(st.one_of(SCRIPTS, MESSY), max_size=6)

ARTICLES = st.fixed_dictionaries({
    "url": URLS, "site": st.one_of(st.sampled_from(["english.almayadeen.net", "www.almayadeen.net"]), MESSY),
    "postid": st.one_of(st.none(), st.integers(0, 10**9), MESSY),
    "type": st.sampled_from(["article", "video", "videoobject", " VideoObject ", "page"]),
    "section": st.one_of(st.sampled_from(["news/politics", "/News/Politics/", "infographs"]), MESSY),
    "category": st.one_of(st.none(), MESSY), "title": MESSY, "description": st.one_of(st.none(), MESSY),
    "authors": LABELS, "source": st.one_of(st.none(), MESSY), "published_at": DATES, "modified_at": DATES,
    "reading_minutes": st.one_of(st.none(), st.integers(0, 200), st.sampled_from(["3", " 4 ", "x"])),
    "word_count": st.integers(0, 10_000), "body": MESSY, "images": IMAGES, "tags": LABELS, "countries": LABELS,
    "related_urls": st.lists(URLS, max_size=5), "video_duration": st.one_of(st.none(), st.integers(0, 999), st.just(30.0)),
    "lang": st.sampled_from(["en", "EN", " en ", "ar", " AR"]), "content_hash": st.text("0123456789abcdef", max_size=64),
})


def strict(value):
    """A comparable form in which datetimes also differ by their UTC offset."""
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    if isinstance(value, datetime):
        return (value, value.utcoffset())
    return value


@settings(max_examples=200, deadline=None, derandomize=True)
@given(ARTICLES)
def test_cleaning_is_idempotent(doc):
    once = clean_article(doc)
    assert strict(clean_article(once)) == strict(once)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(ARTICLES)
def test_cleaned_text_has_no_zero_width_nbsp_or_edge_spaces_and_consistent_counts(doc):
    out = clean_article(doc)
    for value in [out["title"], out["description"], *out["tags"], *out["authors"], *out["countries"]]:
        if isinstance(value, str):
            assert value == value.strip() and not set(value) & set("\u00a0\u200b\u200d\ufeff\n\t")
    assert "\n\n\n" not in out["body"] and out["body"] == out["body"].strip()
    assert out["word_count"] == text.word_count(out["body"])
    assert out["content_hash"] == text.content_hash(out["title"], out["body"])
    for field in ("tags", "authors", "countries", "related_urls"):
        assert len(out[field]) == len(set(out[field])) and "" not in out[field]
    for field in ("published_at", "modified_at"):
        if isinstance(out[field], datetime):
            assert out[field].utcoffset() == timedelta(0)
    for url in out["related_urls"]:
        if url.lower().startswith(("http://", "https://")) and " " not in url:
            assert url.startswith("https://") and "?" not in url and "#" not in url


def test_double_escaped_entities_decode_fully():
    assert clean_article({"title": "A &amp;amp;nbsp;&amp;lt; B"})["title"] == "A < B"


def test_the_content_hash_of_a_text_escaped_deeper_than_the_cleaner_decodes_is_still_the_normalised_one():
    # ten levels of &amp; outlast MAX_DECODE_PASSES: the cleaned title is not a fixed point of normalise_text
    deep = "&" + "amp;" * 10 + "lt; B"
    out = clean_article({"title": deep, "body": deep + " body", "content_hash": "", "word_count": 0})
    assert text.normalise_text(out["title"]) != out["title"]
    assert out["content_hash"] == text.content_hash(out["title"], out["body"])


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(st.one_of(SCRIPTS, MESSY), min_size=1, max_size=8))
def test_label_order_is_page_order(labels):
    one_by_one = [v for label in labels for v in clean_article({"tags": [label]})["tags"]]
    assert clean_article({"tags": labels})["tags"] == list(dict.fromkeys(one_by_one))

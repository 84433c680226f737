"""The replica's own text and URL model against SCHEMA.md's contract, with literal expectations."""

from __future__ import annotations

import pytest

from tests.replica.text import canonical_href, canonical_url, content_hash, normalise_text, word_count


@pytest.mark.parametrize("raw, expected", [
    ("  Blinken&nbsp;calls \n\t for&amp;halt  ", "Blinken calls for&halt"),
    ("&quot;Israel&quot; &rsquo;s", "\"Israel\" ’s"),
    ("zero\u200bwidth\u200c\u200d\u2060\ufeff gone", "zerowidth gone"),
    ("ctrl\x00\x07\x1f chars\x7f", "ctrl chars"),
    ("thin\u2009space\u202fnarrow\u3000ideographic\u00a0nbsp", "thin space narrow ideographic nbsp"),
    ("Cafe\u0301", "Café"),  # NFC composes
    ("", ""),
    (None, ""),
])
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


def test_arabic_text_loses_directional_marks_and_keeps_the_rest():
    raw = "\u200fقال\u200e الرئيس\u061c \u202bإنّ\u202c \u2066٢٥\u2069 كم؛ الـمقاومة؟ نعم، مُسْتَمِرّة"
    assert normalise_text(raw, arabic=True) == "قال الرئيس إنّ ٢٥ كم؛ الـمقاومة؟ نعم، مُسْتَمِرّة"
    # English text keeps them: the crawler drops them from Arabic text only
    assert "\u200f" in normalise_text("a\u200fb")


def test_arabic_harakat_are_put_in_canonical_order():
    shadda_then_fatha = "\u0625\u0646\u0651\u064e"  # إنَّ as typed: shadda (ccc 33) before fatha (ccc 30)
    assert normalise_text(shadda_then_fatha, arabic=True) == "\u0625\u0646\u064e\u0651"


def test_word_count_and_content_hash():
    body = "First paragraph.\n\nSecond one."
    assert word_count(body) == 4 and word_count("") == 0
    assert content_hash("Blinken calls for halt", body) == \
        "69a0df5467494788fd34c04a59e2d2afb0b2d55b112f510d523d03f3efc09982"
    assert content_hash("عنوان", "نص") == "ddcb392247f4932af6cdebf66bb3771094dd8c78a59549e31126a23a5dddd147"


@pytest.mark.parametrize("host, path, expected", [
    ("English.AlMayadeen.net", "/news/politics/a-b/", "https://english.almayadeen.net/news/politics/a-b"),
    ("english.almayadeen.net", "/articles/opinion/the-crisis:-a-look", "https://english.almayadeen.net/articles/opinion/the-crisis:-a-look"),
    ("english.almayadeen.net", "/tags/Ilham Aliyev", "https://english.almayadeen.net/tags/Ilham%20Aliyev"),
    ("www.almayadeen.net", "/news/politics/حمد-للميادين",
     "https://www.almayadeen.net/news/politics/%D8%AD%D9%85%D8%AF-%D9%84%D9%84%D9%85%D9%8A%D8%A7%D8%AF%D9%8A%D9%86"),
    ("www.almayadeen.net", "/news/politics/%d8%ad%d9%85%d8%af", "https://www.almayadeen.net/news/politics/%D8%AD%D9%85%D8%AF"),
    ("www.almayadeen.net", "/", "https://www.almayadeen.net/"),
])
def test_canonical_url(host, path, expected):
    assert canonical_url(host, path) == expected


def test_canonical_href_drops_query_fragment_and_slash_and_maps_the_host():
    page = "http://127.0.0.1:8123/news/politics"
    host = "english.almayadeen.net"
    for href in ("/news/economy/x-y?utm_source=a#top", "x-y/", "http://127.0.0.1:8123/news/economy/x-y/",
                 "https://english.almayadeen.net/news/economy/x-y"):
        expected = "https://english.almayadeen.net/news/economy/x-y" if href != "x-y/" else \
            "https://english.almayadeen.net/news/x-y"
        assert canonical_href(href, page, host) == expected

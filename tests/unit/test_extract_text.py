"""normalise_text: the fast implementation gives exactly what the plain one does."""

from __future__ import annotations

import html
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawl.extract.text import _CONTROL, _SPACES, _ZERO_WIDTH, normalise_body, normalise_text


def plain_normalise_text(text: str | None) -> str:
    """The rule written out step by step (the original implementation)."""
    if not text:
        return ""
    text = html.unescape(text) if "&" in text else text
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


TRICKY = st.sampled_from(list("\u00a0\u200b\u200c\u200d\u2060\ufeff\u2028\u3000\x0b\x0c\x1c\x1f\x85\x00\x7f"
                              "\u200e\u200f\u061c\u202b\u202c\u2067\u2069\u064e\u0651\u0640\u060c\u061f"
                              "e\u0301&;#x a\t\n\r ") + ["&nbsp;", "&amp;", "&#8203;", "&#x200B;", "&quot;"])


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.one_of(st.text(), st.lists(TRICKY).map("".join), st.lists(st.one_of(TRICKY, st.text(max_size=3))).map("".join)))
def test_fast_normalise_text_equals_the_plain_rule(text):
    assert normalise_text(text) == plain_normalise_text(text)


def test_normalise_text_examples():
    assert normalise_text("  Tom &amp;\u00a0Jerry\u200b \n\t x ") == "Tom & Jerry x"
    assert normalise_text("Cafe\u0301") == "Caf\u00e9"
    assert normalise_text(None) == "" and normalise_text("\u200b&nbsp;") == ""


def test_normalise_body_drops_empty_paragraphs():
    assert normalise_body("a  b\n\n \u00a0 \n\n\nc") == "a b\n\nc"


def test_arabic_text_is_kept_as_published_but_for_formatting_marks():
    # RLM, an embedding and its pop, an isolate: layout, not text. Letters, harakat, shadda, tatweel,
    # Arabic-Indic digits and Arabic punctuation are text.
    raw = "\u200fقالَ الرئيسُ:\u00a0«السلامُ»؟ \u202bعددُ ١٢٣\u202c، ـــ ثمّ؛ \u2067نص\u2069"
    assert normalise_text(raw) == "قالَ الرئيسُ: «السلامُ»؟ عددُ ١٢٣، ـــ ثمّ؛ نص"


def test_english_content_hash_is_unchanged_by_the_arabic_rules():
    from newscrawl.extract.text import content_hash

    # the seed article's title and first paragraph, hashed before the Arabic rules existed
    assert content_hash("Blinken calls for immediate halt to Armenia, Azerbaijan fight",
                        "The US will seek an immediate end to fighting between Armenia and Azerbaijan.") == \
        "c75057530c9c81459683d69212161ecf0bfae4f0c8a71fcfacfe4553106e2671"

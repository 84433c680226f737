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

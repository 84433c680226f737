"""Text normalisation shared by extraction, cleaning and the store. Pure functions."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache

# Formatting marks vanish: zero-width characters, the BOM, and the bidirectional controls a
# CMS leaves around right-to-left text (LRM, RLM, ALM, embeddings, overrides, isolates),
# which change how text is laid out, never what it says. Arabic letters, diacritics (harakat,
# shadda, sukun), tatweel, Arabic-Indic digits and punctuation (، ؛ ؟) are text and stay.
# Every other kind of space becomes one space.
FORMATTING_MARKS = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e" \
                   "\u2066\u2067\u2068\u2069"
_ZERO_WIDTH = dict.fromkeys(map(ord, FORMATTING_MARKS), None)
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# _ZERO_WIDTH and _CONTROL in one pass; _SPACES is exactly str.isspace(), so split() collapses the same runs
_DROPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + FORMATTING_MARKS + "]")
PARAGRAPH_SEPARATOR = "\n\n"


def normalise_text(text: str | None) -> str:
    """Entities decoded, NFC, formatting marks dropped, whitespace runs to one space, trimmed."""
    if not text:
        return ""
    text = html.unescape(text) if "&" in text else text
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return " ".join(_DROPPED.sub("", text).split())


# A body is normalised by the extraction, again by cleaning and once more for the content hash by
# validation, all in the crawler's thread: the last few answers are kept (strings are immutable).
@lru_cache(maxsize=64)
def normalise_body(body: str | None) -> str:
    """Each paragraph normalised, empty ones dropped, joined by a blank line."""
    if not body:
        return ""
    paragraphs = (normalise_text(p) for p in re.split(r"\n\s*\n", body))
    return PARAGRAPH_SEPARATOR.join(p for p in paragraphs if p)


@lru_cache(maxsize=64)  # counted by cleaning and by two validation rules
def word_count(body: str) -> int:
    return len(body.split())


def content_hash(title: str, body: str) -> str:
    """Hex SHA-256 of the normalised title and body: changes only when the text changes."""
    data = normalise_text(title) + "\n" + normalise_body(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()

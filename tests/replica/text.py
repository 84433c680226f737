"""The replica's own text and URL model: what the truth's text fields and URLs are (SCHEMA.md's contract).

Written here, not imported from the crawler, so the truth is an independent oracle:
- text: HTML entities decoded, Unicode NFC, zero-width characters and C0 controls removed, every
  whitespace run (NBSP and the other Unicode spaces too) to one space, trimmed; Arabic text also
  loses the directional formatting marks (and keeps letters, harakat, tatweel, digits, punctuation);
- body: paragraphs joined by a blank line; word count: whitespace-separated tokens of the body;
  content hash: hex SHA-256 of UTF-8 (title + "\\n" + body);
- canonical URL: https, host lower-case, path percent-encoded one way, no query, fragment or
  trailing slash.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import quote, unquote, urljoin, urlsplit

from tests.replica.facts import PATH_SAFE

PARAGRAPH_SEPARATOR = "\n\n"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# C0 controls that are not whitespace (TAB, LF and CR are spaces), and DEL
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
# LRM, RLM, ALM, the embeddings and overrides, the isolates: invisible, dropped from Arabic text
DIRECTIONAL_MARKS = "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
_DROP = re.compile(f"[{ZERO_WIDTH}{CONTROLS}]")
_DROP_ARABIC = re.compile(f"[{ZERO_WIDTH}{CONTROLS}{DIRECTIONAL_MARKS}]")
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def normalise_text(text: str | None, arabic: bool = False) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = (_DROP_ARABIC if arabic else _DROP).sub("", text)
    return _SPACES.sub(" ", text).strip()


def join_paragraphs(paragraphs: list[str]) -> str:
    return PARAGRAPH_SEPARATOR.join(paragraphs)


def word_count(body: str) -> int:
    return len(body.split())


def content_hash(title: str, body: str) -> str:
    """Of the normalised title and body (both already normalised by the caller)."""
    return hashlib.sha256((title + "\n" + body).encode("utf-8")).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quote_path(path: str) -> str:
    """The one percent-encoded spelling of a path (idempotent: decoded first)."""
    return quote(unquote(path), safe=PATH_SAFE)


def canonical_path(path: str) -> str:
    path = quote_path(path or "/")
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path


def canonical_url(host: str, path: str) -> str:
    return "https://" + host.lower() + canonical_path(path)


def canonical_href(href: str, page_url: str, site_host: str) -> str:
    """The canonical site URL an href on a served page points to (any host there is the site's)."""
    parts = urlsplit(urljoin(page_url, href.strip()))
    return canonical_url(site_host, parts.path)

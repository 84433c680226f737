"""Slugs as the site's CMS makes them: lower-case, spaces to '-', punctuation dropped."""

from __future__ import annotations

import re

SLUG_MAX = 60
_DASHLIKE = re.compile(r"[\s\-–—/&+]")
_DROPPED = re.compile(r"[^a-z0-9-]")
_DROPPED_KEEP_COLON = re.compile(r"[^a-z0-9:-]")


def full_slug(title: str, keep_colon: bool = False) -> str:
    slug = _DASHLIKE.sub("-", title.lower())
    slug = (_DROPPED_KEEP_COLON if keep_colon else _DROPPED).sub("", slug)
    return re.sub(r"-{3,}", "--", slug).strip("-")


def slugify(title: str, keep_colon: bool = False) -> str:
    # cut at the limit even mid-word, as the site does
    return full_slug(title, keep_colon)[:SLUG_MAX].rstrip("-") or "untitled"


def cut_mid_word(title: str, keep_colon: bool = False) -> bool:
    full = full_slug(title, keep_colon)
    return len(full) > SLUG_MAX and full[SLUG_MAX - 1] != "-" and full[SLUG_MAX] != "-"

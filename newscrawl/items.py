"""The item types, as dataclasses handled through itemadapter.

Field names and meanings are SCHEMA.md's. The store adds what only it can know
(``revision``, ``aliases``, ``first_seen_at``, ``last_seen_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Image:
    url: str
    caption: str | None = None
    credit: str | None = None


@dataclass
class ArticleItem:
    url: str
    site: str
    title: str
    section: str
    published_at: datetime | None
    body: str
    type: str = "article"
    postid: str | None = None
    category: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    modified_at: datetime | None = None
    reading_minutes: int | None = None
    word_count: int = 0
    images: list[dict] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    related_urls: list[str] = field(default_factory=list)
    video_duration: int | None = None
    lang: str = "en"
    content_hash: str = ""
    extraction: str = "site"  # "site": the profile's rules; "generic": the generic fallback filled body/title/date
    # the page's HTTP validators, sent back on re-checks (If-None-Match / If-Modified-Since)
    http_etag: str | None = None
    http_last_modified: str | None = None


# Fields the store owns; an item may carry them (e.g. on replay) but never needs to.
STORE_FIELDS = ("revision", "aliases", "first_seen_at", "last_seen_at")


@dataclass
class BreakingItem:
    text: str
    text_hash: str
    url: str | None = None
    seen_at: datetime | None = None
    site: str | None = None  # the host of the edition whose ticker showed it


@dataclass
class SightingItem:
    """An article re-checked and found unchanged (HTTP 304): only its ``last_seen_at`` moves."""

    url: str
    site: str
    seen_at: datetime


@dataclass
class PageItem:
    """A kept raw page (NEWSCRAWL_KEEP_PAGES): zlib-compressed HTML, for re-extraction after a parser fix."""

    url: str
    fetched_at: datetime
    status: int
    html: bytes

"""The item types, as dataclasses handled through itemadapter.

Field names and meanings are SCHEMA.md's. The store adds what only it can know
(``revision``, ``aliases``, ``first_seen_at``, ``last_seen_at``).

The pipelines read an item through ``fields_of`` (no copy) and the store keeps
``as_document`` (one copy): both equal ``ItemAdapter(item).asdict()``, which deep-copies
the item through itemadapter's per-value checks and cost each pipeline about 0.1 ms per
article.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from itemadapter import ItemAdapter


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


# values that are neither containers nor items: ItemAdapter.asdict() keeps them as they are
_SCALARS = frozenset({str, int, float, bool, type(None), datetime, date, time, timedelta, bytes})


def fields_of(item: Any) -> dict:
    """The item's fields as a dict equal to ``ItemAdapter(item).asdict()``, to read, not to keep or change.

    A dict item is returned as it is, unless it holds nested items (which asdict converts); a
    dataclass gives a new dict of its own values: lists and dicts inside are the item's, not
    copies, unless they hold something asdict converts (a nested dataclass, a tuple...);
    any other item type goes through ItemAdapter.asdict().
    """
    if type(item) is dict:
        return item if not any(_converts(v) for v in item.values()) else as_document(item)
    names = _dataclass_fields(type(item))
    if names is None:
        return ItemAdapter(item).asdict()
    values = {name: getattr(item, name) for name in names}
    for name, value in values.items():
        if _converts(value):
            values[name] = _plain(value)
    return values


def as_document(item: Any) -> dict:
    """A plain copy of the item, equal to ``ItemAdapter(item).asdict()`` and sharing no list or dict with it."""
    if type(item) is dict:
        return {key: _plain(value) for key, value in item.items()}
    names = _dataclass_fields(type(item))
    if names is None:
        return ItemAdapter(item).asdict()
    return {name: _plain(getattr(item, name)) for name in names}


@cache
def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(kind)) if dataclasses.is_dataclass(kind) else None


def _converts(value: Any) -> bool:
    """Whether ItemAdapter.asdict() would give something else than ``value`` itself (a copy aside)."""
    kind = type(value)
    if kind in _SCALARS:
        return False
    if kind is list:
        return any(_converts(v) for v in value)
    if kind is dict:
        return any(_converts(v) for v in value.values())
    return True


def _plain(value: Any) -> Any:
    """``value`` as ItemAdapter.asdict() gives it: containers copied, nested items as dicts."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {key: _plain(v) for key, v in value.items()}
    return ItemAdapter({"value": value}).asdict()["value"]  # anything else exactly as itemadapter converts it

"""Sitemap index and urlset files, with or without the sitemaps.org namespace.

Truncated or malformed XML gives what could be read; entities are never expanded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from lxml import etree

from newscrawl.extract.dates import parse_iso_datetime
from newscrawl.extract.dom import to_text

_ENTRIES = {
    "sitemap": etree.XPath("//*[local-name()='sitemap']"),
    "url": etree.XPath("//*[local-name()='url']"),
}
_LOC = etree.XPath("*[local-name()='loc']/text()")
_LASTMOD = etree.XPath("*[local-name()='lastmod']/text()")
# the Google News extension's publication date (<news:news><news:publication_date>): the article's own
# date, where <lastmod> is only when the entry last changed
_PUBLISHED = etree.XPath("*[local-name()='news']/*[local-name()='publication_date']/text()")


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None = None
    published: datetime | None = None  # a publication date the sitemap states (news extension), never lastmod


def _parse(xml: str | bytes | None):
    text = to_text(xml).lstrip()
    if not text:
        return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, remove_comments=True)
    try:
        # bytes, so that an encoding declaration is allowed
        return etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    except etree.XMLSyntaxError:
        return None


def _entries(xml, kind: str) -> list[SitemapEntry]:
    root = _parse(xml)
    if root is None:
        return []
    entries = []
    for element in _ENTRIES[kind](root):
        loc = "".join(_LOC(element)).strip()
        if not loc:
            continue
        lastmod = "".join(_LASTMOD(element)).strip()
        published = "".join(_PUBLISHED(element)).strip() if kind == "url" else ""
        # a lastmod without offset is taken as UTC, as sitemaps.org's W3C format implies nothing else
        entries.append(SitemapEntry(loc, parse_iso_datetime(lastmod, naive_tz=timezone.utc),
                                    parse_iso_datetime(published, naive_tz=timezone.utc) if published else None))
    return entries


def parse_sitemap_index(xml: str | bytes) -> list[SitemapEntry]:
    return _entries(xml, "sitemap")


def parse_urlset(xml: str | bytes) -> list[SitemapEntry]:
    return _entries(xml, "url")

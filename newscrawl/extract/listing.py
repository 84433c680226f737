"""Listing pages: article cards, the nav's section and region listings, tag links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from newscrawl import site
from newscrawl.extract.dates import parse_card_date
from newscrawl.extract.dom import link_url, parse_html, select, text_of, unique
from newscrawl.urls import path_of


@dataclass(frozen=True)
class Card:
    url: str
    date: date | None = None


def _root(html):
    try:
        return parse_html(html)
    except Exception:  # unparseable: a listing with nothing on it
        return None


def extract_cards(html: str | bytes, page_url: str) -> list[Card]:
    """The cards of ``div.listing`` in page order (canonical URLs; the page's host is the site's)."""
    root = _root(html)
    if root is None:
        return []
    cards = []
    for card in select(root, site.CARD_SELECTOR):
        url = next(filter(None, (link_url(h, page_url) for h in select(card, site.CARD_LINK))), None)
        if url is None:
            continue
        dates = select(card, site.CARD_DATE)
        cards.append(Card(url=url, date=parse_card_date(text_of(dates[0])) if dates else None))
    return cards


def _site_links(html, page_url: str, selectors: tuple[str, ...]) -> list[tuple[str, str]]:
    """(canonical URL, path) of the site's own links matched by ``selectors``, page order."""
    root = _root(html)
    if root is None:
        return []
    anchors = [a for css in selectors for a in select(root, css)]
    urls = unique(link_url(a.get("href"), page_url) for a in anchors)
    prefix = site.SITE_URL + "/"
    return [(u, path_of(u)) for u in urls if u.startswith(prefix) or u == site.SITE_URL]


def extract_nav(html: str | bytes, page_url: str) -> list[str]:
    """Section and region listing URLs from the nav menu and the region list."""
    return [
        url for url, path in _site_links(html, page_url, (site.NAV_LINKS, site.REGION_LINKS))
        if site.SECTION_LISTING_RE.match(path) or site.REGION_LISTING_RE.match(path)
    ]


def extract_tag_links(html: str | bytes, page_url: str) -> list[str]:
    return [url for url, _ in _site_links(html, page_url, (site.TAG_LINKS,))]

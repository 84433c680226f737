"""Listing and home pages: article cards, listing and tag links, the next page. Pure.

Found by what they are (see ``extract.links``): the profile's class names (assumed) only
sharpen a card's bounds and date, and are never required.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

from newscrawl.extract.dates import date_attribute, find_date, parse_iso_datetime, visible_datetimes
from newscrawl.extract.dom import mirror_hosts_of, parse_html, select, select_all, text_of
from newscrawl.extract.links import LISTING, SITE, TAG, Link, PageLinks, text_outside_headings
from newscrawl.extract.metadata import read_metadata
from newscrawl.site import SiteProfile
from newscrawl.sites import profile_for_url
from newscrawl.urls import normalise_path

MAX_CARD_DEPTH = 12  # levels between a link and its card's date; cards are shallow


@dataclass(frozen=True)
class Card:
    url: str
    date: date | None = None  # the day the card gives (in the site's time zone)
    at: datetime | None = None  # the moment, UTC, when the card gives a time of day too


@dataclass
class ListingPage:
    cards: list[Card] = field(default_factory=list)  # articles linked outside the chrome, page order
    listings: list[str] = field(default_factory=list)  # section and region listings linked anywhere
    tags: list[str] = field(default_factory=list)  # tag listings linked anywhere
    pages: list[str] = field(default_factory=list)  # other same-site pages linked anywhere (listing candidates)
    next_url: str | None = None  # an explicit next page (canonical path and its query)
    sharpened_cards: int = 0  # cards the profile's (assumed) card selectors named
    declares_article: bool = False  # the page's own metadata says it is an article (not a listing)


def _root(html):
    try:
        return parse_html(html)
    except Exception:  # unparseable: a listing with nothing on it
        return None


def _moment(machine: str | None, text: str, profile: SiteProfile) -> datetime | None:
    """The exact moment a date element states: a ``datetime`` attribute with a time of day, or a
    visible date with one (``10 Nov 2025 14:05``)."""
    if machine and "T" in machine.upper():
        found = parse_iso_datetime(machine, naive_tz=profile.timezone)
        if found is not None:
            return found
    moments = visible_datetimes(text, profile)
    return moments[0] if moments else None


def _card_date(link: Link, card, profile: SiteProfile) -> tuple[date | None, datetime | None]:
    for css in profile.card_date_selectors:  # sharpening: the profile's own date element
        for element in select(card, css):
            machine = element.get("datetime") or next((t.get("datetime") for t in element.iter("time")), None)
            found = date_attribute(machine, profile) or find_date(text_of(element), profile)
            if found:
                return found, _moment(machine, text_of(element), profile)
    # the smallest element around the link alone that holds a date-shaped text
    element, depth = link.element, 0
    while element is not None and depth <= MAX_CARD_DEPTH:
        for stamp in element.iter("time"):
            found = date_attribute(stamp.get("datetime"), profile) or find_date(text_of(stamp), profile)
            if found:
                return found, _moment(stamp.get("datetime"), text_of(stamp), profile)
        text = " ".join(text_outside_headings(element))
        found = find_date(text, profile)
        if found:
            return found, _moment(None, text, profile)
        if element is card:
            break
        element, depth = element.getparent(), depth + 1
    return None, None


def cards_of(links: PageLinks) -> tuple[list[Card], int]:
    profile = links.profile
    sharpened = set(select_all(links.root, [css for css in profile.card_selectors if "::" not in css]))
    first: dict[str, Link] = {}
    for link in links.article_links:
        first.setdefault(link.url, link)
    cards, named = [], 0
    for url, link in first.items():
        card = links.card_of(link, sharpened)
        named += card in sharpened
        day, moment = _card_date(link, card, profile)
        cards.append(Card(url=url, date=day, at=moment))
    return cards, named


def next_page_url(root, page_url: str, profile: SiteProfile) -> str | None:
    """An explicit next page of this listing: ``rel=next`` or a link whose text says next."""
    candidates = [e.get("href") for e in root.iter("link", "a")
                  if "next" in (e.get("rel") or "").lower().split()]
    candidates += [a.get("href") for a in root.iter("a") if text_of(a).lower() in profile.next_link_texts]
    here = urlsplit(page_url)
    hosts = set(mirror_hosts_of(page_url)) | {profile.host}
    for href in candidates:
        if not href or href.strip().startswith(("#", "javascript:")):
            continue
        try:
            target = urlsplit(urljoin(page_url, href.strip()))
        except ValueError:
            continue
        if target.netloc.lower() not in hosts or normalise_path(target.path) != normalise_path(here.path):
            continue
        if target.query and target.query != here.query:
            return f"{profile.url}{normalise_path(target.path)}?{target.query}"
    return None


def read_listing(html: str | bytes, page_url: str, profile: SiteProfile | None = None,
                 article_shapes: frozenset[str] = frozenset()) -> ListingPage:
    """``article_shapes``: URL shapes the site's sitemaps confirmed as articles (see ``extract.shapes``)."""
    profile = profile or profile_for_url(page_url)
    root = _root(html)
    if root is None:
        return ListingPage()
    links = PageLinks(root, page_url, profile, article_shapes)
    cards, named = cards_of(links)
    declared = read_metadata(root, profile).declares_article(profile.tawsiyat_types)
    return ListingPage(cards=cards, listings=links.urls(LISTING), tags=links.urls(TAG), pages=links.urls(SITE),
                       next_url=next_page_url(root, page_url, profile), sharpened_cards=named,
                       declares_article=declared)


def extract_cards(html: str | bytes, page_url: str, profile: SiteProfile | None = None) -> list[Card]:
    """The article cards of a listing or home page, in page order."""
    return read_listing(html, page_url, profile).cards


def extract_nav(html: str | bytes, page_url: str, profile: SiteProfile | None = None) -> list[str]:
    """Section and region listing URLs linked from the page (the nav, the region list, anywhere)."""
    return read_listing(html, page_url, profile).listings


def extract_tag_links(html: str | bytes, page_url: str, profile: SiteProfile | None = None) -> list[str]:
    return read_listing(html, page_url, profile).tags

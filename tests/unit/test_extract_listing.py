"""Listing pages: cards, nav and region listings, tag links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newscrawl.extract.listing import Card, extract_cards, extract_nav, extract_tag_links

SEED = (Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.html").read_text(encoding="utf-8")
SITE = "https://english.almayadeen.net"
MIRROR = "http://127.0.0.1:8765"


def card(href: str, day: str | None = "10 Nov 2025", title: str = "T") -> str:
    date_span = f'<span class="card__date">{day}</span>' if day is not None else ""
    return (f'<div class="card"><a class="card__link" href="{href}"><h3 class="card__title">{title}</h3></a>'
            f'<span class="card__section">Politics</span>{date_span}</div>')


def listing_page(*cards: str) -> str:
    chrome = SEED.split("<main>")[0]
    return chrome + '<main><div class="listing">' + "".join(cards) + "</div></main></body></html>"


def test_cards_in_page_order_with_dates_on_a_mirror():
    html = listing_page(card("/news/politics/a?utm_source=x"), card("politics/b/", "06 Nov 2025"),
                        card(SITE + "/articles/opinion/c", "1 Jan 2024"), card("news/politics/d"))
    assert extract_cards(html, MIRROR + "/news/politics?page=2") == [
        Card(SITE + "/news/politics/a", date(2025, 11, 10)),
        Card(SITE + "/news/politics/b", date(2025, 11, 6)),  # resolved as a browser would
        Card(SITE + "/articles/opinion/c", date(2024, 1, 1)),
        # "news/politics/d" resolves to /news/news/politics/d: no article path, no card
    ]


def test_card_without_or_with_bad_date():
    html = listing_page(card("/news/politics/a", None), card("/news/politics/b", "yesterday"))
    assert [c.date for c in extract_cards(html, SITE + "/news/politics")] == [None, None]


def test_card_without_a_link_is_skipped():
    html = listing_page('<div class="card"><h3>no link</h3></div>', card("javascript:void(0)"), card("/news/sports/x"))
    assert [c.url for c in extract_cards(html, SITE + "/")] == [SITE + "/news/sports/x"]


def test_links_in_the_site_chrome_are_not_cards():
    chrome = SEED.split("<main>")[0].replace('<div id="ticker"', '<a href="/news/politics/in-the-ticker">t</a><div id="ticker"')
    html = chrome.replace("</header>", '<a href="/news/politics/in-the-header">h</a></header>') + \
        '<main><a href="/news/politics/in-main">m</a></main><footer><a href="/news/politics/in-footer">f</a></footer>'
    assert [c.url for c in extract_cards(html, SITE + "/")] == [SITE + "/news/politics/in-main"]


def test_page_past_the_end_has_no_cards():
    assert extract_cards(listing_page(), SITE + "/news/politics?page=99") == []


def test_nav_gives_every_section_and_region_listing_but_no_group_or_live():
    urls = extract_nav(SEED, MIRROR + "/")
    assert urls[0] == SITE + "/news/politics"
    assert SITE + "/in-pictures" in urls and SITE + "/region/us-canada" in urls
    assert len(urls) == 19 + 8 == len(set(urls))
    assert not {SITE + "/news", SITE + "/articles", SITE + "/videos", SITE + "/live"} & set(urls)
    assert all(u.startswith(SITE + "/") for u in urls)


def test_nav_skips_other_hosts():
    html = SEED.replace('<a href="/news/economy">', '<a href="https://example.org/news/economy">')
    assert SITE + "/news/economy" not in extract_nav(html, SITE + "/")


def test_tag_links_canonical_in_order():
    html = SEED.replace('<li><a href="/tags/Armenia">Armenia</a></li>',
                        '<li><a href="/tags/Armenia">Armenia</a></li><li><a href="/tags/US/">US</a></li>')
    assert extract_tag_links(html, MIRROR + "/news/politics/x") == [
        SITE + "/tags/Azerbaijan", SITE + "/tags/Ilham%20Aliyev", SITE + "/tags/US",
        SITE + "/tags/Nikol%20Pashinyan", SITE + "/tags/Blinken", SITE + "/tags/Armenia",
    ]


@pytest.mark.parametrize("html", ["", b"\xff\xfe", "<", "<div class='listing'><div class='card'>"])
def test_hostile_listing_never_raises(html):
    assert extract_cards(html, SITE + "/") == []
    assert extract_nav(html, SITE + "/") == []
    assert extract_tag_links(html, SITE + "/") == []

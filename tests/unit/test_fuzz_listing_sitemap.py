"""Hostile listing pages and sitemaps: always a list of well-formed results, never an exception."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawl.extract.listing import Card, extract_cards, extract_nav, extract_tag_links
from newscrawl.extract.sitemap import SitemapEntry, parse_sitemap_index, parse_urlset

PAGE = "https://english.almayadeen.net/news/politics?page=2"
FUZZ = settings(max_examples=30, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
pytestmark = pytest.mark.timeout(120)


def check_listing(html) -> None:
    cards = extract_cards(html, PAGE)
    assert all(isinstance(c, Card) and c.url.startswith(("http://", "https://")) for c in cards)
    assert all(c.date is None or isinstance(c.date, date) for c in cards)
    for links in (extract_nav(html, PAGE), extract_tag_links(html, PAGE)):
        assert all(isinstance(u, str) and u.startswith("https://english.almayadeen.net/") for u in links)


def check_sitemap(xml) -> None:
    for entries in (parse_sitemap_index(xml), parse_urlset(xml)):
        for entry in entries:
            assert isinstance(entry, SitemapEntry) and isinstance(entry.loc, str) and entry.loc
            assert entry.lastmod is None or (isinstance(entry.lastmod, datetime) and entry.lastmod.tzinfo)


def card(href: str, when: str) -> str:
    return (f'<div class="card"><a class="card__link" href="{href}"><h3 class="card__title">T</h3></a>'
            f'<span class="card__section">Politics</span><span class="card__date">{when}</span></div>')


HREFS = st.one_of(st.text(max_size=60), st.sampled_from([
    "javascript:alert(1)", "data:text/html,<script>1</script>", "//evil.example/x", "mailto:a@b", "#top",
    "/news/politics/a?utm_source=x", "http://[::1", "http://a:-1/", "https://english.almayadeen.net/" + "a" * 5000,
    "\x00/news", "/news/politics/%ZZ", "https://user:pw@english.almayadeen.net/news/politics/x"]))
DATES = st.one_of(st.text(max_size=30), st.sampled_from([
    "31 Feb 2024", "00 Jan 0000", "01 Jan 9999", "99 Abc 2024", "1 Jan 99999999999999999999", "10 Nov 2025"]))


@FUZZ
@given(st.lists(st.tuples(HREFS, DATES), max_size=20))
def test_listing_with_hostile_cards(cards):
    check_listing('<html><body><div class="listing">' + "".join(card(h, d) for h, d in cards) + "</div></body></html>")


@FUZZ
@given(st.lists(HREFS, max_size=20))
def test_nav_and_tags_with_hostile_links(hrefs):
    links = "".join(f'<a href="{h}">x</a>' for h in hrefs)
    check_listing(f'<nav class="main-nav">{links}</nav><ul class="regions-list"><li>{links}</li></ul>'
                  f'<div class="tags-list">{links}</div>')


@pytest.mark.parametrize("href", ["http://[::1", "A://["])
def test_one_bad_href_does_not_lose_the_listing(href):
    good = card("/news/politics/a", "1 Jan 2024")
    cards = extract_cards(f'<div class="listing">{card(href, "1 Jan 2024")}{good}</div>', PAGE)
    assert [c.url for c in cards] == ["https://english.almayadeen.net/news/politics/a"]


@FUZZ
@given(st.one_of(st.binary(max_size=4096), st.text(max_size=2048)))
def test_listing_from_random_input(data):
    check_listing(data)


def test_deep_and_huge_listings():
    check_listing('<div class="listing">' + "<div>" * 50_000 + card("/news/politics/a", "1 Jan 2024") + "</div>" * 50_000)
    many = '<div class="listing">' + "".join(card(f"/news/politics/a-{i}", "1 Jan 2024") for i in range(60_000)) \
        + "</div>"
    assert len(many) > 10 * 1024 * 1024
    cards = extract_cards(many, PAGE)
    assert len(cards) == 60_000 and cards[0].date == cards[-1].date == date(2024, 1, 1)
    assert cards[-1].url == "https://english.almayadeen.net/news/politics/a-59999"


# --- sitemaps --------------------------------------------------------------------

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
LASTMODS = st.one_of(st.text(max_size=40), st.sampled_from([
    "0000-01-01", "9999-12-31T23:59:59Z", "2099-01-01", "2024-13-45", "2024-05-30T25:99:00+03:00",
    "99999999999999999999-01-01", "2024-05-30T23:49:00+99:00", "-1", "2024-05-30T23:49:00"]))


def urlset(entries) -> str:
    body = "".join(f"<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>" for loc, lastmod in entries)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}>{body}</urlset>'


@FUZZ
@given(st.lists(st.tuples(HREFS, LASTMODS), max_size=20))
def test_urlset_with_hostile_entries(entries):
    check_sitemap(urlset(entries))


@FUZZ
@given(st.one_of(st.binary(max_size=4096), st.text(max_size=2048)))
def test_sitemap_from_random_input(data):
    check_sitemap(data)


@FUZZ
@given(st.integers(min_value=0, max_value=2000), st.binary(min_size=1, max_size=32))
def test_sitemap_cut_or_spliced(at, junk):
    raw = urlset([(f"https://english.almayadeen.net/news/politics/a{i}", "2024-05-30") for i in range(40)]).encode()
    check_sitemap(raw[:at])
    check_sitemap(raw[:at] + junk + raw[at:])


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + f']><urlset {NS}><url><loc>&lol9;</loc></url></urlset>')
EXTERNAL_ENTITY = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   f'<urlset {NS}><url><loc>https://english.almayadeen.net/news/politics/&xxe;</loc></url></urlset>')


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "xxe"])
def test_entities_are_never_expanded(xml):
    entries = parse_urlset(xml)
    assert all("lollol" not in e.loc and "root:" not in e.loc for e in entries)
    check_sitemap(xml)


def test_deep_and_huge_sitemaps():
    check_sitemap(f"<urlset {NS}>" + "<x>" * 50_000 + "<url><loc>a</loc></url>" + "</x>" * 50_000 + "</urlset>")
    big = urlset([(f"https://english.almayadeen.net/news/politics/a{i}", "2024-05-30T10:00:00+03:00")
                  for i in range(120_000)])
    assert len(big) > 10 * 1024 * 1024
    entries = parse_urlset(big)
    assert len(entries) == 120_000 and entries[-1].lastmod.utcoffset() is not None


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "ascii"])
def test_declared_encodings_other_than_utf8(encoding):
    xml = urlset([("https://english.almayadeen.net/news/politics/caf\u00e9", "2024-05-30")])
    data = xml.replace('encoding="UTF-8"', f'encoding="{encoding}"').encode(encoding, errors="replace")
    check_sitemap(data)

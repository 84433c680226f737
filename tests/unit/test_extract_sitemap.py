"""Sitemap index and urlset parsing."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawl.extract.sitemap import SitemapEntry, parse_sitemap_index, parse_urlset

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
SITE = "https://english.almayadeen.net"


def urlset(body: str, ns: str = NS) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{body}</urlset>'


def test_index_with_namespace():
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {NS}>'
           f"<sitemap><loc>\n  {SITE}/sitemaps/all/sitemap-2024-5.xml  \n</loc><lastmod>2024-05-31T10:00:00+03:00</lastmod></sitemap>"
           f"<sitemap><loc>{SITE}/sitemaps/all/sitemap-2024-4.xml</loc></sitemap></sitemapindex>")
    assert parse_sitemap_index(xml.encode()) == [
        SitemapEntry(f"{SITE}/sitemaps/all/sitemap-2024-5.xml", datetime(2024, 5, 31, 7, 0, tzinfo=timezone.utc)),
        SitemapEntry(f"{SITE}/sitemaps/all/sitemap-2024-4.xml", None),
    ]


@pytest.mark.parametrize("ns", [NS, ""])
def test_urlset_with_and_without_namespace(ns):
    xml = urlset(f"<url><loc>{SITE}/news/politics/a</loc><lastmod>2024-05-30T23:49:00Z</lastmod></url>"
                 f"<url><loc>{SITE}/news/politics/b</loc><lastmod>2024-05-30</lastmod></url>", ns)
    assert parse_urlset(xml) == [
        SitemapEntry(f"{SITE}/news/politics/a", datetime(2024, 5, 30, 23, 49, tzinfo=timezone.utc)),
        SitemapEntry(f"{SITE}/news/politics/b", datetime(2024, 5, 30, tzinfo=timezone.utc)),
    ]


def test_lastmod_unparseable_is_none_and_entries_without_loc_are_skipped():
    xml = urlset(f"<url><loc>{SITE}/a</loc><lastmod>last week</lastmod></url><url><lastmod>2024-01-01</lastmod></url>")
    assert parse_urlset(xml) == [SitemapEntry(f"{SITE}/a", None)]


def test_lastmod_is_tz_aware_utc():
    entry = parse_urlset(urlset(f"<url><loc>{SITE}/a</loc><lastmod>2024-07-01T12:00:00+03:00</lastmod></url>"))[0]
    assert entry.lastmod.utcoffset().total_seconds() == 0 and entry.lastmod.hour == 9


def test_index_and_urlset_do_not_mix():
    xml = urlset(f"<url><loc>{SITE}/a</loc></url>")
    assert parse_sitemap_index(xml) == []


def test_truncated_xml_gives_what_was_read():
    xml = urlset(f"<url><loc>{SITE}/a</loc></url><url><loc>{SITE}/b</loc></url><url><loc>{SITE}/c")
    xml = xml[: xml.index("</urlset>")]
    assert [e.loc for e in parse_urlset(xml)][:2] == [f"{SITE}/a", f"{SITE}/b"]


def test_entities_are_not_expanded():
    xml = ('<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd"><!ENTITY y "boom">]>'
           f"<urlset {NS}><url><loc>{SITE}/a&y;</loc></url></urlset>")
    locs = [e.loc for e in parse_urlset(xml)]
    assert all("root:" not in loc and "boom" not in loc for loc in locs)


@pytest.mark.parametrize("xml", ["", b"", "not xml at all", b"\xff\xfe\x00\x01", "<urlset", "<<<>>>"])
def test_malformed_never_raises(xml):
    assert parse_urlset(xml) == []
    assert parse_sitemap_index(xml) == []

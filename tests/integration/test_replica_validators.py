"""Validators everywhere cacheable (issue 22): the home page, every listing page and the sitemaps carry a
strong ETag and a Last-Modified and answer conditional requests with 304, as article pages do."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

import pytest
from parsel import Selector

from tests.integration.test_replica_conditional import http_date, request
from tests.integration.test_replica_pages import BEIRUT, canonical_url
from tests.replica.model import SiteModel
from tests.replica.routes import resolve

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
EMPTY_PAGE = datetime(2022, 1, 1, tzinfo=BEIRUT)  # the fixed Last-Modified of a page that shows nothing
CARD_LINKS = "div.listing a.card__link, h2.teaser__title a, div.news-item > a"




def check_etag(headers: dict, body: bytes) -> None:
    etag = headers["ETag"] if "ETag" in headers else headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag) and etag.strip('"') == hashlib.sha256(body).hexdigest()[:32]


def listing_paths(model: SiteModel) -> list[str]:
    paths = []
    for key in sorted(model.listings(1)):
        path = "/tags/" + quote(key[4:]) if key.startswith("tag:") else key
        paths += [path, path + "?page=2", path + "?pg=2"]
    return paths


@pytest.mark.parametrize("options", [{}, {"markup": 2}, {"edition": "ar", "unknown_listings": True}])
def test_every_listing_page_has_validators_from_what_it_shows(options):
    model = SiteModel(seed=2, articles=80, **options)
    site = model.edition.host
    truth = {d["url"]: d for d in model.truth()}
    pages = 0
    for path in listing_paths(model):
        response = resolve(model, 1, path)
        assert response.status == 200, path
        check_etag(response.headers, response.body)
        hrefs = Selector(text=response.body.decode()).css(CARD_LINKS).xpath("@href").getall()
        shown = [truth[canonical_url(h, f"https://{site}/", (), site)] for h in hrefs]
        expected = max((d["modified_at"] or d["published_at"] for d in shown), default=EMPTY_PAGE)
        assert parsedate_to_datetime(response.headers["Last-Modified"]) == expected, path
        pages += bool(shown)
    assert pages >= 20


@pytest.mark.parametrize("options", [{}, {"sitemap_lastmod": "build"}, {"edition": "ar", "sitemap_news": True}])
def test_sitemaps_have_validators_from_their_lastmods(options):
    model = SiteModel(seed=2, articles=80, **options)
    index = resolve(model, 1, "/sitemaps/all.xml")
    check_etag(index.headers, index.body)
    files = [(item.find("sm:loc", NS).text, datetime.fromisoformat(item.find("sm:lastmod", NS).text))
             for item in ElementTree.fromstring(index.body).findall("sm:sitemap", NS)]
    now = datetime.now(UTC)
    past = [lastmod for _, lastmod in files if lastmod <= now]
    assert len(past) < len(files)  # the 2099 article's file: its lastmod is no modification time
    assert parsedate_to_datetime(index.headers["Last-Modified"]) == max(past)
    for loc, _ in files:
        month = resolve(model, 1, urlsplit(loc).path)
        check_etag(month.headers, month.body)
        stamps = [datetime.fromisoformat(e.text) for e in ElementTree.fromstring(month.body).findall("sm:url/sm:lastmod", NS)]
        stamps = [s for s in stamps if s <= now]
        assert parsedate_to_datetime(month.headers["Last-Modified"]) == max(stamps, default=EMPTY_PAGE), loc


def test_conditional_requests_on_home_listings_and_sitemaps(replica):
    paths = ["/", "/news/politics", "/news/politics?page=3", "/news/politics?page=999", "/news", "/region/mena",
             "/tags/Palestine", "/sitemaps/all.xml"]
    first = {}
    for path in paths:
        status, headers, body = request(replica, path)
        assert status == 200 and headers["content-length"] == str(len(body))
        check_etag(headers, body)
        first[path] = headers
    month = re.search(rb"<loc>https://english.almayadeen.net(/sitemaps/all/sitemap-2025-\d+\.xml)</loc>",
                      request(replica, "/sitemaps/all.xml")[2])[1].decode()
    first[month] = request(replica, month)[1]
    assert parsedate_to_datetime(first["/news/politics?page=999"]["last-modified"]) == EMPTY_PAGE
    replica.clear_log()
    for path, headers in first.items():
        modified = parsedate_to_datetime(headers["last-modified"])
        for conditions in ({"If_None_Match": headers["etag"]}, {"If_None_Match": "*"},
                           {"If_Modified_Since": headers["last-modified"]},
                           {"If_Modified_Since": http_date(modified + timedelta(hours=1))}):
            status, got, body = request(replica, path, **conditions)
            assert status == 304 and body == b"" and got["etag"] == headers["etag"], (path, conditions)
        for conditions in ({"If_None_Match": '"other"'},
                           {"If_Modified_Since": http_date(modified - timedelta(seconds=1))},
                           {"If_None_Match": '"other"', "If_Modified_Since": headers["last-modified"]}):
            assert request(replica, path, **conditions)[0] == 200, (path, conditions)
    log = replica.requests()
    assert [e["status"] for e in log].count(304) == 4 * len(first) and len(log) == 7 * len(first)


def test_epoch_two_changes_the_home_pages_validators(replica):
    _, before, _ = request(replica, "/")
    replica.control(epoch=2)
    try:
        status, after, _ = request(replica, "/", If_None_Match=before["etag"])
        assert status == 200 and after["etag"] != before["etag"]
        assert parsedate_to_datetime(after["last-modified"]) > parsedate_to_datetime(before["last-modified"])
        assert parsedate_to_datetime(after["last-modified"]) >= datetime(2025, 12, 1, tzinfo=BEIRUT)
        assert request(replica, "/", If_Modified_Since=before["last-modified"])[0] == 200
    finally:
        replica.control(epoch=1)
    assert request(replica, "/", If_None_Match=before["etag"])[0] == 304

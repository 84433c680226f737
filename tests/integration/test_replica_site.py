"""Listings, pagination, sitemaps, robots.txt, 404, the ticker, epochs and reachability over HTTP."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from collections import deque
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from parsel import Selector

from tests.integration.test_replica_pages import canonical_url, normalise_text
from tests.replica.model import PAGE_SIZE, SiteModel

UA = "Mozilla/5.0 (X11; Linux x86_64) replica-test"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# the site's facts and markup 1's selectors, written out here (SITE.md, docs/CONTRACTS.md)
SITE_URL = "https://english.almayadeen.net"
SITEMAP_INDEX_PATH = "/sitemaps/all.xml"
SITEMAP_MONTH_RE = re.compile(r"/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$")
ARTICLE_PATH_RE = re.compile(r"^/(?:(?:news|articles|videos)/[a-z0-9-]+|infographs|in-pictures)/[^/?#]+$")
CARD_DATE_FORMAT = "%d %b %Y"
NAV_LINKS = "nav.main-nav a[href]"
REGION_LINKS = "ul.regions-list a[href]"


def fetch(url: str) -> tuple[int, str, dict]:
    req = urllib.request.Request(url, headers={"User-Agent": UA})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace"), dict(err.headers)


def local(replica, url: str) -> str:
    parts = urlsplit(url)
    return replica.url + parts.path + (f"?{parts.query}" if parts.query else "")


def canon(replica, href: str, base: str) -> str:
    return canonical_url(href, base, (urlsplit(replica.url).netloc,))


def cards(page: str) -> list[tuple[str, str]]:
    return [(c.css("a.card__link::attr(href)").get(), c.css("span.card__date::text").get())
            for c in Selector(text=page).css("div.listing div.card")]


def all_pages(replica, path: str) -> list[tuple[str, str]]:
    out, n = [], 1
    while True:
        status, page, _ = fetch(f"{replica.url}{path}?page={n}")
        assert status == 200
        found = cards(page)
        if not found:
            assert Selector(text=page).css("div.listing")  # the empty page past the end
            return out
        out += found
        n += 1


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1)


def test_pagination_newest_first_then_an_empty_page(replica, model):
    found = all_pages(replica, "/news/politics")
    expected = [h.url for h in model.listing("/news/politics")]
    assert [canon(replica, href, replica.url + "/") for href, _ in found] == expected
    assert len(found) > 2 * PAGE_SIZE
    dates = [datetime.strptime(d, CARD_DATE_FORMAT) for _, d in found]
    assert dates == sorted(dates, reverse=True)
    status, page, _ = fetch(f"{replica.url}/news/politics?page=999")
    assert status == 200 and not cards(page) and 'class="listing"' in page


def test_tag_and_region_listings(replica, model):
    found = all_pages(replica, "/tags/Ilham%20Aliyev")
    assert [canon(replica, h, replica.url + "/") for h, _ in found] == [h.url for h in model.listing("tag:Ilham Aliyev")]
    found = all_pages(replica, "/region/mena")
    assert {canon(replica, h, replica.url + "/") for h, _ in found} == {h.url for h in model.listing("/region/mena")}


def crawl(replica, follow) -> set[str]:
    """Breadth-first from the home page; ``follow(path, page)`` returns the hrefs to follow."""
    seen, articles = set(), set()
    queue = deque([SITE_URL + "/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        status, page, _ = fetch(local(replica, url))
        assert status == 200, url
        path = urlsplit(url).path
        if ARTICLE_PATH_RE.match(path):
            articles.add(url)
        for href in follow(path, page):
            query = urlsplit(href).query
            keep = "?" + query if query.startswith("page=") else ""  # pagination is the only query that matters
            queue.append(canon(replica, href, replica.url + path) + keep)
    return articles


def test_reachable_by_listings_and_by_tags_is_what_a_crawl_finds(replica, model):
    def listing_pages(path, page):
        if ARTICLE_PATH_RE.match(path):
            return []  # this path never follows links out of an article
        sel = Selector(text=page)
        hrefs = sel.css("div.listing a.card__link::attr(href), a.pagination__next::attr(href)").getall()
        if path == "/":
            nav = sel.css(f"{NAV_LINKS}::attr(href), {REGION_LINKS}::attr(href)").getall()
            hrefs += [h for h in nav if h != "/live"]
        return hrefs

    assert crawl(replica, listing_pages) == model.reachable("listings")

    def tag_pages(path, page):
        sel = Selector(text=page)
        if ARTICLE_PATH_RE.match(path):
            return sel.css("div.tags-list a::attr(href)").getall()
        return sel.css("div.listing a.card__link::attr(href), a.pagination__next::attr(href)").getall()

    assert crawl(replica, tag_pages) == model.reachable("tags")


def test_sitemaps_list_the_sitemap_set_with_lastmod(replica, model):
    status, index, headers = fetch(replica.url + SITEMAP_INDEX_PATH)
    assert status == 200 and "xml" in headers["Content-Type"]
    truth = {d["url"]: d for d in model.truth()}
    listed = {}
    for loc in ElementTree.fromstring(index).findall("sm:sitemap/sm:loc", NS):
        assert SITEMAP_MONTH_RE.search(loc.text) and loc.text.startswith(SITE_URL)
        assert not re.search(r"-0\d\.xml$", loc.text)  # months are not zero-padded
        status, month, _ = fetch(local(replica, loc.text))
        assert status == 200
        for entry in ElementTree.fromstring(month).findall("sm:url", NS):
            url, lastmod = entry.find("sm:loc", NS).text, entry.find("sm:lastmod", NS).text
            assert re.search(r"T\d\d:\d\d:00\+0[23]:00$", lastmod)
            listed[url] = datetime.fromisoformat(lastmod).astimezone(UTC)
    assert set(listed) == model.reachable("sitemaps")
    for url, lastmod in listed.items():
        assert lastmod == (truth[url]["modified_at"] or truth[url]["published_at"])


def test_robots_404_and_static(replica):
    status, robots, _ = fetch(replica.url + "/robots.txt")
    assert status == 200
    assert "Disallow: /search" in robots and "Disallow: /live" in robots
    assert f"Sitemap: {SITE_URL}{SITEMAP_INDEX_PATH}" in robots
    status, page, _ = fetch(replica.url + "/news/politics/no-such-article")
    assert status == 404 and 'class="site-header"' in page
    status, _, _ = fetch(replica.url + "/sitemaps/all/sitemap-1999-1.xml")
    assert status == 404
    status, _, headers = fetch(replica.url + "/static/placeholder.png")
    assert status == 200 and headers["Content-Type"] == "image/png"


def test_ticker_only_through_the_json_endpoint(replica, model):
    status, data, _ = fetch(replica.url + "/api/breaking.json")
    items = json.loads(data)["items"]
    assert status == 200 and len(items) == len(model.ticker())
    served = [{"text": canon_text(i["text"]), "url": i["url"] and canon(replica, i["url"], replica.url + "/")}
              for i in items]
    assert served == model.ticker()
    status, js, _ = fetch(replica.url + "/static/ticker.js")
    assert status == 200 and "/api/breaking.json" not in js and "ticker__item" in js
    for path in ("/", "/news/politics", model.variants["rich_body"][0][len(SITE_URL):]):
        _, page, _ = fetch(replica.url + path)
        assert '<div id="ticker" class="ticker" data-source="/api/breaking.json"></div>' in page
        assert not any(line["text"][:40] in page for line in model.ticker())


def canon_text(raw: str) -> str:
    return normalise_text(raw)


def test_epoch_switch_live(replica):
    one, two = SiteModel(seed=1, articles=300, epoch=1), SiteModel(seed=1, articles=300, epoch=2)
    new_url = sorted(two.added(2))[0]
    changed_url = sorted(two.changed(2))[0]
    assert fetch(local(replica, new_url))[0] == 404
    assert replica.control(epoch=2)["epoch"] == 2
    assert fetch(local(replica, new_url))[0] == 200
    _, index, _ = fetch(replica.url + SITEMAP_INDEX_PATH)
    sitemap_urls = set()
    for loc in ElementTree.fromstring(index).findall("sm:sitemap/sm:loc", NS):
        month = ElementTree.fromstring(fetch(local(replica, loc.text))[1])
        sitemap_urls |= {e.text for e in month.findall("sm:url/sm:loc", NS)}
    assert sitemap_urls == two.reachable("sitemaps")
    assert sitemap_urls - one.reachable("sitemaps") == two.added(2) & two.reachable("sitemaps")
    _, page, _ = fetch(local(replica, changed_url))
    doc = {d["url"]: d for d in two.truth()}[changed_url]
    assert doc["body"].split("\n\n")[-1][:50] in re.sub(r"\s+", " ", html.unescape(page))
    meta = json.loads(Selector(text=page).css("script#tawsiyat-metadata::text").get())
    assert datetime.fromisoformat(meta["last_updated"]) == doc["modified_at"]
    _, data, _ = fetch(replica.url + "/api/breaking.json")
    assert len(json.loads(data)["items"]) == len(two.ticker())
    assert replica.control(epoch=1)["epoch"] == 1
    assert fetch(local(replica, new_url))[0] == 404


def test_same_seed_serves_the_same_bytes(replica_factory):
    a, b = replica_factory(articles=80, seed=5), replica_factory(articles=80, seed=5)
    for path in ("/", "/news/politics?page=2", "/sitemaps/all.xml", "/api/breaking.json"):
        assert fetch(a.url + path)[1] == fetch(b.url + path)[1]

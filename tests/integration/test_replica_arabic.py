"""The Arabic edition over HTTP (--edition ar): pages parse back to the truth, listings, sitemaps, ticker."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import deque
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import pytest
from parsel import Selector

from tests.conftest import ROOT
from tests.integration.test_replica_pages import (
    BEIRUT, COMPARED, Shape, canonical_url, fetch, normalise_text, parse_article, sample, text_of,
)
from tests.replica.model import SiteModel

SITE = "www.almayadeen.net"
SITE_URL = f"https://{SITE}"
SECTIONS = {  # the facts docs/CONTRACTS.md lists for the crawler's Arabic profile
    "news/politics": "سياسة", "news/palestine": "فلسطين", "news/lebanon": "لبنان", "news/economy": "اقتصاد",
    "news/arts-culture": "ثقافة وفنون", "news/sports": "رياضة", "news/technology": "تكنولوجيا",
    "news/health": "صحة", "articles/opinion": "مقالات رأي",
}
MONTHS = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
          "تشرين الثاني", "كانون الأول")
WESTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
ARTICLE_PATH = re.compile(r"^/(?:news/[a-z-]+|articles/opinion)/[^/?#]+$")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def arabic_date(value: str) -> datetime:
    """'13 أيلول 2022 19:36' (or in Arabic-Indic digits) as a naive Beirut time."""
    m = re.match(r"^(\d{1,2}) (.+) (\d{4}) (\d{2}):(\d{2})$", value.translate(WESTERN))
    assert m, value
    return datetime(int(m[3]), MONTHS.index(m[2]) + 1, int(m[1]), int(m[4]), int(m[5]))


def arabic_byline(box) -> dict:
    items = {li.attrib.get("class"): text_of(li) for li in box.css("ul.byline li")}
    minutes = re.search(r"^(\d+) دقائق قراءة$", text_of(box.css("span.read-time")).translate(WESTERN))
    return {"author": items["author"].removeprefix("بقلم "), "source": items.get("source", "").removeprefix("المصدر: "),
            "date": arabic_date(items["date"]), "minutes": minutes and int(minutes.group(1))}


ARABIC = Shape(byline=arabic_byline, read_more="اقرأ أيضاً:", author_split=r"،\s*|\s+و(?=\S)", site_host=SITE,
               arabic=True)


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1, edition="ar")


@pytest.fixture
def replica_ar(replica_factory):
    return replica_factory(articles=300, seed=1, epoch=1, edition="ar")


def path_of(url: str) -> str:
    return url[len(SITE_URL):]


def test_served_articles_parse_back_to_the_truth(replica_ar, model):
    truth = {d["url"]: d for d in model.truth()}
    urls = sample(model)
    assert len(urls) >= 50
    styles = set()
    for url in urls:
        status, page = fetch(replica_ar.url + path_of(url))
        assert status == 200, url
        parsed = parse_article(page, replica_ar.url + path_of(url), ARABIC)
        for field in COMPARED:
            assert parsed[field] == truth[url][field], (url, field)
        assert parsed["visible_date"] == truth[url]["published_at"]
        date_text = text_of(Selector(text=page).css("ul.byline li.date"))
        styles.add("indic" if re.search("[٠-٩]", date_text) else "western")
    assert styles == {"indic", "western"}


def test_pages_are_arabic_right_to_left_with_arabic_chrome(replica_ar, model):
    for path in ("/", "/news/politics", path_of(model.variants["video"][0]), "/nope"):
        page = fetch(replica_ar.url + path)[1]
        assert '<html lang="ar" dir="rtl">' in page, path
        sel = Selector(text=page)
        nav = {a.attrib["href"]: text_of(a) for a in sel.css("nav.main-nav a")}
        assert {h: label for h, label in nav.items() if h != "/"} == {f"/{s}": label for s, label in SECTIONS.items()}
        assert sel.css("ul.lang-links a[href='https://english.almayadeen.net/']")
        box = sel.css("#ticker-box")
        assert box.attrib["data-source"] == "/api/breaking.json" and not box.css("li")
    assert "الصفحة غير موجودة" in fetch(replica_ar.url + "/nope")[1]


def test_metadata_is_arabic(replica_ar, model):
    truth = {d["url"]: d for d in model.truth()}
    url = next(u for u in model.variants["rich_body"] if truth[u]["countries"])
    sel = Selector(text=fetch(replica_ar.url + path_of(url))[1])
    meta = json.loads(sel.css("script#tawsiyat-metadata::text").get())
    assert meta["lang"] == "ar" and meta["url"] == url
    assert [c["value"] for c in meta["classes"] if c["mapping"] == "category"] == [truth[url]["category"]]
    assert [c["value"] for c in meta["classes"] if c["mapping"] == "country"] == truth[url]["countries"]
    assert sel.css('link[rel=canonical]::attr(href)').get() == url
    assert "اقرأ أيضاً: " in "".join(sel.css("div.p-content p strong::text").getall())


def test_request_paths_raw_or_encoded_serve_the_same_article(replica_ar, model):
    head = model.present()[0]
    encoded = fetch(replica_ar.url + head.path)
    assert re.search(r"%[0-9A-F]{2}", head.path) and encoded[0] == 200
    raw = fetch(replica_ar.url + quote(head.raw_path, safe="/"))  # urllib needs bytes encoded; lower-case hex
    lower = fetch(replica_ar.url + re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), head.path) + "/")
    assert raw == encoded and lower == encoded


def test_links_come_raw_encoded_and_tracked(replica_ar, model):
    hrefs = []
    for path in ("/", "/news/politics", "/news/palestine", *(path_of(u) for u in model.variants["rich_body"][:5])):
        sel = Selector(text=fetch(replica_ar.url + path)[1])
        hrefs += sel.css(".news-item a::attr(href), div.p-content a::attr(href), section a::attr(href)").getall()
    hrefs = [h for h in hrefs if "twitter.com" not in h]
    assert any(re.search("[\u0600-\u06ff]", h) for h in hrefs)
    assert any(re.search("%D8|%D9", h) for h in hrefs)
    assert any("utm_source=" in h for h in hrefs)
    mirror = (urlsplit(replica_ar.url).netloc,)
    assert all(canonical_url(h, replica_ar.url + "/", mirror, SITE).startswith(SITE_URL + "/") for h in hrefs)


def test_listings_show_their_first_page_only(replica_ar, model):
    for key in ("/news/politics", "/news/palestine"):
        first = fetch(replica_ar.url + key)[1]
        for query in ("?page=2", "?page=999", "?pg=2"):
            assert fetch(replica_ar.url + key + query)[1] == first
        sel = Selector(text=first)
        items = sel.css("div.news-item")
        assert len(items) == 20 and len(model.listing(key)) > 20
        assert all(item.css("a h3") for item in items)
        button = sel.css("button.loadmorebtn")
        assert button and not button.attrib.get("href") and not sel.css("a[rel=next], .pagination")
        dates = [arabic_date(text_of(i.css("span.news-item__date")) + " 00:00") for i in items]
        assert dates == sorted(dates, reverse=True)


def crawl(replica, follow) -> set[str]:
    mirror = (urlsplit(replica.url).netloc,)
    seen, articles = set(), set()
    queue = deque([SITE_URL + "/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        status, page = fetch(replica.url + path)
        assert status == 200, url
        if ARTICLE_PATH.match(unquote(path)):
            articles.add(url)
        for href in follow(unquote(path), Selector(text=page)):
            queue.append(canonical_url(href, replica.url + path, mirror, SITE))
    return articles


def test_reachable_by_listings_and_by_tags_is_what_a_crawl_finds(replica_ar, model):
    def listings(path, sel):
        if ARTICLE_PATH.match(path):
            return []
        hrefs = sel.css("div.news-item a::attr(href)").getall()
        return hrefs + (sel.css("nav.main-nav a::attr(href)").getall() if path == "/" else [])

    assert crawl(replica_ar, listings) == model.reachable("listings")

    def tags(path, sel):
        if ARTICLE_PATH.match(path):
            return sel.css("div.tags-list a::attr(href)").getall()
        return sel.css("div.news-item a::attr(href)").getall()

    assert crawl(replica_ar, tags) == model.reachable("tags")


def test_sitemaps_have_percent_encoded_locs(replica_ar, model):
    status, index = fetch(replica_ar.url + "/sitemaps/all.xml")
    assert status == 200
    listed = set()
    for loc in ElementTree.fromstring(index).findall("sm:sitemap/sm:loc", NS):
        assert re.match(rf"^{SITE_URL}/sitemaps/all/sitemap-\d{{4}}-\d{{1,2}}\.xml$", loc.text)
        month = ElementTree.fromstring(fetch(replica_ar.url + urlsplit(loc.text).path)[1])
        for entry in month.findall("sm:url/sm:loc", NS):
            hexes = re.findall(r"%(..)", entry.text)
            assert entry.text.isascii() and all(h == h.upper() for h in hexes)
            assert re.search("[\u0600-\u06ff]", unquote(entry.text)) or "untitled" in entry.text
            listed.add(entry.text)
    assert listed == model.reachable("sitemaps")
    assert f"Sitemap: {SITE_URL}/sitemaps/all.xml" in fetch(replica_ar.url + "/robots.txt")[1]


def test_ticker_json_and_script(replica_ar, model):
    items = json.loads(fetch(replica_ar.url + "/api/breaking.json")[1])["items"]
    mirror = (urlsplit(replica_ar.url).netloc,)
    served = [{"text": normalise_text(i["text"], arabic=True),
               "url": i["url"] and canonical_url(i["url"], replica_ar.url + "/", mirror, SITE)} for i in items]
    assert served == model.ticker() and any("\u200f" in i["text"] for i in items)
    script = fetch(replica_ar.url + "/static/ticker.js")[1]
    for name in ("#ticker-box", "ticker-item", "ticker-text", "'li'", "'ul'"):
        assert name in script


def test_tag_pages_by_arabic_name(replica_ar, model):
    tag = "فلسطين"
    page = fetch(replica_ar.url + "/tags/" + quote(tag))[1]
    sel = Selector(text=page)
    assert text_of(sel.css("h1")) == tag and len(sel.css("div.news-item")) == 20
    mirror = (urlsplit(replica_ar.url).netloc,)
    found = [canonical_url(h, replica_ar.url + "/", mirror, SITE) for h in sel.css("div.news-item a::attr(href)").getall()]
    assert found == [h.url for h in model.listing("tag:" + tag)[:20]]


def test_truth_command_for_the_arabic_edition():
    out = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--edition", "ar", "--articles", "40",
                          "--seed", "3"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 40 and {d["site"] for d in docs} == {SITE} and {d["lang"] for d in docs} == {"ar"}
    assert {d["category"] for d in docs} <= set(SECTIONS.values())
    model = SiteModel(seed=3, articles=40, edition="ar")
    assert [d["url"] for d in docs] == [d["url"] for d in model.truth()]
    local = datetime.fromisoformat(docs[0]["published_at"]).astimezone(BEIRUT)
    assert local.tzinfo and datetime.fromisoformat(docs[0]["published_at"]).astimezone(UTC) == \
        model.truth()[0]["published_at"]

"""Issue 21's switches over HTTP: what the Arabic edition shows that a profile does not know (unknown shapes,
region listings), the site's own labels, breadcrumbs, an empty section, linkless listings, undated pages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import deque
from datetime import datetime
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
from parsel import Selector

from tests.conftest import ROOT
from tests.integration.test_replica_pages import BEIRUT, canonical_url, fetch, text_of
from tests.replica.model import SiteModel

AR, EN = "www.almayadeen.net", "english.almayadeen.net"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
SITE_LABELS_AR = {"news/politics": "أخبار سياسية", "news/palestine": "فلسطين", "news/lebanon": "أخبار لبنان",
                  "news/economy": "اقتصاد وأعمال", "news/arts-culture": "ثقافة وفن", "news/sports": "رياضة",
                  "news/technology": "علوم وتكنولوجيا", "news/health": "صحة وطب", "articles/opinion": "مقالات",
                  "videos/news": "فيديو - أخبار", "videos/reports": "فيديو - تقارير",
                  "videos/interviews": "فيديو - مقابلات", "infographs": "إنفوغراف", "in-pictures": "بالصور"}
REGIONS_AR = {"levant": "بلاد الشام", "gulf": "الخليج واليمن", "west-asia": "غرب آسيا", "africa": "أفريقيا",
              "americas": "الأميركيتان", "europe": "أوروبا", "asia": "آسيا"}
# a date as a page writes one: 13 Sep 2022, 13 September 2022, 13 أيلول 2022, 2022-09-13, 2022/09/13
DATE_SHAPES = re.compile(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}|"
                         r"[0-9٠-٩]{1,2} (كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين)|"
                         r"\d{4}[-/]\d{2}[-/]\d{2}")


def site_path(url: str) -> str:
    return urlsplit(url).path


def sitemap_entries(replica) -> dict[str, ElementTree.Element]:
    """loc -> its <url> element, over every monthly sitemap of the index."""
    out = {}
    index = ElementTree.fromstring(fetch(replica.url + "/sitemaps/all.xml")[1])
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        for url in ElementTree.fromstring(fetch(replica.url + site_path(loc.text))[1]).findall("sm:url", NS):
            out[url.find("sm:loc", NS).text] = url
    return out


def crawl_listings(replica, site: str, nav: str = "nav.main-nav a", cards: str = "div.news-item a") -> set[str]:
    """Home, the nav's links, the listings' card links: the article URLs found (a page with
    div.details-white-box is an article, whatever its path)."""
    mirror = (urlsplit(replica.url).netloc,)
    seen, articles, queue = set(), set(), deque([f"https://{site}/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        status, page = fetch(replica.url + site_path(url))
        if site_path(url) == "/live":  # the English nav's live page is not replicated
            continue
        assert status == 200, url
        sel = Selector(text=page)
        if sel.css("div.details-white-box"):
            articles.add(url)
            continue
        follow = cards + (", " + nav if url.endswith("/") else "")
        hrefs = [a.attrib.get("href", "") for a in sel.css(follow)]
        queue.extend(canonical_url(h, replica.url + site_path(url), mirror, site) for h in hrefs)
    return articles


@pytest.fixture(scope="module")
def model_ar():
    return SiteModel(seed=1, articles=300, edition="ar", unknown_shapes=True, unknown_listings=True, labels="site")


@pytest.fixture
def replica_ar(replica_factory):
    return replica_factory(articles=300, seed=1, edition="ar", unknown_shapes=True, unknown_listings=True,
                           labels="site")


def test_arabic_unknown_shapes_and_regions_are_found_as_the_model_says(replica_ar, model_ar):
    assert crawl_listings(replica_ar, AR) == model_ar.reachable("listings")
    entries = sitemap_entries(replica_ar)
    assert set(entries) == model_ar.reachable("sitemaps")
    assert set(model_ar.variants["unknown_shape"]) <= set(entries)
    assert not set(model_ar.variants["region_only"]) & set(entries)


def test_the_nav_links_shapes_and_regions_with_the_sites_labels(replica_ar):
    sel = Selector(text=fetch(replica_ar.url + "/")[1])
    nav = {a.attrib["href"]: text_of(a) for a in sel.css("nav.main-nav a")}
    assert nav == {"/": "الرئيسية", **{f"/{s}": label for s, label in SITE_LABELS_AR.items()},
                   **{f"/region/{r}": label for r, label in REGIONS_AR.items()}}
    assert not sel.css("header div.breadcrumbs, nav div.breadcrumbs")


def test_region_listings_show_their_region_only_articles_on_the_first_page(replica_ar, model_ar):
    mirror = (urlsplit(replica_ar.url).netloc,)
    only, shown = set(model_ar.variants["region_only"]), set()
    for slug, label in REGIONS_AR.items():
        first = fetch(replica_ar.url + f"/region/{slug}")[1]
        assert fetch(replica_ar.url + f"/region/{slug}?page=2")[1] == first
        sel = Selector(text=first)
        assert text_of(sel.css("h1")) == label and len(sel.css("div.news-item")) <= 20
        shown |= {canonical_url(h, replica_ar.url + "/", mirror, AR) for h in sel.css("div.news-item a::attr(href)").getall()}
    assert len(only) >= 8 and only <= shown
    home = Selector(text=fetch(replica_ar.url + "/")[1]).css("div.news-item a::attr(href)").getall()
    assert not only & {canonical_url(h, replica_ar.url + "/", mirror, AR) for h in home}
    for url in sorted(only)[:4]:  # the pages themselves are ordinary, valid articles
        sel = Selector(text=fetch(replica_ar.url + site_path(url))[1])
        assert sel.css("div.p-content > p") and json.loads(sel.css("script#tawsiyat-metadata::text").get() or "{}")


def test_unknown_shape_pages(replica_ar, model_ar):
    docs = {d["url"]: d for d in model_ar.truth()}
    kinds = set()
    for url in model_ar.variants["unknown_shape"]:
        section = unquote(site_path(url))[1:].rsplit("/", 1)[0]
        if section in kinds:
            continue
        kinds.add(section)
        status, page = fetch(replica_ar.url + site_path(url))
        assert status == 200
        sel = Selector(text=page)
        meta = json.loads(sel.css("script#tawsiyat-metadata::text").get())
        assert [c["value"] for c in meta["classes"] if c["mapping"] == "category"] == [SITE_LABELS_AR[section]]
        assert docs[url]["category"] == SITE_LABELS_AR[section]
        assert meta["type"] == ("videoobject" if section.startswith("videos/") else "article")
        assert bool(meta["video_duration"]) == section.startswith("videos/")
        crumbs = [(a.attrib["href"], text_of(a)) for a in sel.css("div.breadcrumbs a")]
        assert crumbs == [("/", "الرئيسية"), (f"/{section}", SITE_LABELS_AR[section])]
        assert sel.css("div.details-white-box") and sel.css("div.p-content > p")
        own_figures = sel.css("div.article-media figure img, div.p-content > figure img")
        assert len(own_figures) == len(docs[url]["images"]) >= (3 if section == "in-pictures" else 0)
        listing = Selector(text=fetch(replica_ar.url + f"/{section}")[1])
        assert text_of(listing.css("h1")) == SITE_LABELS_AR[section] and listing.css("div.news-item")
    assert kinds == set(SITE_LABELS_AR) - {s for s in SITE_LABELS_AR if s.startswith(("news/", "articles/"))}


def test_english_site_labels_in_the_seed_chrome_and_cards(replica_factory):
    rp = replica_factory(articles=120, seed=2, labels="site")
    seed_page = fetch(rp.url + "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight")[1]
    listing = fetch(rp.url + "/news/economy")[1]
    for page in (seed_page, listing):
        nav = {a.attrib["href"]: text_of(a) for a in Selector(text=page).css("nav.main-nav a")}
        assert nav["/news/politics"] == "Politics News" and nav["/news/arts-culture"] == "Arts & Culture"
        assert nav["/in-pictures"] == "Photo Stories" and nav["/articles/opinion"] == "Opinion"
    sel = Selector(text=listing)
    assert text_of(sel.css("h1")) == "Business & Economy"
    assert {text_of(s) for s in sel.css("span.card__section")} == {"Business & Economy"}
    default = fetch(replica_factory(articles=120, seed=2).url + "/news/economy")[1]
    assert text_of(Selector(text=default).css("h1")) == "Economy"


@pytest.mark.parametrize("edition, section, cards, notice", [
    ("en", "news/sports", "div.card", "There are no articles in this section yet."),
    ("ar", "news/lebanon", "div.news-item", "لا توجد مقالات في هذا القسم بعد."),
])
def test_empty_section_over_http(replica_factory, edition, section, cards, notice):
    rp = replica_factory(articles=150, seed=5, edition=edition, empty_section=section, no_tawsiyat=True)
    model = SiteModel(seed=5, articles=150, edition=edition, empty_section=section, no_tawsiyat=True)
    status, page = fetch(rp.url + "/" + section)
    sel = Selector(text=page)
    assert status == 200 and not sel.css(cards) and text_of(sel.css("p.listing-empty")) == notice
    assert sel.css(f"nav.main-nav a[href='/{section}']") and "tawsiyat" not in page
    home = Selector(text=fetch(rp.url + "/")[1])
    assert home.css(f"nav.main-nav a[href='/{section}']")
    assert not [d for d in model.truth() if d["section"] == section]
    moved = model.variants["moved_section"]
    assert moved and fetch(rp.url + site_path(moved[0]))[0] == 200


def test_linkless_listings_over_http(replica_factory):
    rp = replica_factory(articles=150, seed=1, markup_change="listings")
    model = SiteModel(seed=1, articles=150, markup_change="listings")
    mirror = (urlsplit(rp.url).netloc,)
    articles = {d["url"] for d in model.truth()}
    for path in ("/news/politics", "/news", "/region/mena", "/news/politics?page=2"):
        sel = Selector(text=fetch(rp.url + path)[1])
        hrefs = {canonical_url(h, rp.url + path, mirror, EN) for h in sel.css("a::attr(href)").getall()}
        assert not hrefs & articles, path
        cards = sel.css("div.listing div.card[data-href]")
        assert len(cards) == 20 and not sel.css("div.listing a")
        assert {canonical_url(c.attrib["data-href"], rp.url, mirror, EN) for c in cards} <= articles
    assert crawl_listings(rp, EN, "nav.main-nav a, ul.regions-list a", "div.listing a") == model.reachable("listings")
    assert len(model.reachable("listings")) == 24
    tag_page = Selector(text=fetch(rp.url + "/tags/Palestine")[1])
    assert len(tag_page.css("div.listing a.card__link")) == 20
    assert len(Selector(text=fetch(rp.url + "/")[1]).css("div.listing a.card__link")) == 24
    assert rp.control(markup_change="")["markup_change"] == ""
    assert Selector(text=fetch(rp.url + "/news/politics")[1]).css("div.listing a.card__link")
    rp.control(markup_change="listings")
    with pytest.raises(Exception, match="400"):
        rp.control(markup=2)


def test_undated_pages_state_no_date_and_sitemap_news_dates_them(replica_factory):
    options = dict(articles=300, seed=1, unknown_template_rate=0.03, undated=True, sitemap_news=True)
    rp = replica_factory(**options)
    model = SiteModel(seed=1, articles=300, unknown_template=0.03, undated=True, sitemap_news=True)
    docs = {d["url"]: d for d in model.truth()}
    undated = model.variants["undated"]
    assert len(undated) >= 9
    for url in undated:
        page = fetch(rp.url + site_path(url))[1]
        sel = Selector(text=page)
        meta = sel.css("script#tawsiyat-metadata::text").get()  # (broken JSON on some pages, on purpose)
        if meta:
            assert '"published_time": ""' in meta and '"last_updated": ""' in meta
        assert not sel.css('meta[property="article:published_time"], meta[property="article:modified_time"]')
        own = page.split('<section class="most-read">')[0]  # the article's own part; the cards follow
        assert "<time" not in own and not Selector(text=own).css("li.date") and not DATE_SHAPES.search(own), url
        assert docs[url]["modified_at"] is None
    entries = sitemap_entries(rp)
    assert all(e.find("news:news/news:publication_date", NS) is not None for e in entries.values())
    for url in set(undated) & set(entries):
        stated = datetime.fromisoformat(entries[url].find("news:news/news:publication_date", NS).text)
        assert stated == docs[url]["published_at"] and stated.astimezone(BEIRUT).utcoffset().total_seconds() in (7200, 10800)
        assert entries[url].find("sm:lastmod", NS) is not None
    assert not set(undated) & set(model.invalid)


def test_undated_without_sitemap_news_lists_the_day_on_cards(replica_factory):
    rp = replica_factory(articles=300, seed=1, unknown_template=True, undated=True)
    model = SiteModel(seed=1, articles=300, unknown_template=True, undated=True)
    docs = {d["url"]: d for d in model.truth()}
    entries = sitemap_entries(rp)
    assert not any(e.find("news:news", NS) is not None for e in entries.values())
    nowhere = [u for u, r in model.invalid.items() if r == "published date nowhere on the site"]
    assert len(nowhere) >= 3 and set(nowhere) <= set(entries)
    mirror = (urlsplit(rp.url).netloc,)
    found = {}
    for section in ("news/politics", "news/economy", "articles/analysis", "news/environment", "tags/Palestine"):
        page_no = 1
        while True:
            sel = Selector(text=fetch(rp.url + f"/{section}?page={page_no}")[1])
            cards = sel.css("div.listing div.card")
            if not cards:
                break
            for card in cards:
                url = canonical_url(card.css("a::attr(href)").get(), rp.url + "/", mirror, EN)
                found[url] = datetime.strptime(text_of(card.css("span.card__date")), "%d %b %Y").replace(tzinfo=BEIRUT)
            page_no += 1
    carded = [u for u in model.variants["undated"] if u in found]
    assert carded
    for url in carded:
        assert docs[url]["published_at"] == found[url]


def test_truth_command_takes_the_new_options():
    def truth(*args):
        out = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--articles", "60", "--seed", "6", *args],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        return [json.loads(line) for line in out.splitlines()]

    docs = truth("--edition", "ar", "--unknown-shapes", "--unknown-listings", "--labels", "site")
    model = SiteModel(seed=6, articles=60, edition="ar", unknown_shapes=True, unknown_listings=True, labels="site")
    assert [d["url"] for d in docs] == [d["url"] for d in model.truth()]
    assert {d["category"] for d in docs} <= set(SITE_LABELS_AR.values())
    assert any(d["section"] == "in-pictures" for d in docs)
    emptied = truth("--empty-section", "news/politics", "--markup-change", "listings")
    assert emptied and not [d for d in emptied if d["section"] == "news/politics"]
    undated = truth("--unknown-template", "--undated")
    assert sum(d["published_at"] is None for d in undated) >= 3
    for args, message in ((["--unknown-shapes"], "Arabic"), (["--undated"], "unknown-template"),
                          (["--edition", "ar", "--empty-section", "infographs"], "not a section")):
        refused = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--articles", "30", *args],
                                 cwd=ROOT, capture_output=True, text=True)
        assert refused.returncode == 2 and message in refused.stderr, args


def test_sitemap_news_alone_adds_the_publication_date_and_changes_nothing_else(replica_factory):
    rp = replica_factory(articles=120, seed=3, sitemap_news=True)
    plain = replica_factory(articles=120, seed=3)
    model = SiteModel(seed=3, articles=120, sitemap_news=True)
    without = SiteModel(seed=3, articles=120)
    assert model.truth() == without.truth() and model.invalid == without.invalid
    docs = {d["url"]: d for d in model.truth()}
    news, bare = sitemap_entries(rp), sitemap_entries(plain)
    assert set(news) == set(bare) == model.reachable("sitemaps")
    for url, entry in news.items():
        assert entry.find("sm:lastmod", NS).text == bare[url].find("sm:lastmod", NS).text
        stated = entry.find("news:news/news:publication_date", NS).text
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+0[23]:00", stated)
        assert datetime.fromisoformat(stated) == docs[url]["published_at"]
    index = ElementTree.fromstring(fetch(rp.url + "/sitemaps/all.xml")[1])
    for loc in index.findall("sm:sitemap/sm:loc", NS):
        head = fetch(rp.url + site_path(loc.text))[1].split("\n")[1]
        assert head == ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">')


def test_default_arabic_article_pages_have_the_breadcrumb(replica_factory):
    rp = replica_factory(articles=60, seed=4, edition="ar")
    model = SiteModel(seed=4, articles=60, edition="ar")
    labels = {"news/politics": "سياسة", "news/palestine": "فلسطين", "news/lebanon": "لبنان", "news/economy": "اقتصاد",
              "news/arts-culture": "ثقافة وفنون", "news/sports": "رياضة", "news/technology": "تكنولوجيا",
              "news/health": "صحة", "articles/opinion": "مقالات رأي"}
    for doc in model.truth()[:20]:
        sel = Selector(text=fetch(rp.url + site_path(doc["url"]))[1])
        assert [(a.attrib["href"], text_of(a)) for a in sel.css("article div.breadcrumbs a")] == [
            ("/", "الرئيسية"), ("/" + doc["section"], labels[doc["section"]])]
        assert text_of(sel.css("div.breadcrumbs span")) == "/"

"""The model's switches for what a crawler's profile does not know (issue 21), without HTTP: unknown Arabic
shapes and listings, the site's own labels, breadcrumbs, an empty section, linkless listings, undated pages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from tests.replica.model import SiteModel
from tests.replica.routes import resolve

BEIRUT = ZoneInfo("Asia/Beirut")
AR_SITE = "https://www.almayadeen.net"
EN_SITE = "https://english.almayadeen.net"
# the contract (docs/CONTRACTS.md), written out here
SHAPE_LABELS = {"videos/news": "فيديو - أخبار", "videos/reports": "فيديو - تقارير",
                "videos/interviews": "فيديو - مقابلات", "infographs": "إنفوغراف", "in-pictures": "بالصور"}
REGIONS_AR = {"levant": "بلاد الشام", "gulf": "الخليج واليمن", "west-asia": "غرب آسيا", "africa": "أفريقيا",
              "americas": "الأميركيتان", "europe": "أوروبا", "asia": "آسيا"}
REGION_OF = {"لبنان": "levant", "سوريا": "levant", "الأردن": "levant", "فلسطين": "levant", "اليمن": "gulf",
             "قطر": "gulf", "السعودية": "gulf", "العراق": "west-asia", "إيران": "west-asia", "تركيا": "west-asia",
             "مصر": "africa", "جنوب أفريقيا": "africa", "الولايات المتحدة": "americas", "كندا": "americas",
             "فنزويلا": "americas", "كوبا": "americas", "البرازيل": "americas", "روسيا": "europe",
             "أوكرانيا": "europe", "فرنسا": "europe", "ألمانيا": "europe", "الصين": "asia", "الهند": "asia",
             "باكستان": "asia"}
SITE_LABELS_AR = {"news/politics": "أخبار سياسية", "news/palestine": "فلسطين", "news/lebanon": "أخبار لبنان",
                  "news/economy": "اقتصاد وأعمال", "news/arts-culture": "ثقافة وفن", "news/sports": "رياضة",
                  "news/technology": "علوم وتكنولوجيا", "news/health": "صحة وطب", "articles/opinion": "مقالات"}
SITE_LABELS_EN = {"news/politics": "Politics News", "news/economy": "Business & Economy", "news/sports": "Sports",
                  "news/arts-culture": "Arts & Culture", "news/health": "Health & Wellness",
                  "news/miscellaneous": "Variety", "news/technology": "Science & Tech",
                  "news/environment": "Climate & Environment", "articles/opinion": "Opinion",
                  "articles/analysis": "In-Depth Analysis", "articles/blog": "Blogs",
                  "articles/features": "Feature Stories", "videos/newsfeed": "News Feed",
                  "videos/video-features": "Video Reports", "videos/explainers": "Explainers",
                  "videos/tv": "TV Shows", "videos/digital-series": "Web Series", "infographs": "Infographics",
                  "in-pictures": "Photo Stories"}


def path_of(url: str) -> str:
    return urlsplit(url).path


def section_of(url: str) -> str:
    return unquote(path_of(url))[1:].rsplit("/", 1)[0]


@pytest.fixture(scope="module")
def plain_ar():
    return SiteModel(seed=1, articles=300, edition="ar")


@pytest.fixture(scope="module")
def shapes():
    return SiteModel(seed=1, articles=300, edition="ar", unknown_shapes=True)


@pytest.fixture(scope="module")
def regions():
    return SiteModel(seed=1, articles=300, edition="ar", unknown_listings=True)


# --- unknown shapes -----------------------------------------------------------------
def test_unknown_shapes_are_a_sixth_of_the_valid_articles_in_three_kinds(shapes, plain_ar):
    urls = shapes.variants["unknown_shape"]
    valid = 300 - len(plain_ar.invalid) - len(plain_ar.duplicates)
    assert 12 <= len(urls) and 0.15 * valid <= len(urls) <= 0.20 * valid
    kinds = Counter(section_of(u) for u in urls)
    assert set(kinds) == set(SHAPE_LABELS)
    assert kinds["infographs"] >= 4 and kinds["in-pictures"] >= 4
    assert kinds["videos/news"] + kinds["videos/reports"] + kinds["videos/interviews"] >= 4
    assert not set(urls) & (set(shapes.invalid) | set(shapes.duplicates) | set(shapes.duplicates.values()))
    assert "unknown_shape" not in plain_ar.variants


def test_unknown_shape_truth(shapes):
    docs = {d["url"]: d for d in shapes.truth()}
    for url in shapes.variants["unknown_shape"]:
        doc = docs[url]
        section = section_of(url)
        assert re.match(r"^/(videos/(news|reports|interviews)|infographs|in-pictures)/[^/]+$", unquote(path_of(url)))
        assert doc["section"] == section and doc["category"] == SHAPE_LABELS[section]
        assert doc["extraction"] == "site" and doc["lang"] == "ar" and doc["title"] and doc["body"]
        if section.startswith("videos/"):
            assert doc["type"] == "video" and 45 <= doc["video_duration"] <= 1800 and doc["images"] == []
        else:
            assert doc["type"] == "article" and doc["video_duration"] is None
        if section == "in-pictures":
            assert len(doc["images"]) >= 3
        if section == "infographs":
            assert doc["reading_minutes"] is None and len(doc["images"]) == 1


def test_unknown_shapes_are_in_sitemaps_and_listings_of_their_own(shapes):
    urls = set(shapes.variants["unknown_shape"])
    assert urls <= shapes.reachable("sitemaps")
    for section in SHAPE_LABELS:
        listed = [h.url for h in shapes.listing("/" + section)]
        assert listed and set(listed) <= urls
        assert listed == [h.url for h in sorted(shapes.listing("/" + section), key=lambda h: h.published, reverse=True)]
    every = set(shapes.reachable("listings")) | shapes.reachable("tags") | shapes.reachable("sitemaps")
    assert every == {d["url"] for d in shapes.truth()}
    home = Selector(text=resolve(shapes, 1, "/").body.decode())
    nav = [a.attrib["href"] for a in home.css("nav.main-nav a")]
    assert all("/" + s in nav for s in SHAPE_LABELS)


def test_unknown_shape_pages_use_the_normal_article_markup(shapes):
    docs = {d["url"]: d for d in shapes.truth()}
    for url in shapes.variants["unknown_shape"][:12]:
        response = resolve(shapes, 1, path_of(url))
        assert response.status == 200
        sel = Selector(text=response.body.decode())
        assert sel.css("div.details-white-box h1, div.details-white-box h2") and sel.css("div.p-content > p")
        meta = sel.css("script#tawsiyat-metadata::text").get()
        assert f'"value": "{docs[url]["category"]}"' in meta
        assert ('"type": "videoobject"' in meta) == section_of(url).startswith("videos/")


# --- unknown listings (regions) -----------------------------------------------------
def test_region_listings_file_articles_by_country(regions):
    assert {k for k in regions.listing_keys if k.startswith("/region/")} == {f"/region/{r}" for r in REGIONS_AR}
    docs = {d["url"]: d for d in regions.truth()}
    for slug in REGIONS_AR:
        heads = regions.listing(f"/region/{slug}")
        assert heads, slug
        for h in heads:  # (the truth has no countries where the metadata block is missing)
            assert slug in {REGION_OF[c] for c in h.countries}
        stamps = [docs[h.url]["published_at"] for h in heads]
        assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("epoch", [1, 2])
def test_region_only_articles_are_on_their_region_first_pages_and_nowhere_else(epoch):
    model = SiteModel(seed=1, articles=300, epoch=epoch, edition="ar", unknown_listings=True)
    only = set(model.variants["region_only"])
    assert len(only) >= 8 and not only & set(model.invalid)
    docs = {d["url"]: d for d in model.truth()}
    countries = {h.url: h.countries for h in model.present()}
    for url in only:
        firsts = [[h.url for h in model.listing(f"/region/{r}")[:20]] for r in {REGION_OF[c] for c in countries[url]}]
        assert firsts and all(url in first for first in firsts), url
    assert not only & model.reachable("sitemaps") and not only & model.reachable("tags")
    assert only <= model.reachable("regions") and only <= model.reachable("listings")
    assert not only & {h.url for h in model.listing("/")}
    for key, heads in model.listings(epoch).items():
        if not key.startswith("/region/"):
            assert not only & {h.url for h in heads}, key
    assert not only & {u for d in docs.values() for u in d["related_urls"]}
    assert not only & {line["url"] for line in model.ticker()}
    assert model.reachable("listings") | model.reachable("tags") | model.reachable("sitemaps") == set(docs)


def test_regions_path_is_home_and_region_first_pages(regions):
    expected = {h.url for h in regions.listing("/")}
    for slug in REGIONS_AR:
        expected |= {h.url for h in regions.listing(f"/region/{slug}")[:20]}
    assert regions.reachable("regions") == expected


# --- the site's labels ----------------------------------------------------------------
@pytest.mark.parametrize("edition, labels", [("ar", SITE_LABELS_AR), ("en", SITE_LABELS_EN)])
def test_site_labels_are_the_truths_category_and_nothing_else_changes(edition, labels):
    table = SiteModel(seed=2, articles=200, edition=edition)
    site = SiteModel(seed=2, articles=200, edition=edition, labels="site")
    before = {d["url"]: d for d in table.truth()}
    after = site.truth()
    assert {d["url"] for d in after} == set(before)
    for doc in after:
        assert doc["category"] == labels[doc["section"]]
        assert {**doc, "category": before[doc["url"]]["category"]} == before[doc["url"]]
    changed = {d["section"] for d in after if d["category"] != before[d["url"]]["category"]}
    assert len(changed) >= 5


def test_site_labels_on_every_page_part():
    model = SiteModel(seed=2, articles=120, labels="site")
    page = resolve(model, 1, "/news/economy").body.decode()
    sel = Selector(text=page)
    assert sel.css("h1.listing-title::text").get() == "Business & Economy"
    assert sel.css("title::text").get() == "Business & Economy | Al Mayadeen English"
    assert '"title": "Business & Economy"' in sel.css("script#tawsiyat-metadata::text").get()
    assert set(sel.css("span.card__section::text").getall()) == {"Business & Economy"}
    nav = {a.attrib["href"]: a.css("::text").get() for a in sel.css("nav.main-nav a")}
    assert nav["/news/politics"] == "Politics News" and nav["/in-pictures"] == "Photo Stories"
    assert nav["/news/sports"] == "Sports" and nav["/news"] == "News"
    two = SiteModel(seed=2, articles=120, labels="site", markup=2)
    sel = Selector(text=resolve(two, 1, "/").body.decode())
    assert {a.attrib["href"]: a.css("::text").get() for a in sel.css("ul.menu a")}["/videos/tv"] == "TV Shows"
    assert "Science & Tech" in sel.css("span.teaser__cat::text").getall() or "Politics News" in sel.css(
        "span.teaser__cat::text").getall()


# --- breadcrumbs -------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"labels": "site", "unknown_shapes": True}])
def test_arabic_article_pages_have_a_breadcrumb_outside_nav_header_footer(options):
    model = SiteModel(seed=3, articles=60, edition="ar", **options)
    labels = SITE_LABELS_AR if options else {
        "news/politics": "سياسة", "news/palestine": "فلسطين", "news/lebanon": "لبنان", "news/economy": "اقتصاد",
        "news/arts-culture": "ثقافة وفنون", "news/sports": "رياضة", "news/technology": "تكنولوجيا",
        "news/health": "صحة", "articles/opinion": "مقالات رأي"}
    labels = {**labels, **SHAPE_LABELS}
    for doc in model.truth():
        sel = Selector(text=resolve(model, 1, path_of(doc["url"])).body.decode())
        crumbs = sel.css("div.breadcrumbs")
        assert len(crumbs) == 1 and not sel.css("nav div.breadcrumbs, header div.breadcrumbs, footer div.breadcrumbs")
        links = [(a.attrib["href"], a.css("::text").get()) for a in crumbs.css("a")]
        assert links == [("/", "الرئيسية"), ("/" + doc["section"], labels[doc["section"]])]
        assert sel.xpath("//div[@class='breadcrumbs']/following-sibling::div[1]/@class").get() == "details-white-box"


def test_english_pages_have_no_breadcrumb():
    model = SiteModel(seed=3, articles=40)
    assert all("breadcrumbs" not in resolve(model, 1, h.path).body.decode() for h in model.present())


# --- an empty section --------------------------------------------------------------
@pytest.mark.parametrize("edition, section, target", [
    ("en", "news/politics", "news/economy"), ("en", "/infographs", "news/politics"),
    ("en", "videos/tv", "videos/newsfeed"), ("ar", "articles/opinion", "news/politics"),
    ("ar", "news/palestine", "news/politics"),
])
def test_empty_section_moves_its_articles_to_another_section(edition, section, target):
    plain = SiteModel(seed=4, articles=200, edition=edition)
    empty = SiteModel(seed=4, articles=200, edition=edition, empty_section=section)
    name = section.strip("/")
    were = {d["title"] for d in plain.truth() if d["section"] == name and d["title"]}
    docs = empty.truth()
    assert were and not [d for d in docs if d["section"] == name]
    moved = {d["title"] for d in docs if d["url"] in set(empty.variants["moved_section"])}
    assert moved == were
    assert all(d["section"] == target for d in docs if d["title"] in were)
    assert not empty.listing("/" + name) and "/" + name in empty.listing_keys
    assert len(docs) == len(plain.truth())


def test_empty_section_page_says_so_in_the_same_chrome():
    model = SiteModel(seed=4, articles=120, empty_section="news/sports", no_tawsiyat=True)
    sel = Selector(text=resolve(model, 1, "/news/sports").body.decode())
    assert sel.css("p.listing-empty::text").get() == "There are no articles in this section yet."
    assert not sel.css("div.card") and sel.css("nav.main-nav a[href='/news/sports']")
    assert not sel.css("script#tawsiyat-metadata")
    ar = SiteModel(seed=4, articles=60, edition="ar", empty_section="news/health")
    sel = Selector(text=resolve(ar, 1, "/news/health").body.decode())
    assert sel.css("p.listing-empty::text").get() == "لا توجد مقالات في هذا القسم بعد." and not sel.css("div.news-item")


# --- linkless listings -------------------------------------------------------------
def test_linkless_listings_leave_only_the_home_page_to_the_listings_path():
    model = SiteModel(seed=1, articles=300, markup_change="listings")
    home = {h.url for h in model.listing("/")}
    assert len(home) == 24 and model.reachable("listings") == home and model.reachable("regions") == home
    assert model.reachable("tags") == SiteModel(seed=1, articles=300).reachable("tags")
    sel = Selector(text=resolve(model, 1, "/region/mena").body.decode())
    assert len(sel.css("div.card[data-href]")) == 20 and not sel.css("div.listing a")
    assert sel.css("a.pagination__next::attr(href)").get() == "/region/mena?page=2"


# --- undated pages -----------------------------------------------------------------
def test_undated_truth_follows_the_best_date_the_site_gives():
    plain = {d["url"]: d for d in SiteModel(seed=1, articles=300, unknown_template=True).truth()}
    model = SiteModel(seed=1, articles=300, unknown_template=True, undated=True)
    undated = set(model.variants["undated"])
    assert undated == set(model.variants["unknown_template"]) and len(undated) >= 6
    sitemap_only = undated - model.reachable("listings") - model.reachable("tags")
    assert len(sitemap_only) >= 3
    assert {u: r for u, r in model.invalid.items() if u in undated} == dict.fromkeys(
        sitemap_only, "published date nowhere on the site")
    for doc in model.truth():
        url = doc["url"]
        if url not in undated:
            continue
        assert doc["modified_at"] is None and doc["extraction"] == "generic"
        if url in sitemap_only:
            assert doc["published_at"] is None
        else:  # markup 1: a card says the day only
            day = plain[url]["published_at"].astimezone(BEIRUT).date()
            assert doc["published_at"] == datetime(day.year, day.month, day.day, tzinfo=BEIRUT)
            assert doc["published_at"].utcoffset().total_seconds() == 0


def test_undated_with_sitemap_news_or_markup_two_is_exact():
    plain = {d["url"]: d for d in SiteModel(seed=1, articles=300, unknown_template=True).truth()}
    news = SiteModel(seed=1, articles=300, unknown_template=True, undated=True, sitemap_news=True)
    assert not set(news.variants["undated"]) & set(news.invalid)
    two = SiteModel(seed=1, articles=300, unknown_template=True, undated=True, markup=2)
    docs = {d["url"]: d for d in news.truth()}
    in_sitemaps = news.reachable("sitemaps")
    assert len(set(news.variants["undated"]) & in_sitemaps) >= 5
    for url in news.variants["undated"]:
        if url in in_sitemaps:
            assert docs[url]["published_at"] == plain[url]["published_at"]
        else:  # a tags-only page is in no sitemap: its cards say the day
            local = docs[url]["published_at"].astimezone(BEIRUT)
            assert local.date() == plain[url]["published_at"].astimezone(BEIRUT).date()
            assert (local.hour, local.minute) == (0, 0)
    docs = {d["url"]: d for d in two.truth()}
    dated = [u for u in two.variants["undated"] if u not in two.invalid]
    assert len(dated) >= 3 and len(two.variants["undated"]) - len(dated) >= 3
    for url in dated:  # markup 2's cards carry <time datetime>: exact
        assert docs[url]["published_at"] == plain[url]["published_at"]


def test_undated_arabic_pages_dated_nowhere_are_invalid():
    model = SiteModel(seed=1, articles=300, edition="ar", unknown_template=0.05, undated=True)
    docs = {d["url"]: d for d in model.truth()}
    for url in model.variants["undated"]:
        assert (docs[url]["published_at"] is None) == (model.invalid.get(url) == "published date nowhere on the site")
        if docs[url]["published_at"] is not None:
            local = docs[url]["published_at"].astimezone(BEIRUT)
            assert (local.hour, local.minute) == (0, 0)


def test_undated_pages_are_linked_from_no_other_article():
    model = SiteModel(seed=1, articles=300, unknown_template=0.05, undated=True)
    undated = set(model.variants["undated"])
    assert not undated & {u for d in model.truth() for u in d["related_urls"]}
    assert not undated & {h.url for h in model.link_targets}


@pytest.mark.parametrize("options, message", [
    ({"unknown_shapes": True}, "Arabic"), ({"unknown_listings": True}, "Arabic"),
    ({"labels": "own"}, "labels"), ({"empty_section": "news/nothing"}, "not a section"),
    ({"edition": "ar", "empty_section": "news/miscellaneous"}, "not a section"),
    ({"empty_section": "infographs", "edition": "ar"}, "not a section"),
    ({"undated": True}, "unknown-template"), ({"markup_change": "listings", "markup": 2}, "listings"),
    ({"markup_change": "listings", "edition": "ar"}, "listings"), ({"markup_change": "footer"}, "markup_change"),
])
def test_bad_combinations_are_refused_with_a_message(options, message):
    with pytest.raises(ValueError, match=message):
        SiteModel(seed=1, articles=30, **options)

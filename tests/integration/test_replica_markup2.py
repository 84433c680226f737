"""Markup 2 over HTTP: the same truth in other assumed markup, script-driven listings, tag pages by rel=next."""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from tests.integration.test_replica_pages import (
    COMPARED, SITE_URL, VISIBLE_DATE, Shape, canonical_url, fetch, parse_article, sample, text_of,
)
from tests.replica.model import SiteModel

ARTICLE_PATH = re.compile(r"^/(?:(?:news|articles|videos)/[a-z0-9-]+|infographs|in-pictures)/[^/?#]+$")
# what markup 1 draws and markup 2 must not (every assumed element and class of the chrome, cards, byline...)
MARKUP1_ONLY = ("nav", "nav.main-nav", "ul.regions-list", "div.listing", "div.card", "a.card__link",
                "span.card__date", "ul.byline", "div.tags-list", "section.most-read", "section.read-next",
                "nav.pagination", "a.pagination__next", "main", "div.article-media", "span.read-time",
                "div.video-player", "header.site-header", "footer.site-footer", ".article-title")


def markup2_byline(box) -> dict:
    meta = box.css("div.post-meta")
    source = [text_of(p) for p in meta.css("p") if "writer" not in (p.attrib.get("class") or "")]
    minutes = re.search(r"(\d+) Min Read", text_of(box.css("div.article-stats")))
    return {"author": text_of(meta.css("p.writer")).removeprefix("By "),
            "source": source[0].removeprefix("Source: ") if source else "",
            "date": datetime.strptime(text_of(meta.css("time")), VISIBLE_DATE),
            "minutes": minutes and int(minutes.group(1))}


MARKUP2 = Shape(byline=markup2_byline, figures="div.cover figure, div.p-content > figure", tags="ul.keywords a")


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1, markup=2)


@pytest.fixture
def replica2(replica_factory):
    return replica_factory(articles=300, seed=1, epoch=1, markup=2)


def path_of(url: str) -> str:
    return url[len(SITE_URL):]


def test_served_articles_parse_back_to_the_same_truth(replica2, model):
    truth = {d["url"]: d for d in model.truth()}
    assert truth == {d["url"]: d for d in SiteModel(seed=1, articles=300, epoch=1).truth()}
    urls = sample(model)
    assert len(urls) >= 50
    for url in urls:
        status, page = fetch(replica2.url + path_of(url))
        assert status == 200, url
        parsed = parse_article(page, replica2.url + path_of(url), MARKUP2)
        for field in COMPARED:
            assert parsed[field] == truth[url][field], (url, field)
        assert parsed["visible_date"] == truth[url]["published_at"]


def test_seen_and_sister_markup_is_kept_exactly(replica_factory, model):
    one, two = replica_factory(articles=300, seed=1), replica_factory(articles=300, seed=1, markup=2)
    kept = ("script#tawsiyat-metadata", "meta", "link[rel=canonical]", "p.lg_para.summary", "div.p-content",
            "div.details-white-box > h1, div.details-white-box > h2", "title")
    for url in sample(model, per_variant=1):
        a, b = Selector(text=fetch(one.url + path_of(url))[1]), Selector(text=fetch(two.url + path_of(url))[1])
        for css in kept:
            inner = [re.sub(r' class="[^"]*"', "", el) for el in a.css(css).getall()]
            assert [re.sub(r' class="[^"]*"', "", el) for el in b.css(css).getall()] == inner, (url, css)
        figures = a.css("div.article-media figure, div.p-content figure").getall()
        assert b.css("div.cover figure, div.p-content figure").getall() == figures
        # the visible byline texts stay, in other elements
        assert text_of(b.css("div.post-meta p.writer")) == text_of(a.css("ul.byline li.author"))
        assert text_of(b.css("div.post-meta time")) == text_of(a.css("ul.byline li.date"))
        assert text_of(b.css("div.article-stats")) == text_of(a.css("span.read-time"))


def test_no_markup1_element_is_left(replica2, model):
    paths = ["/", "/news/politics", "/region/mena", "/tags/Palestine", "/tags/Palestine?pg=2", "/nope",
             path_of(model.variants["video"][0]), path_of(model.variants["rich_body"][0])]
    for path in paths:
        sel = Selector(text=fetch(replica2.url + path)[1])
        assert sel.css("div.top-bar div.menu-wrapper ul.menu a[href='/news/politics']"), path
        for css in MARKUP1_ONLY:
            assert not sel.css(css), (path, css)


def test_cards_have_two_links_to_one_article_and_a_time(replica2, model):
    sel = Selector(text=fetch(replica2.url + "/news/politics")[1])
    teasers = sel.css("section.grid article.teaser")
    assert len(teasers) == 20
    for teaser in teasers:
        hrefs = teaser.css("a::attr(href)").getall()
        assert len(hrefs) == 2 and any("utm_source=" in h for h in hrefs)
        assert len({canonical_url(h, replica2.url + "/", (urlsplit(replica2.url).netloc,)) for h in hrefs}) == 1
        stamp = teaser.css("time::attr(datetime)").get()
        assert datetime.fromisoformat(stamp).tzinfo and re.match(r"^\d{1,2} [A-Z][a-z]+ \d{4}$", text_of(teaser.css("time")))


def test_section_and_region_listings_ignore_page_and_offer_load_more(replica2, model):
    for key in ("/news/politics", "/region/mena", "/news"):
        first = fetch(replica2.url + key)[1]
        assert len(model.listing(key)) > 20
        for query in ("?page=2", "?page=999", "?pg=2"):
            assert fetch(replica2.url + key + query)[1] == first, (key, query)
        button = Selector(text=first).css("button.loadmorebtn")
        assert button and button.attrib.get("data-page") == "2" and not button.attrib.get("href")
        assert not Selector(text=first).css("a[rel=next], link[rel=next]")


def test_tag_listings_page_by_rel_next_with_pg(replica2, model):
    key = "/tags/Palestine"
    expected = [h.url for h in model.listing("tag:Palestine")]
    assert len(expected) > 40
    found, url, pages = [], replica2.url + key, 0
    while url:
        status, page = fetch(url)
        assert status == 200
        sel = Selector(text=page)
        found += [canonical_url(t.css("h2 a::attr(href)").get(), url, (urlsplit(replica2.url).netloc,))
                  for t in sel.css("article.teaser")]
        nxt = sel.css("a[rel=next]::attr(href)").get()
        head_next = sel.css("link[rel=next]::attr(href)").get()
        if nxt:
            assert "pg=" in nxt and "page=" not in nxt and text_of(sel.css("a[rel=next]")) == "Next"
            assert urlsplit(head_next).path == urlsplit(nxt).path and urlsplit(head_next).query == urlsplit(nxt).query
        else:
            assert head_next is None
        url = replica2.url + nxt if nxt else None
        pages += 1
    assert found == expected and pages == -(-len(expected) // 20)
    assert fetch(replica2.url + key + "?page=2")[1] == fetch(replica2.url + key)[1]
    past = Selector(text=fetch(f"{replica2.url}{key}?pg=999")[1])
    assert not past.css("article.teaser") and not past.css("a[rel=next]") and past.css("section.grid")


def crawl(replica, follow) -> set[str]:
    """Breadth-first from the home page; ``follow(path, sel)`` gives the hrefs to follow; ?pg= is kept."""
    mirror = (urlsplit(replica.url).netloc,)
    seen, articles = set(), set()
    queue = deque([SITE_URL + "/"])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        status, page = fetch(replica.url + parts.path + (f"?{parts.query}" if parts.query else ""))
        assert status == 200, url
        if ARTICLE_PATH.match(parts.path):
            articles.add(url)
        for href in follow(parts.path, Selector(text=page)):
            query = urlsplit(href).query
            keep = "?" + query if query.startswith("pg=") else ""
            queue.append(canonical_url(href, replica.url + parts.path, mirror) + keep)
    return articles


def test_reachable_by_listings_and_by_tags_is_what_a_crawl_finds(replica2, model):
    def listings(path, sel):
        if ARTICLE_PATH.match(path):
            return []
        hrefs = sel.css("section.grid article.teaser a::attr(href), a[rel=next]::attr(href)").getall()
        if path == "/":
            menu = sel.css("div.menu-wrapper a::attr(href), div.region-menu a::attr(href)").getall()
            hrefs += [h for h in menu if h != "/live"]
        return hrefs

    found = crawl(replica2, listings)
    assert found == model.reachable("listings")
    assert len(found) < len(SiteModel(seed=1, articles=300, epoch=1).reachable("listings"))

    def tags(path, sel):
        if ARTICLE_PATH.match(path):
            return sel.css("ul.keywords a::attr(href)").getall()
        return sel.css("section.grid article.teaser a::attr(href), a[rel=next]::attr(href)").getall()

    assert crawl(replica2, tags) == model.reachable("tags")


def test_markup_switches_live(replica):
    path = "/news/politics"
    one = fetch(replica.url + path)[1]
    assert replica.control(markup=2)["markup"] == 2
    two = fetch(replica.url + path)[1]
    assert 'class="grid"' in two and 'class="listing"' not in two
    assert replica.control(markup=1)["markup"] == 1
    assert fetch(replica.url + path)[1] == one

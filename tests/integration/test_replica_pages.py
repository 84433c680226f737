"""What the replica serves parses back to its ground truth (an independent little parser)."""

from __future__ import annotations

import html
import json
import re
import unicodedata
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from tests.conftest import ROOT
from tests.replica.model import SiteModel

UA = "Mozilla/5.0 (X11; Linux x86_64) replica-test"
CREDIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$", re.S)
# the site's facts, written out here rather than read from the replica or the crawler
SITE_URL = "https://english.almayadeen.net"
BEIRUT = ZoneInfo("Asia/Beirut")
VISIBLE_DATE = "%d %b %Y %H:%M"  # 13 Sep 2022 19:36
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
BIDI_MARKS = dict.fromkeys([0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def normalise_text(raw: str | None, arabic: bool = False) -> str:
    """SCHEMA.md's text rule, written independently of the replica's own."""
    text = unicodedata.normalize("NFC", html.unescape(raw or "")).translate(ZERO_WIDTH)
    return " ".join((text.translate(BIDI_MARKS) if arabic else text).split())


def canonical_url(href: str, base: str, mirror_hosts: tuple[str, ...] = (),
                  site_host: str = "english.almayadeen.net") -> str:
    """SCHEMA.md's canonical URL of an href on a served page (the replica's host stands for the site)."""
    parts = urlsplit(urljoin(base, href.strip()))
    host = site_host if parts.netloc in mirror_hosts else parts.netloc.lower()
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    return f"https://{host}{path.rstrip('/') or '/'}"


def fetch(url: str) -> tuple[int, str]:
    req = urllib.request.Request(url, headers={"User-Agent": UA})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def text_of(sel) -> str:
    return normalise_text("".join(sel.css("::text").getall()))


def parse_date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def markup1_byline(box) -> dict:
    items = {li.attrib.get("class"): text_of(li) for li in box.css("ul.byline li")}
    minutes = re.search(r"(\d+) Min Read", text_of(box.css("span.read-time")))
    return {"author": items["author"].removeprefix("By "), "source": items.get("source", "").removeprefix("Source: "),
            "date": datetime.strptime(items["date"], VISIBLE_DATE), "minutes": minutes and int(minutes.group(1))}


@dataclass(frozen=True)
class Shape:
    """Where one markup puts the parts this parser reads (the seen/sister parts are the same in all)."""
    byline: Callable = markup1_byline  # div.details-white-box -> {author, source, date (Beirut, naive), minutes}
    figures: str = "div.article-media figure, div.p-content > figure"
    tags: str = "div.tags-list a"
    read_more: str = "Read more:"
    author_split: str = r",\s+|\s+and\s+"
    site_host: str = "english.almayadeen.net"
    arabic: bool = False


MARKUP1 = Shape()


def parse_article(page: str, base: str, shape: Shape = MARKUP1) -> dict:
    sel = Selector(text=page)
    try:
        meta = json.loads(sel.css("script#tawsiyat-metadata::text").get() or "")
    except ValueError:
        meta = {}

    def tag(attr: str, name: str) -> str | None:
        return sel.css(f'meta[{attr}="{name}"]::attr(content)').get()

    def norm(raw):
        return normalise_text(raw, shape.arabic)

    box = sel.css("div.details-white-box")
    lead = norm("".join(sel.css("p.lg_para.summary ::text").getall()))
    paragraphs, related = [], []
    for child in sel.css("div.p-content > *"):
        name = child.root.tag
        if name == "p":
            words = norm("".join(child.css("::text").getall()))
            if words.startswith(shape.read_more):
                related += child.css("a::attr(href)").getall()
            elif words and words != lead:
                paragraphs.append(words)
        elif "dual-related" in (child.attrib.get("class") or ""):
            related += child.css("a::attr(href)").getall()
    images = []
    for fig in sel.css(shape.figures):
        caption = credit = None
        if fig.css("figcaption"):
            caption = text_of(fig.css("figcaption"))
            if m := CREDIT.match(caption):
                caption, credit = m.group(1), m.group(2)
        images.append({"url": fig.css("img::attr(data-src)").get(), "caption": caption, "credit": credit})
    byline = shape.byline(box)
    author = meta.get("author") or tag("name", "author") or byline["author"]
    visible_date = byline["date"].replace(tzinfo=BEIRUT)
    published = parse_date(meta.get("published_time") or tag("property", "article:published_time"))
    duration = meta.get("video_duration") or tag("property", "og:video_duration")
    video = meta.get("type") == "videoobject" if meta else bool(tag("property", "og:video_duration"))
    mirror = (urlsplit(base).netloc,)
    return {
        "title": norm(meta.get("title") if meta else tag("property", "og:title")),
        "visible_title": norm("".join(box.css("h1 ::text, h2 ::text").getall())),
        "description": lead or None,
        "authors": [a for a in re.split(shape.author_split, author) if a],
        "source": byline["source"] or None,
        "published_at": published or visible_date.astimezone(UTC),
        "visible_date": visible_date.astimezone(UTC),
        "modified_at": parse_date(meta.get("last_updated") or tag("property", "article:modified_time")),
        "body": "\n\n".join(paragraphs),
        "images": images,
        "tags": [text_of(a) for a in sel.css(shape.tags)],
        "countries": [c["value"] for c in meta.get("classes", []) if c["mapping"] == "country"],
        "related_urls": list(dict.fromkeys(canonical_url(h, base, mirror, shape.site_host) for h in related)),
        "postid": meta.get("postid") or tag("name", "postid"),
        "type": "video" if video else "article",
        "video_duration": int(duration) if duration else None,
        "reading_minutes": byline["minutes"],
        "has_metadata": bool(meta),
    }


COMPARED = ("title", "description", "authors", "source", "published_at", "modified_at", "body", "images",
            "tags", "countries", "related_urls", "postid", "type", "video_duration", "reading_minutes")


@pytest.fixture(scope="module")
def model():
    return SiteModel(seed=1, articles=300, epoch=1)


def sample(model: SiteModel, per_variant: int = 3) -> list[str]:
    urls = []
    for name, members in sorted(model.variants.items()):
        urls += members[:per_variant]
    return list(dict.fromkeys(urls))


def test_served_articles_parse_back_to_the_truth(replica, model):
    truth = {d["url"]: d for d in model.truth()}
    checked = 0
    for url in sample(model):
        status, page = fetch(replica.url + url[len(SITE_URL):])
        assert status == 200, url
        parsed = parse_article(page, replica.url + url[len(SITE_URL):])
        for field in COMPARED:
            assert parsed[field] == truth[url][field], (url, field)
        assert parsed["visible_date"] == truth[url]["published_at"]
        checked += 1
    assert checked >= 50


def test_variant_markup(replica, model):
    def page_of(url):
        status, page = fetch(replica.url + url[len(SITE_URL):])
        assert status == 200
        return page, parse_article(page, replica.url)

    for url in model.variants["no_metadata"]:
        page, parsed = page_of(url)
        assert "tawsiyat-metadata" not in page and not parsed["has_metadata"]
    for url in model.variants["broken_metadata"]:
        page, parsed = page_of(url)
        assert 'id="tawsiyat-metadata"' in page and not parsed["has_metadata"]
    for url in model.variants["disagreement"]:
        page, parsed = page_of(url)
        assert parsed["visible_title"] != parsed["title"]
    for url in model.variants["date_visible_only"]:
        page, _ = page_of(url)
        assert "article:published_time" not in page and '"published_time": ""' in page
    for url in model.variants["title_h2"]:
        page, _ = page_of(url)
        assert re.search(r'<div class="details-white-box">\s*<h2', page)
    for url in model.variants["video"]:
        page, _ = page_of(url)
        assert '"type": "videoobject"' in page and 'og:video_duration' in page and 'class="video-player"' in page
    for url in model.variants["rich_body"]:
        page, _ = page_of(url)
        for marker in ("Read more: ", 'class="dual-related"', 'class="twitter-tweet"'):
            assert marker in page
    for url in model.variants["several_authors"]:
        _, parsed = page_of(url)
        assert len(parsed["authors"]) >= 2
    non_latin = [page_of(u)[1]["body"] for u in model.variants["non_latin_names"]]
    assert all(re.search(r"[\u0600-\u06ff\u0400-\u04ff\u0370-\u03ff\u4e00-\u9fff]", b) for b in non_latin)


def test_metadata_block_uses_crlf_and_key_order(replica, model):
    url = model.variants["rich_body"][0]
    _, page = fetch(replica.url + url[len(SITE_URL):])
    block = re.search(r'<script id="tawsiyat-metadata" type="text/tawsiyat">(.*?)</script>', page, re.S).group(1)
    assert block.startswith("\r\n{\r\n") and "\n" not in block.replace("\r\n", "")
    keys = list(json.loads(block))
    assert keys == ["type", "postid", "title", "url", "keywords", "thumbnail", "video_duration", "word_count",
                    "lang", "published_time", "last_updated", "description", "author", "classes", "html", "lite_url"]


def test_chrome_is_the_seed_pages(replica, model):
    seed = (ROOT / "tests" / "fixtures" / "seed-article.html").read_text(encoding="utf-8")
    header = re.search(r'<header class="site-header">.*?</header>', seed, re.S).group(0)
    for path in ("/", "/news/politics", "/tags/Gaza", model.variants["video"][0][len(SITE_URL):], "/nope"):
        _, page = fetch(replica.url + path)
        assert header in page, path


def test_link_variants_occur(replica, model):
    hrefs = []
    for key in ("/news/politics", "/news/economy", "/articles/analysis"):
        for n in (1, 2):
            _, page = fetch(f"{replica.url}{key}?page={n}")
            hrefs += Selector(text=page).css("a.card__link::attr(href)").getall()
    for url in model.variants["rich_body"]:
        _, page = fetch(replica.url + url[len(SITE_URL):])
        hrefs += Selector(text=page).css("div.p-content a::attr(href)").getall()
    assert any(h.startswith(SITE_URL) for h in hrefs)
    assert any("utm_source=" in h for h in hrefs)
    assert any(h.endswith("/") and not h.startswith("http") for h in hrefs)
    assert all(canonical_url(h, replica.url + "/", (replica.url.split("//")[1],)).startswith(SITE_URL)
               for h in hrefs if "twitter.com" not in h)

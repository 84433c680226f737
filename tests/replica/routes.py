"""Which page answers a path: (status, content type, body, headers)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica import clock, facts, render_feeds
from tests.replica.markup import chrome
from tests.replica.model import NEXT_LINK, PAGE_SIZE, PAGED, SiteModel
from tests.replica.render_article import Look, render_article
from tests.replica.render_listing import render_home, render_listing, render_listing_arabic, render_listing_markup2

HTML = "text/html; charset=utf-8"
# The seed article (a real page, in the site's markup) is served at its real path, unlinked and
# outside the truth, so that `scrapy check` contracts name one page that exists here and live.
SEED_PATH = "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"
SEED_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "seed-article.html"
SEED_MODIFIED = datetime(2022, 9, 13, 21, 10, tzinfo=clock.TZ)  # its article:modified_time
XML = "application/xml; charset=utf-8"


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # validators of article pages

    @property
    def truncatable(self) -> bool:
        return self.content_type in (HTML, XML)


def page_number(query: str, param: str = facts.PAGE_PARAM) -> int:
    try:
        return max(1, int(parse_qs(query).get(param, ["1"])[0]))
    except ValueError:
        return 1


def resolve(model: SiteModel, epoch: int, raw_path: str, markup_change: str = "") -> Response:
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    edition, markup, no_tawsiyat = model.edition, model.markup, model.no_tawsiyat
    if path == "/":
        return html(render_home(model.listing("/", epoch), model.seed, edition, markup, no_tawsiyat))
    if path == facts.ROBOTS_PATH:
        return Response(200, "text/plain; charset=utf-8", render_feeds.robots(edition).encode())
    if path == facts.SITEMAP_INDEX_PATH:
        return xml(render_feeds.sitemap_index(model.sitemap_months(epoch), epoch, edition,
                                              model.sitemap_file_lastmods(epoch)))
    month = facts.SITEMAP_MONTH_RE.search(path)
    if month and path == facts.SITEMAP_MONTH_PATH.format(year=month[1], month=int(month[2])):
        heads = model.sitemap_months(epoch).get((int(month[1]), int(month[2])))
        if heads:
            built = model.sitemap_built(epoch) if model.sitemap_lastmod == "build" else None
            return xml(render_feeds.sitemap_month(heads, epoch, built))
    if path == facts.TICKER_API_PATH:
        return Response(200, "application/json; charset=utf-8",
                        render_feeds.breaking_json(model.ticker_lines(epoch)).encode())
    if path == facts.TICKER_SCRIPT_PATH:
        script = render_feeds.TICKER_JS_ARABIC if model.arabic else render_feeds.TICKER_JS
        return Response(200, "application/javascript; charset=utf-8", script.encode())
    if path == SEED_PATH and not model.arabic:
        seed = SEED_PAGE.read_bytes()
        if no_tawsiyat:  # no page carries the block, the seed page neither
            seed = re.sub(rb'<script id="tawsiyat-metadata".*?</script>\n', b"", seed, flags=re.S)
        return article_response(seed, SEED_MODIFIED)
    if path == facts.PLACEHOLDER_PATH:
        return Response(200, "image/png", render_feeds.PLACEHOLDER_PNG)
    key = "tag:" + path[len(facts.TAG_PREFIX):] if path.startswith(facts.TAG_PREFIX) else path
    if model.is_listing(key):
        heads, paging = model.listing(key, epoch), model.paging(key)
        if paging == PAGED:
            page = render_listing(key, heads, page_number(parts.query), PAGE_SIZE, model.seed, edition, no_tawsiyat)
        elif model.arabic:
            page = render_listing_arabic(key, heads, PAGE_SIZE, model.seed, edition, no_tawsiyat)
        else:  # markup 2: NEXT_LINK (tags, ?pg=N) or FIRST_PAGE_ONLY (the others)
            paged = paging == NEXT_LINK
            page_no = page_number(parts.query, facts.NEXT_PAGE_PARAM_MARKUP2) if paged else 1
            page = render_listing_markup2(key, heads, page_no, PAGE_SIZE, model.seed, edition, no_tawsiyat, paged)
        return html(page)
    head = model.by_path.get(path)
    if head is not None and head.epoch <= epoch:
        doc = model.document(head, epoch)
        look = Look(markup=markup, markup_change=markup_change if markup == 1 else "", no_tawsiyat=no_tawsiyat,
                    unknown_template="unknown_template" in head.features)
        page = render_article(head, doc, model.body(head.index, epoch), model.link_targets, model.seed, look=look)
        return article_response(page.encode("utf-8"), head.lastmod(epoch))
    return Response(404, HTML, chrome(edition, markup).not_found().encode())


def article_response(body: bytes, last_modified: datetime) -> Response:
    """An article page with its validators: a strong ETag from the bytes, Last-Modified from its times."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Response(200, HTML, body, {"ETag": etag, "Last-Modified": clock.http_date(last_modified)})


def html(page: str) -> Response:
    return Response(200, HTML, page.encode("utf-8"))


def xml(doc: str) -> Response:
    return Response(200, XML, doc.encode("utf-8"))

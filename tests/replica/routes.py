"""Which page answers a path: (status, content type, body)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica import facts, render_feeds
from tests.replica.markup import not_found
from tests.replica.model import PAGE_SIZE, SiteModel
from tests.replica.render_article import render_article
from tests.replica.render_listing import render_home, render_listing

HTML = "text/html; charset=utf-8"
# The seed article (a real page, in the site's markup) is served at its real path, unlinked and
# outside the truth, so that `scrapy check` contracts name one page that exists here and live.
SEED_PATH = "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"
SEED_PAGE = Path(__file__).resolve().parents[1] / "fixtures" / "seed-article.html"
XML = "application/xml; charset=utf-8"


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def truncatable(self) -> bool:
        return self.content_type in (HTML, XML)


def page_number(query: str) -> int:
    try:
        return max(1, int(parse_qs(query).get(facts.PAGE_PARAM, ["1"])[0]))
    except ValueError:
        return 1


def resolve(model: SiteModel, epoch: int, raw_path: str, markup_change: str = "") -> Response:
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    if path == "/":
        return html(render_home(model.listing("/", epoch), model.seed))
    if path == facts.ROBOTS_PATH:
        return Response(200, "text/plain; charset=utf-8", render_feeds.ROBOTS.encode())
    if path == facts.SITEMAP_INDEX_PATH:
        return xml(render_feeds.sitemap_index(model.sitemap_months(epoch), epoch))
    month = facts.SITEMAP_MONTH_RE.search(path)
    if month and path == facts.SITEMAP_MONTH_PATH.format(year=month[1], month=int(month[2])):
        heads = model.sitemap_months(epoch).get((int(month[1]), int(month[2])))
        if heads:
            return xml(render_feeds.sitemap_month(heads, epoch))
    if path == "/api/breaking.json":
        return Response(200, "application/json; charset=utf-8",
                        render_feeds.breaking_json(model.ticker_lines(epoch)).encode())
    if path == "/static/ticker.js":
        return Response(200, "application/javascript; charset=utf-8", render_feeds.TICKER_JS.encode())
    if path == SEED_PATH:
        return Response(200, HTML, SEED_PAGE.read_bytes())
    if path == "/static/placeholder.png":
        return Response(200, "image/png", render_feeds.PLACEHOLDER_PNG)
    key = "tag:" + path[len("/tags/"):] if path.startswith("/tags/") else path
    if model.is_listing(key):
        return html(render_listing(key, model.listing(key, epoch), page_number(parts.query), PAGE_SIZE, model.seed))
    head = model.by_path.get(path)
    if head is not None and head.epoch <= epoch:
        doc = model.document(head, epoch)
        page = render_article(head, doc, model.body(head.index, epoch), model.link_targets, model.seed, markup_change)
        return html(page)
    return Response(404, HTML, not_found().encode())


def html(page: str) -> Response:
    return Response(200, HTML, page.encode("utf-8"))


def xml(doc: str) -> Response:
    return Response(200, XML, doc.encode("utf-8"))

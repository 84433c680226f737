"""Which page answers a path: (status, content type, body, headers)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.replica import clock, facts, render_feeds
from tests.replica.markup import HEADER, chrome
from tests.replica.model import EMPTY_PAGE_MODIFIED, NEXT_LINK, PAGE_SIZE, PAGED, SiteModel
from tests.replica.release import RELEASED_EPOCH
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
    headers: dict[str, str] = field(default_factory=dict)  # validators (ETag, Last-Modified) of cacheable pages

    @property
    def truncatable(self) -> bool:
        return self.content_type in (HTML, XML)


def page_number(query: str, param: str = facts.PAGE_PARAM) -> int:
    try:
        return max(1, int(parse_qs(query).get(param, ["1"])[0]))
    except ValueError:
        return 1


def resolve(model: SiteModel, epoch: int, raw_path: str, markup_change: str = "",
            now: float | None = None) -> Response:
    """The answer to ``raw_path`` at ``epoch``; ``markup_change`` as the server's option (default the model's);
    ``now`` (epoch seconds, default the wall clock): the instant the release clock and Last-Modified see."""
    parts = urlsplit(raw_path)
    path = unquote(parts.path)
    if len(path) > 1:
        path = path.rstrip("/")
    now = time.time() if now is None else now
    edition, markup, no_tawsiyat = model.edition, model.markup, model.no_tawsiyat
    change = markup_change or model.markup_change
    snap = model.snapshot(now) if model.schedule is not None else None

    def lastmod(h) -> datetime:
        return snap.lastmod(h) if snap is not None and h.epoch == RELEASED_EPOCH else h.lastmod(epoch)

    if path == "/":
        heads = model.listing("/", epoch, snap)
        page = render_home(heads, model.seed, edition, markup, no_tawsiyat)
        return cacheable(page.encode("utf-8"), HTML, newest((lastmod(h) for h in heads), now))
    if path == facts.ROBOTS_PATH:
        return Response(200, "text/plain; charset=utf-8", render_feeds.robots(edition).encode())
    if path == facts.SITEMAP_INDEX_PATH:
        months, lastmods = model.sitemap_view(epoch, snap)
        doc = render_feeds.sitemap_index(months, epoch, edition, lastmods)
        return cacheable(doc.encode("utf-8"), XML, newest(lastmods.values(), now))
    month = facts.SITEMAP_MONTH_RE.search(path)
    if month and path == facts.SITEMAP_MONTH_PATH.format(year=month[1], month=int(month[2])):
        heads = model.sitemap_view(epoch, snap)[0].get((int(month[1]), int(month[2])))
        if heads:
            built = model.sitemap_built(epoch) if model.sitemap_lastmod == "build" else None
            doc = render_feeds.sitemap_month(heads, epoch, built, model.sitemap_news, lastmod if snap else None)
            return cacheable(doc.encode("utf-8"), XML, newest([built] if built else map(lastmod, heads), now))
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
        if edition.variant:  # its chrome as every other page's (the site's labels)
            seed = seed.replace(HEADER.encode(), chrome(edition, 1).header.encode())
        return article_response(seed, SEED_MODIFIED)
    if path == facts.PLACEHOLDER_PATH:
        return Response(200, "image/png", render_feeds.PLACEHOLDER_PNG)
    key = "tag:" + path[len(facts.TAG_PREFIX):] if path.startswith(facts.TAG_PREFIX) else path
    if model.is_listing(key):
        heads, paging = model.listing(key, epoch, snap), model.paging(key)
        empty = model.empty_section is not None and key == "/" + model.empty_section
        if paging == PAGED:
            page_no = page_number(parts.query)
            shown = heads[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
            linkless = change == "listings" and not key.startswith("tag:")
            page = render_listing(key, heads, page_no, PAGE_SIZE, model.seed, edition, no_tawsiyat,
                                  empty=empty, linkless=linkless)
        elif model.arabic:
            shown = heads[:PAGE_SIZE]
            page = render_listing_arabic(key, heads, PAGE_SIZE, model.seed, edition, no_tawsiyat, empty=empty)
        else:  # markup 2: NEXT_LINK (tags, ?pg=N) or FIRST_PAGE_ONLY (the others)
            paged = paging == NEXT_LINK
            page_no = page_number(parts.query, facts.NEXT_PAGE_PARAM_MARKUP2) if paged else 1
            shown = heads[(page_no - 1) * PAGE_SIZE: page_no * PAGE_SIZE]
            page = render_listing_markup2(key, heads, page_no, PAGE_SIZE, model.seed, edition, no_tawsiyat, paged,
                                          empty=empty)
        return cacheable(page.encode("utf-8"), HTML, newest((lastmod(h) for h in shown), now))
    head = model.by_path.get(path)
    if head is not None and head.epoch <= epoch:
        doc = model.document(head, epoch)
        look = Look(markup=markup, markup_change=change if markup == 1 else "", no_tawsiyat=no_tawsiyat,
                    unknown_template="unknown_template" in head.features)
        page = render_article(head, doc, model.body(head.index, epoch), model.link_targets, model.seed, look=look)
        return article_response(page.encode("utf-8"), head.lastmod(epoch))
    if head is not None and snap is not None and head.epoch == RELEASED_EPOCH and snap.has(head):
        look = Look(markup=markup, markup_change=change if markup == 1 else "", no_tawsiyat=no_tawsiyat)
        body = model.release_body(head, snap.revision(head))
        page = render_article(head, model.release_document(head, snap), body, model.link_targets, model.seed,
                              look=look)
        return article_response(page.encode("utf-8"), snap.lastmod(head))
    return Response(404, HTML, chrome(edition, markup).not_found().encode())


def etag_of(body: bytes) -> str:
    """A strong ETag: the first 32 hex digits of the SHA-256 of the bytes, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def newest(times: Iterable[datetime], now: float) -> datetime:
    """A page's Last-Modified: the newest of the times it shows that is not in the future (the 2099 article's
    lastmod is no modification time); a page that shows none, a fixed instant (2022-01-01 00:00 Beirut)."""
    cap = datetime.fromtimestamp(now, UTC)
    return max((t for t in times if t <= cap), default=EMPTY_PAGE_MODIFIED)


def cacheable(body: bytes, content_type: str, last_modified: datetime) -> Response:
    """A home, listing or sitemap answer with its validators (conditional requests as for articles)."""
    return Response(200, content_type, body, {"ETag": etag_of(body), "Last-Modified": clock.http_date(last_modified)})


def article_response(body: bytes, last_modified: datetime) -> Response:
    """An article page with its validators: a strong ETag from the bytes, Last-Modified from its times."""
    return Response(200, HTML, body, {"ETag": etag_of(body), "Last-Modified": clock.http_date(last_modified)})


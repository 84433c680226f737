"""Spider `almayadeen`: walk listings, tag pages and sitemaps; extract complete articles.

Crawling only: which pages, in what order. Parsing is delegated to newscrawl.extract,
site facts live in newscrawl.site. Arguments: see AlmayadeenArguments (`-a since=...`).
"""

from __future__ import annotations

import enum
import re
import zlib
from datetime import datetime, timezone
from urllib.parse import parse_qs, quote, urlsplit

from scrapy import Request, Spider
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl import site
from newscrawl.extract.article import extract_article
from newscrawl.extract.listing import extract_cards, extract_nav, extract_tag_links
from newscrawl.extract.sitemap import parse_sitemap_index, parse_urlset
from newscrawl.items import ArticleItem, PageItem
from newscrawl.spiders.arguments import AlmayadeenArguments, ArgumentError
from newscrawl.urls import canonical_url, host_of, mirror_url, path_of


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48] or "unknown"


class Kind(enum.IntEnum):
    """Request kinds; the value is the scheduling priority (higher first)."""

    TAG = 5
    LISTING = 10
    ARTICLE = 30
    SITEMAP = 35  # before articles, so that a backfill knows its total early
    SEED = 40


class AlmayadeenSpider(Spider):
    name = "almayadeen"
    custom_settings = {"NEWSCRAWL_SPIDER_KIND": "articles"}

    def __init__(self, *args, **kwargs):
        try:
            self.args = AlmayadeenArguments.from_kwargs(
                {k: v for k, v in kwargs.items() if k not in ("_job",)})
        except ArgumentError as exc:
            raise ValueError(f"almayadeen: {exc}\narguments:\n{AlmayadeenArguments.help()}") from None
        super().__init__(*args)
        self.scheduled_articles = 0
        self.seen_tags: set[str] = set()
        self.known_articles: set[str] = set()  # for progress: every article URL met so far

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base_url = crawler.settings.get("BASE_URL", site.SITE_URL).rstrip("/")
        spider.mirror_hosts = (host_of(spider.base_url),)
        spider.keep_pages = crawler.settings.getbool("NEWSCRAWL_KEEP_PAGES", False)
        spider.allowed_domains = [host_of(spider.base_url).split(":")[0], site.SITE_HOST]
        return spider

    @property
    def saturated(self) -> bool:
        """max_articles reached: no more discovery, the crawl drains what it has scheduled."""
        return bool(self.args.max_articles and self.scheduled_articles >= self.args.max_articles)

    # --- URLs -----------------------------------------------------------------------
    def canonical(self, url: str, base: str | None = None) -> str:
        return canonical_url(url, base=base, mirror_hosts=self.mirror_hosts)

    def request(self, canonical: str, kind: Kind, callback, **meta) -> Request:
        return Request(mirror_url(canonical, self.base_url), callback=callback, priority=int(kind),
                       meta={"kind": kind.name.lower(), **meta}, errback=self.on_error)

    @staticmethod
    def page_of(url: str) -> int:
        values = parse_qs(urlsplit(url).query).get(site.PAGE_PARAM, ["1"])
        return int(values[0]) if values[0].isdigit() else 1

    def listing_page(self, canonical: str, page: int) -> str:
        return canonical if page <= 1 else f"{canonical}?{site.PAGE_PARAM}={page}"

    # --- start ----------------------------------------------------------------------------
    async def start(self):
        discover = self.args.discover
        home = self.canonical(site.SITE_URL + site.HOME_PATH)
        if "listings" in discover or ("tags" in discover and not self.args.tags):
            yield self.request(home, Kind.SEED, self.parse_home)
        if "tags" in discover:
            for tag in self.args.tags:
                yield self.tag_request(tag)
        if "sitemaps" in discover:
            yield self.request(self.canonical(site.SITE_URL + site.SITEMAP_INDEX_PATH), Kind.SEED,
                               self.parse_sitemap_index)

    def tag_request(self, name: str) -> Request:
        url = self.canonical(site.SITE_URL + site.TAG_PATH.format(name=quote(name, safe="")))
        self.seen_tags.add(url)
        return self.request(url, Kind.TAG, self.parse_listing, via="tags")

    # --- listings ---------------------------------------------------------------------------
    async def parse_home(self, response):
        """The home page: nav sections and regions into listings, latest cards into articles.

        @page /
        @returns requests 1
        """
        via = "listings" if "listings" in self.args.discover else "tags"
        if "listings" in self.args.discover and not self.saturated:
            for url in extract_nav(response.text, response.url):
                path = path_of(url).strip("/")
                if self.args.sections and path in site.SECTIONS and path not in self.args.sections:
                    continue
                if self.args.sections and path not in site.SECTIONS:
                    continue  # regions mix every section; with a section filter they add nothing
                yield self.request(self.canonical(url), Kind.LISTING, self.parse_listing, via="listings")
        async for request in self.article_requests(extract_cards(response.text, response.url), via):
            yield request

    async def parse_listing(self, response):
        """A section, region or tag listing page: cards into articles, then the next page.

        @page /news/politics
        @returns requests 1
        """
        cards = extract_cards(response.text, response.url)
        listing, page = self.canonical(response.url), self.page_of(response.url)
        via = response.meta.get("via", "listings")
        self.crawler.stats.inc_value(f"listing/pages/{via}")
        if not cards:
            if page == 1:
                self.crawler.stats.inc_value("listing/empty/first_page")
                self.logger.warning("listing %s has no article links", listing)
            return
        async for request in self.article_requests(cards, via):
            yield request
        if self.saturated:
            return
        dated = [card.date for card in cards if card.date]
        since = self.args.since.astimezone(site.TIMEZONE).date() if self.args.since else None
        if since and dated and max(dated) < since:
            self.crawler.stats.inc_value("listing/stopped/since")
            return
        kind = Kind.TAG if via == "tags" else Kind.LISTING
        yield self.request(self.listing_page(listing, page + 1), kind, self.parse_listing, via=via)

    # --- sitemaps -------------------------------------------------------------------------
    def parse_sitemap_index(self, response):
        """The sitemap index: monthly sitemaps inside the date window.

        @page /sitemaps/all.xml
        @returns requests 1
        """
        for entry in parse_sitemap_index(response.body):
            match = site.SITEMAP_MONTH_RE.search(entry.loc)
            if match and not self.month_in_window(int(match.group(1)), int(match.group(2))):
                self.crawler.stats.inc_value("sitemap/months/skipped")
                continue
            yield self.request(self.canonical(entry.loc), Kind.SITEMAP, self.parse_sitemap)

    def month_in_window(self, year: int, month: int) -> bool:
        first = (year, month)
        if self.args.since:
            since = self.args.since.astimezone(site.TIMEZONE)
            if first < (since.year, since.month):
                return False
        if self.args.until:
            until = self.args.until.astimezone(site.TIMEZONE)
            if first > (until.year, until.month):
                return False
        return True

    async def parse_sitemap(self, response):
        """A monthly sitemap: every article whose lastmod is newer than what is stored.

        @page /sitemaps/all/sitemap-2022-9.xml
        @returns requests 1
        """
        entries = [e for e in parse_urlset(response.body)
                   if not (self.args.since and e.lastmod and e.lastmod < self.args.since)]
        candidates = [(self.canonical(e.loc), e.lastmod) for e in entries]
        async for request in self.new_or_changed(candidates, via="sitemaps"):
            yield request

    # --- articles ---------------------------------------------------------------------------
    async def article_requests(self, cards, via: str):
        candidates = []
        for card in cards:
            if not site.ARTICLE_PATH_RE.match(path_of(card.url)):
                continue
            if self.args.sections and self.section_of(card.url) not in self.args.sections:
                continue
            if card.date and self.args.until and card.date > self.args.until.astimezone(site.TIMEZONE).date():
                continue
            candidates.append((self.canonical(card.url), card.date))
        async for request in self.new_or_changed(candidates, via=via):
            yield request

    @staticmethod
    def section_of(url: str) -> str:
        match = site.ARTICLE_PATH_RE.match(path_of(url))
        if not match:
            return ""
        return match["flat"] or f"{match['kind']}/{match['section']}"

    async def new_or_changed(self, candidates, via: str):
        """Requests for candidates the store lacks or holds in an older version."""
        stored = await self.stored_versions([url for url, _ in candidates])
        stats = self.crawler.stats
        for url, hint in candidates:
            if self.saturated:
                return
            first_meeting = url not in self.known_articles
            if first_meeting:
                self.known_articles.add(url)
                stats.inc_value("progress/articles/known")
            if not self.is_newer(hint, stored.get(url)):
                stats.inc_value(f"incremental/skipped/{via}")
                if first_meeting:
                    stats.inc_value("progress/articles/done")
                continue
            self.scheduled_articles += 1
            stats.inc_value(f"discovery/articles/{via}")
            yield self.request(url, Kind.ARTICLE, self.parse_article, via=via)

    @staticmethod
    def is_newer(hint, known: dict | None) -> bool:
        if not known:
            return True
        version = known.get("modified_at") or known.get("published_at")
        if known.get("alias_of"):  # the stored dates are its twin's: we last saw this URL's text then
            version = known.get("last_seen_at")
        if hint is None or version is None:
            return False
        if isinstance(hint, datetime):
            return hint > version
        return hint > version.astimezone(site.TIMEZONE).date()

    async def stored_versions(self, urls: list[str]) -> dict:
        from newscrawl.store import get_store

        store = get_store(self.crawler) if urls else None
        if store is None:
            return {}
        try:
            return await maybe_deferred_to_future(deferToThread(store.known_versions, urls))
        except Exception as exc:  # the store is down: crawl as if new; the pipeline journals
            self.crawler.stats.inc_value("incremental/lookup_failed")
            self.logger.warning("store lookup failed (%s); treating %d URLs as new", exc, len(urls))
            return {}

    def parse_article(self, response):
        """An article page: one item with every SCHEMA.md field; tags into tag listings.

        @page /news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight
        @returns items 1 1
        @scrapes url title body published_at authors tags content_hash
        """
        url = self.canonical(response.url)
        extraction = extract_article(response.body, url)
        stats = self.crawler.stats
        stats.inc_value("progress/articles/done")
        for field_name in extraction.disagreements:
            stats.inc_value(f"extract/disagreement/{field_name}")
        for field_name, source in extraction.sources.items():
            stats.inc_value(f"extract/source/{field_name}/{source or 'none'}")
        for problem in extraction.problems:
            stats.inc_value(f"extract/problem/{slug(problem.split(':')[0])}")
        fields = extraction.fields
        if self.keep_pages:
            yield PageItem(url=url, fetched_at=datetime.now(timezone.utc), status=response.status,
                           html=zlib.compress(response.body, 6))
        if not self.args.in_window(fields.get("published_at")):
            stats.inc_value("articles/skipped/out_of_window")
        else:
            stats.inc_value("articles/extracted")
            yield ArticleItem(**fields)
        if "tags" in self.args.discover and not self.args.tags and not self.saturated:
            for tag_url in extract_tag_links(response.text, response.url):
                tag_url = self.canonical(tag_url)
                if tag_url not in self.seen_tags:
                    self.seen_tags.add(tag_url)
                    yield self.request(tag_url, Kind.TAG, self.parse_listing, via="tags")

    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("kind", "other")
        self.crawler.stats.inc_value(f"errors/{kind}")
        if kind == "article":
            self.crawler.stats.inc_value("progress/articles/done")
        self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage())


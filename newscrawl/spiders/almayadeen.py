"""Spider `almayadeen`: walk listings, tag pages and sitemaps; extract complete articles.

Crawling only: which pages, in what order. Parsing is delegated to newscrawl.extract,
the site's facts are its profile (``-a edition=en|ar``, newscrawl.sites). Arguments: see
AlmayadeenArguments (`-a since=...`).

Every walk ends: a listing is paged by its explicit next link when it has one, else by
``?page=N+1``, and stops at the first page that shows no article it has not shown
already (so a listing that ignores the parameter costs one extra page), at a page older
than ``since``, or at ``NEWSCRAWL_LISTING_MAX_PAGES``.
"""

from __future__ import annotations

import email.utils
import enum
import hashlib
import logging
import re
import zlib
from datetime import datetime, timezone
from urllib.parse import quote

from scrapy import Request, Spider, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl.extract.workers import ExtractionWorkers, default_processes
from newscrawl.extract.listing import read_listing
from newscrawl.extract.sitemap import parse_sitemap_index, parse_urlset
from newscrawl.items import ArticleItem, PageItem, SightingItem
from newscrawl.spiders.arguments import AlmayadeenArguments, ArgumentError
from newscrawl.urls import canonical_url, host_of, mirror_url, path_of

SHOWN_MEMORY = 600  # article URLs a listing remembers having shown (hashes travel in request meta)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48] or "unknown"


def short_hash(url: str) -> str:
    return hashlib.blake2b(url.encode(), digest_size=6).hexdigest()


def is_newer(hint, known: dict | None, tz) -> bool:
    """Whether a sitemap lastmod (datetime) or a card's date (a day in ``tz``) is newer than the
    stored version ``known`` (None: not stored)."""
    if not known:
        return True
    version = known.get("modified_at") or known.get("published_at")
    if known.get("alias_of"):  # the stored dates are its twin's: we last saw this URL's text then
        version = known.get("last_seen_at")
    if hint is None or version is None:
        return False
    if isinstance(hint, datetime):
        return hint > version
    return hint > version.astimezone(tz).date()


def lastmod_doubt(entries, sitemap_lastmod: str | None) -> str | None:
    """Why a sitemap's lastmod values cannot be trusted, or None: every entry stamped with one
    instant (the file's build time, not the articles'), or entries newer than the sitemap itself."""
    stamps = {e.lastmod for e in entries if e.lastmod}
    if len(entries) > 1 and len(stamps) == 1 and all(e.lastmod for e in entries):
        return f"all {len(entries)} entries say {next(iter(stamps)).isoformat()}"
    own = datetime.fromisoformat(sitemap_lastmod) if sitemap_lastmod else None
    newer = [e for e in entries if e.lastmod and own and e.lastmod > own]
    if newer:
        return f"{len(newer)} entries are newer than the sitemap's own lastmod {own.isoformat()}"
    return None


def conditional_headers(known: dict | None) -> dict:
    """If-None-Match / If-Modified-Since from the validators the store kept for an article.

    An alias (a URL that served another document's text) has no validators of its own: it is
    asked whether it changed since we last saw its text there."""
    headers = {}
    if known and known.get("alias_of"):
        if known.get("last_seen_at"):
            headers["If-Modified-Since"] = email.utils.format_datetime(
                known["last_seen_at"].astimezone(timezone.utc), usegmt=True)
        return headers
    if known and known.get("http_etag"):
        headers["If-None-Match"] = known["http_etag"]
    if known and known.get("http_last_modified"):
        headers["If-Modified-Since"] = known["http_last_modified"]
    return headers


def http_validators(response) -> dict:
    def header(name: bytes) -> str | None:
        value = response.headers.get(name)
        return value.decode("latin-1").strip()[:1024] or None if value else None

    return {"http_etag": header(b"ETag"), "http_last_modified": header(b"Last-Modified")}


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
        self._kwargs = {k: v for k, v in kwargs.items() if k not in ("_job",)}
        self.args = self.parse_arguments(self._kwargs)
        super().__init__(*args)
        # article URLs requested by this process, and met by it, as 64-bit digests: a backfill of
        # 200,000 articles keeps a few MB here rather than its URLs (percent-encoded Arabic ones
        # run to 300 bytes each)
        self.scheduled: set[int] = set()
        self.seen_tags: set[str] = set()
        self.known_articles: set[int] = set()  # for progress: every article URL met so far
        self.lastmod_doubted = False  # said once per crawl

    @classmethod
    def check_arguments(cls, kwargs: dict, settings=None) -> AlmayadeenArguments:
        """The arguments parsed without a crawler: `scrapy crawl` asks before anything starts (ValueError)."""
        default = settings.get("NEWSCRAWL_EDITION") if settings is not None else None
        return cls.parse_arguments({k: v for k, v in kwargs.items() if k not in ("_job",)}, default or None)

    @staticmethod
    def parse_arguments(kwargs: dict, default_edition: str | None = None) -> AlmayadeenArguments:
        try:
            return AlmayadeenArguments.from_kwargs(kwargs, default_edition)
        except ArgumentError as exc:
            raise ValueError(f"almayadeen: {exc}\narguments:\n{AlmayadeenArguments.help()}") from None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if "edition" not in spider._kwargs and settings.get("NEWSCRAWL_EDITION"):
            spider.args = cls.parse_arguments(spider._kwargs, settings.get("NEWSCRAWL_EDITION"))
        spider.profile = spider.args.profile
        spider.base_url = (settings.get("BASE_URL") or spider.profile.url).rstrip("/")
        spider.mirror_hosts = (host_of(spider.base_url),)
        spider.keep_pages = settings.getbool("NEWSCRAWL_KEEP_PAGES", False)
        spider.max_listing_pages = settings.getint("NEWSCRAWL_LISTING_MAX_PAGES", 1000)
        spider.allowed_domains = [host_of(spider.base_url).split(":")[0], spider.profile.host]
        processes = settings.getint("NEWSCRAWL_EXTRACT_PROCESSES", -1)
        spider.extractor = ExtractionWorkers(default_processes() if processes < 0 else processes)
        crawler.signals.connect(spider.stop_extractor, signal=signals.spider_closed)
        return spider

    async def stop_extractor(self):
        await self.extractor.close()
        for where, count in self.extractor.counts.items():
            if count:
                self.crawler.stats.set_value(f"extract/pages/{where}", count)
        if self.extractor.cpu_seconds:
            self.crawler.stats.set_value("extract/workers/cpu_seconds", round(self.extractor.cpu_seconds, 3))
        for reason in self.extractor.failures:
            self.logger.warning("an extraction worker stopped (%s); its pages were extracted in the crawler", reason)

    @property
    def saturated(self) -> bool:
        """max_articles reached: no more discovery, the crawl drains what it has scheduled."""
        return bool(self.args.max_articles and len(self.scheduled) >= self.args.max_articles)

    @staticmethod
    def digest(url: str) -> int:
        return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big")

    # --- URLs -----------------------------------------------------------------------
    def canonical(self, url: str, base: str | None = None) -> str:
        return canonical_url(url, base=base, mirror_hosts=self.mirror_hosts, site_host=self.profile.host)

    def site_url(self, path: str) -> str:
        return self.canonical(self.profile.url + path)

    def request(self, canonical: str, kind: Kind, callback, headers: dict | None = None, **meta) -> Request:
        return Request(mirror_url(canonical, self.base_url), callback=callback, priority=int(kind), headers=headers,
                       meta={"kind": kind.name.lower(), **meta}, errback=self.on_error)

    # --- start ----------------------------------------------------------------------------
    async def start(self):
        discover = self.args.discover
        if "listings" in discover or ("tags" in discover and not self.args.tags):
            yield self.request(self.site_url(self.profile.home_path), Kind.SEED, self.parse_home)
        if "tags" in discover:
            for tag in self.args.tags:
                yield self.tag_request(tag)
        if "sitemaps" in discover:
            yield self.request(self.site_url(self.profile.sitemap_index_path), Kind.SEED, self.parse_sitemap_index)

    def tag_request(self, name: str) -> Request:
        url = self.site_url(self.profile.tag_path.format(name=quote(name, safe="")))
        self.seen_tags.add(url)
        return self.listing_request(url, Kind.TAG, "tags")

    def listing_request(self, url: str, kind: Kind, via: str, page: int = 1, shown: list | None = None,
                        paging: str = "") -> Request:
        return self.request(url, kind, self.parse_listing, via=via, listing_page=page, shown=shown or [],
                            paging=paging)

    # --- listings ---------------------------------------------------------------------------
    async def parse_home(self, response):
        """The home page: section and region listings, and the latest articles.

        @page /
        @returns requests 1
        """
        page = read_listing(response.body, response.url, self.profile)
        stats = self.crawler.stats
        stats.set_value("home/fetched", 1)
        stats.set_value("home/links/sections", len(page.listings))
        stats.set_value("home/links/articles", len(page.cards))
        via = "listings" if "listings" in self.args.discover else "tags"
        if "listings" in self.args.discover and not self.saturated:
            listings = [self.canonical(url) for url in page.listings]
            if not listings:
                # the home page links no listing we recognise: the profile's own tables instead
                stats.inc_value("home/fallback/profile_listings")
                self.logger.warning("the home page links no section or region listing; walking the %d "
                                    "listings of the %s profile instead", len(self.profile.sections) +
                                    len(self.profile.regions), self.profile.key)
                listings = [self.site_url("/" + s) for s in self.profile.sections]
                if self.profile.region_path:
                    listings += [self.site_url(self.profile.region_path.format(region=r)) for r in self.profile.regions]
            for url in listings:
                section = self.profile.section_listing_re.match(path_of(url))
                if self.args.sections and not (section and section["section"] in self.args.sections):
                    continue  # regions mix every section; with a section filter they add nothing
                yield self.listing_request(url, Kind.LISTING, "listings")
        async for request in self.article_requests(page.cards, "home" if via == "listings" else via):
            yield request

    async def parse_listing(self, response):
        """A section, region or tag listing page: cards into articles, then the next page.

        @page /news/politics
        @returns requests 1
        """
        page = read_listing(response.body, response.url, self.profile)
        meta = response.meta
        via, number = meta.get("via", "listings"), meta.get("listing_page", 1)
        listing = self.canonical(response.url)
        stats = self.crawler.stats
        stats.inc_value(f"listing/pages/{via}")
        shown = list(meta.get("shown") or [])
        fresh = [card for card in page.cards if short_hash(card.url) not in shown]
        if not page.cards and number == 1:
            stats.inc_value("listing/empty/first_page")
            self.logger.warning("listing %s has no article links", listing)
        async for request in self.article_requests(page.cards, via):
            yield request
        if not fresh:
            if number > 1:
                stats.inc_value("listing/stopped/nothing_new")
            return
        if self.saturated:
            return
        dated = [card.date for card in page.cards if card.date]
        since = self.args.since.astimezone(self.profile.timezone).date() if self.args.since else None
        if since and dated and max(dated) < since:
            stats.inc_value("listing/stopped/since")
            return
        if number >= self.max_listing_pages:
            stats.inc_value("listing/stopped/cap")
            self.logger.warning("listing %s: stopped at the page cap (%d pages, NEWSCRAWL_LISTING_MAX_PAGES)",
                                listing, number)
            return
        shown = (shown + [short_hash(card.url) for card in fresh])[-SHOWN_MEMORY:]
        kind = Kind.TAG if via == "tags" else Kind.LISTING
        if page.next_url:
            next_url, paging = page.next_url, "link"
        elif meta.get("paging") == "link":
            stats.inc_value("listing/stopped/last_link")  # the listing paged by links and has no next one
            return
        elif self.profile.page_param:
            next_url, paging = f"{listing}?{self.profile.page_param}={number + 1}", "param"
        else:
            return  # listings of this site show one page (script-driven "load more")
        yield self.listing_request(next_url, kind, via, number + 1, shown, paging)

    # --- sitemaps -------------------------------------------------------------------------
    def parse_sitemap_index(self, response):
        """The sitemap index: monthly sitemaps inside the date window.

        @page /sitemaps/all.xml
        @returns requests 1
        """
        entries = parse_sitemap_index(response.body)
        stats = self.crawler.stats
        stats.set_value("sitemap/index/fetched", 1)
        stats.inc_value("sitemap/index/sitemaps", len(entries))
        if not entries:
            self.logger.error("the sitemap index %s lists no sitemap", response.url)
        for entry in entries:
            match = self.profile.sitemap_month_re.search(entry.loc)
            if match and not self.month_in_window(int(match.group(1)), int(match.group(2))):
                stats.inc_value("sitemap/months/skipped")
                continue
            yield self.request(self.canonical(entry.loc), Kind.SITEMAP, self.parse_sitemap,
                               sitemap_lastmod=entry.lastmod.isoformat() if entry.lastmod else None)

    def month_in_window(self, year: int, month: int) -> bool:
        first = (year, month)
        tz = self.profile.timezone
        if self.args.since:
            since = self.args.since.astimezone(tz)
            if first < (since.year, since.month):
                return False
        if self.args.until:
            until = self.args.until.astimezone(tz)
            if first > (until.year, until.month):
                return False
        return True

    async def parse_sitemap(self, response):
        """A monthly sitemap: every article whose lastmod is newer than what is stored.

        @page /sitemaps/all/sitemap-2022-9.xml
        @returns requests 1
        """
        entries = parse_urlset(response.body)
        self.crawler.stats.inc_value("sitemap/urls", len(entries))
        doubt = lastmod_doubt(entries, response.meta.get("sitemap_lastmod"))
        if doubt:
            self.crawler.stats.inc_value("sitemap/lastmod/untrusted")
            if not self.lastmod_doubted:
                self.lastmod_doubted = True
                self.logger.warning("sitemap %s: its lastmod values cannot be trusted (%s); stored articles of "
                                    "such sitemaps are re-checked with conditional requests (If-None-Match, "
                                    "If-Modified-Since) instead of being skipped or downloaded again "
                                    "(sitemap/lastmod/untrusted counts them)", response.url, doubt)
        if not doubt:  # a window on lastmod only when lastmod means something
            entries = [e for e in entries if not (self.args.since and e.lastmod and e.lastmod < self.args.since)]
        candidates = [(self.canonical(e.loc), None if doubt else e.lastmod) for e in entries]
        candidates = [(url, hint) for url, hint in candidates if self.profile.is_article_path(path_of(url))]
        async for request in self.new_or_changed(candidates, via="sitemaps", recheck=bool(doubt)):
            yield request

    # --- articles ---------------------------------------------------------------------------
    async def article_requests(self, cards, via: str):
        candidates = []
        until = self.args.until.astimezone(self.profile.timezone).date() if self.args.until else None
        for card in cards:
            url = self.canonical(card.url)
            if self.args.sections and self.profile.section_of_path(path_of(url)) not in self.args.sections:
                continue
            if card.date and until and card.date > until:
                continue
            candidates.append((url, card.date))
        async for request in self.new_or_changed(candidates, via=via):
            yield request

    async def new_or_changed(self, candidates, via: str, recheck: bool = False):
        """Requests for candidates the store lacks or holds in an older version; with ``recheck``
        (their dates cannot be trusted), a conditional request for each one the store holds."""
        stats = self.crawler.stats
        stats.inc_value(f"discovery/found/{via}", len(candidates))
        candidates = [(url, hint, self.digest(url)) for url, hint in candidates]
        candidates = [c for c in candidates if c[2] not in self.scheduled]
        stored = await self.stored_versions([url for url, _, _ in candidates])
        for url, hint, key in candidates:
            if self.saturated:
                return
            if key in self.scheduled:  # a duplicate within this batch
                continue
            first_meeting = key not in self.known_articles
            if first_meeting:
                self.known_articles.add(key)
                stats.inc_value("progress/articles/known")
            known = stored.get(url)
            headers = conditional_headers(known)
            # undated candidates of an untrusted sitemap: re-checked (conditionally when the store kept
            # validators, else downloaded once, which keeps them); a page rejected on purpose stays skipped
            if not (self.is_newer(hint, known) or (recheck and not (known or {}).get("rejected"))):
                stats.inc_value(f"incremental/skipped/{via}")
                if first_meeting:
                    stats.inc_value("progress/articles/done")
                continue
            self.scheduled.add(key)
            stats.inc_value(f"discovery/articles/{via}")
            if headers:
                stats.inc_value(f"incremental/conditional/{via}")
            yield self.request(url, Kind.ARTICLE, self.parse_article, headers=headers or None, via=via,
                               handle_httpstatus_list=[304])

    def is_newer(self, hint, known: dict | None) -> bool:
        return is_newer(hint, known, self.profile.timezone)

    async def stored_versions(self, urls: list[str]) -> dict:
        from newscrawl.store import get_store

        store = get_store(self.crawler) if urls else None
        if store is None:
            return {}
        if store.circuit.is_open:  # known to be down (said once, by the circuit): no wait, everything is new
            self.crawler.stats.inc_value("incremental/lookup_skipped")
            return {}
        try:
            return await maybe_deferred_to_future(deferToThread(store.known_versions, urls))
        except Exception as exc:  # the store is down: crawl as if new; the pipeline journals
            self.crawler.stats.inc_value("incremental/lookup_failed")
            self.logger.log(logging.DEBUG if store.circuit.is_open else logging.WARNING,
                            "store lookup failed (%s); treating %d URLs as new", exc, len(urls))
            return {}

    async def parse_article(self, response):
        """An article page: one item with every SCHEMA.md field; tags into tag listings.

        @page /news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight
        @returns items 1 1
        @scrapes url title body published_at authors tags content_hash
        """
        url = self.canonical(response.url)
        stats = self.crawler.stats
        stats.inc_value("progress/articles/done")
        if response.status == 304:  # re-checked and unchanged: a sighting, no body to download
            stats.inc_value("incremental/not_modified")
            yield SightingItem(url=url, site=self.profile.host, seen_at=datetime.now(timezone.utc))
            return
        extraction = await self.extractor.extract(response.body, response.url, self.profile.key)
        stats.inc_value(f"extract/method/{extraction.method}")
        for field_name in extraction.generic:
            stats.inc_value(f"extract/generic/{field_name}")
        if extraction.generic:
            self.logger.info("generic extraction of %s (%s): the %s profile's rules found no element for it",
                             url, ", ".join(extraction.generic), self.profile.key)
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
            yield ArticleItem(**fields, **http_validators(response))
        if "tags" in self.args.discover and not self.args.tags and not self.saturated:
            for tag_url in extraction.tag_urls:
                tag_url = self.canonical(tag_url)
                if tag_url not in self.seen_tags:
                    self.seen_tags.add(tag_url)
                    yield self.listing_request(tag_url, Kind.TAG, "tags")

    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("kind", "other")
        self.crawler.stats.inc_value(f"errors/{kind}")
        if kind == "article":
            self.crawler.stats.inc_value("progress/articles/done")
        if failure.check(IgnoreRequest):  # dropped on purpose (robots.txt, an unreachable site): said elsewhere
            self.logger.debug("not requested %s: %s", request.url, failure.getErrorMessage())
            return
        self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage())

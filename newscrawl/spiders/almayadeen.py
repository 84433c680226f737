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
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from urllib.parse import quote

from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from newscrawl.extract.workers import ExtractionWorkers, default_processes
from newscrawl.extract.listing import read_listing
from newscrawl.extract.shapes import is_page_path, leading_section, shape_key, shape_of
from newscrawl.extract.sitemap import SitemapEntry, parse_sitemap_index, parse_urlset
from newscrawl.items import ArticleItem, PageItem, SightingItem
from newscrawl.schedule.sources import (
    HOME, INDEX, LISTING, PAGE, SITEMAP, TAG, Bounds, Source, Sources, read_schedule,
)
from newscrawl.spiders.arguments import AlmayadeenArguments, ArgumentError
from newscrawl.urls import canonical_url, host_of, mirror_url, path_of

SHOWN_MEMORY = 600  # article URLs a listing remembers having shown (hashes travel in request meta)
# what the site said of an article's date on the way to it, best first: a sitemap's publication date,
# then a card's moment, then a card's day (used only when the page itself gives no date)
DATE_RANKS = {"sitemap": 3, "card": 2, "card_day": 1}


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
    PROBE = 8  # a page the home page links that may be a listing of a path the profile does not know
    LISTING = 10
    ARTICLE = 30
    SITEMAP = 35  # before articles, so that a backfill knows its total early
    SEED = 40
    POLL = 45  # follow mode: the site's front, polled
    NEWS = 50  # follow mode: an article new to the store, ahead of everything else


@dataclass
class Tally:
    """What a batch of article candidates came to."""

    scheduled: list[str] = field(default_factory=list)  # requested: new to the store, or changed
    new: int = 0  # of them, not in the store at all
    known: int = 0  # in the store and unchanged
    pending: list[str] = field(default_factory=list)  # already requested by this crawl, and not in the store
    awaited: list[int] = field(default_factory=list)  # digests requested by another source, not through yet


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
        self.scheduled_new: set[int] = set()  # of them, those the store did not hold
        self.unresolved: set[int] = set()  # of them, those not yet through the pipelines
        self.seen_tags: set[str] = set()
        self.known_articles: set[int] = set()  # for progress: every article URL met so far
        self.lastmod_doubted = False  # said once per crawl
        # URL shapes the site's own sitemaps list as articles although the profile's pattern does not match
        # them: shape -> [URLs met, an example]; links of these shapes count as article links
        self.unknown_shapes: dict[str, list] = {}
        self.article_shapes: frozenset[str] = frozenset()
        self.listing_yields: dict[str, int] = {}  # listing path -> article links on its first page
        self.learned_listings: Counter[str] = Counter()  # shape -> listings of it walked (found, not by pattern)
        self.probed: set[str] = set()
        self.site_dates: dict[int, tuple[str, str]] = {}  # article digest -> (source, ISO date) found later
        self.sources = Sources("")  # what the store knows of the site's non-article pages (start() reads it)
        self.follower = None  # follow mode (newscrawl.schedule.follow)
        self.scheduled_at: dict[int, datetime] = {}  # follow mode: when each article was last requested
        # the current month's sitemap as last read: article URL -> lastmod (follow mode's revisits rely on it)
        self.month_entries: dict[str, datetime | None] = {}
        self.month_trusted = False
        # article pages that date themselves nowhere, held until discovery is over: a listing card met later
        # or sitemap met later may still give the site's date, or a better one, for them
        # (url -> (fields, validators, the date the site gave on the way there or None))
        self.undated: dict[str, tuple[dict, dict, tuple[str, str] | None]] = {}

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
        spider.max_probes = settings.getint("NEWSCRAWL_LEARNED_LISTINGS_MAX", 40)
        spider.min_listing_articles = settings.getint("NEWSCRAWL_LEARNED_LISTING_MIN_ARTICLES", 3)
        spider.tag_rotation = settings.getint("NEWSCRAWL_TAG_ROTATION_MAX", 50)
        spider.bounds = Bounds(minimum=settings.getfloat("NEWSCRAWL_FOLLOW_MIN_INTERVAL", 30.0),
                               maximum=settings.getfloat("NEWSCRAWL_FOLLOW_MAX_INTERVAL", 3600.0),
                               tag_days=settings.getfloat("NEWSCRAWL_TAG_REVISIT_DAYS", 7.0),
                               probe_days=settings.getfloat("NEWSCRAWL_PROBE_REVISIT_DAYS", 30.0))
        spider.allowed_domains = [host_of(spider.base_url).split(":")[0], spider.profile.host]
        processes = settings.getint("NEWSCRAWL_EXTRACT_PROCESSES", -1)
        spider.extractor = ExtractionWorkers(default_processes() if processes < 0 else processes)
        crawler.signals.connect(spider.stop_extractor, signal=signals.spider_closed)
        crawler.signals.connect(spider.save_sources, signal=signals.spider_closed)
        crawler.signals.connect(spider.release_undated, signal=signals.spider_idle)
        crawler.signals.connect(spider.item_done, signal=signals.item_scraped)
        crawler.signals.connect(spider.item_done, signal=signals.item_dropped)
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

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    # --- URLs -----------------------------------------------------------------------
    def canonical(self, url: str, base: str | None = None) -> str:
        return canonical_url(url, base=base, mirror_hosts=self.mirror_hosts, site_host=self.profile.host)

    def site_url(self, path: str) -> str:
        return self.canonical(self.profile.url + path)

    def request(self, canonical: str, kind: Kind, callback, headers: dict | None = None, dont_filter: bool = False,
                **meta) -> Request:
        return Request(mirror_url(canonical, self.base_url), callback=callback, priority=int(kind), headers=headers,
                       meta={"kind": kind.name.lower(), **meta}, errback=self.on_error, dont_filter=dont_filter)

    # --- what the store knows of the site's pages ------------------------------------------
    async def open_sources(self) -> None:
        """Read the schedule of the site's non-article pages, and the URL shapes the last passed crawl
        confirmed as articles, from the store (nothing without one: then everything is due)."""
        from newscrawl.store import get_store

        store = get_store(self.crawler)
        docs, shapes = {}, []
        if store is not None:
            try:
                docs, shapes = await maybe_deferred_to_future(
                    deferToThread(store.guarded, read_schedule, store, self.profile.host, self.name))
            except Exception as exc:  # the store is down: crawl as if it held nothing
                self.logger.warning("could not read the crawl schedule from the store (%s); everything is due", exc)
        self.sources = Sources(self.profile.host, docs, self.bounds)
        self.article_shapes = frozenset(shapes)
        self.crawler.stats.set_value("schedule/sources/known", len(docs))

    async def save_sources(self, spider, reason) -> None:
        """At the end: the schedule written back (a run cut short leaves its walks due again; only a run of
        the whole site marks the sitemaps whose every requested article came through as stored whole)."""
        from newscrawl.store import get_store

        store = get_store(self.crawler)
        if store is None:
            return
        if reason != "finished" and self.follower is None:
            self.sources.forget_walks()
        try:
            saved, incomplete = await maybe_deferred_to_future(
                deferToThread(self.sources.commit, store, self.args.complete, self.now()))
        except Exception as exc:  # the next run fetches a little more, nothing is lost
            from newscrawl.store import StoreUnavailable

            level = logging.INFO if isinstance(exc, StoreUnavailable) else logging.WARNING  # said by the circuit
            self.logger.log(level, "the crawl schedule was not saved (%s); the next run fetches a little more", exc)
            return
        self.crawler.stats.set_value("schedule/sources/saved", saved)
        if incomplete:  # an article of theirs failed, or went to another worker: read again next time
            self.crawler.stats.set_value("sitemap/stored/incomplete", incomplete)

    def item_done(self, item, **kwargs) -> None:
        """An item went through the pipelines (scraped or dropped): its sitemap is one article nearer to whole."""
        url = getattr(item, "url", None)
        if url:
            self.resolved(url)

    def resolved(self, url: str) -> None:
        """An article requested by this crawl is done with (through the pipelines, or skipped on purpose):
        no source awaits it any longer."""
        key = self.digest(url)
        self.unresolved.discard(key)
        self.sources.resolved(key)

    def full_walk(self, kind: str) -> bool:
        """Whether listings (or tags) are walked whatever the store holds: ``refresh``, or a window (since)."""
        return kind in self.args.refresh or (kind == "listings" and self.args.since is not None)

    # --- start ----------------------------------------------------------------------------
    async def start(self):
        await self.open_sources()
        if self.args.follow:
            from newscrawl.schedule.follow import Follower

            self.follower = Follower.from_spider(self)
            self.follower.start()
            return
        discover = self.args.discover
        if "listings" in discover or ("tags" in discover and not self.args.tags):
            yield self.request(self.site_url(self.profile.home_path), Kind.SEED, self.parse_home)
        if "tags" in discover:
            for tag in self.args.tags:
                yield self.tag_request(tag)
            if not self.args.tags and not self.full_walk("tags"):
                # the rotation: known tags not walked for NEWSCRAWL_TAG_REVISIT_DAYS, the oldest first
                for url in self.sources.tags_due(self.now(), self.tag_rotation):
                    self.seen_tags.add(url)
                    self.crawler.stats.inc_value("tags/rotation")
                    yield self.listing_request(url, Kind.TAG, "tags")
        if "sitemaps" in discover:
            url = self.site_url(self.profile.sitemap_index_path)
            index = self.sources.peek(INDEX, url)
            headers = index.validators if index and "sitemaps" not in self.args.refresh else {}
            yield self.request(url, Kind.SEED, self.parse_sitemap_index, headers=headers or None,
                               handle_httpstatus_list=[304])

    def tag_request(self, name: str) -> Request:
        url = self.site_url(self.profile.tag_path.format(name=quote(name, safe="")))
        self.seen_tags.add(url)
        return self.listing_request(url, Kind.TAG, "tags")

    def listing_request(self, url: str, kind: Kind, via: str, page: int = 1, shown: list | None = None,
                        paging: str = "", **meta) -> Request:
        return self.request(url, kind, self.parse_listing, via=via, listing_page=page, shown=shown or [],
                            paging=paging, **meta)

    # --- follow mode: what the follower asks for ----------------------------------------------
    def poll_request(self, source: Source) -> Request:
        """A conditional request for a source of the site's front (follow mode)."""
        callback = {HOME: self.parse_home, LISTING: self.parse_listing, SITEMAP: self.parse_sitemap,
                    INDEX: self.parse_sitemap_index}[source.kind]
        meta = {"poll": [source.kind, source.url], "polled_at": self.now().isoformat(),
                # a month whose sitemap does not exist yet answers 404: nothing published in it so far
                "handle_httpstatus_list": [304, 404] if source.kind == SITEMAP else [304]}
        if source.kind == LISTING:
            meta.update(via="listings", listing_page=1, shown=[], paging="")
        return self.request(source.url, Kind.POLL, callback, headers=source.validators or None, dont_filter=True,
                            local=True, **meta)

    async def revisit_request(self, url: str) -> Request:
        """A conditional request for a recent article, with the validators the store kept for it."""
        known = (await self.stored_versions([url])).get(url)
        return self.request(url, Kind.ARTICLE, self.parse_article, headers=conditional_headers(known) or None,
                            dont_filter=True, local=True, revisit=True, handle_httpstatus_list=[304, 404, 410])

    def polled(self, response, news: int, moments: list[datetime] | None = None) -> None:
        """A poll is answered: its source's interval adapts (the follower is told it is done)."""
        kind, url = response.meta["poll"]
        source = self.sources.get(kind, url)
        self.sources.polled(source, self.now(), news, moments)
        self.crawler.stats.inc_value(f"follow/polls/{kind}")
        if news:
            self.crawler.stats.inc_value(f"follow/news/{kind}", news)
        if self.follower is not None:
            self.follower.answered(kind, url, response.meta.get("polled_at"))

    # --- listings ---------------------------------------------------------------------------
    def read_page(self, response):
        return read_listing(response.body, response.url, self.profile, self.article_shapes)

    async def parse_home(self, response):
        """The home page: section and region listings, and the latest articles.

        @page /
        @returns requests 1
        """
        now, stats = self.now(), self.crawler.stats
        url = self.canonical(response.url)
        self.sources.fetched(self.sources.get(HOME, url), now, response.status, http_validators(response))
        if response.status == 304:  # a poll: the front did not change
            self.polled(response, 0)
            return
        page = self.read_page(response)
        stats.set_value("home/fetched", 1)
        stats.set_value("home/links/sections", len(page.listings))
        stats.set_value("home/links/articles", len(page.cards))
        via = "listings" if "listings" in self.args.discover else "tags"
        tally = Tally()
        async for request in self.article_requests(page.cards, "home" if via == "listings" else via, tally):
            yield request
        if response.meta.get("poll"):
            self.follow_listings(page)
            self.polled(response, len(tally.scheduled), [c.at for c in page.cards if c.at])
            return
        if "listings" not in self.args.discover or self.saturated:
            return
        # the sections the home page shows news of: their listings may hold more of it. News another source
        # (a sitemap read first) requested already is news all the same: which answer came first decides
        # nothing about where more of it is
        news = {self.section_of(u) for u in tally.scheduled + tally.pending}
        for url in self.listings_of(page):
            section = self.profile.section_listing_re.match(path_of(url))
            if self.args.sections and not (section and section["section"] in self.args.sections):
                continue  # regions mix every section; with a section filter they add nothing
            if self.walk_due(LISTING, url, now) or (section and section["section"] in news):
                yield self.listing_request(url, Kind.LISTING, "listings")
            else:
                stats.inc_value("listing/skipped/not_due")
        if not self.args.sections:
            for request in self.probes(page.pages, response, now):
                yield request

    def listings_of(self, page) -> list[str]:
        listings = [self.canonical(url) for url in page.listings]
        if not listings:
            # the home page links no listing we recognise: the profile's own tables instead
            self.crawler.stats.inc_value("home/fallback/profile_listings")
            self.logger.warning("the home page links no section or region listing; walking the %d "
                                "listings of the %s profile instead", len(self.profile.sections) +
                                len(self.profile.regions), self.profile.key)
            listings = [self.site_url("/" + s) for s in self.profile.sections]
            if self.profile.region_path:
                listings += [self.site_url(self.profile.region_path.format(region=r)) for r in self.profile.regions]
        return listings

    def follow_listings(self, page) -> None:
        """Follow mode: listings the home page links that the schedule does not know yet become sources,
        first due at a random point of the longest interval (a new follower does not poll them all at once)."""
        for url in self.listings_of(page) + self.sources.learned_listings():
            if self.sources.peek(LISTING, url) is None and self.follower is not None:
                self.follower.add(self.sources.get(LISTING, url))

    def section_of(self, url: str) -> str | None:
        path = path_of(url)
        return self.profile.section_of_path(path) or leading_section(path)

    def walk_due(self, kind: str, url: str, now: datetime) -> bool:
        """Whether to walk a listing (or tag) in this run: never walked, its interval run out, or a full walk."""
        if kind == LISTING:
            return self.full_walk("listings") or self.sources.listing_due(url, now)
        return self.full_walk("tags") or self.sources.tag_due(url, now)

    def probes(self, urls: list[str], response, now: datetime):
        """The other pages the home page links (its nav included): each may be a listing of a path the
        profile has no pattern for. Fetched once, at most NEWSCRAWL_LEARNED_LISTINGS_MAX per crawl, and
        judged again after NEWSCRAWL_PROBE_REVISIT_DAYS; one that lists articles is walked as a listing."""
        home = self.canonical(response.url)
        for url in urls:
            url = self.canonical(url)
            if url == home or url in self.probed or not is_page_path(path_of(url)):
                continue
            self.probed.add(url)
            if not self.sources.probe_due(url, now):
                page = self.sources.peek(PAGE, url)
                if page.verdict == "listing":  # a listing learned by an earlier crawl
                    self.learned_listings[shape_of(path_of(url))] += 1
                    if self.walk_due(LISTING, url, now):
                        yield self.listing_request(url, Kind.LISTING, "listings", learned=True)
                    else:
                        self.crawler.stats.inc_value("listing/skipped/not_due")
                else:
                    self.crawler.stats.inc_value("listing/probe/known")
                continue
            if len(self.probed) > self.max_probes:
                self.crawler.stats.inc_value("listing/probe/capped")
                return
            self.crawler.stats.inc_value("listing/probe/requested")
            # a page that is not there is an answer, not an error
            yield self.listing_request(url, Kind.PROBE, "listings", probe=True, handle_httpstatus_list=[404, 410])

    def learned(self, response, page) -> bool:
        """Whether a probed page is a listing: not itself an article by what it says of itself, and its
        first page links at least NEWSCRAWL_LEARNED_LISTING_MIN_ARTICLES articles. The verdict is kept."""
        stats, url, now = self.crawler.stats, self.canonical(response.url), self.now()
        if response.status != 200:
            verdict = "missing"
        elif page.declares_article:
            verdict = "article"
        elif len(page.cards) < self.min_listing_articles:
            verdict = "not_listing"
        else:
            verdict = "listing"
        self.sources.judged(url, verdict, now)
        stats.inc_value(f"listing/probe/{verdict}")
        if verdict != "listing":
            return False
        shape = shape_of(path_of(url))
        self.learned_listings[shape] += 1
        stats.inc_value(f"listing/learned/{shape_key(shape)}")
        if self.learned_listings[shape] == 1:
            self.logger.info("walking pages of shape %s as listings: the home page links %s, which lists %d articles, "
                             "and the %s profile has no listing pattern for it (listing/learned counts them)",
                             shape, url, len(page.cards), self.profile.key)
        return True

    async def parse_listing(self, response):
        """A section, region or tag listing page: cards into articles, then the next page.

        @page /news/politics
        @returns requests 1
        """
        meta, now, stats = response.meta, self.now(), self.crawler.stats
        poll = meta.get("poll")
        if meta.get("probe") and response.status != 200:
            self.learned(response, None)
            return
        listing = self.canonical(response.url)
        via, number = meta.get("via", "listings"), meta.get("listing_page", 1)
        kind = TAG if via == "tags" else LISTING
        if number == 1:
            self.sources.fetched(self.sources.get(kind, listing), now, response.status, http_validators(response))
        if response.status == 304:  # a poll: the first page did not change
            self.polled(response, 0)
            return
        page = self.read_page(response)
        learned = bool(meta.get("learned"))
        if meta.get("probe"):
            learned = self.learned(response, page)
            if not learned:
                if page.declares_article:  # the page says it is an article: read it as one
                    async for out in self.parse_article(response):
                        yield out
                return
        stats.inc_value(f"listing/pages/{via}")
        shown = list(meta.get("shown") or [])
        fresh = [card for card in page.cards if short_hash(card.url) not in shown]
        if number == 1 and via == "listings":
            self.listing_yields[path_of(listing)] = len(page.cards)
        if not page.cards and number == 1:
            stats.inc_value("listing/empty/first_page")
            self.logger.warning("listing %s has no article links", listing)
        tally = Tally()
        async for request in self.article_requests(page.cards, via, tally):
            yield request
        if number == 1:
            moments = [c.at or self.day_start(c.date) for c in page.cards if c.at or c.date]
            if poll:
                self.polled(response, len(tally.scheduled), moments)
            elif not self.saturated:
                self.sources.walked(kind, listing, now, len(page.cards), len(tally.scheduled), moments, learned)
        if not fresh:
            if number > 1:
                stats.inc_value("listing/stopped/nothing_new")
            return
        if self.saturated:
            return
        if tally.known and not (tally.scheduled or tally.pending) \
                and not self.full_walk("tags" if via == "tags" else "listings"):
            # every article of this page is in the store, unchanged: what follows is older still
            stats.inc_value("listing/stopped/known")
            return
        if poll and tally.new < len(page.cards):
            return  # following: a first page that is not news from top to bottom says all there is
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
        request_kind = Kind.TAG if via == "tags" else Kind.LISTING
        if page.next_url:
            next_url, paging = page.next_url, "link"
        elif meta.get("paging") == "link":
            stats.inc_value("listing/stopped/last_link")  # the listing paged by links and has no next one
            return
        elif self.profile.page_param:
            next_url, paging = f"{listing}?{self.profile.page_param}={number + 1}", "param"
        else:
            return  # listings of this site show one page (script-driven "load more")
        yield self.listing_request(next_url, request_kind, via, number + 1, shown, paging)

    def day_start(self, day) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.profile.timezone).astimezone(timezone.utc)

    # --- sitemaps -------------------------------------------------------------------------
    def parse_sitemap_index(self, response):
        """The sitemap index: monthly sitemaps inside the date window whose lastmod moved since the last run
        that stored them whole, and the current month's (conditionally).

        @page /sitemaps/all.xml
        @returns requests 1
        """
        stats, now = self.crawler.stats, self.now()
        url = self.canonical(response.url)
        self.sources.fetched(self.sources.get(INDEX, url), now, response.status, http_validators(response))
        if response.status == 304:  # unchanged since the last fetch: its months as the store knows them
            stats.inc_value("sitemap/index/not_modified")
            entries = [SitemapEntry(s.url, s.lastmod) for s in self.sources.months()]
        else:
            entries = parse_sitemap_index(response.body)
            stats.set_value("sitemap/index/fetched", 1)
            stats.inc_value("sitemap/index/sitemaps", len(entries))
            if not entries:
                self.logger.error("the sitemap index %s lists no sitemap", response.url)
        stamps = {e.lastmod for e in entries}
        if len(entries) > 1 and len(stamps) == 1:  # one instant for every file: the index's build time
            stats.inc_value("sitemap/index/lastmod_untrusted")
            entries = [SitemapEntry(e.loc) for e in entries]
        for entry in entries:
            match = self.profile.sitemap_month_re.search(entry.loc)
            if match and not self.month_in_window(int(match.group(1)), int(match.group(2))):
                stats.inc_value("sitemap/months/skipped")
                continue
            month = self.canonical(entry.loc)
            current = self.is_current_month(month)
            first_sight = self.sources.peek(SITEMAP, month) is None
            source = self.sources.get(SITEMAP, month)
            # every month the index lists is kept, so that an unchanged index (304) still names them all
            source.dirty = source.dirty or first_sight
            if "sitemaps" in self.args.refresh:
                wanted, headers = True, {}
            else:
                wanted, headers = self.sources.sitemap_wanted(month, entry.lastmod, current)
            if response.meta.get("poll") and not (current or (entry.lastmod and source.lastmod
                                                              and entry.lastmod > source.lastmod)):
                wanted = False  # following: the current month is a source of its own; older ones when they moved
            if not wanted:
                stats.inc_value("sitemap/months/unchanged")
                continue
            if current and response.meta.get("poll"):
                continue  # following: the follower polls the current month's sitemap as a source of its own
            yield self.request(month, Kind.SITEMAP, self.parse_sitemap, headers=headers or None,
                               sitemap_lastmod=entry.lastmod.isoformat() if entry.lastmod else None,
                               handle_httpstatus_list=[304])
        if response.meta.get("poll"):
            self.polled(response, 0)

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

    def is_current_month(self, url: str) -> bool:
        match = self.profile.sitemap_month_re.search(url)
        local = self.now().astimezone(self.profile.timezone)
        return bool(match) and (int(match.group(1)), int(match.group(2))) == (local.year, local.month)

    async def parse_sitemap(self, response):
        """A monthly sitemap: every article whose lastmod is newer than what is stored.

        Every URL it lists is an article by the site's word, whatever its shape: one the profile's
        article pattern does not match is requested too, and its shape counted and reported once.

        @page /sitemaps/all/sitemap-2022-9.xml
        @returns requests 1
        """
        stats, now = self.crawler.stats, self.now()
        url = self.canonical(response.url)
        lastmod = response.meta.get("sitemap_lastmod")
        lastmod = datetime.fromisoformat(lastmod) if lastmod else None
        self.sources.fetched(self.sources.get(SITEMAP, url), now, response.status, http_validators(response))
        if response.status == 404:  # following: the current month's sitemap, before its first article
            stats.inc_value("sitemap/not_yet")
            self.polled(response, 0)
            return
        if response.status == 304:
            stats.inc_value("sitemap/not_modified")
            self.sources.sitemap_read(url, lastmod or self.sources.get(SITEMAP, url).lastmod, [])
            if response.meta.get("poll"):
                self.polled(response, 0)
            return
        entries = parse_urlset(response.body)
        stats.inc_value("sitemap/urls", len(entries))
        doubt = lastmod_doubt(entries, response.meta.get("sitemap_lastmod"))
        if doubt:
            stats.inc_value("sitemap/lastmod/untrusted")
            if not self.lastmod_doubted:
                self.lastmod_doubted = True
                self.logger.warning("sitemap %s: its lastmod values cannot be trusted (%s); stored articles of "
                                    "such sitemaps are re-checked with conditional requests (If-None-Match, "
                                    "If-Modified-Since) instead of being skipped or downloaded again "
                                    "(sitemap/lastmod/untrusted counts them)", response.url, doubt)
        if self.is_current_month(url):
            self.month_entries = {self.canonical(e.loc): e.lastmod for e in entries}
            self.month_trusted = not doubt
        if not doubt:  # a window on lastmod only when lastmod means something
            entries = [e for e in entries if not (self.args.since and e.lastmod and e.lastmod < self.args.since)]
        candidates = []
        for entry in entries:
            article = self.canonical(entry.loc)
            if not self.profile.is_article_path(path_of(article)):
                self.unknown_shape(article)
            dated = ("sitemap", entry.published.isoformat()) if entry.published else None
            candidates.append((article, None if doubt else entry.lastmod, dated))
        tally = Tally()
        async for request in self.new_or_changed(candidates, via="sitemaps", recheck=bool(doubt), listed=True,
                                                 tally=tally):
            yield request
        # the articles it waits for: those not through the pipelines yet (some came through while it was read)
        requested = [self.digest(article) for article in tally.scheduled] + tally.awaited
        self.sources.sitemap_read(url, lastmod or self.sources.get(SITEMAP, url).lastmod,
                                  [key for key in requested if key in self.unresolved])
        if response.meta.get("poll"):
            self.polled(response, len(tally.scheduled))

    def unknown_shape(self, url: str) -> None:
        """A URL the site's sitemaps list as an article that the profile's pattern does not match: counted
        by shape, named once in the log (and in the crawl record), and its shape taken as an article's."""
        shape = shape_of(path_of(url))
        self.crawler.stats.inc_value(f"discovery/unknown_shape/{shape_key(shape)}")
        known = self.unknown_shapes.get(shape)
        if known is not None:
            known[0] += 1
            return
        self.unknown_shapes[shape] = [1, url]
        self.article_shapes = self.article_shapes | {shape}
        self.logger.warning("the sitemaps list article URLs of shape %s (e.g. %s) that the %s profile's article "
                            "pattern does not match: they are crawled as articles, by the site's word, and links of "
                            "that shape count as article links from now on. To make it part of the profile, add the "
                            "shape to article_path_re in newscrawl/sites/ (discovery/unknown_shape counts them; "
                            "`newscrawl doctor` lists them)", shape, url, self.profile.key)

    # --- articles ---------------------------------------------------------------------------
    async def article_requests(self, cards, via: str, tally: Tally | None = None):
        candidates = []
        until = self.args.until.astimezone(self.profile.timezone).date() if self.args.until else None
        for card in cards:
            url = self.canonical(card.url)
            if self.args.sections and self.profile.section_of_path(path_of(url)) not in self.args.sections:
                continue
            if card.date and until and card.date > until:
                continue
            dated = None
            if card.at is not None:
                dated = ("card", card.at.isoformat())
            elif card.date is not None:
                dated = ("card_day", self.day_start(card.date).isoformat())
            candidates.append((url, card.date, dated))
        async for request in self.new_or_changed(candidates, via=via, tally=tally):
            yield request

    async def new_or_changed(self, candidates, via: str, recheck: bool = False, listed: bool = False,
                             tally: Tally | None = None):
        """Requests for candidates ``(url, hint, dated)`` the store lacks or holds in an older version; with
        ``recheck`` (their dates cannot be trusted), a conditional request for each one the store holds.
        ``dated``: what the site said of the article's date on the way there, kept for a page that says none.
        ``listed``: the site's sitemaps list these URLs as articles. ``tally`` counts what they came to."""
        stats = self.crawler.stats
        tally = tally if tally is not None else Tally()
        stats.inc_value(f"discovery/found/{via}", len(candidates))
        candidates = [(url, hint, dated, self.digest(url)) for url, hint, dated in candidates]
        fresh = []
        for candidate in candidates:
            url, hint, dated, key = candidate
            if key not in self.scheduled or self.changed_since_requested(key, hint):
                fresh.append(candidate)
            else:
                self.met_again(key, url, dated, tally)
        stored = await self.stored_versions([url for url, _, _, _ in fresh])
        batch: set[int] = set()
        for url, hint, dated, key in fresh:
            if self.saturated:
                return
            if key in batch:  # a duplicate within this batch
                if dated:
                    self.keep_date(key, dated)
                continue
            if key in self.scheduled and not self.changed_since_requested(key, hint):
                self.met_again(key, url, dated, tally)  # requested by another source while the store was asked
                continue
            batch.add(key)
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
                tally.known += 1
                if first_meeting:
                    stats.inc_value("progress/articles/done")
                continue
            self.scheduled.add(key)
            self.unresolved.add(key)
            if known is None:
                self.scheduled_new.add(key)
            tally.scheduled.append(url)
            tally.new += known is None
            stats.inc_value(f"discovery/articles/{via}")
            if headers:
                stats.inc_value(f"incremental/conditional/{via}")
            kind = Kind.ARTICLE
            if self.follower is not None:
                self.scheduled_at[key] = self.now()
                kind = Kind.NEWS if known is None else Kind.ARTICLE
                self.follower.requested(url, known is None, dated)
            # an article the store holds is asked for again on purpose (it changed): past any duplicate filter
            yield self.request(url, kind, self.parse_article, headers=headers or None, via=via,
                               handle_httpstatus_list=[304], site_date=dated, dont_filter=known is not None,
                               listed=listed or not self.profile.is_article_path(path_of(url)))

    def met_again(self, key: int, url: str, dated, tally: Tally) -> None:
        """An article this crawl requested already: the better date the site gives it kept for when its page
        is read; news to this run only when the store did not hold it (a change is in the store); awaited by
        this source too while it has not come through."""
        if dated:
            self.keep_date(key, dated)
        if key in self.scheduled_new:
            tally.pending.append(url)
        else:
            tally.known += 1
        if key in self.unresolved:
            tally.awaited.append(key)

    def changed_since_requested(self, key: int, hint) -> bool:
        """Following: an article requested earlier in this long crawl whose listed lastmod is newer than that
        request (an edit) is a candidate again; the store then says whether it really changed."""
        at = self.scheduled_at.get(key)
        return at is not None and isinstance(hint, datetime) and hint > at

    @staticmethod
    def apply_site_date(fields: dict, sources: dict, dated: tuple[str, str] | None) -> None:
        if dated is not None:
            fields["published_at"] = datetime.fromisoformat(dated[1])
            sources["published_at"] = "card" if dated[0] == "card_day" else dated[0]

    def release_undated(self, spider) -> None:
        """At the end of discovery: the pages held for want of a date go to the pipelines, each with the best
        date the site gave it meanwhile, or none (then validation rejects it, naming the field)."""
        if not self.undated:
            return
        held, self.undated = self.undated, {}
        stats, scraper = self.crawler.stats, self.crawler.engine.scraper
        for url, (fields, validators, dated) in held.items():
            sources: dict = {}
            self.apply_site_date(fields, sources, self.site_date(url, dated))
            stats.inc_value(f"extract/source/published_at/{sources.get('published_at', 'none')}")
            if not self.args.in_window(fields.get("published_at")):
                stats.inc_value("articles/skipped/out_of_window")
                self.resolved(url)  # as when a page dated by itself falls outside the window
                continue
            stats.inc_value("articles/extracted")
            deferred_from_coro(scraper.start_itemproc_async(ArticleItem(**fields, **validators), response=None))
        raise DontCloseSpider  # the items are on their way through the pipelines

    def keep_date(self, key: int, dated) -> None:
        held = self.site_dates.get(key)
        if held is None or DATE_RANKS[dated[0]] > DATE_RANKS[held[0]]:
            self.site_dates[key] = tuple(dated)

    def site_date(self, url: str, dated) -> tuple[str, str] | None:
        """The best date the site gave this article on the way to it, ``dated`` (the request's) or one met
        since: (source, ISO datetime), the sitemap's over a card's moment over a card's day."""
        best = [tuple(d) for d in (dated, self.site_dates.pop(self.digest(url), None)) if d]
        return max(best, key=lambda d: DATE_RANKS[d[0]]) if best else None

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
        if response.meta.get("revisit") and self.follower is not None:
            self.follower.revisited(url)
        if response.status == 304:  # re-checked and unchanged: a sighting, no body to download
            stats.inc_value("incremental/not_modified")
            yield SightingItem(url=url, site=self.profile.host, seen_at=self.now())
            return
        if response.status != 200:  # a revisit of an article that is gone: said, nothing stored
            stats.inc_value(f"follow/revisits/status_{response.status}")
            return
        listed = bool(response.meta.get("listed") or response.meta.get("probe"))
        extraction = await self.extractor.extract(response.body, response.url, self.profile.key, listed)
        fields = extraction.fields
        undated = fields.get("published_at") is None
        site_dated = None
        if undated:
            # the page dates itself nowhere we can read: the date the site gave it on the way here (a card, a
            # sitemap's publication date, never a lastmod). A card's day alone waits, like no date at all, for
            # the end of discovery: a sitemap read later may give the exact time (following, it is used at once)
            site_dated = self.site_date(url, response.meta.get("site_date"))
            if site_dated is not None and (site_dated[0] != "card_day" or self.follower is not None):
                self.apply_site_date(fields, extraction.sources, site_dated)
        stats.inc_value(f"extract/method/{extraction.method}")
        for field_name in extraction.generic:
            stats.inc_value(f"extract/generic/{field_name}")
        if extraction.generic:
            self.logger.info("generic extraction of %s (%s): the %s profile's rules found no element for it",
                             url, ", ".join(extraction.generic), self.profile.key)
        for field_name in extraction.disagreements:
            stats.inc_value(f"extract/disagreement/{field_name}")
        for field_name, source in extraction.sources.items():
            if not (field_name == "published_at" and fields.get("published_at") is None):
                stats.inc_value(f"extract/source/{field_name}/{source or 'none'}")
        for problem in extraction.problems:
            stats.inc_value(f"extract/problem/{slug(problem.split(':')[0])}")
        if self.keep_pages:
            yield PageItem(url=url, fetched_at=self.now(), status=response.status,
                           html=zlib.compress(response.body, 6))
        if fields.get("published_at") is None and not self.follower:
            self.undated[url] = (fields, http_validators(response), site_dated)
            stats.inc_value("extract/undated/held")
        elif not self.args.in_window(fields.get("published_at")):
            stats.inc_value("articles/skipped/out_of_window")
            self.resolved(url)
        else:
            stats.inc_value("articles/extracted")
            yield ArticleItem(**fields, **http_validators(response))
        if "tags" in self.args.discover and not self.args.tags and not self.saturated and self.follower is None:
            now = self.now()
            for tag_url in extraction.tag_urls:
                tag_url = self.canonical(tag_url)
                if tag_url in self.seen_tags:
                    continue
                self.seen_tags.add(tag_url)
                if self.walk_due(TAG, tag_url, now):
                    yield self.listing_request(tag_url, Kind.TAG, "tags")
                else:
                    stats.inc_value("tags/skipped/not_due")

    def on_error(self, failure):
        request = failure.request
        kind = request.meta.get("kind", "other")
        if kind == "article":
            self.crawler.stats.inc_value("progress/articles/done")
        if self.follower is not None:
            if request.meta.get("poll"):
                self.follower.answered(*request.meta["poll"], None, failed=True)
            if request.meta.get("revisit"):
                self.follower.revisited(self.canonical(request.url))
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # dropped on purpose (robots.txt, an unreachable site): said elsewhere, and no failure
            self.crawler.stats.inc_value(f"requests/ignored/{kind}")
            self.logger.debug("not requested %s: %s", request.url, failure.getErrorMessage())
            return
        self.crawler.stats.inc_value(f"errors/{kind}")
        if failure.check(HttpError):  # the status is in the stats and Scrapy's own log line
            self.logger.debug("failed %s: %s", request.url, failure.getErrorMessage())
            return
        self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage())

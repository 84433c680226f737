"""Spider `breaking`: the JavaScript-filled breaking ticker, rendered by the system Chromium.

    scrapy crawl breaking                                   # one capture of the home page
    scrapy crawl breaking -a pages=/,/news/politics         # several pages, lines merged
    scrapy crawl breaking -a repeat=0 -a interval=60        # watch until stopped

Only this spider's requests go through Playwright (its own DOWNLOAD_HANDLERS); one
browser and one named context serve every capture of the run, and a browser that
dies is replaced at the next capture.

Settings: BASE_URL; BREAKING_WAIT_MS (how long a page may take to show a ticker line,
default 15000; then stats breaking/error/no_ticker); CHROMIUM_EXECUTABLE (else the usual
install paths); BROWSER_DEADLINE (seconds for one browser request, default 60).
Stats: breaking/captures (pages rendered), breaking/lines/seen, breaking/error/<kind>;
breaking/capture/succeeded (captures of a page that gave ticker lines) and
breaking/capture/failed (the others), which the crawl-health monitor judges.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy_playwright.page import PageMethod

from newscrawl.browser import CLOSE_TIMEOUT, BrowserUnresponsive, find_chromium, launch_options
from newscrawl.extract.text import text_hash
from newscrawl.extract.ticker import extract_ticker
from newscrawl.items import BreakingItem
from newscrawl.sites import UnknownSite, get_profile, known

logger = logging.getLogger(__name__)

CONTEXT_NAME = "breaking"
STOCK_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
BOUNDED_HANDLER = "newscrawl.browser.BoundedPlaywrightHandler"
DEFAULT_WAIT_MS = 15_000


class BadArgument(ValueError):
    """A spider argument (-a name=value) that cannot be used."""


@dataclass(frozen=True)
class BreakingArgs:
    """The spider's arguments.

    pages: comma-separated site paths to render, each starting with "/" (default "/").
    repeat: captures to make, each one rendering every page; 0 = until stopped (default 1).
    interval: seconds from the end of one capture of a page to the start of the next (default 60).
    """

    pages: tuple[str, ...] = ("/",)
    repeat: int = 1
    interval: float = 60.0

    @classmethod
    def parse(cls, pages: str | None = None, repeat: str | int | None = None,
              interval: str | float | None = None) -> BreakingArgs:
        values: dict = {}
        if pages is not None:
            paths = tuple(p.strip() for p in str(pages).split(",") if p.strip())
            bad = [p for p in paths if not p.startswith("/") or "://" in p]
            if not paths or bad:
                raise BadArgument(f"pages must be site paths starting with '/', comma-separated; got {pages!r}")
            values["pages"] = tuple(dict.fromkeys(paths))
        if repeat is not None:
            try:
                values["repeat"] = int(str(repeat).strip())
            except ValueError:
                raise BadArgument(f"repeat must be a whole number (0 = until stopped); got {repeat!r}") from None
            if values["repeat"] < 0:
                raise BadArgument(f"repeat must be 0 (until stopped) or more; got {repeat!r}")
        if interval is not None:
            try:
                values["interval"] = float(str(interval).strip())
            except ValueError:
                raise BadArgument(f"interval must be a number of seconds; got {interval!r}") from None
            if not values["interval"] >= 0 or values["interval"] == float("inf"):
                raise BadArgument(f"interval must be a finite number of seconds, 0 or more; got {interval!r}")
        return cls(**values)

    @classmethod
    def help(cls) -> str:
        lines = [line.strip() for line in (cls.__doc__ or "").splitlines()[1:] if line.strip()]
        lines.append(f"edition: which site's ticker, a profile of newscrawl.sites: {known()} (default en, or the "
                     "setting NEWSCRAWL_EDITION)")
        return "\n".join("  -a " + line.replace(": ", "=...  ", 1) for line in lines)


ARGUMENTS = ("edition", "interval", "pages", "repeat")


@dataclass
class _Round:
    """One capture across all pages: the lines already yielded, the pages still to finish."""

    pages_left: int
    hashes: set[str] = field(default_factory=set)


def error_kind(failure) -> str:
    """A short name for why a capture failed, used in stats breaking/error/<kind>."""
    exc = failure.value
    if isinstance(exc, PlaywrightTimeoutError):
        return "no_ticker" if "wait_for_selector" in str(exc) else "timeout"
    if isinstance(exc, HttpError):
        return "http"
    if isinstance(exc, BrowserUnresponsive):
        return "browser_unresponsive"
    if isinstance(exc, PlaywrightError):
        return "browser"
    return type(exc).__name__.lower()


def playwright_handlers(settings) -> dict[str, str]:
    """DOWNLOAD_HANDLERS for this spider alone, so that no other spider ever starts a browser.

    Only the scheme of BASE_URL gets one (each handler runs its own Playwright driver).
    The stock scrapy-playwright handler can wait forever on a browser killed at the wrong
    moment, so its bounded subclass stands in for it.
    """
    scheme = urlsplit(settings.get("BASE_URL") or "https://").scheme or "https"
    handlers = settings.getdict("DOWNLOAD_HANDLERS_PLAYWRIGHT")
    handler = handlers.get(scheme) or STOCK_HANDLER
    return {scheme: BOUNDED_HANDLER if handler == STOCK_HANDLER else handler}


class BreakingSpider(scrapy.Spider):
    name = "breaking"
    custom_settings = {
        "ITEM_PIPELINES": {"newscrawl.pipelines.mongo.MongoPipeline": 400},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 4,
        "PLAYWRIGHT_ABORT_REQUEST": "newscrawl.browser.skip_heavy_resource",
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
        # the crawl-health monitors judge article crawls; a ticker capture has no articles
        "NEWSCRAWL_HEALTH_ENABLED": False,
    }

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        settings.set("DOWNLOAD_HANDLERS", playwright_handlers(settings), priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        if not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS").get("executable_path"):
            executable = find_chromium(settings.get("CHROMIUM_EXECUTABLE") or None)
            settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(executable), priority="spider")
        if spider.edition is None and settings.get("NEWSCRAWL_EDITION"):
            spider.profile = get_profile(settings.get("NEWSCRAWL_EDITION"))
        spider.base_url = (settings.get("BASE_URL") or spider.profile.url).rstrip("/")
        spider.wait_ms = settings.getint("BREAKING_WAIT_MS", DEFAULT_WAIT_MS)
        crawler.signals.connect(spider._keep_open_while_waiting, signals.spider_idle)
        crawler.signals.connect(spider._cancel_waiting, signals.spider_closed)
        return spider

    @classmethod
    def check_arguments(cls, kwargs: dict, settings=None) -> None:
        """`scrapy crawl breaking` asks before anything starts: a ValueError names what is wrong."""
        try:
            unknown = sorted(name for name in kwargs if name not in ARGUMENTS and not name.startswith("_"))
            if unknown:
                raise BadArgument(f"unknown argument(s) {', '.join(unknown)}; accepted: {', '.join(ARGUMENTS)}")
            BreakingArgs.parse(pages=kwargs.get("pages"), repeat=kwargs.get("repeat"), interval=kwargs.get("interval"))
            edition = kwargs.get("edition") or (settings.get("NEWSCRAWL_EDITION") if settings is not None else None)
            try:
                get_profile(edition or None)
            except UnknownSite as exc:
                raise BadArgument(f"edition: {exc}") from None
        except BadArgument as exc:
            raise BadArgument(f"breaking: {exc}\narguments:\n{BreakingArgs.help()}") from None

    def __init__(self, pages=None, repeat=None, interval=None, edition=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = BreakingArgs.parse(pages=pages, repeat=repeat, interval=interval)
        self.edition = edition
        try:
            self.profile = get_profile(edition)
        except UnknownSite as exc:
            raise ValueError(f"breaking: edition: {exc}") from None
        self._rounds: dict[int, _Round] = {}
        self._waiting: set = set()  # delayed calls that will schedule the next captures

    # --- requests ------------------------------------------------------------

    async def start(self):
        for path in self.options.pages:
            yield self._capture_request(path, 1)

    def _capture_request(self, path: str, round_no: int) -> scrapy.Request:
        if round_no not in self._rounds:
            self._rounds[round_no] = _Round(pages_left=len(self.options.pages))
        return scrapy.Request(
            self.base_url + path,
            callback=self.parse_ticker,
            errback=self.capture_failed,
            dont_filter=True,
            meta={
                "playwright": True,
                "playwright_context": CONTEXT_NAME,
                "playwright_include_page": True,
                "playwright_page_methods": [
                    PageMethod("wait_for_selector", self.profile.ticker_item, state="attached",
                               timeout=self.wait_ms),
                ],
                "breaking_path": path,
                "breaking_round": round_no,
            },
        )

    def _schedule_next(self, meta: dict) -> None:
        round_no = meta["breaking_round"]
        if self.options.repeat and round_no >= self.options.repeat:
            return
        from twisted.internet import reactor

        request = self._capture_request(meta["breaking_path"], round_no + 1)
        call = reactor.callLater(self.options.interval, self._enqueue, request)
        self._waiting.add(call)

    def _enqueue(self, request: scrapy.Request) -> None:
        self._waiting = {call for call in self._waiting if call.active()}
        self.crawler.engine.crawl(request)

    def _keep_open_while_waiting(self) -> None:
        if any(call.active() for call in self._waiting):
            raise DontCloseSpider

    def _cancel_waiting(self) -> None:
        for call in self._waiting:
            if call.active():
                call.cancel()
        self._waiting.clear()

    def _finish_page(self, meta: dict) -> _Round:
        round_no = meta["breaking_round"]
        state = self._rounds[round_no]
        state.pages_left -= 1
        if state.pages_left <= 0:
            del self._rounds[round_no]
        return state

    @staticmethod
    async def _close_page(meta: dict) -> None:
        page = meta.pop("playwright_page", None)
        if page is not None:
            with suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(page.close(), CLOSE_TIMEOUT)

    # --- callbacks ---------------------------------------------------------------

    async def parse_ticker(self, response):
        await self._close_page(response.meta)
        state = self._finish_page(response.meta)
        self._schedule_next(response.meta)
        stats = self.crawler.stats
        stats.inc_value("breaking/captures")
        lines = extract_ticker(response.text, response.url, self.profile)
        if not lines:
            stats.inc_value("breaking/error/no_ticker")
            stats.inc_value("breaking/capture/failed")
            logger.error("no ticker lines on %s: %s matched nothing with text", response.url,
                         self.profile.ticker_item)
            return
        seen_at = datetime.now(timezone.utc)
        stats.inc_value("breaking/capture/succeeded")
        stats.inc_value("breaking/lines/seen", len(lines))
        for line in lines:
            digest = text_hash(line["text"])
            if digest in state.hashes:
                continue  # already yielded from another page of this capture
            state.hashes.add(digest)
            yield BreakingItem(text=line["text"], text_hash=digest, url=line["url"], seen_at=seen_at,
                               site=self.profile.host)

    async def capture_failed(self, failure):
        meta = failure.request.meta
        await self._close_page(meta)
        self._finish_page(meta)
        self._schedule_next(meta)
        kind = error_kind(failure)
        self.crawler.stats.inc_value(f"breaking/error/{kind}")
        self.crawler.stats.inc_value("breaking/capture/failed")
        if kind == "no_ticker":
            logger.error("no ticker on %s: %s did not appear within %d ms",
                         failure.request.url, self.profile.ticker_item, self.wait_ms)
        else:
            logger.error("capture of %s failed (%s): %s", failure.request.url, kind,
                         str(failure.value).splitlines()[0] if str(failure.value) else repr(failure.value))
        return
        yield  # an async generator, like parse_ticker

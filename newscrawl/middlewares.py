"""Downloader middlewares for politeness and for pages that arrive broken.

- BackoffRetryMiddleware: Scrapy's retry, with exponential backoff that honours Retry-After;
  a DNS failure is retried once at most, a challenge page (503) never.
- BlockedMiddleware: a 403 (or a 503 challenge page) is reported once per host as "blocked
  by the site", never retried.
- CompletenessMiddleware: a page counts only when its closing markup is there; else retried.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections import Counter

from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError, NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import _schedule_coro, maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import reactor
from twisted.internet.task import deferLater

from newscrawl.health.reachability import RETRY_BUDGET_META, START_META, is_challenge

logger = logging.getLogger(__name__)

BLOCKED_STATUS = 403  # Cloudflare answers bot-like clients with 403 (reported of this site)
HTML_END_MARKER = b"</html>"  # a page counts only when its closing markup is there
SITEMAP_END_MARKERS = (b"</urlset>", b"</sitemapindex>")


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def backoff_delay(retry_times: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter; Retry-After, when given, is a floor. Never above ``cap``."""
    delay = base * (2 ** max(0, retry_times - 1))
    delay *= 1 + random.random() * 0.25
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


async def sleep(seconds: float) -> None:
    if seconds > 0:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 429/5xx and connection failures after a growing pause (Retry-After honoured)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("NEWSCRAWL_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("NEWSCRAWL_BACKOFF_MAX", 120.0)
        # "too many requests" says come back later, not that the page is broken: a larger budget
        self.rate_limited_retries = settings.getint("NEWSCRAWL_RATE_LIMITED_RETRIES", 20)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if is_challenge(response):  # a challenge page asks for a browser: asking again changes nothing
            return response
        if response.status == 429:
            retry = self.rate_limited_retry(request)
            attempt = retry.meta["rate_limited_times"] if retry is not None else 0
        else:
            retry = self._retry(request, response_status_message(response.status))
            attempt = retry.meta["retry_times"] if retry is not None else 0
        if retry is None:
            return response
        wait = backoff_delay(attempt, self.base, self.cap, retry_after_seconds(response.headers.get(b"Retry-After")))
        stats = self.crawler.stats
        stats.inc_value(f"backoff/status/{response.status}")
        stats.inc_value("backoff/seconds", round(wait, 3))
        await sleep(wait)
        return retry

    def rate_limited_retry(self, request: Request) -> Request | None:
        """A 429 retry, counted apart from the retries of failures (it says later, not broken)."""
        times = request.meta.get("rate_limited_times", 0) + 1
        stats = self.crawler.stats
        if times > self.rate_limited_retries:
            stats.inc_value("retry/rate_limited/max_reached")
            logger.error("gave up on %s: still rate limited (429) after %d retries", request.url, times - 1)
            return None
        retry = request.copy()
        retry.meta["rate_limited_times"] = times
        retry.dont_filter = True
        stats.inc_value("retry/count")
        stats.inc_value("retry/reason_count/429 Too Many Requests")
        return retry

    def exception_budget(self, request: Request, exception: Exception) -> int | None:
        """Retries left to this failure when it is capped: DNS once, a watched start request as told."""
        budgets = [request.meta.get(RETRY_BUDGET_META)]
        if isinstance(exception, CannotResolveHostError):
            budgets.append(1)  # a name that did not resolve twice will not resolve on the third try
        budgets = [b for b in budgets if b is not None]
        return min(budgets) if budgets else None

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        budget = self.exception_budget(request, exception)
        if (budget is not None and request.meta.get("retry_times", 0) >= budget
                and isinstance(exception, self.exceptions_to_retry)):
            self.crawler.stats.inc_value("retry/capped")
            if not request.meta.get(START_META):  # a start request's failure is reported by reachability
                logger.error("gave up on %s after %d tries: %s", request.url, request.meta.get("retry_times", 0) + 1,
                             exception)
            return None
        retry = super().process_exception(request, exception)
        if retry is not None:
            wait = backoff_delay(retry.meta["retry_times"], self.base, self.cap)
            self.crawler.stats.inc_value("backoff/exception")
            await sleep(wait)
        return retry


class BlockedMiddleware:
    """Report a 403 once per host, clearly; count them; optionally close the crawl when blocked."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.close_after = crawler.settings.getint("NEWSCRAWL_BLOCKED_CLOSE_AFTER", 50)
        self.per_host: Counter[str] = Counter()
        self.reported: set[str] = set()
        self.successes = 0

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        challenge = response.status == 503 and is_challenge(response)
        if response.status != BLOCKED_STATUS and not challenge:
            if 200 <= response.status < 400:
                self.successes += 1
            return response
        host = response.url.split("/")[2]
        self.per_host[host] += 1
        stats = self.crawler.stats
        if challenge:
            stats.inc_value("blocked/challenge/count")
        else:
            stats.inc_value("blocked/403/count")
            stats.inc_value(f"blocked/403/host/{host}")
        # a start request's block is reported by the reachability check, with the next step
        if host not in self.reported and not request.meta.get(START_META):
            self.reported.add(host)
            ua = request.headers.get(b"User-Agent", b"").decode("latin-1")
            what = "503 with a challenge page" if challenge else "403 Forbidden"
            logger.error(
                "blocked by the site: %s answered %s to %s (User-Agent %r). "
                "Not retrying; further blocks from this host are only counted (blocked/403/count, "
                "blocked/challenge/count).",
                host, what, response.url, ua,
            )
        if self.close_after and not self.successes and self.per_host[host] >= self.close_after:
            logger.error("closing the crawl: %d blocked answers and no page served", self.per_host[host])
            _schedule_coro(self.crawler.engine.close_spider_async(reason="blocked"))
        return response


class CompletenessMiddleware:
    """Retry HTML and sitemap responses that lack their closing markup (a body cut short)."""

    def __init__(self, crawler):
        if not crawler.settings.getbool("NEWSCRAWL_CHECK_COMPLETENESS", True):
            raise NotConfigured
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def is_complete(response: Response) -> bool:
        ctype = response.headers.get(b"Content-Type", b"").lower()
        tail = response.body[-4096:].lower()
        if b"html" in ctype:
            return HTML_END_MARKER in tail
        if b"xml" in ctype:
            return any(marker in tail for marker in SITEMAP_END_MARKERS)
        return True

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_check_completeness") or response.status >= 300:
            return response
        if self.is_complete(response):
            return response
        stats = self.crawler.stats
        stats.inc_value("download/incomplete/count")
        retry = get_retry_request(request, spider=self.crawler.spider, reason="incomplete_body")
        if retry is not None:
            return retry
        stats.inc_value("download/incomplete/given_up")
        logger.error("giving up on %s: the body kept arriving incomplete", request.url)
        # an empty, unparseable stand-in: nothing is ever extracted from a truncated body
        return response.replace(status=599, body=b"") if isinstance(response, TextResponse) else response


class RequestKinds:
    """Counts every request sent to the site by its kind (``requests/<kind>``: seed, sitemap, listing, tag,
    probe, article, poll, robots...), retries included, as the site's own log would: what a run spends,
    set against what it brought (``requests/per_change``, at the end, per new or changed article)."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        kind = request.meta.get("kind") or ("robots" if request.url.endswith("/robots.txt") else "other")
        self.stats.inc_value(f"requests/{kind}")

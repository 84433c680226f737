"""A clear answer, fast, when the site cannot be reached.

ReachabilityMiddleware watches the start requests: robots.txt, the spider's seeds (meta
`kind` == "seed") and the breaking spider's first captures. Until one of them (or any other
page of the site) has been answered, it

- gives each a short download timeout (NEWSCRAWL_START_TIMEOUT, 4 s) and one retry at most
  (none once another start request of the host has failed for good);
- classifies a final failure: DNS, refused connection, TLS, timeout, other network error, or
  blocked (403, or a 503 challenge page);
- closes the crawl with a finish reason per cause and logs one line naming the cause and the
  next step. DNS, refused connection, TLS and network errors close at the first final failure
  (every URL of the host shares them); timeouts and blocks once every start request failed.

`newscrawl.commands.crawl` turns the finish reason into the exit code (EXIT_CODES); the
crawl-health extension records the run as failed without judging it further.
"""

from __future__ import annotations

import logging
import math
import ssl
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import _schedule_coro

logger = logging.getLogger(__name__)

# finish reason per cause, and the exit code of `scrapy crawl` per finish reason
REASONS = {
    "dns": "unreachable_dns",
    "refused": "unreachable_refused",
    "tls": "unreachable_tls",
    "timeout": "unreachable_timeout",
    "network": "unreachable_network",
    "blocked": "blocked",
}
EXIT_CODES = {
    "unreachable_dns": 4,
    "unreachable_refused": 5,
    "unreachable_tls": 6,
    "unreachable_timeout": 7,
    "blocked": 8,
    "unreachable_network": 9,
}
UNREACHABLE_REASONS = frozenset(EXIT_CODES)
HOST_LEVEL = frozenset({"dns", "refused", "tls", "network"})  # one final failure speaks for the host
PRECEDENCE = ("dns", "refused", "tls", "network", "timeout", "blocked")

START_META = "newscrawl_start"  # set on a watched start request
RETRY_BUDGET_META = "newscrawl_exception_retries"  # read by BackoffRetryMiddleware

NEXT_NETWORK = ("check this machine's network connection and DNS, or its proxy settings (HTTPS_PROXY, "
                "HTTP_PROXY); set BASE_URL to a mirror this machine can reach; or run `make demo` to see the "
                "crawler work on the offline replica")
NEXT_TLS = ("check the system clock and CA certificates (Debian package ca-certificates), or a proxy that "
            "intercepts TLS; set BASE_URL to a mirror this machine can reach; or run `make demo` to see the "
            "crawler work on the offline replica")
NEXT_BLOCKED = ("the site refuses this client: keep the default honest User-Agent (a borrowed bot or tool "
                "name is blocked), try later or from another network, or set BASE_URL to a mirror; "
                "`make demo` shows the crawler work on the offline replica")
NEXT_STEP = {"dns": NEXT_NETWORK, "refused": NEXT_NETWORK, "timeout": NEXT_NETWORK, "network": NEXT_NETWORK,
             "tls": NEXT_TLS, "blocked": NEXT_BLOCKED}

CHALLENGE_MARKERS = (b"cf-chl", b"challenge-platform", b"<title>just a moment", b"attention required! | cloudflare",
                     b"cf-error-details", b"cf-browser-verification")


# --- pure: what went wrong ----------------------------------------------------------


def _chain(exc: BaseException):
    """The exception, its causes and contexts, and the failures a Twisted error wraps."""
    seen, todo = set(), [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [e.__cause__, e.__context__]
        for reason in getattr(e, "reasons", None) or []:  # ResponseNeverReceived, ResponseFailed
            todo.append(getattr(reason, "value", reason))


def _is_tls(e: BaseException) -> bool:
    if isinstance(e, ssl.SSLError):
        return True
    module = type(e).__module__
    return module.startswith("OpenSSL") or type(e).__name__ in ("SSLError", "CertificateError", "VerifyError")


PLAYWRIGHT_CODES = (("ERR_NAME_NOT_RESOLVED", "dns"), ("ERR_CONNECTION_REFUSED", "refused"),
                    ("ERR_CERT_", "tls"), ("ERR_SSL_", "tls"), ("ERR_TIMED_OUT", "timeout"),
                    ("ERR_CONNECTION_TIMED_OUT", "timeout"), ("ERR_INTERNET_DISCONNECTED", "network"),
                    ("ERR_ADDRESS_UNREACHABLE", "network"), ("ERR_CONNECTION_RESET", "network"))


def classify(exc: BaseException) -> str | None:
    """`dns`, `refused`, `tls`, `timeout`, `network`, or None for an error that is not the network's."""
    from scrapy.exceptions import (
        CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
        ResponseDataLossError,
    )
    from twisted.internet import error as tx

    chain = list(_chain(exc))
    for e in chain:
        if isinstance(e, (CannotResolveHostError, tx.DNSLookupError)):
            return "dns"
        if isinstance(e, (DownloadConnectionRefusedError, tx.ConnectionRefusedError, ConnectionRefusedError)):
            return "refused"
    for e in chain:
        if _is_tls(e):
            return "tls"
    for e in chain:
        if isinstance(e, (DownloadTimeoutError, tx.TimeoutError, tx.TCPTimedOutError, TimeoutError)):
            return "timeout"
    text = " ".join(str(e) for e in chain)
    for code, kind in PLAYWRIGHT_CODES:
        if code in text:
            return kind
    for e in chain:
        if isinstance(e, (DownloadFailedError, ResponseDataLossError, tx.ConnectError, tx.ConnectionLost,
                          tx.ConnectionDone, ConnectionError)):
            return "network"
    return None


def is_challenge(response: Response) -> bool:
    """A Cloudflare-style block or challenge page (403 or 503), by header or markup."""
    if response.status not in (403, 503):
        return False
    if response.headers.get(b"cf-mitigated", b"").lower() == b"challenge":
        return True
    head = response.body[:16384].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def short_error(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def describe_paths(paths: list[str]) -> str:
    names = sorted(dict.fromkeys(paths), key=lambda p: (p != "/robots.txt", p))
    return ", ".join(names) if names else "the start pages"


def cause_text(kind: str, host: str, port: int | None, paths: list[str], detail: str = "",
               timeout: float | None = None, user_agent: str = "") -> str:
    where = describe_paths(paths)
    hostport = f"{host}:{port}" if port else host
    if kind == "dns":
        return f"cannot resolve {host} (DNS lookup failed for {where})"
    if kind == "refused":
        return f"cannot connect to {hostport}: connection refused ({where})"
    if kind == "tls":
        return f"TLS handshake with {hostport} failed ({where}: {detail})"
    if kind == "timeout":
        within = f" within {timeout:g} s" if timeout else ""
        return f"{host} did not answer{within} ({where})"
    if kind == "blocked":
        ua = f" (User-Agent {user_agent!r})" if user_agent else ""
        return f"blocked by the site: {host} answered {detail or '403 Forbidden'} to {where}{ua}"
    return f"cannot reach {hostport} ({where}: {detail})"


def unreachable_message(kind: str, cause: str) -> str:
    reason = REASONS[kind]
    return (f"site unreachable: {cause}; nothing was crawled. Next: {NEXT_STEP[kind]}. "
            f"(finish reason {reason}, exit code {EXIT_CODES[reason]})")


def pick_kind(kinds) -> str:
    kinds = set(kinds)
    return next(k for k in PRECEDENCE if k in kinds)


def message_of(crawler) -> str | None:
    """The one message of the crawl's ReachabilityMiddleware, once it closed the crawl."""
    middlewares = getattr(getattr(getattr(crawler.engine, "downloader", None), "middleware", None), "middlewares", ())
    for middleware in middlewares:
        if isinstance(middleware, ReachabilityMiddleware):
            return middleware.closing
    return None


# --- the middleware --------------------------------------------------------------------


class ReachabilityMiddleware:
    """Downloader middleware between robots.txt (100) and the retries (550): see the module doc."""

    def __init__(self, crawler):
        settings = crawler.settings
        if not settings.getbool("NEWSCRAWL_REACHABILITY_ENABLED", True):
            raise NotConfigured
        self.crawler = crawler
        self.start_timeout = settings.getfloat("NEWSCRAWL_START_TIMEOUT", 4.0)
        project = SETTINGS_PRIORITIES["project"]
        if ((settings.getpriority("DOWNLOAD_TIMEOUT") or 0) > project
                and (settings.getpriority("NEWSCRAWL_START_TIMEOUT") or 0) <= project):
            # a DOWNLOAD_TIMEOUT given for this run (command line, Scrapyd job) is meant for these too
            self.start_timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        self.armed = True  # until the site answers anything
        self.pending: set[str] = set()  # start requests not finished yet (URLs)
        self.failures: dict[str, tuple[str, str, str]] = {}  # url -> (kind, detail, user agent)
        self.failed_hosts: set[str] = set()
        self.closing: str | None = None  # the message, once closing
        self.reason = ""

    @classmethod
    def from_crawler(cls, crawler):
        mw = cls(crawler)
        crawler.signals.connect(mw.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(mw.request_dropped, signal=signals.request_dropped)
        return mw

    @staticmethod
    def is_start(request: Request) -> bool:
        meta = request.meta
        if meta.get("kind") == "seed" or meta.get("breaking_round") == 1:
            return True
        return bool(meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == "/robots.txt"

    # signals: the seeds are known once scheduled, before robots.txt lets them through
    def request_scheduled(self, request, spider=None):
        if self.armed and self.is_start(request):
            self.pending.add(request.url)

    def request_dropped(self, request, spider=None):
        if request.url in self.pending:
            self.pending.discard(request.url)
            self._maybe_close()

    def process_request(self, request: Request):
        if self.closing:
            raise IgnoreRequest(f"not requested: the site is unreachable ({self.reason})")
        if not (self.armed and self.is_start(request)):
            return None
        self.pending.add(request.url)
        meta = request.meta
        meta[START_META] = True
        if not meta.get("playwright"):  # a browser's start-up is not the site's answer time
            meta["download_timeout"] = min(meta.get("download_timeout") or math.inf, self.start_timeout)
        meta["give_up_log_level"] = "DEBUG"  # a final failure is reported here, in one line
        meta[RETRY_BUDGET_META] = 0 if urlsplit(request.url).netloc in self.failed_hosts else 1
        return None

    def process_response(self, request: Request, response: Response):
        blocked = response.status == 403 or is_challenge(response)
        if not blocked:
            self._answered()
        elif self.armed and self.is_start(request):
            status = "503 with a challenge page" if response.status == 503 else "403 Forbidden"
            ua = request.headers.get(b"User-Agent", b"").decode("latin-1")
            self._failed(request, "blocked", status, ua)
        return response

    def process_exception(self, request: Request, exception: Exception):
        if isinstance(exception, IgnoreRequest):
            if request.url in self.pending and not self.closing:
                self.pending.discard(request.url)
                self._maybe_close()
            return None
        if not (self.armed and self.is_start(request)):
            return None
        kind = classify(exception)
        if kind is None:  # not the network's doing (a bug, a refused URL): no verdict on the site
            self.pending.discard(request.url)
            self._maybe_close()
            return None
        self._failed(request, kind, short_error(exception))
        if request.meta.get("dont_obey_robotstxt"):
            # robots.txt: Scrapy would log the failure with a traceback; it is reported here, and
            # Scrapy goes on as without a robots.txt, as it does after any failure of it
            raise IgnoreRequest(f"robots.txt failed: {kind}")
        return None

    # --- state ---------------------------------------------------------------------------
    def _answered(self) -> None:
        if self.armed:
            self.armed = False
            self.pending.clear()
            self.crawler.stats.set_value("reachability/answered", 1)
            for url, (kind, detail, _) in self.failures.items():
                logger.warning("start request %s failed (%s: %s); the site answered other requests",
                               url, kind, detail)

    def _failed(self, request: Request, kind: str, detail: str, user_agent: str = "") -> None:
        self.failures[request.url] = (kind, detail, user_agent)
        self.pending.discard(request.url)
        self.failed_hosts.add(urlsplit(request.url).netloc)
        self.crawler.stats.inc_value(f"reachability/failed/{kind}")
        if kind in HOST_LEVEL:
            self._close(kind)
        else:
            self._maybe_close()

    def _maybe_close(self) -> None:
        if self.armed and not self.closing and self.failures and not self.pending:
            self._close(pick_kind(kind for kind, _, _ in self.failures.values()))

    def _close(self, kind: str) -> None:
        if self.closing or not self.armed:
            return
        same = [(url, detail, ua) for url, (k, detail, ua) in self.failures.items() if k == kind]
        first = urlsplit(same[0][0])
        paths = [urlsplit(url).path or "/" for url, _, _ in same]
        details = list(dict.fromkeys(detail for _, detail, _ in same))
        cause = cause_text(kind, first.hostname or first.netloc, first.port or (443 if first.scheme == "https" else 80),
                           paths, "; ".join(details), self.start_timeout, same[0][2])
        message = unreachable_message(kind, cause)
        self.closing = message
        reason = self.reason = REASONS[kind]
        stats = self.crawler.stats
        stats.set_value("reachability/cause", kind)  # the message itself only once in the log
        logger.error(message)
        _schedule_coro(self.crawler.engine.close_spider_async(reason=reason))

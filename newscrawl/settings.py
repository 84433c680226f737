"""Scrapy settings for newscrawl: polite by default, everything overridable.

Environment: BASE_URL (crawl a mirror or the replica instead of the live site),
MONGODB_URI (an existing MongoDB; otherwise the embedded SecantusDB store),
NEWSCRAWL_DATA_DIR, NEWSCRAWL_CONTACT_URL, REDIS_URL. Secrets only ever come
from the environment.
"""

from __future__ import annotations

import os

from newscrawl import __version__, security

security.install()  # mask secrets in every log line of this process, from the first one

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

# --- what to crawl and where to keep it ---------------------------------------
BASE_URL = os.environ.get("BASE_URL", "")  # empty: the edition's own site
NEWSCRAWL_EDITION = os.environ.get("NEWSCRAWL_EDITION", "")  # a profile of newscrawl.sites; empty: "en"
MONGODB_URI = os.environ.get("MONGODB_URI", "")  # empty: the embedded SecantusDB store
MONGODB_DATABASE = os.environ.get("MONGODB_DATABASE", "newscrawl")
NEWSCRAWL_DATA_DIR = os.environ.get("NEWSCRAWL_DATA_DIR", "data")

# --- politeness -------------------------------------------------------------------
NEWSCRAWL_CONTACT_URL = os.environ.get("NEWSCRAWL_CONTACT_URL", "https://github.com/newscrawl/newscrawl")
USER_AGENT = f"newscrawl/{__version__} (+{NEWSCRAWL_CONTACT_URL})"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
# Scrapy starts this many asyncio tasks for the output of every callback: an article page gives one
# item, a sitemap a few hundred requests that pass in microseconds; 100 (the default) cost about 0.5 ms
# of the crawler's CPU per page for nothing (python -m bench pipeline: 345 -> 446 pages/s fetched)
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0.25
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # no article page is near this; a runaway body is cut off
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 5
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524]  # 522/524: Cloudflare's origin timeouts
NEWSCRAWL_BACKOFF_BASE = 1.0  # seconds; doubled on every retry of a request
NEWSCRAWL_BACKOFF_MAX = 120.0  # cap, Retry-After included
NEWSCRAWL_RATE_LIMITED_RETRIES = 20  # retries of a 429 (each after its Retry-After)
HTTPERROR_ALLOWED_CODES: list[int] = []

# a site that cannot be reached ends the crawl within seconds, with one line naming the cause
# (newscrawl.health.reachability; the exit code per cause is in README "Crawl health")
NEWSCRAWL_REACHABILITY_ENABLED = True
NEWSCRAWL_START_TIMEOUT = 4.0  # seconds for robots.txt and the seeds until the site has answered once
DNS_TIMEOUT = 8  # seconds for one DNS lookup (Scrapy's default is 60)

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "newscrawl.health.reachability.ReachabilityMiddleware": 540,
    "newscrawl.middlewares.BackoffRetryMiddleware": 550,
    "newscrawl.middlewares.BlockedMiddleware": 560,
    "newscrawl.middlewares.CompletenessMiddleware": 570,
    "newscrawl.middlewares.RequestKinds": 860,  # after DownloaderStats (850): what reaches the site
}

# --- items: clean -> validate -> dedupe -> store ------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.clean.CleaningPipeline": 100,
    "newscrawl.pipelines.validate.ValidationPipeline": 200,
    "newscrawl.pipelines.dedupe.DedupePipeline": 300,
    "newscrawl.pipelines.mongo.MongoPipeline": 400,
}
CLEANING_ENABLED = True
VALIDATION_ENABLED = True
VALIDATION_MIN_BODY_WORDS = 5
VALIDATION_FUTURE_SKEW_HOURS = 24.0
VALIDATION_MIN_WORDS_PER_MINUTE = 40
VALIDATION_MAX_WORDS_PER_MINUTE = 600
VALIDATION_REJECTS_FILE = ""  # empty: <NEWSCRAWL_DATA_DIR>/rejects.jsonl
NEWSCRAWL_STORE_ENABLED = True
MONGO_FLUSH_ITEMS = 100
MONGO_FLUSH_SECONDS = 2.0
MONGO_RETRY_SECONDS = 30.0  # while the server answers; then the batch goes to the store's journal
MONGO_MAX_PENDING_FLUSHES = 4  # backpressure: process_item waits beyond this
# how long a connection, look-up or write waits for a server before the store counts as down (its circuit then
# answers at once; newscrawl.store.circuit). From the environment as given: `scrapy crawl` reports a value that
# is not a number (newscrawl.validation)
MONGO_SERVER_SELECTION_TIMEOUT_MS = os.environ.get("MONGO_SERVER_SELECTION_TIMEOUT_MS") or 5000
# the store's circuit (newscrawl.store.circuit): once the server is known to be down, re-test it this often,
# each re-test waiting this long; meanwhile look-ups answer "unknown" and writes go to the journal at once
MONGO_CIRCUIT_PROBE_SECONDS = 2.0
MONGO_CIRCUIT_PROBE_TIMEOUT_MS = 1000
NEWSCRAWL_EMBEDDED_KEEP = False  # True: leave the embedded server running after the crawl
NEWSCRAWL_KEEP_PAGES = False  # True: keep each article's raw HTML, compressed, in `pages`
# processes that extract article pages beside the crawler's own thread (newscrawl.extract.workers);
# -1: one per core beyond the first, at most two; 0: extract in the crawler's thread
NEWSCRAWL_EXTRACT_PROCESSES = -1
NEWSCRAWL_LISTING_MAX_PAGES = 1000  # a listing is never paged beyond this (it stops sooner when nothing is new)
# pages the home page links that no profile pattern names are fetched once each (at most this many a crawl);
# one whose first page links at least this many articles is walked as a listing (listing/learned/<shape>)
NEWSCRAWL_LEARNED_LISTINGS_MAX = 40
NEWSCRAWL_LEARNED_LISTING_MIN_ARTICLES = 3
NEWSCRAWL_PROBE_REVISIT_DAYS = 30.0  # a page judged not a listing is probed again after this long

# --- staying current (newscrawl.schedule): what an incremental run fetches, and follow mode -----------
# a listing (or a followed source) is walked again after its adaptive interval: shorter where news
# appeared recently, longer where none did, within these bounds (seconds)
NEWSCRAWL_FOLLOW_MIN_INTERVAL = 30.0
NEWSCRAWL_FOLLOW_MAX_INTERVAL = 3600.0
NEWSCRAWL_TAG_REVISIT_DAYS = 7.0  # a known tag's listing is walked again at most this often
NEWSCRAWL_TAG_ROTATION_MAX = 50  # known tags due again walked by one run, the oldest first
NEWSCRAWL_REVISIT_AFTER = "10m,1h,6h,1d,3d"  # follow mode: revisits of a new article after its publication
NEWSCRAWL_REVISIT_SLACK = 0.2  # a revisit may wait this share of its delay to share a sitemap fetch
NEWSCRAWL_FOLLOW_CHECKPOINT_SECONDS = 10.0  # the schedule is written to the store this often
NEWSCRAWL_FOLLOW_QUIET_FACTOR = 4.0  # warn when nothing new for this many times the usual gap ...
NEWSCRAWL_FOLLOW_QUIET_MIN_SECONDS = 900.0  # ... and at least this long
NEWSCRAWL_POLLER_LEASE_SECONDS = 15.0  # with REDIS_URL: a dead poller's lease passes on after this long

# --- Playwright: only requests that ask for it (meta playwright=True) go through a browser
DOWNLOAD_HANDLERS_PLAYWRIGHT = {
    "http": "newscrawl.browser.BoundedPlaywrightHandler",
    "https": "newscrawl.browser.BoundedPlaywrightHandler",
}
BREAKING_WAIT_MS = 15000  # how long a rendered page may take to show a ticker line
BROWSER_DEADLINE = 60.0  # seconds for one browser request before the browser is replaced
PLAYWRIGHT_BROWSER_TYPE = "chromium"
CHROMIUM_EXECUTABLE = os.environ.get("CHROMIUM_EXECUTABLE", "")  # empty: search the Debian paths

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
TELNETCONSOLE_ENABLED = False
SPIDER_CONTRACTS = {"newscrawl.contracts.PageContract": 10}
COMMANDS_MODULE = "newscrawl.commands"
EXTENSIONS = {
    "newscrawl.security.SecretsMasking": 0,
    "newscrawl.health.extension.CrawlHealth": 500,
    "newscrawl.health.extension.CaptureHealth": 510,
    "newscrawl.extensions.reactorlag.ReactorLag": 800,
    "newscrawl.extensions.statsfile.StatsFile": 900,
}
# Scrapy's own collector, minus a deprecation shim that cost ~3 us per counted stat
STATS_CLASS = "newscrawl.extensions.stats.LeanStatsCollector"
NEWSCRAWL_REACTOR_LAG_INTERVAL = 0.0  # > 0: measure event-loop lag every that many seconds (bench/store)
NEWSCRAWL_PROGRESS_INTERVAL = 30.0  # seconds between progress lines
# monitor thresholds (README "Crawl health"); shares are 0..1
NEWSCRAWL_MONITOR_COVERAGE_DROP = 0.2  # a field's share this far below its recent median fails
NEWSCRAWL_MONITOR_COVERAGE_FLOOR = 0.3  # fields rarer than this in recent runs are not judged
NEWSCRAWL_MONITOR_FALLBACK_RISE = 0.3  # key fields from meta tags / visible page: rise that is looked at
NEWSCRAWL_MONITOR_FALLBACK_MAX = 0.5  # the same, on a first run
NEWSCRAWL_MONITOR_ERROR_RATE = 0.05  # failed requests / requests
NEWSCRAWL_MONITOR_BLOCKED_RATE = 0.1  # 403s and challenge pages / responses
NEWSCRAWL_MONITOR_RETRY_RATE = 0.5  # retries / downloads
NEWSCRAWL_MONITOR_EMPTY_LISTINGS_SHARE = 0.5  # this share of listings with no article link fails the run
NEWSCRAWL_MONITOR_MIN_ARTICLES = 20  # fewer: shares are not judged (unless every one failed) ...
NEWSCRAWL_MONITOR_ALL_FAILED_MIN = 3  # ... of at least this many (an incremental run may fetch one bad page)
NEWSCRAWL_MONITOR_HISTORY_RUNS = 5  # passed runs of the same spider and site compared against
NEWSCRAWL_MONITOR_REJECT_RATE = 0.1  # rejected / validated items
NEWSCRAWL_MONITOR_GENERIC_RATE = 0.2  # article pages extracted by the generic fallback / extracted
# first run of a spider on a site (no passed history): least share of articles with each field
NEWSCRAWL_MONITOR_FLOORS = {"title": 0.99, "body": 0.99, "published_at": 0.99, "authors": 0.9}
NEWSCRAWL_CAPTURE_SPIDERS = ["breaking"]  # judged by CaptureHealth: fail when no capture succeeded
# alert actions when monitors fail (besides the log): a Slack-compatible webhook, a file, e-mail
NEWSCRAWL_ALERT_WEBHOOK = os.environ.get("NEWSCRAWL_ALERT_WEBHOOK", "")
NEWSCRAWL_ALERT_FILE = os.environ.get("NEWSCRAWL_ALERT_FILE", "")
NEWSCRAWL_ALERT_EMAIL_TO = os.environ.get("NEWSCRAWL_ALERT_EMAIL_TO", "")
NEWSCRAWL_ALERT_SMTP_PASSWORD = os.environ.get("NEWSCRAWL_ALERT_SMTP_PASSWORD", "")
NEWSCRAWL_STATS_FILE = os.environ.get("NEWSCRAWL_STATS_FILE", "")

# --- distributed crawling: REDIS_URL (a secret: env only) makes this process a worker of a shared frontier
REDIS_URL = os.environ.get("REDIS_URL", "")
ADDONS = {"newscrawl.distributed.DistributedAddon": 0}
NEWSCRAWL_IDLE_CLOSE_SECONDS = 30.0  # close after the whole frontier has been quiet this long
NEWSCRAWL_LEASE_SECONDS = 60.0  # a dead worker's pages go back to the queue after this long

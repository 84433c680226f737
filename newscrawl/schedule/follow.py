"""Follow mode (``scrapy crawl almayadeen -a follow=true``): keep the archive current, polling only the front.

One long-running crawl. The follower keeps a set of *sources* (the home page, the first page of each
listing, the current month's sitemap, and now and then the sitemap index to learn of a new month),
each on an adaptive interval (``newscrawl.schedule.policy``: shorter where news appeared recently,
longer where none did, within NEWSCRAWL_FOLLOW_MIN_INTERVAL and NEWSCRAWL_FOLLOW_MAX_INTERVAL,
jittered, and never more often than robots.txt's Crawl-delay), polled with conditional requests.
The spider reads the answers as in any crawl: an article new to the store is requested at once,
ahead of everything else. Each new article is revisited on a decaying ladder after its publication
(NEWSCRAWL_REVISIT_AFTER, default 10m,1h,6h,1d,3d): an article the current month's sitemap lists
(with lastmods it can trust) is vouched for by the next fetch of that sitemap, which names what
changed; any other is asked for conditionally. A correction thus becomes revision 2 without
re-downloading unchanged pages.

Every NEWSCRAWL_PROGRESS_INTERVAL the log says what came in; a warning says when nothing new has
appeared for much longer than the site's usual gap. The schedule (sources and revisits) lives in the
store and is written every few seconds, so SIGTERM stops the crawl at once and a restart resumes
where it stopped. With a shared frontier (REDIS_URL), one worker polls at a time (a lease in Redis);
the articles it finds go through the frontier to every worker.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta, timezone

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.task import LoopingCall
from twisted.internet.threads import deferToThread

from newscrawl.health.monitors import per_change
from newscrawl.items import ArticleItem
from newscrawl.schedule.policy import DEFAULT_LADDER, ladder, median, next_revisit, percentile, usual_gap
from newscrawl.schedule.sources import HOME, INDEX, LISTING, SAVE_TIMEOUT, SITEMAP, Source

logger = logging.getLogger(__name__)

TICK_SECONDS = 0.5


class Follower:
    def __init__(self, spider, settings):
        self.spider = spider
        self.crawler = spider.crawler
        self.stats = spider.crawler.stats
        self.sources = spider.sources
        self.site = spider.profile.host
        self.rng = random.Random()
        self.ladder = ladder(settings.get("NEWSCRAWL_REVISIT_AFTER") or DEFAULT_LADDER)
        self.slack = settings.getfloat("NEWSCRAWL_REVISIT_SLACK", 0.2)
        self.checkpoint_every = settings.getfloat("NEWSCRAWL_FOLLOW_CHECKPOINT_SECONDS", 10.0)
        self.progress_every = settings.getfloat("NEWSCRAWL_PROGRESS_INTERVAL", 30.0)
        self.quiet_factor = settings.getfloat("NEWSCRAWL_FOLLOW_QUIET_FACTOR", 4.0)
        self.quiet_floor = settings.getfloat("NEWSCRAWL_FOLLOW_QUIET_MIN_SECONDS", 900.0)
        self.watched: dict[tuple[str, str], Source] = {}
        self.in_flight: set[tuple[str, str]] = set()
        self.revisits: dict[str, dict] = {}  # url -> {published_at, rung, due_at}
        self.revisits_dirty: set[str] = set()
        self.revisits_done: set[str] = set()
        self.awaiting_sitemap: dict[str, datetime] = {}  # revisits a fetch of the month's sitemap will vouch for
        self.revisiting: set[str] = set()
        self.news_urls: dict[str, datetime] = {}  # articles requested as new -> when
        self.delays: list[float] = []  # seconds from publication to storing, per new article
        self.published: list[datetime] = []  # recent publication times (the site's usual gap)
        self.started = time.monotonic()
        self.last_news = time.monotonic()
        self.quiet_said = False
        self.next_checkpoint = self.next_progress = 0.0
        self.saving = False
        self.loop: LoopingCall | None = None
        self.lease = None
        self.polling = False
        self.closed = False

    @classmethod
    def from_spider(cls, spider) -> Follower:
        return cls(spider, spider.crawler.settings)

    # --- life --------------------------------------------------------------------------------
    def start(self) -> None:
        s = self.crawler.signals
        s.connect(self.spider_idle, signal=signals.spider_idle)
        s.connect(self.item_scraped, signal=signals.item_scraped)
        s.connect(self.spider_closed, signal=signals.spider_closed)
        from newscrawl.distributed.poller import poller_lease

        self.lease = poller_lease(self.crawler, self.spider)
        self.stats.set_value("follow/mode", 1)  # a signal is how following ends (newscrawl.commands.crawl)
        now = self.now()
        spider = self.spider
        self.add(self.sources.get(HOME, spider.site_url(spider.profile.home_path)), due=now)
        self.add(self.current_month(), due=now)
        # the index now and then: a month whose lastmod moved holds an edit of an older article
        self.add(self.sources.get(INDEX, spider.site_url(spider.profile.sitemap_index_path)))
        for listing in self.sources.of_kind(LISTING):
            self.add(listing)
        deferred_from_coro(self.open())
        self.loop = LoopingCall(self.tick)
        self.loop.start(TICK_SECONDS, now=False).addErrback(lambda f: logger.error("follow loop: %s", f.value))
        logger.info("following %s: the home page, %d listing(s) and the current month's sitemap, polled every %s to "
                    "%s s; new articles revisited after %s", self.site, len(self.sources.of_kind(LISTING)),
                    self.sources.bounds.minimum, self.sources.bounds.maximum,
                    ", ".join(f"{int(s)}s" for s in self.ladder))

    async def open(self) -> None:
        """The revisits the last follower left, and the site's recent publication times, from the store."""
        from newscrawl.store import get_store

        store = get_store(self.crawler)
        if store is None:
            return
        try:
            revisits, published = await maybe_deferred_to_future(deferToThread(
                lambda: (store.schedule.load_revisits(self.site),
                         store.schedule.published_recently(self.site, store.db["articles"]))))
        except Exception as exc:
            logger.warning("follow: could not read the revisit schedule (%s); it starts empty", exc)
            return
        for url, doc in revisits.items():
            self.revisits.setdefault(url, {k: doc[k] for k in ("published_at", "rung", "due_at")})
        self.published = sorted(published)[-60:]

    def spider_idle(self, spider) -> None:
        if not self.closed:
            raise DontCloseSpider  # following never runs out of work: it waits for the site

    async def spider_closed(self, spider, reason) -> None:
        self.closed = True
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.lease is not None:
            self.lease.release()
        self.progress(final=True)
        await self.checkpoint(force=True)

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

    # --- sources -----------------------------------------------------------------------------
    def current_month(self) -> Source:
        """The current month's sitemap (by the profile's path of a month: it may not exist yet, a 404)."""
        local = self.now().astimezone(self.spider.profile.timezone)
        path = self.spider.profile.sitemap_month_path.format(year=local.year, month=local.month)
        return self.sources.get(SITEMAP, self.spider.site_url(path))

    def add(self, source: Source, due: datetime | None = None) -> None:
        """Watch ``source``. A listing never polled (or long overdue) is first due at a random point of its
        interval, so that a new follower does not fetch every listing at once."""
        key = (source.kind, source.url)
        now = self.now()
        if due is not None:
            source.next_due = due
        elif source.next_due is None or source.next_due < now:
            span = source.interval or self.sources.bounds.maximum
            source.next_due = now + timedelta(seconds=self.rng.uniform(0, span))
        self.watched[key] = source

    def crawl_delay(self) -> float:
        """robots.txt's Crawl-delay for our User-Agent (0 when it names none)."""
        try:
            from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware

            for mw in self.crawler.engine.downloader.middleware.middlewares:
                if isinstance(mw, RobotsTxtMiddleware):
                    for parser in mw._parsers.values():
                        rp = getattr(parser, "rp", None)
                        delay = rp.crawl_delay(self.crawler.settings.get("USER_AGENT")) if rp is not None else None
                        if delay:
                            return float(delay)
        except Exception:  # noqa: BLE001 - a private attribute of Scrapy's: without it, the minimum interval rules
            return 0.0
        return 0.0

    def tick(self) -> None:
        if self.closed:
            return
        if self.lease is not None and not self.lease.hold():
            if self.polling:
                logger.info("follow: another worker polls the site now; this one fetches from the shared frontier")
            self.polling = False
            return
        if not self.polling:
            self.polling = True
            if self.lease is not None:
                logger.info("follow: this worker holds the poller lease")
        now = self.now()
        month = self.current_month()
        if (SITEMAP, month.url) not in self.watched:  # a new month began: its sitemap is the one to poll
            self.watched = {key: s for key, s in self.watched.items() if key[0] != SITEMAP}
            self.add(month, due=now)
        spacing = max(self.crawl_delay(), 0.0)
        for key, source in list(self.watched.items()):
            if key in self.in_flight or not source.due(now):
                continue
            if spacing and source.checked_at and (now - source.checked_at).total_seconds() < spacing:
                continue
            self.in_flight.add(key)
            self.stats.inc_value("follow/polls/requested")
            self.crawler.engine.crawl(self.spider.poll_request(source))
        self.due_revisits(now)
        clock = time.monotonic()
        if clock >= self.next_checkpoint:
            self.next_checkpoint = clock + self.checkpoint_every
            deferred_from_coro(self.checkpoint())
        if self.progress_every > 0 and clock >= self.next_progress:
            if self.next_progress:
                self.progress()
            self.next_progress = clock + self.progress_every

    def answered(self, kind: str, url: str, polled_at: str | None, failed: bool = False) -> None:
        """A poll came back (the spider has read it): it may be polled again; a fetch of the current month's
        sitemap vouches for the revisits due before it was asked for."""
        self.in_flight.discard((kind, url))
        source = self.sources.get(kind, url)
        now = self.now()
        if failed:
            source.next_due = now + timedelta(seconds=source.interval or self.sources.bounds.minimum)
            self.stats.inc_value(f"follow/polls/failed/{kind}")
            return
        if kind == SITEMAP and polled_at and self.spider.month_trusted:
            asked = datetime.fromisoformat(polled_at)
            for article, due in list(self.awaiting_sitemap.items()):
                if due <= asked:
                    del self.awaiting_sitemap[article]
                    self.stats.inc_value("follow/revisits/vouched")
                    self.advance(article)

    # --- news and revisits ----------------------------------------------------------------------
    def requested(self, url: str, new: bool, dated) -> None:
        """The spider requested an article: a new one is timed, and its revisits are laid out."""
        if not new:
            return
        now = self.now()
        self.news_urls[url] = now
        self.last_news, self.quiet_said = time.monotonic(), False
        # the publication time, where the site gave one to the minute (a card's day is no time): else now
        published = datetime.fromisoformat(dated[1]) if dated and dated[0] != "card_day" else now
        self.lay_out(url, min(published, now))

    def lay_out(self, url: str, published: datetime) -> None:
        rung = next_revisit(published, self.now(), self.ladder)
        if rung is None:
            return
        self.revisits[url] = {"published_at": published, "rung": rung[0], "due_at": rung[1]}
        self.revisits_dirty.add(url)
        self.revisits_done.discard(url)

    def item_scraped(self, item, spider) -> None:
        if not isinstance(item, ArticleItem):
            return
        requested = self.news_urls.pop(item.url, None)
        if requested is None or item.published_at is None:
            return
        now = self.now()
        self.delays.append(max(0.0, (now - item.published_at).total_seconds()))
        self.published = (self.published + [item.published_at])[-60:]
        held = self.revisits.get(item.url)
        if held is not None and held["rung"] == 1 and held["published_at"] != item.published_at:
            self.lay_out(item.url, min(item.published_at, now))  # the page's own date, now that it is read

    def due_revisits(self, now: datetime) -> None:
        month = self.current_month()
        watched_month = (SITEMAP, month.url) in self.watched
        for url, entry in list(self.revisits.items()):
            if entry["due_at"] > now or url in self.revisiting or url in self.awaiting_sitemap:
                continue
            if watched_month and self.spider.month_trusted and url in self.spider.month_entries:
                # the month's sitemap names what changed: its next fetch answers for this article
                self.awaiting_sitemap[url] = entry["due_at"]
                offset = (entry["due_at"] - entry["published_at"]).total_seconds()
                latest = entry["due_at"] + timedelta(seconds=self.slack * offset)
                if month.next_due is None or month.next_due > latest:
                    month.next_due = max(latest, now)
                continue
            self.revisiting.add(url)
            self.stats.inc_value("follow/revisits/requested")
            deferred_from_coro(self._revisit(url))

    async def _revisit(self, url: str) -> None:
        try:
            self.crawler.engine.crawl(await self.spider.revisit_request(url))
        except Exception as exc:  # noqa: BLE001 - a revisit must never stop following
            logger.warning("follow: could not revisit %s (%s)", url, exc)
            self.revisited(url)

    def revisited(self, url: str) -> None:
        self.revisiting.discard(url)
        self.advance(url)

    def advance(self, url: str) -> None:
        entry = self.revisits.get(url)
        if entry is None:
            return
        rung = next_revisit(entry["published_at"], self.now(), self.ladder, done=entry["rung"])
        if rung is None:
            del self.revisits[url]
            self.revisits_dirty.discard(url)
            self.revisits_done.add(url)
        else:
            entry["rung"], entry["due_at"] = rung
            self.revisits_dirty.add(url)

    # --- the store -----------------------------------------------------------------------------
    async def checkpoint(self, force: bool = False) -> None:
        """Write what changed of the schedule (sources, revisits), off the reactor."""
        from newscrawl.store import get_store

        store = get_store(self.crawler)
        if store is None or (self.saving and not force):
            return
        sources = self.sources.dirty()
        due = {url: dict(self.revisits[url]) for url in self.revisits_dirty if url in self.revisits}
        done = set(self.revisits_done)
        self.revisits_dirty.clear()
        self.revisits_done.clear()
        if not (sources or due or done):
            return
        self.saving = True
        try:
            await maybe_deferred_to_future(deferToThread(self._save, store, sources, due, done))
        except Exception as exc:  # kept for the next checkpoint
            logger.warning("follow: could not save the schedule (%s); trying again", exc)
            for doc in sources:
                self.sources.get(doc["kind"], doc["url"]).dirty = True
            self.revisits_dirty |= set(due)
            self.revisits_done |= done
        finally:
            self.saving = False

    def _save(self, store, sources: list[dict], due: dict, done: set) -> None:
        import pymongo

        with pymongo.timeout(SAVE_TIMEOUT):  # a checkpoint never waits long for a store going down
            store.guarded(store.schedule.save, self.site, sources)
            store.guarded(store.schedule.save_revisits, self.site, due, done)

    # --- what it says ----------------------------------------------------------------------------
    def figures(self) -> dict:
        stats = self.stats
        polls = sum(v for k, v in stats.get_stats().items() if k.startswith("follow/polls/") and k.count("/") == 2
                    and k != "follow/polls/requested")
        new = stats.get_value("mongo/articles/new", 0) or 0
        changed = stats.get_value("mongo/articles/changed", 0) or 0
        requests = stats.get_value("downloader/request_count", 0) or 0
        return {"new": new, "revisions": changed, "requests": requests, "polls": polls,
                "revisits": (stats.get_value("follow/revisits/requested", 0) or 0)
                + (stats.get_value("follow/revisits/vouched", 0) or 0),
                "per_change": per_change(stats.get_stats()),
                "delay_median": median(self.delays), "delay_p95": percentile(self.delays, 0.95)}

    def progress(self, final: bool = False) -> None:
        f = self.figures()
        for name in ("delay_median", "delay_p95"):
            if f[name] is not None:
                self.stats.set_value(f"follow/{name.replace('_', '/')}_seconds", round(f[name], 1))
        quiet = time.monotonic() - self.last_news
        delay = (f"median delay {f['delay_median']:.0f} s from publication to storing (p95 {f['delay_p95']:.0f} s)"
                 if f["delay_median"] is not None else "no new article yet")
        logger.info("%s %s: %d new articles, %d revisions; %d requests (%d polls, %d revisits)%s; %s; last news "
                    "%.0f s ago", "followed" if final else "following", self.site, f["new"], f["revisions"],
                    f["requests"], f["polls"], f["revisits"],
                    f", {f['per_change']} per new or changed article" if f["per_change"] else "", delay, quiet)
        gap = usual_gap(self.published)
        if gap and not self.quiet_said and quiet > max(self.quiet_factor * gap, self.quiet_floor):
            self.quiet_said = True
            self.stats.inc_value("follow/quiet/warnings")
            logger.warning("follow: nothing new on %s for %.0f s, while it usually publishes every %.0f s: is the "
                           "site reachable, or did its front change? (newscrawl doctor checks it)", self.site, quiet, gap)

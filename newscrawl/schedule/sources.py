"""What the crawler knows of the site's non-article pages between runs, and what is due now.

A ``Sources`` book is read from the store when a crawl opens (``newscrawl.store.schedule``) and
written back when it closes (and every few seconds while following). Each page it knows is a
``Source``: the home page, a listing's or tag's first page, the sitemap index, a monthly sitemap,
or a page probed as a possible listing. The book answers the run's questions:

- is this monthly sitemap worth fetching? Only when the index's lastmod for it is newer than at
  the last run that stored everything it listed, when it is the current month, or when the index
  gives no lastmod to trust (then conditionally, with the validators kept from the last fetch);
- is this listing due? When it was never walked, when its adaptive interval has run out, or when
  the home page showed news in its section; a tag when never walked or not for
  ``NEWSCRAWL_TAG_REVISIT_DAYS``; a probed page when its verdict is older than
  ``NEWSCRAWL_PROBE_REVISIT_DAYS``.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from newscrawl.schedule.policy import adapt, interval_from_cards, jittered

HOME, LISTING, TAG, INDEX, SITEMAP, PAGE = "home", "listing", "tag", "index", "sitemap", "page"
logger = logging.getLogger(__name__)
SAVE_TIMEOUT = 1.0  # seconds the schedule's write at the close of a crawl may wait for the store


def read_schedule(store, site: str, spider: str) -> tuple[dict, list[str]]:
    """What the store knows of the site's pages ({(kind, url): document}), and the URL shapes the last passed
    crawl of ``spider`` found its sitemaps listing as articles. Blocking: call it off the reactor."""
    docs = store.schedule.load(site)
    if docs and store.db["articles"].find_one({"site": site}, {"_id": 1}) is None:
        # the schedule outlived the articles (a collection dropped, another database restored): it says
        # nothing of what the store holds, so everything is due again
        logger.warning("the crawl schedule knows %d pages of %s but the store holds none of its articles: "
                       "everything is fetched again", len(docs), site)
        docs = {}
    last = store.db["crawls"].find_one({"spider": spider, "site": site, "status": "passed",
                                        "unknown_shapes.0": {"$exists": True}},
                                       {"_id": 0, "unknown_shapes": 1}, sort=[("end", -1)])
    return docs, [s["shape"] for s in (last or {}).get("unknown_shapes", [])]


@dataclass
class Source:
    kind: str
    url: str  # canonical
    checked_at: datetime | None = None  # last fetched (200 or 304)
    next_due: datetime | None = None
    interval: float | None = None  # seconds between polls (adaptive)
    etag: str | None = None
    last_modified: str | None = None
    news_at: datetime | None = None  # last time it brought an article new to the store, or a change
    polls: int = 0
    news: int = 0  # articles it brought, in all
    lastmod: datetime | None = None  # a monthly sitemap: the index's lastmod when it was last fully stored
    stored_at: datetime | None = None  # a monthly sitemap: when a run last found everything it listed stored
    verdict: str | None = None  # a probed page: listing | not_listing | missing | article
    learned: bool = False  # a listing found by what it is, not by a profile pattern
    walked_at: datetime | None = None  # a listing or tag: its last walk
    cards: int | None = None  # article links on its first page at its last walk
    dirty: bool = field(default=False, compare=False)

    def document(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "dirty"}

    @property
    def validators(self) -> dict:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def due(self, now: datetime) -> bool:
        return self.next_due is None or self.next_due <= now


_STORED = {f.name for f in fields(Source)} - {"dirty"}


@dataclass
class Bounds:
    minimum: float = 30.0  # NEWSCRAWL_FOLLOW_MIN_INTERVAL
    maximum: float = 3600.0  # NEWSCRAWL_FOLLOW_MAX_INTERVAL
    tag_days: float = 7.0  # NEWSCRAWL_TAG_REVISIT_DAYS
    probe_days: float = 30.0  # NEWSCRAWL_PROBE_REVISIT_DAYS


class Sources:
    def __init__(self, site: str, docs: dict | None = None, bounds: Bounds | None = None,
                 rng: random.Random | None = None):
        self.site = site
        self.bounds = bounds or Bounds()
        self.rng = rng or random.Random()
        self.known: dict[tuple[str, str], Source] = {}
        for (kind, url), doc in (docs or {}).items():
            self.known[(kind, url)] = Source(**{k: v for k, v in doc.items() if k in _STORED})
        # monthly sitemaps read in this run: url -> the index's lastmod for it; and the articles requested from
        # them that have not been through the pipelines yet (digest -> sitemap), counted per sitemap
        self.sitemaps_seen: dict[str, datetime | None] = {}
        self.awaiting: dict[int, str] = {}
        self.open_articles: dict[str, int] = {}

    @property
    def empty(self) -> bool:
        return not self.known

    def get(self, kind: str, url: str) -> Source:
        source = self.known.get((kind, url))
        if source is None:
            source = self.known[(kind, url)] = Source(kind, url)
        return source

    def peek(self, kind: str, url: str) -> Source | None:
        return self.known.get((kind, url))

    def of_kind(self, kind: str) -> list[Source]:
        return [s for (k, _), s in self.known.items() if k == kind]

    def dirty(self) -> list[dict]:
        """The documents changed since the last save (and marks them clean)."""
        out = []
        for source in self.known.values():
            if source.dirty:
                out.append(source.document())
                source.dirty = False
        return out

    # --- what was fetched ---------------------------------------------------------------
    def fetched(self, source: Source, now: datetime, status: int, validators: dict) -> None:
        """A response for ``source`` (200 or 304): when, and the validators a 200 brought."""
        source.checked_at = now
        if status == 200:
            source.etag, source.last_modified = validators.get("http_etag"), validators.get("http_last_modified")
        source.dirty = True

    def polled(self, source: Source, now: datetime, news: int, moments: list[datetime] | None = None) -> None:
        """After a poll or walk of ``source``: its interval adapts to whether it brought news, and it is due
        again one (jittered) interval later. A source seen for the first time starts from its cards' dates."""
        b = self.bounds
        source.polls += 1
        if source.interval is None:
            # a listing starts from its own cards; the front (home, current sitemap) from the shortest
            # interval, stretched at once if it brought nothing; the index from the longest
            if source.kind in (LISTING, TAG):
                source.interval = interval_from_cards(moments or [], b.minimum, b.maximum)
            elif source.kind == INDEX:
                source.interval = b.maximum
            else:
                source.interval = adapt(b.minimum, news > 0, b.minimum, b.maximum)
        else:
            source.interval = adapt(source.interval, news > 0, b.minimum, b.maximum)
        if news:
            source.news += news
            source.news_at = now
        source.next_due = now + timedelta(seconds=jittered(source.interval, self.rng))
        source.dirty = True

    # --- what is due -------------------------------------------------------------------------
    def listing_due(self, url: str, now: datetime) -> bool:
        source = self.peek(LISTING, url)
        return source is None or source.due(now)

    def tag_due(self, url: str, now: datetime) -> bool:
        source = self.peek(TAG, url)
        return source is None or source.walked_at is None or self.rotated_out(source, now)

    def tags_due(self, now: datetime, limit: int) -> list[str]:
        """Known tags whose last walk is older than the rotation period, the oldest first."""
        due = [s for s in self.of_kind(TAG) if s.walked_at and self.rotated_out(s, now)]
        return [s.url for s in sorted(due, key=lambda s: s.walked_at)[:limit]]

    def rotated_out(self, tag: Source, now: datetime) -> bool:
        """A walked tag whose last walk is NEWSCRAWL_TAG_REVISIT_DAYS old or more."""
        return tag.walked_at + timedelta(days=self.bounds.tag_days) <= now

    def probe_due(self, url: str, now: datetime) -> bool:
        """A page not yet judged, or judged not a listing long enough ago (a learned listing is a listing)."""
        source = self.peek(PAGE, url)
        if source is None or source.checked_at is None:
            return True
        if source.verdict == "listing":
            return False
        return source.checked_at + timedelta(days=self.bounds.probe_days) <= now

    def judged(self, url: str, verdict: str, now: datetime) -> None:
        source = self.get(PAGE, url)
        source.verdict, source.checked_at, source.dirty = verdict, now, True

    def learned_listings(self) -> list[str]:
        return [s.url for s in self.of_kind(LISTING) if s.learned]

    def walked(self, kind: str, url: str, now: datetime, cards: int, news: int, moments: list[datetime],
               learned: bool = False) -> None:
        """A listing or tag whose walk began with this first page."""
        source = self.get(kind, url)
        source.walked_at, source.cards = now, cards
        source.learned = source.learned or learned
        self.polled(source, now, news, moments)

    # --- sitemaps ------------------------------------------------------------------------------
    def sitemap_wanted(self, url: str, lastmod: datetime | None, current: bool) -> tuple[bool, dict]:
        """(whether to fetch a monthly sitemap, the conditional headers to send): fetched whole when it was
        never stored whole (a run cut short must not leave it answered by a 304) or when the index's lastmod
        for it is newer than then; conditionally when it is the current month or the index gives no lastmod
        to compare; else not at all."""
        source = self.peek(SITEMAP, url)
        if source is None or source.stored_at is None:
            return True, {}
        if lastmod is not None and source.lastmod is not None and lastmod > source.lastmod:
            return True, {}
        if current or lastmod is None or source.lastmod is None:
            return True, source.validators
        return False, {}

    def sitemap_read(self, url: str, lastmod: datetime | None, requested: list[int]) -> None:
        """A monthly sitemap read in this run, the index's lastmod for it, and the articles (digests) it had
        requested: the sitemap counts as stored whole once each of them has been through the pipelines."""
        self.sitemaps_seen[url] = lastmod
        self.open_articles[url] = self.open_articles.get(url, 0)
        for key in requested:
            if key not in self.awaiting:
                self.awaiting[key] = url
                self.open_articles[url] += 1

    def resolved(self, key: int) -> None:
        """An article has been through the pipelines (stored, seen unchanged, or rejected and kept as such)."""
        sitemap = self.awaiting.pop(key, None)
        if sitemap is not None:
            self.open_articles[sitemap] -= 1

    def sitemaps_complete(self) -> list[tuple[str, datetime | None]]:
        """The sitemaps read in this run whose every requested article came through."""
        return [(url, lastmod) for url, lastmod in self.sitemaps_seen.items() if not self.open_articles.get(url)]

    def sitemap_stored(self, url: str, lastmod: datetime | None, now: datetime) -> None:
        """Everything the sitemap listed is in the store: later runs skip it until its lastmod moves."""
        source = self.get(SITEMAP, url)
        source.lastmod = lastmod or source.lastmod
        source.stored_at = now
        source.dirty = True

    def forget_walks(self) -> None:
        """A run cut short: its listing and tag walks may have stopped anywhere, so none of them counts
        (they are due again), while what it learned of validators and probes stays."""
        for (kind, _), source in self.known.items():
            if kind in (LISTING, TAG) and source.dirty:
                source.dirty = False

    def months(self) -> list[Source]:
        return self.of_kind(SITEMAP)

    def commit(self, store, complete: bool, now: datetime) -> tuple[int, int]:
        """Write what changed to the store; after a run of the whole site (``complete``), first mark as stored
        whole each sitemap whose every requested article came through. (documents written, sitemaps left
        incomplete). Blocking: call it off the reactor."""
        incomplete = 0
        if complete:
            done = self.sitemaps_complete()
            for sitemap, lastmod in done:
                self.sitemap_stored(sitemap, lastmod, now)
            incomplete = len(self.sitemaps_seen) - len(done)
        docs = self.dirty()
        if not docs:
            return 0, incomplete
        import pymongo

        # never on a store known to be down (its circuit), and never long on one going down: the crawl is closing
        with pymongo.timeout(SAVE_TIMEOUT):
            return store.guarded(store.schedule.save, self.site, docs), incomplete

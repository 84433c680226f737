"""SiteModel: every article of the replica, its listings, reachability and ground truth."""

from __future__ import annotations

import gc
import math
import random
import time as wallclock
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache

from tests.replica import arabic, clock, facts, features, ticker, vocab, vocab_ar
from tests.replica.bodies import Body, make_body, revise
from tests.replica.facts import Edition, edition_of, edition_variant
from tests.replica.heads import Head, as_duplicate, feature_set, make_head
from tests.replica.release import (
    PLACEHOLDER_PUBLISHED, RELEASED_EPOCH, ReleasePlan, Schedule, Snapshot, local_second,
)
from tests.replica.slugs import cut_mid_word
from tests.replica.text import content_hash, normalise_text, word_count

NEW_SHARE = 0.05  # epoch 2 brings this share of new articles
HOME_CARDS = 24
PAGE_SIZE = 20
HUB_NEWEST = 40  # the newest listed articles carry the hub tag, so tag pages connect from home
EPOCHS = (1, 2)
MARKUPS = (1, 2)
SITEMAP_LASTMODS = ("true", "build")  # true: each entry's own time; build: the file's build time on every entry
UNKNOWN_TEMPLATE_SHARE = 0.01  # --unknown-template without a rate
UNKNOWN_TEMPLATE_MIN = 3
GAP_DAYS = 5  # --span-days: days without any article in the middle of the span
GAP_NEIGHBOURS = 4  # articles put on each of the two days around the gap
SPAN_MIN_DAYS = 9
INVALID_REASONS = {
    "invalid_empty_body": "empty body (only a Read more paragraph)",
    "invalid_future_date": "published date in the future (2099)",
    "invalid_empty_title": "title empty everywhere",
}
UNDATED_NOWHERE = "published date nowhere on the site"  # --undated: an undated page no listing or sitemap dates
MARKUP_CHANGES = ("", "byline", "listings")
UNKNOWN_SHAPE_SHARE = 0.18  # --unknown-shapes: this share of the valid epoch-1 Arabic articles
UNKNOWN_SHAPE_MIN = 12
# what an article of an unknown shape is not: invalid or duplicated, another reach, a shape of its own
# (video, opinion, several listings), a metadata fallback, or figures that a video or picture story replaces
UNKNOWN_SHAPE_NEVER = frozenset({"invalid", "duplicate", "duplicate_original", "video", "opinion_named_author",
                                 "multi_listed", "sitemap_only", "tags_only", "no_metadata", "broken_metadata",
                                 "no_image", "several_figures"})
REGION_ONLY_PER_REGION = 2  # --unknown-listings: articles reachable only through each region listing
# a region-only article changes nowhere a crawler could see it, has its own reach, one template
REGION_ONLY_NEVER = frozenset({"invalid", "duplicate", "duplicate_original", "multi_listed", "changed",
                               "unknown_shape", "unknown_template", "sitemap_only", "tags_only"})
UNDATED_SITEMAP_ONLY_MIN = 3  # --undated: at least this many undated pages reachable only through sitemaps
EMPTY_PAGE_MODIFIED = clock.EPOCH1_START.replace(tzinfo=clock.TZ)  # Last-Modified of a page showing nothing
# how a listing pages (see SiteModel.paging)
PAGED, NEXT_LINK, FIRST_PAGE_ONLY, HOME = "page", "next", "first", "home"


class SiteModel:
    """The replica's site: ``edition`` "en" | "ar"; ``markup`` 1 | 2 (English); content options as the CLI's.

    ``unknown_template``: share of epoch-1 articles served with an unknown body template (at least 3
    when above 0; True means 1 %). ``span_days``: every epoch-1 article within the last N days before
    epoch 1's end, with a 5-day gap (``.gap``). ``no_tawsiyat``, ``markup``, ``sitemap_lastmod`` and
    ``markup_change`` may change while serving (the control endpoint sets them).

    Issue 21's switches: ``unknown_shapes`` and ``unknown_listings`` (Arabic), ``labels`` ("table" | "site"),
    ``empty_section``, ``markup_change="listings"``, ``undated`` (with an unknown template), ``sitemap_news``.
    Release mode (``release_every``, ``release_count``, ``release_edits``, ``release_edit_after``): new
    articles over wall-clock time once ``start_release()`` runs (``released(now)``, ``release_events(now)``).
    docs/CONTRACTS.md ("Replica") holds the contract of each.
    """

    def __init__(self, seed: int = 1, articles: int = 300, epoch: int = 1, *, edition: str | Edition = "en",
                 markup: int = 1, no_tawsiyat: bool = False, unknown_template: float | bool = 0.0,
                 sitemap_lastmod: str = "true", span_days: int | None = None, unknown_shapes: bool = False,
                 unknown_listings: bool = False, labels: str = "table", empty_section: str | None = None,
                 markup_change: str = "", undated: bool = False, sitemap_news: bool = False,
                 release_every: float | None = None, release_count: int = 0, release_edits: int = 0,
                 release_edit_after: float = 120.0):
        if epoch not in EPOCHS:
            raise ValueError(f"epoch must be one of {EPOCHS}")
        if span_days is not None and span_days < SPAN_MIN_DAYS:
            raise ValueError(f"span_days must be at least {SPAN_MIN_DAYS}")
        base = edition_of(edition)
        if base.code != "ar" and (unknown_shapes or unknown_listings):
            raise ValueError("--unknown-shapes and --unknown-listings are switches of the Arabic edition (--edition ar)")
        self.edition = edition_variant(base, labels=labels, unknown_shapes=unknown_shapes,
                                       unknown_listings=unknown_listings)
        self.seed, self.n, self.epoch = seed, articles, epoch
        self.markup = markup
        self.no_tawsiyat = no_tawsiyat
        self.sitemap_lastmod = sitemap_lastmod
        self.markup_change = markup_change
        self.labels, self.unknown_shapes, self.unknown_listings = labels, unknown_shapes, unknown_listings
        self.unknown_template = UNKNOWN_TEMPLATE_SHARE if unknown_template is True else float(unknown_template)
        self.undated, self.sitemap_news = bool(undated), bool(sitemap_news)
        if self.undated and self.unknown_template <= 0:
            raise ValueError("--undated undates the unknown-template pages: it needs --unknown-template or "
                             "--unknown-template-rate")
        self.empty_section = self._check_empty_section(empty_section)
        self.release_plan = self._check_release(release_every, release_count, release_edits, release_edit_after)
        self.check_options()
        self.span_days = span_days
        self.gap: tuple[date, date] | None = None
        self.moved: set[int] = set()  # --empty-section: the articles moved out of it
        self.release_heads: list[Head] = []
        self.schedule: Schedule | None = None
        self.release_keys: dict[int, frozenset[str]] = {}  # release head index -> the listings it joins
        self.release_edit_at: dict[int, datetime] = {}  # release head index -> its edit's modified time
        self._carded_cache: dict[tuple[int, int], frozenset[int]] = {}
        self._release_bodies: dict[tuple[int, int], Body] = {}
        with no_collections():
            self._build()
        e = self.edition
        self.listing_keys = {"/", *(f"/{s}" for s in e.sections), *(f"/{g}" for g in e.nav_groups),
                             *(f"/region/{r}" for r in e.regions)}

    def _build(self) -> None:
        seed, articles = self.seed, self.n
        # shared sets right away: the 200,000 sets assign() made are freed before the heads are built
        flags = [feature_set(f) for f in features.assign(seed, articles)]
        choosers = self._span_choosers(flags) if self.span_days else [None] * articles
        make = arabic.make_head if self.arabic else make_head
        n_new = max(3, math.ceil(articles * NEW_SHARE))
        self.heads: list[Head] = [make(seed, i, 1, flags[i], choosers[i]) for i in range(articles)]
        self.heads += [make(seed, articles + k, 2, set()) for k in range(n_new)]
        originals = [i for i, f in enumerate(flags) if "duplicate_original" in f]
        copies = [i for i, f in enumerate(flags) if "duplicate" in f]
        for o, c in zip(originals, copies):
            self.heads[c] = as_duplicate(seed, self.heads[o], self.heads[c])
        if self.release_plan:
            self._release_heads(make)
        if self.edition.variant:  # the labels, sections and regions the content options changed
            for h in self.heads:
                h.edition = self.edition
        if self.unknown_shapes:
            self._unknown_shapes()
        if self.empty_section:
            self._empty_out()
        self._unique_slugs()
        for rank, h in enumerate(sorted(self.heads, key=lambda h: (h.published, h.index))):
            h.postid = str(40000 + rank * 3 + h.index % 3)
        self._unknown_templates()
        if self.unknown_listings:
            self._region_only()
        self._hub_tags()
        self.by_path = {h.raw_path: h for h in self.heads}  # looked up by the decoded request path

    def check_options(self) -> None:
        """The options that may change while serving, checked again after each change."""
        if self.markup not in MARKUPS:
            raise ValueError(f"markup must be one of {MARKUPS}")
        if self.markup != 1 and self.arabic:
            raise ValueError("markup 2 is a redesign of the English edition; the Arabic edition has one markup")
        if self.sitemap_lastmod not in SITEMAP_LASTMODS:
            raise ValueError(f"sitemap_lastmod must be one of {SITEMAP_LASTMODS}")
        if self.markup_change not in MARKUP_CHANGES:
            raise ValueError(f"markup_change must be one of {MARKUP_CHANGES}")
        if self.markup_change == "listings" and (self.arabic or self.markup != 1):
            raise ValueError("--markup-change listings redraws English markup 1's listings "
                             "(not markup 2's, not the Arabic edition's)")
        if self.release_plan and self.epoch != 1:
            raise ValueError("release mode publishes over the seeded site at epoch 1 (no epoch 2 with --release-every)")

    def _check_empty_section(self, section: str | None) -> str | None:
        if section is None or section == "":
            return None
        path = section.strip("/")
        if path not in self.edition.sections:
            raise ValueError(f"--empty-section {section!r} is not a section of this edition "
                             f"(one of {', '.join(self.edition.sections)})")
        return path

    @staticmethod
    def _check_release(every, count, edits, edit_after) -> ReleasePlan | None:
        if every is None and not count:
            if edits:
                raise ValueError("--release-edits needs release mode (--release-every S --release-count N)")
            return None
        if every is None or not count:
            raise ValueError("release mode needs both --release-every S and --release-count N")
        plan = ReleasePlan(float(every), int(count), int(edits), float(edit_after))
        plan.check()
        return plan

    @property
    def arabic(self) -> bool:
        return self.edition.code == "ar"

    def warm(self) -> None:
        """Build the indexes of the current epoch now rather than on the first request that needs one."""
        with no_collections():
            self.listings(self.epoch)
            self.sitemap_months(self.epoch)
            self.sitemap_file_lastmods(self.epoch)
            self.all_tags, self.link_targets  # noqa: B018 (cached on first use)

    # --- building -------------------------------------------------------------
    def _unique_slugs(self) -> None:
        seen: set[str] = set()
        for h in self.heads:
            base, k = h.slug, 2
            while h.raw_path in seen:
                h.slug = f"{base}-{k}"
                k += 1
            seen.add(h.raw_path)

    def _span_choosers(self, flags: list[set[str]]) -> list:
        """Publication-time choosers for --span-days: N days up to epoch 1's end, a gap in the middle.

        The two days around the gap get GAP_NEIGHBOURS articles each, published between 08:00 and
        18:00 so that a duplicate (up to 5 hours later) stays on the same day; other articles never
        fall on the day before the gap, so nothing spills into it, nor after 18:00 on the last day.
        """
        last = clock.EPOCH1_END.date()
        first = last - timedelta(days=self.span_days - 1)
        gap_first = first + timedelta(days=(self.span_days - GAP_DAYS) // 2)
        gap_last = gap_first + timedelta(days=GAP_DAYS - 1)
        before, after = gap_first - timedelta(days=1), gap_last + timedelta(days=1)
        self.gap = (gap_first, gap_last)
        days = [first + timedelta(days=k) for k in range(self.span_days)]
        open_days = [d for d in days if not before <= d <= gap_last]

        def daytime(day: date):
            return lambda rng: clock.local_minute(rng, datetime.combine(day, time(8)), datetime.combine(day, time(18)))

        def anytime(rng: random.Random) -> datetime:
            day = rng.choice(open_days)
            until = time(18) if day == last else time(23, 59)  # a duplicate of the last day's stays in the span
            return clock.local_minute(rng, datetime.combine(day, time(0)), datetime.combine(day, until))

        choosers = [anytime] * len(flags)
        eligible = [i for i, f in enumerate(flags) if not f & {"invalid", "duplicate"}]
        for k, i in enumerate(eligible[:2 * GAP_NEIGHBOURS]):
            choosers[i] = daytime(before if k < GAP_NEIGHBOURS else after)
        return choosers

    def _unknown_templates(self) -> None:
        """Mark the articles served with a body template the crawler's profile does not know
        (with --undated, those pages also state no date; at least 3 of them are sitemap-only)."""
        if self.unknown_template <= 0:
            return
        never = {"invalid", "duplicate", "duplicate_original"} | ({"unknown_shape"} if self.unknown_shapes else set())
        pool = [h.index for h in self.heads if h.epoch == 1 and not h.features & never]
        k = min(len(pool), max(UNKNOWN_TEMPLATE_MIN, math.ceil(self.n * self.unknown_template)))
        rng = random.Random(f"{self.seed}/unknown-template/{self.n}")
        chosen = rng.sample(pool, k)
        if self.undated:
            sitemap_only = [i for i in pool if self.heads[i].reach == "sitemaps"]
            missing = UNDATED_SITEMAP_ONLY_MIN - sum(self.heads[i].reach == "sitemaps" for i in chosen)
            extra = [i for i in sitemap_only if i not in set(chosen)]
            chosen += rng.sample(extra, max(0, min(missing, len(extra))))
        marks = {"unknown_template", "undated"} if self.undated else {"unknown_template"}
        for i in chosen:
            self.heads[i].features = feature_set(self.heads[i].features | marks)

    def _unknown_shapes(self) -> None:
        """--unknown-shapes (Arabic): a share of the valid epoch-1 articles move to paths the profile has no
        pattern for, in turn a video (/videos/{sub}/{slug}), an infograph (/infographs/{slug}) and a
        picture story (/in-pictures/{slug}, 3 to 5 figures)."""
        shapes = [s for s in facts.UNKNOWN_SHAPE_SECTIONS_AR if s != self.empty_section]
        subs = [s for s in shapes if s.startswith("videos/")]
        kinds = (["videos"] if subs else []) + [s for s in shapes if not s.startswith("videos/")]
        valid = sum(1 for h in self.heads if h.epoch == 1 and not h.features & {"invalid", "duplicate"})
        pool = [h for h in self.heads if h.epoch == 1 and h.reach == "all" and not h.features & UNKNOWN_SHAPE_NEVER]
        k = min(len(pool), max(UNKNOWN_SHAPE_MIN, math.ceil(valid * UNKNOWN_SHAPE_SHARE)))
        rng = random.Random(f"{self.seed}/unknown-shapes/{self.n}")
        chosen = sorted(rng.sample(pool, k), key=lambda h: h.index)
        for j, h in enumerate(chosen):
            kind = kinds[j % len(kinds)]
            if kind == "videos":
                h.section = subs[(j // len(kinds)) % len(subs)]
                h.features = feature_set(h.features | {"unknown_shape", "video"})
                h.video_duration, h.n_figures, h.body_figure = rng.randint(45, 1800), 0, False
            else:
                h.section = kind
                h.features = feature_set(h.features | {"unknown_shape"})
                if kind == "in-pictures":
                    h.n_figures = rng.randint(3, 5)

    def empty_fallback(self, section: str) -> str:
        """Where --empty-section moves its articles: the first other section of the same kind (first path
        segment) in the edition's table order, else the edition's first section."""
        kind = section.split("/")[0]
        others = [s for s in self.edition.sections if s != section and s not in facts.UNKNOWN_SHAPE_SECTIONS_AR]
        same = [s for s in others if "/" in section and s.split("/")[0] == kind]
        return (same or others)[0]

    def _empty_out(self) -> None:
        empty, target = self.empty_section, self.empty_fallback(self.empty_section)
        for h in self.heads:
            if h.section == empty:
                h.section = target
                self.moved.add(h.index)
            if empty in h.extra_sections:
                extra = [target if s == empty else s for s in h.extra_sections]
                h.extra_sections = tuple(s for s in extra if s != h.section)

    def _region_only(self) -> None:
        """--unknown-listings: in each region listing, the newest eligible articles (REGION_ONLY_PER_REGION)
        become reachable only there: on the first page of every region listing they are in, also at epoch 2."""
        regions = list(self.edition.regions)
        listed = {r: [] for r in regions}
        for h in self._present(2):
            if h.reach == "all":
                for r in h.regions:
                    listed[r].append(h)
        position = {r: {h.index: i for i, h in enumerate(heads)} for r, heads in listed.items()}

        def eligible(h: Head) -> bool:
            return (h.epoch == 1 and not h.features & REGION_ONLY_NEVER
                    and max(position[r][h.index] for r in h.regions) < PAGE_SIZE)

        chosen: dict[int, Head] = {}
        for r in regions:
            picks = [h for h in listed[r][:PAGE_SIZE] if h.index not in chosen and eligible(h)]
            for h in picks[:REGION_ONLY_PER_REGION]:
                chosen[h.index] = h
        for h in chosen.values():
            h.features = feature_set(h.features | {"region_only"})
            h.reach = "regions"

    def _release_heads(self, make) -> None:
        """Release mode: the N articles to come, beyond the seeded ones (in no listing until released)."""
        base = len(self.heads)
        for k in range(self.release_plan.count):
            h = make(self.seed, base + k, 1, set())
            h.epoch, h.published, h.modified, h.modified2 = RELEASED_EPOCH, PLACEHOLDER_PUBLISHED, None, None
            self.release_heads.append(h)
        self.heads += self.release_heads

    def _hub_tags(self) -> None:
        hub = vocab_ar.HUB_TAG if self.arabic else vocab.HUB_TAG
        newest = sorted((h for h in self.heads if h.epoch == 1 and h.reach == "all"),
                        key=lambda h: (h.published, h.index), reverse=True)[:HUB_NEWEST]
        hubbed = newest + [h for h in self.heads if h.epoch == 2 or h.reach == "tags"]
        for h in hubbed:
            if hub not in h.tags:
                h.tags.insert(0, hub)
        if self.arabic:
            self._chain_tags(newest)

    def _chain_tags(self, newest_listed: list[Head]) -> None:
        """Arabic tag pages show their first page only: chain the tags-only articles by tags of their own,
        starting from the newest listed article of each epoch (both on the home page)."""
        chained = [h for h in self.heads if h.reach == "tags"]
        newest2 = max((h for h in self.heads if h.epoch == 2), key=lambda h: (h.published, h.index))
        names = [vocab_ar.CHAIN_TAG.format(n=clock.arabic_digits(str(k + 1), True)) for k in range(len(chained))]
        if not chained or not newest_listed:
            return
        for starter in (newest_listed[0], newest2):
            starter.tags.append(names[0])
        for k, h in enumerate(chained):
            h.tags += names[k:k + 2]

    # --- what exists at the current epoch --------------------------------------
    def present(self, epoch: int | None = None) -> list[Head]:
        """Articles at ``epoch`` (default: the current one), newest first."""
        return self._present(epoch or self.epoch)

    @lru_cache(maxsize=4)
    def _present(self, epoch: int) -> list[Head]:
        return sorted((h for h in self.heads if h.epoch <= epoch), key=lambda h: (h.published, h.index), reverse=True)

    @cached_property
    def link_targets(self) -> list[Head]:
        """Articles other pages link to: listed at epoch 1 (so links stay valid and add no reach); never an
        undated page (--undated), whose date a "Most Read" card would show."""
        targets = [h for h in self._present(1) if h.reach == "all"]
        if self.undated:
            targets = [h for h in targets if "undated" not in h.features]
        return targets

    @lru_cache(maxsize=4)
    def listings(self, epoch: int) -> dict[str, list[Head]]:
        """Listing key -> articles newest first: sections, nav groups, regions, "tag:{name}", home ("/")."""
        out: dict[str, list[Head]] = defaultdict(list)
        groups = self.edition.nav_groups
        for h in self._present(epoch):
            if h.reach == "all":
                for section in [h.section, *h.extra_sections]:
                    out["/" + section].append(h)
                    group = section.split("/")[0]
                    if group in groups and out[f"/{group}"][-1:] != [h]:
                        out[f"/{group}"].append(h)
                for region in h.regions:
                    out[f"/region/{region}"].append(h)
            elif h.reach == "regions":
                for region in h.regions:
                    out[f"/region/{region}"].append(h)
            if h.reach in ("all", "tags"):
                for tag in h.tags:
                    out["tag:" + tag].append(h)
        out["/"] = [h for h in self._present(epoch) if h.reach == "all"][:HOME_CARDS]
        return dict(out)

    def listing(self, key: str, epoch: int | None = None, snap: Snapshot | None = None) -> list[Head]:
        """Listing ``key`` newest first; with a release snapshot, the articles released by then on top."""
        heads = self.listings(epoch or self.epoch).get(key, [])
        if snap is not None and snap.released:
            fresh = [h for h in snap.released if key in self.release_keys[h.index]]
            if fresh:
                heads = (fresh + heads)[:HOME_CARDS] if key == "/" else fresh + heads
        return heads

    def is_listing(self, key: str) -> bool:
        return key in self.listing_keys or (key.startswith("tag:") and key[4:] in self.all_tags)

    def paging(self, key: str) -> str:
        """How listing ``key`` pages: PAGED (?page=N and a Next link), NEXT_LINK (?pg=N behind rel=next
        links), FIRST_PAGE_ONLY (a script-driven "load more" button; ?page= ignored) or HOME."""
        if key == "/":
            return HOME
        if self.arabic:
            return FIRST_PAGE_ONLY
        if self.markup == 2:
            return NEXT_LINK if key.startswith("tag:") else FIRST_PAGE_ONLY
        return PAGED

    def visible_listing(self, key: str, epoch: int | None = None) -> list[Head]:
        """What a crawler following the listing's own paging sees of it."""
        heads = self.listing(key, epoch)
        return heads[:PAGE_SIZE] if self.paging(key) == FIRST_PAGE_ONLY else heads

    @cached_property
    def all_tags(self) -> set[str]:
        return {t for h in self.heads if h.reach in ("all", "tags", "regions") for t in h.tags}

    @lru_cache(maxsize=4)
    def sitemap_months(self, epoch: int) -> dict[tuple[int, int], list[Head]]:
        months: dict[tuple[int, int], list[Head]] = defaultdict(list)
        for h in self._present(epoch):
            if h.reach in ("all", "sitemaps"):
                months[(h.published.year, h.published.month)].append(h)
        return dict(sorted(months.items(), reverse=True))

    @lru_cache(maxsize=4)
    def sitemap_file_lastmods(self, epoch: int) -> dict[tuple[int, int], datetime]:
        """Each monthly file's lastmod in the index: the newest lastmod of its articles."""
        return {month: max(h.lastmod(epoch) for h in heads) for month, heads in self.sitemap_months(epoch).items()}

    def sitemap_built(self, epoch: int) -> datetime:
        """When the monthly sitemaps were built (--sitemap-lastmod build stamps every entry with it)."""
        return (clock.EPOCH1_END if epoch == 1 else clock.EPOCH2_END).replace(tzinfo=clock.TZ)

    def sitemap_view(self, epoch: int, snap: Snapshot | None = None
                     ) -> tuple[dict[tuple[int, int], list[Head]], dict[tuple[int, int], datetime]]:
        """(month -> articles, month -> the file's lastmod) as served; released articles join the file of
        their own (Beirut) month, newest first, and that file's lastmod follows them."""
        months, lastmods = self.sitemap_months(epoch), self.sitemap_file_lastmods(epoch)
        if snap is None or not snap.released:
            return months, lastmods
        fresh: dict[tuple[int, int], list[Head]] = defaultdict(list)
        for h in snap.released:
            fresh[(h.published.year, h.published.month)].append(h)
        months, lastmods = dict(months), dict(lastmods)
        for month, heads in fresh.items():
            months[month] = heads + months.get(month, [])
            newest = max(snap.lastmod(h) for h in heads)
            lastmods[month] = max(newest, lastmods[month]) if month in lastmods else newest
        return dict(sorted(months.items(), reverse=True)), lastmods

    # --- bodies and truth --------------------------------------------------------
    @lru_cache(maxsize=2048)
    def body(self, index: int, epoch: int) -> Body:
        head = self.heads[index]
        body = make_body(self.seed, self.heads[head.body_index], self.link_targets)
        if epoch >= 2 and head.modified2:
            body = revise(self.seed, head, body)
        return body

    def revision(self, head: Head, epoch: int) -> int:
        return 2 if epoch >= 2 and head.modified2 else 1

    def document(self, head: Head, epoch: int | None = None) -> dict:
        epoch = epoch or self.epoch
        return self._document(head, epoch, self.body(head.index, epoch), head.modified_at(epoch),
                              self.revision(head, epoch))

    def _document(self, head: Head, epoch: int, body: Body, modified: datetime | None, revision: int) -> dict:
        text, title = body.text(), normalise_text(head.title, self.arabic)
        no_metadata = self.no_tawsiyat or head.features & {"no_metadata", "broken_metadata"}
        published, modified = clock.utc(head.published), clock.utc(modified)
        if self.undated and "undated" in head.features:
            published, modified = self.undated_published(head, epoch), None
        return {
            "url": head.url,
            "site": self.edition.host,
            "postid": head.postid,
            "type": head.type,
            "section": head.section,
            "category": self.edition.sections[head.section],
            "title": title,
            "description": normalise_text(body.lead, self.arabic) or None,
            "authors": list(head.authors),
            "source": head.source,
            "published_at": published,
            "modified_at": modified,
            "reading_minutes": reading_minutes(text) if head.section != "infographs" else None,
            "word_count": word_count(text),
            "body": text,
            "images": [f.truth() for f in body.images()],
            "tags": list(head.tags),
            "countries": [] if no_metadata else list(head.countries),
            "related_urls": body.related_urls(),
            "video_duration": head.video_duration,
            "lang": self.edition.lang,
            "content_hash": content_hash(title, text),
            "revision": revision,
            "extraction": "generic" if "unknown_template" in head.features else "site",
        }

    def undated_published(self, head: Head, epoch: int) -> datetime | None:
        """--undated: an undated page's publication time, as the best source the site gives states it (UTC):
        with --sitemap-news the sitemap's news:publication_date (exact); else a listing card's date
        (markup 2's <time datetime> is exact; markup 1's and the Arabic card show the day only: 00:00
        Beirut that day); else None: dated nowhere (``.invalid``)."""
        if self.sitemap_news and head.reach in ("all", "sitemaps"):
            return clock.utc(head.published)
        if head.index not in self.carded(epoch):
            return None
        if self.markup == 2:
            return clock.utc(head.published)
        midnight = datetime.combine(head.published.date(), time(0)).replace(tzinfo=clock.TZ)
        return clock.utc(midnight)

    def carded(self, epoch: int) -> frozenset[int]:
        """Indexes of the articles some listing page (home, section, group, region or tag listing, as far as
        its own paging shows) draws a card of, with its date, at ``epoch`` under the current markup."""
        key = (epoch, self.markup)
        if key not in self._carded_cache:
            self._carded_cache[key] = frozenset(h.index for k in self.listings(epoch)
                                                for h in self.visible_listing(k, epoch))
        return self._carded_cache[key]

    def truth(self) -> list[dict]:
        """Every article at the current epoch (the invalid ones too: see ``.invalid``)."""
        return [self.document(h) for h in self.present()]

    def ticker(self) -> list[dict]:
        return [{"text": line["text"], "url": line["url"]} for line in self.ticker_lines()]

    def ticker_lines(self, epoch: int | None = None) -> list[dict]:
        return ticker.make_lines(self.seed, epoch or self.epoch, self.link_targets[:200], self.arabic)

    # --- reachability and change -----------------------------------------------------
    def reachable(self, path: str) -> set[str]:
        """Canonical URLs a crawler finds by one discovery path at the current epoch and markup (the seeded
        site: released articles are ``released(now)``): "sitemaps" (the sitemap index and its monthly files),
        "listings" (home, then the nav and region listings, each followed through its own paging; no links
        out of articles), "regions" (home, then the region listings the nav links, each through its own
        paging) or "tags" (home, then tag links on articles and the tag listings, each through its own
        paging). Cards are found by their <a href>: under --markup-change listings the section, group and
        region listings have none, so "listings" and "regions" are the home page's cards."""
        present = self.present()
        if path == "sitemaps":
            return {h.url for h in present if h.reach in ("all", "sitemaps")}
        if path in ("listings", "regions"):
            keys = [k for k in self.listings(self.epoch) if k in self.listing_keys
                    and (path == "listings" or k == "/" or k.startswith(facts.REGION_PREFIX))]
            if self.markup_change == "listings":
                keys = ["/"]
            return {h.url for k in keys for h in self.visible_listing(k)}
        if path == "tags":
            return self._tag_closure()
        raise ValueError(f"unknown path {path!r}")

    def _tag_closure(self) -> set[str]:
        seen_tags: set[str] = set()
        reached: dict[str, Head] = {h.url: h for h in self.listing("/")}
        queue = list(reached.values())
        while queue:
            head = queue.pop()
            for tag in head.tags:
                if tag in seen_tags:
                    continue
                seen_tags.add(tag)
                for other in self.visible_listing("tag:" + tag):
                    if other.url not in reached:
                        reached[other.url] = other
                        queue.append(other)
        return set(reached)

    # --- release mode ------------------------------------------------------------
    def start_release(self, at: float | None = None) -> float:
        """Start the release clock (at ``at``, epoch seconds, default now); once: later calls change nothing.
        Returns the start instant."""
        if not self.release_plan:
            raise ValueError("release mode is off (serve with --release-every S --release-count N)")
        if self.schedule is None:
            schedule = Schedule.make(self.release_plan, wallclock.time() if at is None else float(at))
            for h, t in zip(self.release_heads, schedule.release_t):
                h.published = local_second(t)
            self.release_edit_at = {self.release_heads[k - 1].index: local_second(t)
                                    for k, t in schedule.edit_t.items()}
            self.release_keys = {h.index: self._keys_of(h) for h in self.release_heads}
            self.schedule = schedule  # last: a request sees the whole schedule or none
        return self.schedule.started

    def _keys_of(self, h: Head) -> frozenset[str]:
        """The listing keys an article joins (as ``listings`` files a listed one)."""
        keys, groups = {"/"}, self.edition.nav_groups
        for section in [h.section, *h.extra_sections]:
            keys.add("/" + section)
            if section.split("/")[0] in groups:
                keys.add("/" + section.split("/")[0])
        keys.update(f"/region/{region}" for region in h.regions)
        keys.update("tag:" + tag for tag in h.tags)
        return frozenset(keys)

    def snapshot(self, now: float | datetime | None = None) -> Snapshot | None:
        """What the release clock has published (and edited) by ``now`` (epoch seconds or an aware datetime;
        default the wall clock); None before the clock starts or without release mode."""
        schedule = self.schedule
        if schedule is None:
            return None
        now = wallclock.time() if now is None else now.timestamp() if isinstance(now, datetime) else float(now)
        n = schedule.released_count(now)
        edited = {self.release_heads[k - 1].index: self.release_edit_at[self.release_heads[k - 1].index]
                  for k, t in schedule.edit_t.items() if k <= n and t <= now}
        return Snapshot(now, self.release_heads[:n][::-1], edited)

    def released(self, now: float | datetime | None = None) -> list[dict]:
        """The truth documents of the articles released by ``now`` (as of ``now``: revision 1, or 2 after
        their edit), newest first. [] before the clock starts."""
        snap = self.snapshot(now)
        return [self.release_document(h, snap) for h in snap.released] if snap else []

    def release_document(self, head: Head, snap: Snapshot) -> dict:
        revision = snap.revision(head)
        return self._document(head, 1, self.release_body(head, revision), snap.edited.get(head.index), revision)

    def release_body(self, head: Head, revision: int) -> Body:
        key = (head.index, revision)
        if key not in self._release_bodies:
            body = make_body(self.seed, head, self.link_targets)
            self._release_bodies[key] = revise(self.seed, head, body) if revision == 2 else body
        return self._release_bodies[key]

    def release_events(self, now: float | datetime | None = None) -> list[dict]:
        """What the release clock did by ``now`` (default the wall clock; ``math.inf``: the whole run), in
        order: {"t": epoch seconds, "event": "released" | "edited", "url", "content_hash", "published_at"
        (ISO, UTC), "modified_at" (ISO, UTC; None for a release)}."""
        schedule = self.schedule
        if schedule is None:
            return []
        now = wallclock.time() if now is None else now.timestamp() if isinstance(now, datetime) else float(now)
        events = []
        for k, h in enumerate(self.release_heads, 1):
            t = schedule.release_t[k - 1]
            if t <= now:
                events.append(self._event(t, "released", h, 1))
            edit = schedule.edit_t.get(k)
            if edit is not None and edit <= now:
                events.append(self._event(edit, "edited", h, 2))
        events.sort(key=lambda e: e["t"])
        return events

    def _event(self, t: float, kind: str, head: Head, revision: int) -> dict:
        modified = self.release_edit_at[head.index] if revision == 2 else None
        doc = self._document(head, 1, self.release_body(head, revision), modified, revision)
        return {"t": t, "event": kind, "url": head.url, "content_hash": doc["content_hash"],
                "published_at": doc["published_at"].isoformat(),
                "modified_at": doc["modified_at"].isoformat() if doc["modified_at"] else None}

    @property
    def invalid(self) -> dict[str, str]:
        out = {h.url: INVALID_REASONS[f] for h in self.present() for f in h.features if f in INVALID_REASONS}
        if self.undated:
            for h in self.present():
                if "undated" in h.features and self.undated_published(h, self.epoch) is None:
                    out[h.url] = UNDATED_NOWHERE
        return out

    @property
    def duplicates(self) -> dict[str, str]:
        return {h.url: self.heads[h.body_index].url for h in self.present() if h.body_index != h.index}

    def changed(self, epoch: int) -> set[str]:
        if epoch != 2:
            return set()
        return {h.url for h in self.heads if h.epoch == 1 and h.modified2}

    def added(self, epoch: int) -> set[str]:
        return {h.url for h in self.heads if h.epoch == epoch}

    @property
    def variants(self) -> dict[str, list[str]]:
        """Variant name -> canonical URLs at the current epoch, read off the facts."""
        out: dict[str, list[str]] = defaultdict(list)
        for h in self.present():
            names = set(h.features) - {"long_title", "duplicate_original", "several_figures"}
            if self.arabic:  # the slug variants are read off the slug; the names variant is Latin names there
                names -= {"slug_colon", "slug_double_dash", "non_latin_names"}
                if "non_latin_names" in h.features:
                    names.add("latin_names")
                if h.indic_digits:
                    names.add("arabic_indic_digits")
            if h.source is None:
                names.add("no_source")
            if len(h.authors) > 1:
                names.add("several_authors")
            if h.n_figures == 0:
                names.add("no_image")
            if h.n_figures + h.body_figure > 1:
                names.add("several_figures")
            if h.body_figure:
                names.add("figure_in_body")
            if ":" in h.slug:
                names.add("slug_colon")
            if "--" in h.slug:
                names.add("slug_double_dash")
            if "---" in h.slug:
                names.add("slug_triple_dash")
            if h.title and (arabic.cut_mid_word(h.title) if self.arabic
                            else cut_mid_word(h.title, keep_colon="slug_colon" in h.features)):
                names.add("slug_cut")
            if len(h.extra_sections) + len(h.regions) >= 2 and h.reach == "all":
                names.add("several_listings")
            if h.index in self.moved:
                names.add("moved_section")
            names.add(f"section:{h.section}")
            for name in names:
                out[name].append(h.url)
        return dict(out)


@contextmanager
def no_collections():
    """The garbage collector off: building makes hundreds of thousands of objects and no garbage,
    so every collection on the way would only cost time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(word_count(text) / 200))

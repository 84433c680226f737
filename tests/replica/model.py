"""SiteModel: every article of the replica, its listings, reachability and ground truth."""

from __future__ import annotations

import gc
import math
import random
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache

from tests.replica import arabic, clock, features, ticker, vocab, vocab_ar
from tests.replica.bodies import Body, make_body, revise
from tests.replica.facts import Edition, edition_of
from tests.replica.heads import Head, as_duplicate, feature_set, make_head
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
# how a listing pages (see SiteModel.paging)
PAGED, NEXT_LINK, FIRST_PAGE_ONLY, HOME = "page", "next", "first", "home"


class SiteModel:
    """The replica's site: ``edition`` "en" | "ar"; ``markup`` 1 | 2 (English); content options as the CLI's.

    ``unknown_template``: share of epoch-1 articles served with an unknown body template (at least 3
    when above 0; True means 1 %). ``span_days``: every epoch-1 article within the last N days before
    epoch 1's end, with a 5-day gap (``.gap``). ``no_tawsiyat``, ``markup`` and ``sitemap_lastmod`` may
    change while serving (the control endpoint sets them).
    """

    def __init__(self, seed: int = 1, articles: int = 300, epoch: int = 1, *, edition: str | Edition = "en",
                 markup: int = 1, no_tawsiyat: bool = False, unknown_template: float | bool = 0.0,
                 sitemap_lastmod: str = "true", span_days: int | None = None):
        if epoch not in EPOCHS:
            raise ValueError(f"epoch must be one of {EPOCHS}")
        if span_days is not None and span_days < SPAN_MIN_DAYS:
            raise ValueError(f"span_days must be at least {SPAN_MIN_DAYS}")
        self.edition = edition_of(edition)
        self.seed, self.n, self.epoch = seed, articles, epoch
        self.markup = markup
        self.no_tawsiyat = no_tawsiyat
        self.sitemap_lastmod = sitemap_lastmod
        self.check_options()
        self.unknown_template = UNKNOWN_TEMPLATE_SHARE if unknown_template is True else float(unknown_template)
        self.span_days = span_days
        self.gap: tuple[date, date] | None = None
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
        self._unique_slugs()
        for rank, h in enumerate(sorted(self.heads, key=lambda h: (h.published, h.index))):
            h.postid = str(40000 + rank * 3 + h.index % 3)
        self._unknown_templates()
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
        """Mark the articles served with a body template the crawler's profile does not know."""
        if self.unknown_template <= 0:
            return
        pool = [h.index for h in self.heads if h.epoch == 1
                and not h.features & {"invalid", "duplicate", "duplicate_original"}]
        k = min(len(pool), max(UNKNOWN_TEMPLATE_MIN, math.ceil(self.n * self.unknown_template)))
        for i in random.Random(f"{self.seed}/unknown-template/{self.n}").sample(pool, k):
            self.heads[i].features = feature_set(self.heads[i].features | {"unknown_template"})

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
        """Articles other pages link to: listed at epoch 1 (so links stay valid and add no reach)."""
        return [h for h in self._present(1) if h.reach == "all"]

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
            if h.reach in ("all", "tags"):
                for tag in h.tags:
                    out["tag:" + tag].append(h)
        out["/"] = [h for h in self._present(epoch) if h.reach == "all"][:HOME_CARDS]
        return dict(out)

    def listing(self, key: str, epoch: int | None = None) -> list[Head]:
        return self.listings(epoch or self.epoch).get(key, [])

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
        return {t for h in self.heads if h.reach in ("all", "tags") for t in h.tags}

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
        body = self.body(head.index, epoch)
        text, title = body.text(), normalise_text(head.title, self.arabic)
        no_metadata = self.no_tawsiyat or head.features & {"no_metadata", "broken_metadata"}
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
            "published_at": clock.utc(head.published),
            "modified_at": clock.utc(head.modified_at(epoch)),
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
            "revision": self.revision(head, epoch),
            "extraction": "generic" if "unknown_template" in head.features else "site",
        }

    def truth(self) -> list[dict]:
        """Every article at the current epoch (the invalid ones too: see ``.invalid``)."""
        return [self.document(h) for h in self.present()]

    def ticker(self) -> list[dict]:
        return [{"text": line["text"], "url": line["url"]} for line in self.ticker_lines()]

    def ticker_lines(self, epoch: int | None = None) -> list[dict]:
        return ticker.make_lines(self.seed, epoch or self.epoch, self.link_targets[:200], self.arabic)

    # --- reachability and change -----------------------------------------------------
    def reachable(self, path: str) -> set[str]:
        """Canonical URLs a crawler finds by one discovery path at the current epoch and markup:
        "sitemaps" (the sitemap index and its monthly files), "listings" (home, then the nav and
        region listings, each followed through its own paging; no links out of articles) or "tags"
        (home, then tag links on articles and the tag listings, each through its own paging)."""
        present = self.present()
        if path == "sitemaps":
            return {h.url for h in present if h.reach in ("all", "sitemaps")}
        if path == "listings":
            keys = [k for k in self.listings(self.epoch) if k in self.listing_keys]
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

    @property
    def invalid(self) -> dict[str, str]:
        return {h.url: INVALID_REASONS[f] for h in self.present() for f in h.features if f in INVALID_REASONS}

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

"""SiteModel: every article of the replica, its listings, reachability and ground truth."""

from __future__ import annotations

import math
from collections import defaultdict
from functools import cached_property, lru_cache

from tests.replica import clock, features, ticker, vocab
from tests.replica.facts import ENGLISH
from tests.replica.bodies import Body, make_body, revise
from tests.replica.heads import Head, as_duplicate, make_head
from tests.replica.slugs import cut_mid_word
from tests.replica.text import content_hash, normalise_text, word_count

NEW_SHARE = 0.05  # epoch 2 brings this share of new articles
HOME_CARDS = 24
PAGE_SIZE = 20
HUB_NEWEST = 40  # the newest listed articles carry the hub tag, so tag pages connect from home
EPOCHS = (1, 2)
INVALID_REASONS = {
    "invalid_empty_body": "empty body (only a Read more paragraph)",
    "invalid_future_date": "published date in the future (2099)",
    "invalid_empty_title": "title empty everywhere",
}


class SiteModel:
    def __init__(self, seed: int = 1, articles: int = 300, epoch: int = 1):
        if epoch not in EPOCHS:
            raise ValueError(f"epoch must be one of {EPOCHS}")
        self.seed, self.n, self.epoch = seed, articles, epoch
        flags = features.assign(seed, articles)
        n_new = max(3, math.ceil(articles * NEW_SHARE))
        self.heads: list[Head] = [make_head(seed, i, 1, flags[i]) for i in range(articles)]
        self.heads += [make_head(seed, articles + k, 2, set()) for k in range(n_new)]
        originals = [i for i, f in enumerate(flags) if "duplicate_original" in f]
        copies = [i for i, f in enumerate(flags) if "duplicate" in f]
        for o, c in zip(originals, copies):
            self.heads[c] = as_duplicate(seed, self.heads[o], self.heads[c])
        self._unique_slugs()
        for rank, h in enumerate(sorted(self.heads, key=lambda h: (h.published, h.index))):
            h.postid = str(40000 + rank * 3 + h.index % 3)
        self._hub_tags()
        self.by_path = {h.path: h for h in self.heads}

    def warm(self) -> None:
        """Build the listing and sitemap indexes of the current epoch now rather than on first request."""
        self.listings(self.epoch)
        self.sitemap_months(self.epoch)

    # --- building -------------------------------------------------------------
    def _unique_slugs(self) -> None:
        seen: set[str] = set()
        for h in self.heads:
            base, k = h.slug, 2
            while h.path in seen:
                h.slug = f"{base}-{k}"
                k += 1
            seen.add(h.path)

    def _hub_tags(self) -> None:
        newest = sorted((h for h in self.heads if h.epoch == 1 and h.reach == "all"),
                        key=lambda h: (h.published, h.index), reverse=True)[:HUB_NEWEST]
        hubbed = newest + [h for h in self.heads if h.epoch == 2 or h.reach == "tags"]
        for h in hubbed:
            if vocab.HUB_TAG not in h.tags:
                h.tags.insert(0, vocab.HUB_TAG)

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
        """Listing path -> articles newest first: sections, nav groups, regions, tags, home."""
        out: dict[str, list[Head]] = defaultdict(list)
        for h in self._present(epoch):
            if h.reach == "all":
                for section in [h.section, *h.extra_sections]:
                    out["/" + section].append(h)
                    group = section.split("/")[0]
                    if group in ENGLISH.nav_groups and out[f"/{group}"][-1:] != [h]:
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
        return key in ("/", *(f"/{s}" for s in ENGLISH.sections), *(f"/{g}" for g in ENGLISH.nav_groups),
                       *(f"/region/{r}" for r in ENGLISH.regions)) or (
            key.startswith("tag:") and key[4:] in self.all_tags)

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
        text, title = body.text(), normalise_text(head.title)
        return {
            "url": head.url,
            "site": ENGLISH.host,
            "postid": head.postid,
            "type": head.type,
            "section": head.section,
            "category": ENGLISH.sections[head.section],
            "title": title,
            "description": normalise_text(body.lead) or None,
            "authors": list(head.authors),
            "source": head.source,
            "published_at": clock.utc(head.published),
            "modified_at": clock.utc(head.modified_at(epoch)),
            "reading_minutes": reading_minutes(text) if head.section != "infographs" else None,
            "word_count": word_count(text),
            "body": text,
            "images": [f.truth() for f in body.images()],
            "tags": list(head.tags),
            "countries": [] if head.features & {"no_metadata", "broken_metadata"} else list(head.countries),
            "related_urls": body.related_urls(),
            "video_duration": head.video_duration,
            "lang": ENGLISH.lang,
            "content_hash": content_hash(title, text),
            "revision": self.revision(head, epoch),
        }

    def truth(self) -> list[dict]:
        """Every article at the current epoch (the invalid ones too: see ``.invalid``)."""
        return [self.document(h) for h in self.present()]

    def ticker(self) -> list[dict]:
        return [{"text": line["text"], "url": line["url"]} for line in self.ticker_lines()]

    def ticker_lines(self, epoch: int | None = None) -> list[dict]:
        return ticker.make_lines(self.seed, epoch or self.epoch, self.link_targets[:200])

    # --- reachability and change -----------------------------------------------------
    def reachable(self, path: str) -> set[str]:
        present = self.present()
        if path == "sitemaps":
            return {h.url for h in present if h.reach in ("all", "sitemaps")}
        if path == "listings":
            return {h.url for h in present if h.reach == "all"}
        if path == "tags":
            return self._tag_closure()
        raise ValueError(f"unknown path {path!r}")

    def _tag_closure(self) -> set[str]:
        lists = self.listings(self.epoch)
        seen_tags: set[str] = set()
        reached: dict[str, Head] = {h.url: h for h in lists["/"]}
        queue = list(reached.values())
        while queue:
            head = queue.pop()
            for tag in head.tags:
                if tag in seen_tags:
                    continue
                seen_tags.add(tag)
                for other in lists.get("tag:" + tag, []):
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
            if h.title and cut_mid_word(h.title, keep_colon="slug_colon" in h.features):
                names.add("slug_cut")
            if len(h.extra_sections) + len(h.regions) >= 2 and h.reach == "all":
                names.add("several_listings")
            names.add(f"section:{h.section}")
            for name in names:
                out[name].append(h.url)
        return dict(out)


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(word_count(text) / 200))

"""The cheap facts of every article (built for all articles at start; bodies come later)."""

from __future__ import annotations

import random
from itertools import accumulate
from dataclasses import dataclass, field, replace
from datetime import datetime

from tests.replica import clock, facts, vocab
from tests.replica.facts import ENGLISH, Edition
from tests.replica.slugs import slugify
from tests.replica.text import quote_path

NEWS_SECTIONS = (("news/politics", 30), ("news/economy", 6), ("news/sports", 3), ("news/arts-culture", 3),
                 ("news/health", 3), ("news/miscellaneous", 3), ("news/technology", 3),
                 ("news/environment", 3), ("articles/analysis", 5), ("articles/blog", 2),
                 ("articles/features", 3), ("infographs", 2), ("in-pictures", 2))
VIDEO_SECTIONS = tuple(s for s in facts.SECTIONS_EN if s.startswith("videos/"))
NON_VIDEO_SECTIONS = tuple(s for s in facts.SECTIONS_EN if not s.startswith("videos/"))
SECTION_NAMES, SECTION_WEIGHTS = zip(*NEWS_SECTIONS)
# given to choices() ready-made (it would add them up on every call; the draw is the same)
SECTION_CUM_WEIGHTS = tuple(accumulate(SECTION_WEIGHTS))
COUNTRY_NAMES = tuple(sorted(vocab.COUNTRIES))


_FEATURE_SETS: dict[frozenset[str], frozenset[str]] = {}


def feature_set(names) -> frozenset[str]:
    """One shared frozenset per combination of variant names (most articles have none): 200,000 heads
    would otherwise carry 200,000 sets of their own."""
    key = frozenset(names)
    return _FEATURE_SETS.setdefault(key, key)


@dataclass(slots=True)
class Head:
    index: int
    epoch: int  # the epoch it first appears in
    features: frozenset[str]  # shared: replace it (feature_set) rather than change it
    section: str
    title: str
    visible_title: str
    slug: str
    published: datetime  # Beirut local
    modified: datetime | None
    modified2: datetime | None  # epoch 2 last_updated of a changed article
    authors: list[str]
    source: str | None
    tags: list[str]
    countries: list[str]
    extra_sections: tuple[str, ...] = ()
    video_duration: int | None = None
    n_figures: int = 1  # figures in div.article-media
    body_figure: bool = False
    postid: str = ""
    body_index: int = -1  # whose body it carries (a duplicate carries its original's)
    edition: Edition = ENGLISH
    indic_digits: bool = False  # Arabic: dates and reading time in Arabic-Indic digits
    reach: str = field(init=False)  # all | sitemaps | tags | regions: where a crawler can find it

    def __post_init__(self):
        self.features = feature_set(self.features)
        if self.features & {"sitemap_only", "invalid"}:
            self.reach = "sitemaps"
        elif "tags_only" in self.features:
            self.reach = "tags"
        else:
            self.reach = "all"

    @property
    def raw_path(self) -> str:
        """The path as the title spelled it (Arabic letters unencoded)."""
        return f"/{self.section}/{self.slug}"

    @property
    def path(self) -> str:
        """The path as sitemaps and canonical URLs write it (percent-encoded)."""
        return f"/{self.section}/{quote_path(self.slug)}"

    @property
    def url(self) -> str:
        return self.edition.url + self.path

    @property
    def regions(self) -> list[str]:
        edition = self.edition
        if not edition.regions:
            return []
        table = edition.country_regions or vocab.COUNTRIES
        return list(dict.fromkeys(table[c] for c in self.countries))

    @property
    def type(self) -> str:
        return "video" if "video" in self.features else "article"

    def modified_at(self, epoch: int) -> datetime | None:
        if epoch >= 2 and self.modified2:
            return self.modified2
        return self.modified

    def lastmod(self, epoch: int) -> datetime:
        return self.modified_at(epoch) or self.published


def make_title(rng: random.Random, features: set[str]) -> str:
    subject = rng.choice(vocab.PLACES if rng.random() < 0.5 else vocab.LATIN_NAMES[:14])
    words = [subject, rng.choice(vocab.VERBS), rng.choice(vocab.ADJECTIVES), rng.choice(vocab.NOUNS)]
    if rng.random() < 0.5 or "long_title" in features:
        words.append(rng.choice(vocab.CONNECTORS))
    if "long_title" in features:
        words += ["as", rng.choice(vocab.NOUNS), rng.choice(vocab.VERBS), "the", rng.choice(vocab.NOUNS),
                  "in", rng.choice(vocab.PLACES)]
    title = " ".join(words)
    if rng.random() < 0.1:
        title = title.replace(subject, '"Israel"', 1)
    elif rng.random() < 0.1:
        title += "’s aftermath"
    if "slug_colon" in features:
        title = f"{rng.choice(vocab.OFFICIALS).title()}: {title}"
    if "slug_double_dash" in features:
        title = f"{title} - {rng.choice(vocab.PLACES)}"
    return title[0].upper() + title[1:]


def make_head(seed: int, index: int, epoch: int, features: set[str], choose_published=None) -> Head:
    """An English article's facts; ``choose_published(rng)``, when given, chooses the publication time."""
    rng = random.Random(seed * 100_000_007 + index)  # an int seeds much faster than a str
    if "video" in features:
        section = rng.choice(VIDEO_SECTIONS)
    elif "opinion_named_author" in features:
        section = "articles/opinion"
    else:
        section = rng.choices(SECTION_NAMES, cum_weights=SECTION_CUM_WEIGHTS)[0]
    title = make_title(rng, features)
    if "invalid_empty_title" in features:
        title = ""
    visible_title = f"Watch: {title}" if "disagreement" in features else title
    slug = slugify(title, keep_colon="slug_colon" in features) if title else f"untitled-{index}"
    start, end = (clock.EPOCH1_START, clock.EPOCH1_END) if epoch == 1 else (clock.EPOCH2_START, clock.EPOCH2_END)
    published = clock.local_minute(rng, start, end) if choose_published is None else choose_published(rng)
    if "invalid_future_date" in features:
        published = clock.local_minute(rng, clock.EPOCH1_START.replace(year=2099), clock.EPOCH1_END.replace(year=2099))
    modified = clock.later(rng, published, 5, 600) if rng.random() < 0.8 else None
    if "date_visible_only" in features:
        modified = None
    modified2 = clock.local_minute(rng, clock.EPOCH2_START, clock.EPOCH2_END) if "changed" in features else None
    if section.startswith("articles/") or "several_authors" in features:
        k = rng.randint(2, 3) if "several_authors" in features else 1
        authors = rng.sample(vocab.AUTHORS, k)
        source = None if section == "articles/opinion" else rng.choice((None, vocab.HOUSE_AUTHOR))
    else:
        authors = [vocab.HOUSE_AUTHOR]
        source = rng.choice(vocab.SOURCES)
    if "no_source" in features:
        source = None
    countries = rng.sample(COUNTRY_NAMES, rng.randint(1 if "multi_listed" in features else 0, 3))
    tags = list(dict.fromkeys(rng.sample(vocab.TAGS, rng.randint(2, 5))
                              + [c for c in countries if c in vocab.TAGS and rng.random() < 0.5]))
    extra = ()
    if "multi_listed" in features:
        extra = (rng.choice([s for s in NON_VIDEO_SECTIONS if s != section]),)
    n_figures = 0 if features & {"no_image", "video"} else 2 if "several_figures" in features else 1
    if section == "in-pictures" and not features & {"no_image", "video"}:
        n_figures = max(n_figures, 3)
    return Head(
        index=index, epoch=epoch, features=features, section=section, title=title,
        visible_title=visible_title, slug=slug, published=published, modified=modified, modified2=modified2,
        authors=authors, source=source, tags=tags, countries=countries, extra_sections=extra,
        video_duration=rng.randint(45, 1800) if "video" in features else None,
        n_figures=n_figures, body_figure="several_figures" in features, body_index=index,
    )


def as_duplicate(seed: int, original: Head, copy: Head) -> Head:
    """``copy`` carrying the original's title, text and facts under a URL of its own."""
    rng = random.Random(f"{seed}/duplicate/{copy.index}")
    return replace(original, index=copy.index, features=copy.features, slug=original.slug + "-1",
                   published=clock.later(rng, original.published, 30, 300),
                   modified=None, modified2=None, extra_sections=(), body_index=original.index,
                   tags=list(original.tags), countries=list(original.countries))

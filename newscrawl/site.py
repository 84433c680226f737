"""What a site profile is: facts about one news site, each with the evidence behind it.

A site is one ``SiteProfile`` (``newscrawl/sites/``): its hosts, URL patterns, section and
region tables, selectors, date formats and time zone, the ticker. The spiders,
extractors, pipelines, store and CLI take a profile and hard-code no site.

Every fact carries its evidence level, as ``../shared/SITE.md`` does:

- ``seen``: observed on the site itself;
- ``sister``: observed on a sister edition running the same CMS;
- ``assumed``: our best guess, so never required: the crawler finds the same thing by
  what it is (a URL pattern, a text prefix, a date shape) and lets an assumed class
  name only sharpen the match;
- ``unverified``: listed in public material but never seen working.

``newscrawl doctor`` checks the facts against the live site (or ``BASE_URL``) one by
one, so that when the site differs the report names the line to change.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

SEEN = "seen"
SISTER = "sister"
ASSUMED = "assumed"
UNVERIFIED = "unverified"
EVIDENCE_LEVELS = (SEEN, SISTER, ASSUMED, UNVERIFIED)


@dataclass(frozen=True)
class Fact:
    """A value with its evidence level and where it comes from."""

    value: Any
    evidence: str
    note: str = ""

    def __post_init__(self) -> None:
        if self.evidence not in EVIDENCE_LEVELS:
            raise ValueError(f"evidence must be one of {EVIDENCE_LEVELS}, not {self.evidence!r}")


def seen(value: Any, note: str = "") -> Fact:
    return Fact(value, SEEN, note)


def sister(value: Any, note: str = "") -> Fact:
    return Fact(value, SISTER, note)


def assumed(value: Any, note: str = "") -> Fact:
    return Fact(value, ASSUMED, note)


def unverified(value: Any, note: str = "") -> Fact:
    return Fact(value, UNVERIFIED, note)


def fact_field(doc: str) -> Any:
    return field(metadata={"doc": doc})


@dataclass(frozen=True, eq=False)
class SiteProfile:
    """The facts of one site. Build it with ``SiteProfile.define(key, name=Fact(...), ...)``.

    Attributes hold plain values; ``facts[name]`` holds the ``Fact`` (value, evidence, note).
    """

    key: str  # the registry key, e.g. "en"; `-a edition=en`
    # --- identity
    name: str = fact_field("the site's own name")
    host: str = fact_field("the host of canonical URLs")
    lang: str = fact_field("the `lang` of its documents (html lang, metadata lang)")
    direction: str = fact_field("ltr or rtl")
    timezone: ZoneInfo = fact_field("the time zone of visible dates")
    founded: str = fact_field("YYYY-MM-DD: no article is older")
    # --- URLs
    home_path: str = fact_field("the home page")
    article_path_re: re.Pattern = fact_field(
        "an article path; groups `section` (e.g. news/politics, infographs) and `slug`")
    section_listing_re: re.Pattern = fact_field("a section listing path; group `section`")
    region_listing_re: re.Pattern | None = fact_field("a region listing path; group `region`")
    region_path: str | None = fact_field("a region listing path from its slug ({region})")
    tag_listing_re: re.Pattern = fact_field("a tag listing path; group `name` (percent-encoded)")
    tag_path: str = fact_field("a tag listing path from its display name ({name} percent-encoded)")
    page_param: str | None = fact_field(
        "the query parameter of listing pages (?page=N); None when listings show one page only")
    sitemap_index_path: str = fact_field("the sitemap index")
    sitemap_month_re: re.Pattern = fact_field("a monthly sitemap path; groups year and month")
    sitemap_month_path: str = fact_field(
        "a monthly sitemap's path from its {year} and {month} (follow mode polls the current month's)")
    sections: dict = fact_field("section path -> label as the nav shows it")
    regions: dict = fact_field("region slug -> label")
    # --- metadata, in order of trust
    tawsiyat_selector: str = fact_field("the JSON metadata block (first in trust)")
    tawsiyat_types: dict = fact_field("metadata `type` -> document type")
    class_mapping_category: str = fact_field("`classes` mapping of the category")
    class_mapping_country: str = fact_field("`classes` mapping of countries")
    class_mapping_author: str = fact_field("`classes` mapping of authors, one entry per author")
    # --- the visible page
    details_box: str = fact_field("the box holding title, byline, date and reading time")
    title_selectors: tuple = fact_field("the title inside the details box")
    author_prefixes: tuple = fact_field("text prefixes of the author line of the byline")
    source_prefixes: tuple = fact_field("text prefixes of the source line of the byline")
    author_separators: re.Pattern = fact_field("between several authors")
    author_conjunction: re.Pattern | None = fact_field(
        "a conjunction written onto the last author's name (Arabic 'و'): split there only when both "
        "sides are names of two words or more")
    date_shapes: tuple = fact_field(
        "how dates are written (patterns with groups day, month, year and optional hour, minute; "
        "digits of any script); the first is the article's visible date")
    month_names: dict = fact_field("month name or abbreviation (lower-case) -> month number")
    read_time_re: re.Pattern = fact_field("the reading time text; group 1 the minutes")
    lead_selector: str = fact_field("the lead paragraph")
    body_container: str = fact_field("the container of the body paragraphs")
    body_exclude: tuple = fact_field("parts of the body container that are not article text")
    read_more_prefixes: tuple = fact_field("in-body paragraphs linking elsewhere, not text")
    related_block: str = fact_field("the in-body related-news block")
    image_src_attr: str = fact_field("the image's real address (src is a lazy-loading placeholder)")
    credit_re: re.Pattern = fact_field("caption (credit)")
    video_player: str = fact_field("the video player, whose poster is not an article image")
    # --- class names that only sharpen what patterns find (all assumed)
    card_selectors: tuple = fact_field("listing cards (sharpening only)")
    card_date_selectors: tuple = fact_field("a card's date (sharpening only)")
    nav_selectors: tuple = fact_field("the nav menu and region list (sharpening only)")
    tag_list_selectors: tuple = fact_field("the article's tag list (sharpening only)")
    byline_selectors: tuple = fact_field("the byline items (sharpening only)")
    chrome_selectors: tuple = fact_field("site chrome besides header/nav/footer elements")
    next_link_texts: tuple = fact_field("texts of an explicit next-page link (lower-case)")
    # --- the breaking ticker
    ticker_item: str = fact_field("one ticker line in the rendered page")
    facts: dict = field(default_factory=dict, repr=False)

    @classmethod
    def define(cls, key: str, **facts: Fact) -> SiteProfile:
        names = [f.name for f in dataclasses.fields(cls) if f.name not in ("key", "facts")]
        missing = [n for n in names if n not in facts]
        unknown = [n for n in facts if n not in names]
        plain = [n for n, v in facts.items() if not isinstance(v, Fact)]
        if missing or unknown or plain:
            raise TypeError(f"profile {key}: missing facts {missing}, unknown {unknown}, "
                            f"without evidence {plain}")
        return cls(key=key, **{n: f.value for n, f in facts.items()}, facts=dict(facts))

    def evidence(self, name: str) -> str:
        return self.facts[name].evidence

    def replace(self, **facts: Fact) -> SiteProfile:
        """A copy with some facts changed (e.g. after observing the live site)."""
        return SiteProfile.define(self.key, **{**self.facts, **facts})

    # --- derived conveniences -------------------------------------------------------
    @property
    def url(self) -> str:
        return f"https://{self.host}"

    def section_of_path(self, path: str) -> str | None:
        match = self.article_path_re.match(path)
        return match["section"] if match else None

    def is_article_path(self, path: str) -> bool:
        return bool(self.article_path_re.match(path))

    def is_listing_path(self, path: str) -> bool:
        return bool(self.section_listing_re.match(path)
                    or (self.region_listing_re is not None and self.region_listing_re.match(path)))

    def is_tag_path(self, path: str) -> bool:
        return bool(self.tag_listing_re.match(path))


def month_table(*names_per_month: tuple[str, ...]) -> dict[str, int]:
    """{name.lower(): month} from one tuple of names per month, January first."""
    return {name.lower(): month for month, names in enumerate(names_per_month, start=1) for name in names}

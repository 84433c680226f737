"""Plausibility and cross-field rules that JSON Schema cannot express.

Each rule is a named function ``rule(doc, limits, now) -> list[(field, message)]``.
A rule checks only values of the right type: a wrong type is already the schema's
``type`` error, reported once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable

from newscrawl.extract import text
from newscrawl.extract.shapes import leading_section, within
from newscrawl.site import SiteProfile
from newscrawl.sites import known, profile_for_host

DATE_FIELDS = ("published_at", "modified_at", "first_seen_at", "last_seen_at")


def _profile(doc: dict) -> SiteProfile | None:
    """The profile of the document's site (None for a site no profile knows: rule ``known_site``)."""
    return profile_for_host(doc.get("site")) if isinstance(doc.get("site"), str) else None


def _founded_at(profile: SiteProfile) -> datetime:
    return datetime.combine(date.fromisoformat(profile.founded), time(), tzinfo=timezone.utc)


@dataclass(frozen=True)
class Limits:
    """Thresholds of the rules; each is a setting of the validation pipeline (VALIDATION_*)."""

    min_body_words: int = 5
    future_skew: timedelta = timedelta(days=1)  # clock skew tolerated for dates ahead of now
    min_words_per_minute: int = 40  # reading_minutes is rounded up by the site: (N-1) minutes at this pace
    max_words_per_minute: int = 600


Problem = tuple[str, str]
Rule = Callable[[dict, Limits, datetime], list[Problem]]


def _dates(doc: dict) -> list[tuple[str, datetime]]:
    return [(f, doc[f]) for f in DATE_FIELDS if isinstance(doc.get(f), datetime) and doc[f].tzinfo]


def utc(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    return [(f, f"{value.isoformat()} is not in UTC") for f, value in _dates(doc) if value.utcoffset()]


def not_in_future(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    latest = now + limits.future_skew
    return [(f, f"{value.isoformat()} is after {latest.isoformat()}") for f, value in _dates(doc) if value > latest]


def not_before_site(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    profile = _profile(doc)
    if profile is None:
        return []
    founded = _founded_at(profile)
    return [
        (f, f"{value.isoformat()} is before the site existed ({profile.founded})")
        for f, value in _dates(doc)
        if value < founded
    ]


def known_site(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    site = doc.get("site")
    if isinstance(site, str) and _profile(doc) is None:
        return [("site", f"{site!r} is no site of newscrawl.sites ({known()})")]
    return []


def same_site(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    """The article's URL, its aliases and its related links are on the document's own site."""
    site = doc.get("site")
    if not isinstance(site, str):
        return []
    prefix = f"https://{site}/"
    problems = []
    if isinstance(doc.get("url"), str) and not doc["url"].startswith(prefix):
        problems.append(("url", f"is not on the document's site {site}"))
    for name in ("related_urls", "aliases"):
        values = doc.get(name)
        if isinstance(values, list):
            outside = [v for v in values if isinstance(v, str) and not v.startswith(prefix)]
            if outside:
                problems.append((name, f"{len(outside)} URL(s) not on {site}, e.g. {outside[0][:80]}"))
    return problems


def body_words(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    body = doc.get("body")
    if isinstance(body, str) and text.word_count(body) < limits.min_body_words:
        return [("body", f"{text.word_count(body)} words, fewer than {limits.min_body_words}")]
    return []


def word_count_matches_body(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    body, count = doc.get("body"), doc.get("word_count")
    if isinstance(body, str) and _is_int(count) and count != text.word_count(body):
        return [("word_count", f"{count} but the body has {text.word_count(body)} words")]
    return []


def reading_minutes_consistent(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    minutes, count = doc.get("reading_minutes"), doc.get("word_count")
    if not (_is_int(minutes) and _is_int(count)) or minutes < 1:
        return []
    low = (minutes - 1) * limits.min_words_per_minute
    high = minutes * limits.max_words_per_minute
    if low <= count <= high:
        return []
    return [("reading_minutes", f"{minutes} min for {count} words (expected {low}..{high} words)")]


def content_hash_matches_text(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    title, body, digest = doc.get("title"), doc.get("body"), doc.get("content_hash")
    if isinstance(title, str) and isinstance(body, str) and isinstance(digest, str):
        if digest != text.content_hash(title, body):
            return [("content_hash", "is not the SHA-256 of the normalised title and body")]
    return []


def _site_path(doc: dict) -> tuple[SiteProfile, str] | None:
    """The document's profile and URL path, for a URL of the profile's own host (others: rule same_site)."""
    url, profile = doc.get("url"), _profile(doc)
    if profile is None or not (isinstance(url, str) and url.startswith(profile.url + "/")):
        return None
    return profile, url[len(profile.url):]


def article_path(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    """An article's URL matches the profile's article pattern or, being of a shape the profile does not
    know (the site's sitemaps list such URLs), names a section by its leading segments; a URL of one of
    the site's other page kinds (a tag or listing page) or of one segment is no article."""
    found = _site_path(doc)
    if found is None:
        return []
    profile, path = found
    if profile.is_article_path(path):
        return []
    if profile.is_tag_path(path) or profile.is_listing_path(path) or leading_section(path) is None:
        return [("url", f"is not an article path of {doc['site']} ({profile.article_path_re.pattern}, or a section "
                        "and a slug of a shape the site's sitemaps list)")]
    return []


def section_matches_url(doc: dict, limits: Limits, now: datetime) -> list[Problem]:
    """The section is the one the URL names: the pattern's section, or the leading segments of a path of
    another shape (a breadcrumb may name fewer of them)."""
    found, section = _site_path(doc), doc.get("section")
    if found is None or not isinstance(section, str):
        return []
    profile, path = found
    by_pattern = profile.section_of_path(path)
    if by_pattern:
        return [] if by_pattern == section else [("section", f"{section!r} but the URL is in {by_pattern!r}")]
    if leading_section(path) and not within(section, path):
        return [("section", f"{section!r} but the URL is in {leading_section(path)!r}")]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


RULES: dict[str, Rule] = {
    "utc": utc,
    "not_in_future": not_in_future,
    "not_before_site": not_before_site,
    "known_site": known_site,
    "same_site": same_site,
    "body_words": body_words,
    "word_count_matches_body": word_count_matches_body,
    "reading_minutes_consistent": reading_minutes_consistent,
    "content_hash_matches_text": content_hash_matches_text,
    "article_path": article_path,
    "section_matches_url": section_matches_url,
}

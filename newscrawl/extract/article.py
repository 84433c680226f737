"""An article page to SCHEMA.md fields: metadata first, then meta tags, then the visible page.

Where the winning value and the visible page disagree the metadata wins and the
field is named in ``disagreements``; anything missing or unreadable is named in
``problems``. Never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawl import site
from newscrawl.extract import text as textmod
from newscrawl.extract.body import read_body
from newscrawl.extract.dates import parse_duration, parse_iso_datetime
from newscrawl.extract.dom import mirror_hosts_of, parse_html, unique
from newscrawl.extract.images import read_images
from newscrawl.extract.metadata import PageMetadata, read_metadata
from newscrawl.extract.visible import VisiblePage, read_visible, split_authors
from newscrawl.urls import canonical_url, path_of


@dataclass
class Extraction:
    fields: dict
    sources: dict[str, str | None] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def empty_fields(url: str) -> dict:
    return {
        "url": url, "site": site.SITE_HOST, "postid": None, "type": "article", "section": None,
        "category": None, "title": "", "description": None, "authors": [], "source": None,
        "published_at": None, "modified_at": None, "reading_minutes": None, "word_count": 0,
        "body": "", "images": [], "tags": [], "countries": [], "related_urls": [],
        "video_duration": None, "lang": site.LANG, "content_hash": textmod.content_hash("", ""),
    }


def _first(*candidates):
    """(value, source) of the first candidate whose value is not empty."""
    for source, value in candidates:
        if value not in (None, "", []):
            return value, source
    return None, None


def _split_keywords(value: str | None) -> list[str]:
    return unique(textmod.normalise_text(k) for k in value.split(",")) if value else []


def _section(url: str, metadata: PageMetadata) -> str | None:
    for candidate in (url, metadata.value("url"), metadata.meta_value("og:url")):
        if not candidate:
            continue
        match = site.ARTICLE_PATH_RE.match(path_of(candidate))
        if match:
            return match.group("flat") or f"{match.group('kind')}/{match.group('section')}"
    return None


class _Builder:
    """Collects fields with their sources, disagreements and problems."""

    def __init__(self, url: str, problems: list[str]):
        self.fields = empty_fields(url)
        self.sources: dict[str, str | None] = dict.fromkeys(self.fields)
        self.disagreements: list[str] = []
        self.problems = problems

    def set(self, name: str, value, source: str | None, visible=None, same=None) -> None:
        if value is not None:
            self.fields[name] = value
        self.sources[name] = source if value not in (None, "", []) else None
        if source != "visible" and value not in (None, "", []) and visible not in (None, "", []):
            if not (same(value, visible) if same else value == visible):
                self.disagreements.append(name)

    def result(self) -> Extraction:
        return Extraction(self.fields, self.sources, self.disagreements, self.problems)


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def _first_readable(b: _Builder, md: PageMetadata, name: str, keys: tuple[str, str], parse,
                    what: str) -> tuple[object | None, str | None]:
    """The first value of the metadata key, then the meta tag, that ``parse`` can read; and its source."""
    for source, raw in (("metadata", md.value(keys[0])), ("meta", md.meta_value(keys[1]))):
        if raw:
            parsed = parse(raw)
            if parsed is not None:
                return parsed, source
            b.problems.append(f"{name}: unreadable {source} {what} {raw[:40]!r}")
    return None, None


def _datetime(b: _Builder, md: PageMetadata, name: str, keys: tuple[str, str]) -> tuple[datetime | None, str | None]:
    return _first_readable(b, md, name, keys, parse_iso_datetime, "date")


def _video_duration(b: _Builder, md: PageMetadata) -> tuple[int | None, str | None]:
    return _first_readable(b, md, "video_duration", ("video_duration", "og:video_duration"), parse_duration, "value")


def _type(b: _Builder, md: PageMetadata, section: str | None) -> tuple[str, str]:
    declared = md.value("type")
    if declared:
        mapped = site.TAWSIYAT_TYPES.get(declared.lower())
        if mapped:
            return mapped, "metadata"
        b.problems.append(f"type: metadata type {declared[:40]!r} is not an article type")
    if md.meta_value("og:video_duration"):
        return "video", "meta"
    if section and section.split("/")[0] == "videos":
        return "video", "url"
    return "article", "computed"


def _build(root, url: str, b: _Builder) -> None:
    md = read_metadata(root)
    vis: VisiblePage = read_visible(root)
    b.problems.extend(md.problems + vis.problems)
    f = b.fields

    section = _section(url, md)
    b.set("section", section, "url")
    if section is None:
        b.problems.append("section: the URL is not an article URL")
    b.set("site", site.SITE_HOST, "url")
    b.set("url", f["url"], "url")
    b.set("postid", *_first(("metadata", md.value("postid")), ("meta", md.meta_value("postid"))))
    b.set("type", *_type(b, md, section))
    b.set("category", *_first(("url", site.SECTIONS.get(section or "")),
                              ("metadata", next(iter(md.classes(site.CLASS_MAPPING_CATEGORY)), None))))

    b.set("title", *_first(("metadata", md.value("title")), ("meta", md.meta_value("og:title")),
                           ("visible", vis.title)), visible=vis.title)
    b.set("description", *_first(("metadata", md.value("description")), ("meta", md.meta_value("description")),
                                 ("meta", md.meta_value("og:description")), ("visible", vis.lead)),
          visible=vis.lead)
    b.set("authors", *_first(("metadata", split_authors(md.value("author"))),
                             ("meta", split_authors(md.meta_value("author"))), ("visible", vis.authors)),
          visible=vis.authors)
    b.set("source", vis.source, "visible")

    published, published_source = _datetime(b, md, "published_at", ("published_time", "article:published_time"))
    b.set("published_at", *_first((published_source, published), ("visible", vis.published_at)),
          visible=vis.published_at,
          same=_same_minute)
    b.set("modified_at", *_datetime(b, md, "modified_at", ("last_updated", "article:modified_time")))
    b.set("reading_minutes", vis.reading_minutes, "visible")

    leads = {t for t in (vis.lead, f["description"]) if t}
    body, related = read_body(root, url, leads)
    b.set("body", body, "visible")
    b.set("related_urls", related, "visible")
    b.set("images", read_images(root, url), "visible")
    b.set("tags", *_first(("metadata", _split_keywords(md.value("keywords"))),
                          ("meta", _split_keywords(md.meta_value("keywords"))), ("visible", vis.tags)),
          visible=vis.tags, same=lambda a, v: set(a) == set(v))
    b.set("countries", unique(md.classes(site.CLASS_MAPPING_COUNTRY)), "metadata")
    b.set("video_duration", *_video_duration(b, md))
    b.set("lang", *_first(("metadata", md.value("lang")), ("meta", md.html_lang), ("computed", site.LANG)))

    f["word_count"] = textmod.word_count(f["body"])
    f["content_hash"] = textmod.content_hash(f["title"], f["body"])
    b.sources["word_count"] = b.sources["content_hash"] = "computed"
    for name in ("title", "body", "published_at"):
        if not f[name]:
            b.problems.append(f"{name}: not found")


def extract_article(html: str | bytes, url: str) -> Extraction:
    """SCHEMA.md article fields from a page; ``url`` is the page's URL (canonical or a mirror's)."""
    url = url or ""
    try:
        page_url = canonical_url(url, mirror_hosts=mirror_hosts_of(url)) if url else ""
    except ValueError:
        page_url = url
    b = _Builder(page_url, [])
    try:
        root = parse_html(html)
    except Exception as exc:  # libxml2 refuses some inputs outright; a crawl must go on
        b.problems.append(f"unparseable HTML: {type(exc).__name__}: {str(exc)[:80]}")
        return b.result()
    if root is None:
        b.problems.append("empty document")
        return b.result()
    try:
        _build(root, url, b)
    except Exception as exc:  # hostile markup must never crash a crawl
        b.problems.append(f"extraction failed: {type(exc).__name__}: {str(exc)[:80]}")
        b.fields["word_count"] = textmod.word_count(b.fields["body"])
        b.fields["content_hash"] = textmod.content_hash(b.fields["title"], b.fields["body"])
    return b.result()

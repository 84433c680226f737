"""An article page to SCHEMA.md fields: metadata first, then meta tags, then the visible page,
then (only where the site's own rules find no element at all) a generic extractor.

Where the winning value and the visible page disagree the metadata wins and the field is
named in ``disagreements``; anything missing or unreadable is named in ``problems``;
``extraction`` says whether the site's rules were enough ("site") or the generic fallback
filled the body, title or date ("generic"). Never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawl.extract import text as textmod
from newscrawl.extract.body import read_body
from newscrawl.extract.dates import parse_duration, parse_iso_datetime
from newscrawl.extract.dom import asset_url, mirror_hosts_of, parse_html, text_of, unique
from newscrawl.extract.images import read_images
from newscrawl.extract.links import TAG, PageLinks
from newscrawl.extract.metadata import PageMetadata, read_metadata
from newscrawl.extract.shapes import leading_section, within
from newscrawl.extract.visible import VisiblePage, read_visible, split_authors
from newscrawl.site import SiteProfile
from newscrawl.sites import profile_for_url
from newscrawl.urls import canonical_url, path_of

SITE_RULES, GENERIC = "site", "generic"
EMPTY_CONTENT_HASH = textmod.content_hash("", "")  # the hash of no text, until the page's text is read


@dataclass
class Extraction:
    fields: dict
    sources: dict[str, str | None] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tag_urls: list[str] = field(default_factory=list)  # tag listings the page links to (discovery)
    generic: list[str] = field(default_factory=list)  # fields the generic fallback filled

    @property
    def method(self) -> str:
        return self.fields.get("extraction", SITE_RULES)


def empty_fields(url: str, profile: SiteProfile) -> dict:
    return {
        "url": url, "site": profile.host, "postid": None, "type": "article", "section": None,
        "category": None, "title": "", "description": None, "authors": [], "source": None,
        "published_at": None, "modified_at": None, "reading_minutes": None, "word_count": 0,
        "body": "", "images": [], "tags": [], "countries": [], "related_urls": [],
        "video_duration": None, "lang": profile.lang, "content_hash": EMPTY_CONTENT_HASH,
        "extraction": SITE_RULES,
    }


def _first(*candidates):
    """(value, source) of the first candidate whose value is not empty."""
    for source, value in candidates:
        if value not in (None, "", []):
            return value, source
    return None, None


def _split_keywords(value: str | None) -> list[str]:
    return unique(textmod.normalise_text(k) for k in value.split(",")) if value else []


def _section(url: str, page_url: str, metadata: PageMetadata, links: PageLinks,
             profile: SiteProfile) -> tuple[str | None, str | None, bool]:
    """(section, its source, whether the profile's article pattern matched).

    The profile's pattern on the URL (or the page's own declared URL) first: its article paths are
    seen. A URL of a shape the profile does not know takes its section from the page (a breadcrumb
    or nav link to a listing whose path leads the article's), else from the URL's leading segments."""
    for candidate in (url, metadata.value("url"), metadata.meta_value("og:url")):
        if candidate:
            section = profile.section_of_path(path_of(candidate))
            if section:
                return section, "url", True
    path = path_of(page_url or url)
    linked = [link.url[len(profile.url) + 1:].lower() for link in links.links
              if link.url.startswith(profile.url + "/") and within(link.url[len(profile.url) + 1:], path)]
    if linked:
        return max(linked, key=len), "breadcrumb", False
    section = leading_section(path)
    return section, ("url" if section else None), False


def section_labels(links: PageLinks, section: str) -> tuple[str | None, str | None]:
    """The label the page gives the section's listing: the text of its links to ``/{section}``, a
    breadcrumb's (outside the site chrome) before the nav's; (label, "breadcrumb" | "nav")."""
    target = f"{links.profile.url}/{section}"
    found: dict[bool, str] = {}
    for link in links.links:
        if link.url == target and link.in_chrome not in found:
            label = text_of(link.element)
            if label:
                found[link.in_chrome] = label
    if False in found:
        return found[False], "breadcrumb"
    if True in found:
        return found[True], "nav"
    return None, None


class _Builder:
    """Collects fields with their sources, disagreements and problems."""

    def __init__(self, url: str, profile: SiteProfile, problems: list[str]):
        self.fields = empty_fields(url, profile)
        self.sources: dict[str, str | None] = dict.fromkeys(self.fields)
        self.disagreements: list[str] = []
        self.problems = problems
        self.tag_urls: list[str] = []
        self.generic: list[str] = []

    def set(self, name: str, value, source: str | None, visible=None, same=None) -> None:
        if value is not None:
            self.fields[name] = value
        self.sources[name] = source if value not in (None, "", []) else None
        if source not in ("visible", "generic") and value not in (None, "", []) and visible not in (None, "", []):
            if not (same(value, visible) if same else value == visible):
                self.disagreements.append(name)

    def result(self) -> Extraction:
        return Extraction(self.fields, self.sources, self.disagreements, self.problems, self.tag_urls,
                          self.generic)


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


def _type(b: _Builder, md: PageMetadata, section: str | None, profile: SiteProfile) -> tuple[str, str]:
    declared = md.value("type")
    if declared:
        mapped = profile.tawsiyat_types.get(declared.lower())
        if mapped:
            return mapped, "metadata"
        b.problems.append(f"type: metadata type {declared[:40]!r} is not an article type")
    if md.meta_value("og:video_duration"):
        return "video", "meta"
    if section and section.split("/")[0] == "videos":
        return "video", "url"
    return "article", "computed"


def _category(b: _Builder, md: PageMetadata, links: PageLinks, section: str | None, profile: SiteProfile) -> None:
    """The page's own word first (its metadata category, then its breadcrumb or nav label for the
    section's path), the profile's table last; a table that says otherwise is a disagreement, counted
    so that the profile gets corrected from evidence."""
    label, label_source = section_labels(links, section) if section else (None, None)
    table = profile.sections.get(section or "")
    value, source = _first(("metadata", next(iter(md.classes(profile.class_mapping_category)), None)),
                           (label_source, label), ("profile", table))
    b.set("category", value, source)
    if source != "profile" and table and value != table:
        b.disagreements.append("category")


def _build(root, html, url: str, page_url: str, b: _Builder, profile: SiteProfile, listed: bool) -> None:
    md = read_metadata(root, profile)
    links = PageLinks(root, url, profile)
    vis: VisiblePage = read_visible(root, profile, links)
    b.problems.extend(md.problems + vis.problems)
    b.tag_urls = links.urls(TAG)
    f = b.fields
    tz = profile.timezone

    section, section_source, by_pattern = _section(url, page_url, md, links, profile)
    b.set("section", section, section_source)
    if section is None:
        b.problems.append("section: the URL is not an article URL")
    elif not by_pattern:
        b.problems.append(f"section: the URL's shape is not the profile's article pattern ({section_source})")
    b.set("site", profile.host, "url")
    b.set("url", f["url"], "url")
    b.set("postid", *_first(("metadata", md.value("postid")), ("meta", md.meta_value("postid"))))
    b.set("type", *_type(b, md, section, profile))
    _category(b, md, links, section, profile)

    b.set("title", *_first(("metadata", md.value("title")), ("meta", md.meta_value("og:title")),
                           ("visible", vis.title)), visible=vis.title)
    b.set("description", *_first(("metadata", md.value("description")), ("meta", md.meta_value("description")),
                                 ("meta", md.meta_value("og:description")), ("visible", vis.lead)),
          visible=vis.lead)
    b.set("authors", *_first(("metadata", unique(md.classes(profile.class_mapping_author))),
                             ("metadata", split_authors(md.value("author"), profile)),
                             ("meta", split_authors(md.meta_value("author"), profile)), ("visible", vis.authors)),
          visible=vis.authors)
    b.set("source", vis.source, "visible")

    parse_date = lambda raw: parse_iso_datetime(raw, naive_tz=tz)  # noqa: E731
    published, published_source = _first_readable(b, md, "published_at", ("published_time", "article:published_time"),
                                                  parse_date, "date")
    b.set("published_at", *_first((published_source, published), ("visible", vis.published_at)),
          visible=vis.published_at, same=_same_minute)
    b.set("modified_at", *_first_readable(b, md, "modified_at", ("last_updated", "article:modified_time"),
                                          parse_date, "date"))
    b.set("reading_minutes", vis.reading_minutes, "visible")

    leads = {t for t in (vis.lead, f["description"]) if t}
    body, related, has_container = read_body(root, url, leads, profile)
    b.set("body", body, "visible")
    b.set("related_urls", related, "visible")
    b.set("images", read_images(root, url, profile, links), "visible")
    b.set("tags", *_first(("metadata", _split_keywords(md.value("keywords"))),
                          ("meta", _split_keywords(md.meta_value("keywords"))), ("visible", vis.tags)),
          visible=vis.tags, same=lambda a, v: set(a) == set(v))
    b.set("countries", unique(md.classes(profile.class_mapping_country)), "metadata")
    b.set("video_duration", *_first_readable(b, md, "video_duration", ("video_duration", "og:video_duration"),
                                             parse_duration, "value"))
    b.set("lang", *_first(("metadata", md.value("lang")), ("meta", md.html_lang), ("computed", profile.lang)))

    # the generic fallback, only for what the site's rules found no element for at all
    missing = []
    if not has_container:
        missing.append("body")
    if not f["title"] and not vis.has_title_element:
        missing.append("title")
    if f["published_at"] is None:
        missing.append("published_at")
    # an article by the profile's pattern, by the site's word (its sitemaps listed the URL), or by the page's
    is_article = by_pattern or listed or md.declares_article(profile.tawsiyat_types)
    if missing and is_article:
        _generic(html, root, page_url, b, profile, md, links, missing, leads | {f["title"]} - {""})

    f["word_count"] = textmod.word_count(f["body"])
    f["content_hash"] = textmod.content_hash(f["title"], f["body"])
    b.sources["word_count"] = b.sources["content_hash"] = "computed"
    for name in ("title", "body", "published_at"):
        if not f[name]:
            b.problems.append(f"{name}: not found")


def _generic(html, root, page_url: str, b: _Builder, profile: SiteProfile, md: PageMetadata, links: PageLinks,
             missing: list[str], drop: set[str]) -> None:
    from newscrawl.extract.generic import generic_extract

    found = generic_extract(html, page_url, profile, drop, want_date="published_at" in missing, root=root)
    values = {"body": found.body, "title": found.title, "published_at": found.published_at}
    for name in missing:
        if values[name]:
            b.set(name, values[name], "generic")
            b.generic.append(name)
    if not b.generic:
        return
    b.fields["extraction"] = GENERIC
    b.sources["extraction"] = "computed"
    if "body" in b.generic:
        # the body's own container (a template the profile does not know) holds the article's figures too
        container = _container_of(root, found.body)
        if container is not None:
            holding = links.article_holders | {container, *container.iterancestors()}
            images = read_images(root, b.fields["url"], profile, links, holding)
            if len(images) > len(b.fields["images"]):
                b.set("images", images, "generic")
    if "body" in b.generic and not b.fields["images"] and b.fields["type"] != "video":
        # the page's figures are not where the profile says: the declared picture instead (a video's is its
        # poster, never an article image)
        thumbnail = md.value("thumbnail") or md.meta_value("og:image") or found.image
        image = asset_url(thumbnail, b.fields["url"], profile.host) if thumbnail else None
        if image:
            b.set("images", [{"url": image, "caption": None, "credit": None}], "generic")


def _container_of(root, body: str):
    """The element whose paragraphs are the body's: the parent shared by most of the paragraphs whose text
    is a paragraph of ``body``."""
    wanted = set(body.split(textmod.PARAGRAPH_SEPARATOR)) if body else set()
    parents: dict = {}
    for paragraph in root.iter("p"):
        if text_of(paragraph) in wanted:
            parent = paragraph.getparent()
            parents[parent] = parents.get(parent, 0) + 1
    if not parents:
        return None
    best = max(parents, key=parents.get)
    return best if parents[best] * 2 >= len(wanted) else None


def extract_article(html: str | bytes, url: str, profile: SiteProfile | None = None, listed: bool = False) -> Extraction:
    """SCHEMA.md article fields from a page; ``url`` is the page's URL (canonical or a mirror's).

    ``profile``: the site's facts (by default, the profile whose host serves ``url``). ``listed``: the
    site itself says the page is an article (its sitemaps list it), whatever the URL's shape: the
    generic fallback then stands in for what the site's rules do not find.
    """
    url = url or ""
    profile = profile or profile_for_url(url)
    try:
        page_url = canonical_url(url, mirror_hosts=mirror_hosts_of(url), site_host=profile.host) if url else ""
    except ValueError:
        page_url = url
    b = _Builder(page_url, profile, [])
    try:
        root = parse_html(html)
    except Exception as exc:  # libxml2 refuses some inputs outright; a crawl must go on
        b.problems.append(f"unparseable HTML: {type(exc).__name__}: {str(exc)[:80]}")
        return b.result()
    if root is None:
        b.problems.append("empty document")
        return b.result()
    try:
        _build(root, html, url, page_url, b, profile, listed)
    except Exception as exc:  # hostile markup must never crash a crawl
        b.problems.append(f"extraction failed: {type(exc).__name__}: {str(exc)[:80]}")
        b.fields["word_count"] = textmod.word_count(b.fields["body"])
        b.fields["content_hash"] = textmod.content_hash(b.fields["title"], b.fields["body"])
    return b.result()

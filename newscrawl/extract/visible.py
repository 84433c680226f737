"""What a reader sees: title, byline, date, reading time, lead and tag list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newscrawl import site
from newscrawl.extract.dates import parse_visible_datetime
from newscrawl.extract.dom import first_text, select, select_within, text_of, unique
from newscrawl.extract.text import normalise_text


@dataclass
class VisiblePage:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    source: str | None = None
    published_at: datetime | None = None
    reading_minutes: int | None = None
    lead: str | None = None
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def split_authors(text: str | None) -> list[str]:
    if not text:
        return []
    return unique(normalise_text(part) for part in site.AUTHOR_SEPARATORS.split(text))


def _title(root, boxes: list) -> str | None:
    for css in site.TITLE_SELECTORS:
        title = next(filter(None, map(text_of, select_within(root, css, boxes, site.DETAILS_BOX))), None)
        if title:
            return title
    return None


def _reading_minutes(boxes: list) -> int | None:
    for box in boxes:
        match = site.READ_TIME_RE.search(text_of(box))
        if match:
            return int(match.group(1))
    return None


def read_visible(root) -> VisiblePage:
    boxes = select(root, site.DETAILS_BOX)
    page = VisiblePage(title=_title(root, boxes), reading_minutes=_reading_minutes(boxes))
    for item in select_within(root, site.BYLINE_ITEMS, boxes, site.DETAILS_BOX):
        text = text_of(item)
        if text.startswith(site.BYLINE_AUTHOR_PREFIX) and not page.authors:
            page.authors = split_authors(text[len(site.BYLINE_AUTHOR_PREFIX):])
        elif text.startswith(site.BYLINE_SOURCE_PREFIX) and page.source is None:
            page.source = normalise_text(text[len(site.BYLINE_SOURCE_PREFIX):]) or None
        elif site.VISIBLE_DATE_RE.match(text) and page.published_at is None:
            page.published_at = parse_visible_datetime(text)
            if page.published_at is None:
                page.problems.append(f"visible date unreadable: {text!r}")
    page.lead = first_text(root, site.LEAD_SELECTOR) or None
    page.tags = unique(text_of(a) for a in select(root, site.TAG_LINKS))
    return page

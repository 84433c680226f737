"""What a reader sees: title, byline, date, reading time, lead and tag list.

The byline is found by its text inside the details box (sister evidence): the smallest
element whose text starts with an author prefix (``By ``) or a source prefix
(``Source:``), and the first date with a time of day; the byline's own markup is
assumed, so its class names only sharpen. The tag list is every tag link outside the
site chrome and outside cards of other articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from newscrawl.extract.dates import ascii_digits, visible_datetimes
from newscrawl.extract.dom import first_text, select, select_within, spaced_text_of, text_of, unique
from newscrawl.extract.links import TAG, PageLinks, text_outside_headings
from newscrawl.extract.text import normalise_text
from newscrawl.site import SiteProfile

# where one byline part ends when several share an element
_PART_END = re.compile(r"\s+[|•·]\s+|\s+-\s+")


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
    found: dict[str, str] = field(default_factory=dict)  # part -> how it was found (for doctor and stats)
    has_details_box: bool = False
    has_title_element: bool = False


def split_authors(text: str | None, profile: SiteProfile | None = None) -> list[str]:
    if not text:
        return []
    if profile is None:
        from newscrawl.sites import get_profile

        profile = get_profile()
    parts = [normalise_text(part) for part in profile.author_separators.split(text)]
    if profile.author_conjunction is not None and parts:
        # "A B وC D": the conjunction is written onto the last name; a one-word side means it was
        # part of a name (وليد, Walid), not a conjunction
        pieces = profile.author_conjunction.split(parts[-1], maxsplit=1)
        if len(pieces) == 2 and all(len(p.split()) >= 2 for p in pieces):
            parts[-1:] = [normalise_text(p) for p in pieces]
    return unique(parts)


def _title(root, boxes: list, profile: SiteProfile) -> tuple[str | None, bool]:
    seen_element = False
    for css in profile.title_selectors:
        elements = select_within(root, css, boxes, profile.details_box)
        seen_element = seen_element or bool(elements)
        title = next(filter(None, map(text_of, elements)), None)
        if title:
            return title, True
    return None, seen_element


def _starts(text: str, prefixes: tuple[str, ...]) -> str | None:
    return next((p for p in prefixes if text.startswith(p)), None)


def _part_candidates(boxes: list, prefixes: tuple[str, ...]) -> list[str]:
    """Texts of the smallest elements in the boxes whose text starts with one of the prefixes."""
    out = []
    for box in boxes:
        for element in box.iter():
            if not isinstance(element.tag, str):
                continue
            text = spaced_text_of(element)
            if not _starts(text, prefixes):
                continue
            if any(_starts(spaced_text_of(child), prefixes) for child in element if isinstance(child.tag, str)):
                continue  # a smaller element inside says the same
            out.append(text)
    return out


def _cut(text: str, prefix: str, profile: SiteProfile, others: tuple[str, ...]) -> str:
    """The part's value: after the prefix, before another part begins."""
    value = text[len(prefix):]
    ends = [m.start() for m in (_PART_END.search(value), profile.read_time_re.search(value)) if m]
    ends += [value.find(o) for o in others if value.find(o) > 0]
    for shape in profile.date_shapes:
        match = shape.search(value)
        if match:
            ends.append(match.start())
    if ends:
        value = value[:min(ends)]
    return normalise_text(value.strip(" ,;|•·-"))


def _inline_part(texts: list[str], prefixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(text from the prefix on, prefix) for a prefix written mid-text, after a space."""
    for text in texts:
        for prefix in prefixes:
            at = text.find(" " + prefix)
            if at >= 0:
                return text[at + 1:], prefix
    return None


def _part(texts: list[str], boxes_text: list[str], prefixes: tuple[str, ...]) -> tuple[str, str] | None:
    for text in texts:
        prefix = _starts(text, prefixes)
        if prefix:
            return text, prefix
    return _inline_part(boxes_text, prefixes)


def _byline(page: VisiblePage, root, boxes: list, profile: SiteProfile) -> None:
    items = [spaced_text_of(e) for css in profile.byline_selectors
             for e in select_within(root, css, boxes, profile.details_box)]
    sharpened = bool(items)
    how = "byline selector" if sharpened else "text prefix"
    # the boxes' text without the title: "Killed By fire" is a headline, not a byline
    boxes_text = [normalise_text(" ".join(text_outside_headings(b))) for b in boxes]
    authors = _part(items or _part_candidates(boxes, profile.author_prefixes), boxes_text, profile.author_prefixes)
    if authors:
        page.authors = split_authors(_cut(*authors, profile, profile.source_prefixes), profile)
        page.found["authors"] = how
    source = _part(items or _part_candidates(boxes, profile.source_prefixes), boxes_text, profile.source_prefixes)
    if source:
        page.source = _cut(*source, profile, profile.author_prefixes) or None
        page.found["source"] = how
    # the date: in the byline's items when the profile names them, else anywhere in the box
    for scope, how in ((" ".join(items), "byline selector"), (" ".join(boxes_text), "date shape")):
        moments = visible_datetimes(scope, profile)
        if moments:
            page.published_at = moments[0]
            page.found["published_at"] = how
            return
    written = next((m.group(0) for b in boxes for shape in profile.date_shapes
                    for m in shape.finditer(spaced_text_of(b)) if m.groupdict().get("hour")), None)
    if written:
        page.problems.append(f"visible date unreadable: {written!r}")


def _reading_minutes(boxes: list, profile: SiteProfile) -> int | None:
    """In the details box (sister), else beside it (the reading time's element is assumed)."""
    for scope in (boxes, [b.getparent() for b in boxes if b.getparent() is not None]):
        for element in scope:
            match = profile.read_time_re.search(spaced_text_of(element))
            if match:
                return int(ascii_digits(match.group(1)))
    return None


def _tags(root, links: PageLinks, profile: SiteProfile) -> tuple[list[str], str]:
    for css in profile.tag_list_selectors:  # sharpening: the profile's tag list
        named = unique(text_of(a) for a in select(root, css))
        if named:
            return named, "tag list selector"
    holding = links.article_holders
    found = unique(text_of(link.element) for link in links.links
                   if link.kind == TAG and links.is_own(link.element, holding))
    return found, "tag links"


def read_visible(root, profile: SiteProfile, links: PageLinks) -> VisiblePage:
    boxes = select(root, profile.details_box)
    title, has_title = _title(root, boxes, profile)
    page = VisiblePage(title=title, reading_minutes=_reading_minutes(boxes, profile),
                       has_details_box=bool(boxes), has_title_element=has_title)
    _byline(page, root, boxes, profile)
    page.lead = first_text(root, profile.lead_selector) or None
    page.tags, how = _tags(root, links, profile)
    if page.tags:
        page.found["tags"] = how
    return page

"""The article text of div.p-content, and the related links found in it."""

from __future__ import annotations

from newscrawl import site
from newscrawl.extract.dom import inside_any, link_url, select, select_outside, select_within, text_of, unique
from newscrawl.extract.text import PARAGRAPH_SEPARATOR


def read_body(root, page_url: str, leads: set[str]) -> tuple[str, list[str]]:
    """(body, related URLs in page order); ``leads`` are texts of a lead that may be repeated."""
    containers = select(root, site.BODY_CONTAINER)
    article_paragraphs = set(select_outside(root, site.BODY_PARAGRAPHS, site.BODY_EXCLUDE_ANCESTORS,
                                            containers, site.BODY_CONTAINER))
    related_anchors = set(select_within(root, site.RELATED_LINKS, containers, site.BODY_CONTAINER))
    paragraphs: list[str] = []
    related: list[str | None] = []
    read_more: set = set()
    outermost = [c for c in containers if not inside_any(c, set(containers))]  # nested ones are walked once
    for container in outermost:
        # one pass in document order keeps the related links in page order
        for element in container.iter("p", "a"):
            if element.tag == "a":
                if element in related_anchors or inside_any(element, read_more):
                    related.append(link_url(element.get("href"), page_url))
                continue
            if element not in article_paragraphs:
                continue
            text = text_of(element)
            if text.startswith(site.READ_MORE_PREFIX):
                read_more.add(element)
                continue
            if not text or text in leads:
                continue
            paragraphs.append(text)
    return PARAGRAPH_SEPARATOR.join(paragraphs), unique(related)

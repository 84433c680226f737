"""The article text of the body container, and the related links found in it."""

from __future__ import annotations

from newscrawl.extract.dom import inside_any, link_url, select, select_outside, select_within, text_of, unique
from newscrawl.extract.text import PARAGRAPH_SEPARATOR
from newscrawl.site import SiteProfile


def read_body(root, page_url: str, leads: set[str], profile: SiteProfile) -> tuple[str, list[str], bool]:
    """(body, related URLs in page order, whether the body container exists); ``leads`` are
    texts of a lead that may be repeated."""
    containers = select(root, profile.body_container)
    paragraphs_css = f"{profile.body_container} p"
    article_paragraphs = set(select_outside(root, paragraphs_css, profile.body_exclude,
                                            containers, profile.body_container))
    related_anchors = set(select_within(root, f"{profile.body_container} {profile.related_block} a[href]",
                                        containers, profile.body_container))
    paragraphs: list[str] = []
    related: list[str | None] = []
    read_more: set = set()
    outermost = [c for c in containers if not inside_any(c, set(containers))]  # nested ones are walked once
    for container in outermost:
        # one pass in document order keeps the related links in page order
        for element in container.iter("p", "a"):
            if element.tag == "a":
                if element in related_anchors or inside_any(element, read_more):
                    related.append(link_url(element.get("href"), page_url, profile.host))
                continue
            if element not in article_paragraphs:
                continue
            text = text_of(element)
            if text.startswith(profile.read_more_prefixes):
                read_more.add(element)
                continue
            if not text or text in leads:
                continue
            paragraphs.append(text)
    if not containers:
        related = _related_without_container(root, page_url, profile)
    return PARAGRAPH_SEPARATOR.join(paragraphs), unique(related), bool(containers)


def _related_without_container(root, page_url: str, profile: SiteProfile) -> list[str | None]:
    """With the body container unknown (a template the profile does not know), the related block
    and the read-more paragraphs are still found by their own markers, anywhere but the chrome."""
    from newscrawl.extract.links import CHROME_TAGS

    blocks = set(select(root, profile.related_block))
    related = []
    for element in root.iter("p", "a"):
        if any(a.tag in CHROME_TAGS for a in element.iterancestors()):
            continue
        if element.tag == "p" and text_of(element).startswith(profile.read_more_prefixes):
            related += [link_url(a.get("href"), page_url, profile.host) for a in element.iter("a")]
        elif element.tag == "a" and inside_any(element, blocks):
            related.append(link_url(element.get("href"), page_url, profile.host))
    return related

"""The links of a page, classified by what their paths are, and the structure they imply.

Nobody has seen the English site's listing markup, nav or pagination, so nothing here
needs a class name: an article link is a same-site link whose path matches the profile's
article pattern; a card is the largest element around one article's links that holds no
other article; the site chrome is the page's own header, nav and footer. Class names of
the profile (assumed) only sharpen: a card the profile's selector names is taken as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

from newscrawl.extract.dom import NON_TEXT, link_url, select_all
from newscrawl.extract.shapes import is_slug_path, shape_of
from newscrawl.site import SiteProfile
from newscrawl.urls import path_of

ARTICLE, LISTING, TAG, SITE, EXTERNAL = "article", "listing", "tag", "site", "external"
CHROME_TAGS = ("header", "nav", "footer")
CONTENT_TAGS = ("main", "article")  # a header or nav inside these is the content's, not the site's
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


@dataclass(frozen=True)
class Link:
    element: object  # the <a> element
    url: str  # canonical
    kind: str  # article | listing | tag | site | external
    in_chrome: bool


@lru_cache(maxsize=16384)  # links repeat from page to page
def classify(url: str | None, profile: SiteProfile, article_shapes: frozenset[str] = frozenset()) -> str | None:
    """What a link is by its path. ``article_shapes``: shapes (``/videos/*/*``) the site's own sitemaps
    confirmed as articles in this crawl, beyond the profile's article pattern."""
    if url is None:
        return None
    if not url.startswith(profile.url + "/"):
        return EXTERNAL
    path = path_of(url)
    if profile.is_article_path(path):
        return ARTICLE
    if profile.is_tag_path(path):
        return TAG
    if profile.is_listing_path(path):
        return LISTING
    if article_shapes and shape_of(path) in article_shapes:
        return ARTICLE
    return SITE


class PageLinks:
    """Every ``<a href>`` of a page, canonical and classified; computed once per page."""

    def __init__(self, root, page_url: str, profile: SiteProfile, article_shapes: frozenset[str] = frozenset()):
        self.root, self.page_url, self.profile = root, page_url, profile
        self.chrome = self._chrome_elements()
        # everything inside the chrome, found once (a page's anchors are mostly in it)
        self.in_chrome_set = {e for top in self.chrome for e in top.iter()}
        links = []
        for anchor in root.iter("a"):
            url = link_url(anchor.get("href"), page_url, profile.host)
            kind = classify(url, profile, article_shapes)
            if kind is not None:
                links.append(Link(anchor, url, kind, anchor in self.in_chrome_set))
        self.links = links

    def _chrome_elements(self) -> set:
        chrome = set(select_all(self.root, self.profile.chrome_selectors))
        for element in self.root.iter(*CHROME_TAGS):
            if not any(a.tag in CONTENT_TAGS for a in element.iterancestors()):
                chrome.add(element)
        return chrome

    def in_chrome(self, element) -> bool:
        return element in self.in_chrome_set

    def urls(self, kind: str, outside_chrome: bool = False) -> list[str]:
        """Distinct canonical URLs of that kind, page order."""
        seen: dict[str, None] = {}
        for link in self.links:
            if link.kind == kind and not (outside_chrome and link.in_chrome):
                seen.setdefault(link.url)
        return list(seen)

    # --- article links and the elements around them ----------------------------------
    @cached_property
    def article_links(self) -> list[Link]:
        """Links to an article other than this page, outside the site chrome."""
        own = self.page_url_canonical
        return [link for link in self.links if link.kind == ARTICLE and not link.in_chrome and link.url != own]

    @cached_property
    def page_url_canonical(self) -> str | None:
        return link_url(self.page_url, self.page_url, self.profile.host) if self.page_url else None

    @cached_property
    def other_articles(self) -> list[Link]:
        """Links to another article: by the article pattern, or (for telling this page's own parts from other
        articles' cards) a same-site link outside the chrome whose path ends in a slug, a section before
        it: the shape of every article URL seen, whatever the section's name (``/videos/reports/{slug}``)."""
        own = self.page_url_canonical
        return self.article_links + [link for link in self.links if link.kind == SITE and not link.in_chrome
                                     and link.url != own and is_slug_path(path_of(link.url))]

    @cached_property
    def articles_under(self) -> dict:
        """element -> the set of other articles' URLs linked from inside it."""
        under: dict = {}
        for link in self.other_articles:
            for element in (link.element, *link.element.iterancestors()):
                under.setdefault(element, set()).add(link.url)
        return under

    def links_elsewhere(self, element) -> bool:
        """Whether ``element`` holds a link to another article (it is, or is inside, a card)."""
        return bool(self.articles_under.get(element))

    @cached_property
    def article_holders(self) -> set:
        """The details box, the body container and every element around them (the article's own)."""
        anchors = set(select_all(self.root, (self.profile.details_box, self.profile.body_container)))
        holding = set(anchors)
        for element in anchors:
            holding.update(element.iterancestors())
        return holding

    def is_own(self, element, holding: set) -> bool:
        """Whether ``element`` belongs to this page's article: walking up from it, an element of
        ``holding`` (those that hold the article's details box or body) comes before any element
        that links to another article (a card)."""
        if self.in_chrome(element):
            return False
        for ancestor in (element, *element.iterancestors()):
            if ancestor in holding:
                return True
            if self.links_elsewhere(ancestor):
                return False
        return False

    def card_of(self, link: Link, sharpened: set) -> object:
        """The largest element around ``link`` holding no other article (or the profile's card)."""
        card = link.element
        for parent in link.element.iterancestors():
            if parent in sharpened:
                return parent
            if len(self.articles_under.get(parent, ())) > 1:
                break
            card = parent
        return card


def text_outside_headings(element) -> list[str]:
    """The text of ``element`` that is not inside a heading (a card's title may hold a date)."""
    texts: list[str] = []
    skipped: set = set()
    for node in element.iter():  # document order: a parent comes before its children
        if node is not element:
            if node.getparent() in skipped:
                skipped.add(node)
                continue
            if node.tail and node.tail.strip():
                texts.append(node.tail)
        if not isinstance(node.tag, str) or node.tag in HEADINGS or node.tag in NON_TEXT:
            skipped.add(node)
            continue
        if node.text and node.text.strip():
            texts.append(node.text)
    return texts

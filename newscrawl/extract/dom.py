"""Parsing and selecting with lxml directly (no Scrapy): the fast path of extraction.

CSS selectors from a site profile (parsel's dialect, with ``::text`` and
``::attr(x)``) are compiled once to XPath and run on lxml trees.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel.csstranslator import HTMLTranslator, css2xpath

from newscrawl.extract.text import normalise_text
from newscrawl.urls import canonical_url

_local = threading.local()  # lxml parsers must not be shared between threads
_TRANSLATOR = HTMLTranslator()
# one compound selector (no combinator, no group, no pseudo-element): "inside it" is an ancestor test
_COMPOUND = re.compile(r"^[\w#.\-\[\]=\"'*]+$")


def _html_parser() -> etree.HTMLParser:
    parser = getattr(_local, "html_parser", None)
    if parser is None:
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
        _local.html_parser = parser
    return parser


def to_text(data: str | bytes | None) -> str:
    """Bytes decoded as UTF-8 (bad bytes replaced); NULs dropped, since libxml2 stops at them."""
    if data is None:
        return ""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data).decode("utf-8", errors="replace")
    return data.replace("\x00", "")


def parse_html(data: str | bytes | None) -> etree._Element | None:
    """The document's root element, or None when there is no document at all."""
    if isinstance(data, bytes) and b"\x00" not in data and _is_utf8(data):
        raw = data  # the common case: handed to libxml2 as it came
    else:
        # re-encoded: bad bytes replaced, and no declared charset can confuse the parser
        raw = to_text(data).encode("utf-8", errors="replace")
    if not raw.strip():
        return None
    return etree.fromstring(raw, _html_parser())


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@lru_cache(maxsize=None)
def compiled(css: str) -> etree.XPath:
    return etree.XPath(css2xpath(css))


# "tag#id.class.class" optionally followed by a descendant part: answered from a page's index
_SIMPLE = re.compile(r"^(?P<tag>[a-zA-Z][\w-]*)?(?:#(?P<id>[\w-]+))?(?P<classes>(?:\.[\w-]+)*)"
                     r"(?:(?P<text>::text)|\s+(?P<rest>[^,:]+))?$")
# descendant-or-self, not "//": libxml2 sorts the node-set of "//*" at a cost that grows with the
# square of the page (0.8 s for a 30,000-element listing, 9 ms this way)
_CLASSED = etree.XPath("descendant-or-self::*[@class or @id]")


class _PageIndex:
    """The elements of one document by class token and by id, in document order, built in one pass:
    a page is searched by a dozen class selectors, and each XPath ``contains(concat(...))`` scan of
    the whole tree cost more than this one pass does."""

    def __init__(self, root):
        self.root = root
        self.by_class: dict[str, list] = {}
        self.by_id: dict[str, list] = {}
        for element in _CLASSED(root):
            classes = element.get("class")
            if classes:
                for token in classes.split():
                    self.by_class.setdefault(token, []).append(element)
            ident = element.get("id")
            if ident:
                self.by_id.setdefault(ident, []).append(element)

    def matches(self, tag: str | None, ident: str | None, classes: list[str]) -> list:
        if ident is not None:
            found = self.by_id.get(ident, [])
        else:
            found = self.by_class.get(classes[0], [])
            classes = classes[1:]
        if classes:
            found = [e for e in found if set(classes) <= set((e.get("class") or "").split())]
        if tag:
            found = [e for e in found if e.tag == tag]
        return found


@lru_cache(maxsize=None)
def _simple(css: str):
    """(tag, id, classes, text, rest XPath) of a selector the page index can answer, else None."""
    match = _SIMPLE.match(css.strip())
    if not match or not (match["id"] or match["classes"]):
        return None
    classes = [c for c in match["classes"].split(".") if c]
    rest = _TRANSLATOR.css_to_xpath(match["rest"], prefix="descendant::") if match["rest"] else None
    return match["tag"], match["id"], classes, bool(match["text"]), etree.XPath(rest) if rest else None


def _index_of(root) -> _PageIndex:
    index = getattr(_local, "page_index", None)
    if index is None or index.root is not root:
        index = _local.page_index = _PageIndex(root)
    return index


def select(node, css: str) -> list:
    """Elements (or strings, for ``::text`` / ``::attr``) matching ``css`` under ``node``."""
    simple = _simple(css) if node.getparent() is None else None  # a whole document: its index
    if simple is None:
        return compiled(css)(node)
    tag, ident, classes, text, rest = simple
    found = _index_of(node).matches(tag, ident, classes)
    if text:
        return [t for e in found for t in e.xpath("text()")]
    if rest is not None:
        return _distinct(e for scope in found for e in rest(scope))
    return found


def select_all(node, selectors) -> set:
    found: set = set()
    for css in selectors:
        found.update(select(node, css))
    return found


def inside_any(element, ancestors: set) -> bool:
    return any(a in ancestors for a in element.iterancestors())


@lru_cache(maxsize=None)
def _compiled_outside(css: str, excluded: tuple[str, ...], scope_css: str) -> etree.XPath | None:
    if not excluded or "," in css or "::" in css or not all(_COMPOUND.match(e) for e in excluded):
        return None
    inside = " or ".join(_TRANSLATOR.css_to_xpath(e, prefix="ancestor::") for e in excluded)
    if scope_css:
        return etree.XPath(f"{_TRANSLATOR.css_to_xpath(css[len(scope_css) + 1:], prefix='descendant::')}[not({inside})]")
    return etree.XPath(f"{css2xpath(css)}[not({inside})]")


def select_outside(node, css: str, excluded: tuple[str, ...], scopes: list | None = None, scope_css: str = "") -> list:
    """Elements matching ``css`` that are not inside an element matching one of ``excluded``.

    With ``scopes`` (the elements ``scope_css`` found, where ``css`` starts with
    ``scope_css``) only their subtrees are searched.
    """
    if scopes is None or not css.startswith(scope_css + " ") or "," in css:
        scopes, scope_css = [node], ""
    # one XPath with an ancestor predicate instead of a document scan per excluded selector
    xpath = _compiled_outside(css, tuple(excluded), scope_css)
    if xpath is None:
        outside = select_all(node, excluded)
        return [e for e in select_within(node, css, scopes, scope_css) if not inside_any(e, outside)]
    return _distinct(e for scope in scopes for e in xpath(scope))


@lru_cache(maxsize=None)
def _compiled_within(rest: str) -> etree.XPath:
    return etree.XPath(_TRANSLATOR.css_to_xpath(rest, prefix="descendant::"))


def select_within(node, css: str, scopes: list, scope_css: str) -> list:
    """``select(node, css)`` for a ``css`` that starts with ``scope_css``, searching only under
    ``scopes`` (what ``scope_css`` found) instead of the whole document."""
    if not scope_css or not css.startswith(scope_css + " ") or "," in css or "::" in css:
        return select(node, css)
    xpath = _compiled_within(css[len(scope_css) + 1:])
    return _distinct(e for scope in scopes for e in xpath(scope))


# elements whose content is code or raw text, never article text
NON_TEXT = ("script", "style", "noscript", "template", "iframe", "noembed", "noframes", "object", "xmp",
            "plaintext", "textarea")
_TEXT_NODES = etree.XPath(".//text()[not(" + " or ".join(f"ancestor::{t}" for t in NON_TEXT) + ")]")


def text_of(node) -> str:
    """Normalised text of an element (all descendants but code) or of a selected string."""
    if node is None:
        return ""
    if isinstance(node, str):
        return normalise_text(node)
    if node.tag in NON_TEXT:
        return ""
    return normalise_text("".join(_TEXT_NODES(node)))


def spaced_text_of(node) -> str:
    """Text of an element with its text nodes joined by spaces: adjacent blocks (``<time>19:36</time>
    <div>3 Min Read</div>``) stay apart, for searching the text rather than quoting it."""
    if node is None:
        return ""
    if isinstance(node, str):
        return normalise_text(node)
    return normalise_text(" ".join(_TEXT_NODES(node)))


def first_text(node, css: str) -> str:
    for found in select(node, css):
        text = text_of(found)
        if text:
            return text
    return ""


def mirror_hosts_of(page_url: str) -> tuple[str, ...]:
    """The page's own host counts as the site (the page may come from a mirror)."""
    host = urlsplit(page_url or "").netloc.lower().rsplit("@", 1)[-1]
    return (host,) if host else ()


def link_url(href: str | None, page_url: str, site_host: str | None = None) -> str | None:
    """Canonical absolute URL of a link on the page (the page's host read as ``site_host``);
    None for non-web links."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    # A page's links repeat from page to page (the chrome, the cards): each is resolved once. A link
    # that does not depend on the page's path (from the root, or absolute) is keyed by the page's origin.
    base = page_url or ""
    if href.startswith("/") or href[:6].lower() in ("http:/", "https:"):
        scheme_end = base.find("//")
        if scheme_end >= 0:
            path_start = base.find("/", scheme_end + 2)
            base = base + "/" if path_start < 0 else base[:path_start + 1]
    return _link_url(href, base, site_host)


@lru_cache(maxsize=16384)
def _link_url(href: str, base: str, site_host: str | None) -> str | None:
    try:  # one malformed href (e.g. "http://[::1") must not lose the page
        absolute = urljoin(base or f"https://{site_host}/", href)
        if urlsplit(absolute).scheme not in ("http", "https"):
            return None
        return canonical_url(absolute, mirror_hosts=mirror_hosts_of(base), site_host=site_host)
    except ValueError:
        return None


def asset_url(src: str, page_url: str, site_host: str | None = None) -> str | None:
    """Absolute URL of an asset; the mirror's own host becomes the site's https host, others stay.

    None for anything but an http(s) address (javascript:, data:, a malformed URL).
    """
    try:
        absolute = urljoin(page_url or f"https://{site_host}/", src.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    if parts.netloc.lower() in mirror_hosts_of(page_url) and site_host:
        return urlunsplit(("https", site_host, parts.path, parts.query, parts.fragment))
    return absolute


def unique(values) -> list:
    """Order kept, duplicates and empty values dropped."""
    seen: set = set()
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def _distinct(elements) -> list:
    """Order kept, repeats dropped (lxml elements without children are falsy, so no ``unique``)."""
    seen: set = set()
    return [e for e in elements if not (e in seen or seen.add(e))]

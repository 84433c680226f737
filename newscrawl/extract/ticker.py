"""Breaking-ticker lines from a rendered page. Pure: no Scrapy, no browser.

The ticker is filled by JavaScript, so only HTML taken from a rendering browser
holds lines; the served HTML yields none.
"""

from __future__ import annotations

from parsel import Selector

from newscrawl.extract.text import normalise_text
from newscrawl.site import SiteProfile
from newscrawl.sites import profile_for_url
from newscrawl.urls import canonical_url, host_of

_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:")


def _link(href: str | None, page_url: str, site_host: str) -> str | None:
    href = (href or "").strip()
    if not href or href.lower().startswith(_NOT_LINKS):
        return None
    return canonical_url(href, base=page_url, mirror_hosts=(host_of(page_url),), site_host=site_host)


def extract_ticker(html: str | bytes, page_url: str, profile: SiteProfile | None = None) -> list[dict]:
    """The ticker lines as [{"text", "url"}], in page order, one per distinct text.

    ``url`` is canonical (the page's host is taken for the site's own, so a mirror's
    links are stored under the site's URLs) or None for a line without a link.
    """
    profile = profile or profile_for_url(page_url)
    if isinstance(html, bytes):
        html = html.decode("utf-8", "replace")
    lines: list[dict] = []
    seen: set[str] = set()
    for node in Selector(text=html).css(profile.ticker_item):
        text = normalise_text("".join(node.css("::text").getall()))  # as textContent
        if not text or text in seen:
            continue
        seen.add(text)
        lines.append({"text": text, "url": _link(node.css("a::attr(href)").get() or node.xpath("ancestor::a[1]/@href").get(),
                                                     page_url, profile.host)})
    return lines

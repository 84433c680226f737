"""The article's own figures: absolute image URL, caption and credit.

A figure is the article's own when, walking up from it, an element holding the details
box or the body container comes before any element that links to another article (a
card of a listing, "Most Read" or a related block). The figure, img and figcaption
elements and the lazy-loading ``data-src`` are sister evidence; the blocks around
other articles' cards are found by their links, not by their (assumed) class names.
"""

from __future__ import annotations

from newscrawl.extract.dom import asset_url, select, text_of
from newscrawl.extract.links import PageLinks
from newscrawl.site import SiteProfile


def split_caption(text: str, profile: SiteProfile | None = None) -> tuple[str | None, str | None]:
    """``Caption (Credit)`` -> (caption, credit); each None when absent."""
    if not text:
        return None, None
    if profile is None:
        from newscrawl.sites import get_profile

        profile = get_profile()
    match = profile.credit_re.match(text)
    if not match:
        return text, None
    return match.group("caption").strip() or None, match.group("credit").strip() or None


def _own_figures(root, links: PageLinks, profile: SiteProfile, holding: set | None = None) -> list:
    holding = links.article_holders if holding is None else holding
    players = set(select(root, profile.video_player)) if profile.video_player else set()
    return [figure for figure in root.iter("figure")
            if links.is_own(figure, holding) and not any(a in players for a in figure.iterancestors())]


def figure_image(figure, page_url: str, profile: SiteProfile) -> dict | None:
    src = next((img.get(profile.image_src_attr) for img in figure.iter("img") if img.get(profile.image_src_attr)),
               None)
    if not src or not src.strip():
        return None
    url = asset_url(src, page_url, profile.host)
    if url is None:
        return None
    captions = [text_of(c) for c in figure.iter("figcaption")]
    caption, credit = split_caption(next((c for c in captions if c), ""), profile)
    return {"url": url, "caption": caption, "credit": credit}


def read_images(root, page_url: str, profile: SiteProfile, links: PageLinks, holding: set | None = None) -> list[dict]:
    """``holding``: the elements that hold the article (default: the details box and the body container
    the profile names, and their ancestors)."""
    images = (figure_image(f, page_url, profile) for f in _own_figures(root, links, profile, holding))
    return [image for image in images if image is not None]

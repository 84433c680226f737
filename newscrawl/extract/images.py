"""The article's own figures: absolute image URL, caption and credit."""

from __future__ import annotations

from newscrawl import site
from newscrawl.extract.dom import asset_url, select_outside, text_of


def split_caption(text: str) -> tuple[str | None, str | None]:
    """``Caption (Credit)`` -> (caption, credit); each None when absent."""
    if not text:
        return None, None
    match = site.CREDIT_RE.match(text)
    if not match:
        return text, None
    return match.group("caption").strip() or None, match.group("credit").strip() or None


def read_images(root, page_url: str) -> list[dict]:
    images = []
    for figure in select_outside(root, site.FIGURE_SELECTOR, site.FIGURE_EXCLUDE_ANCESTORS):
        src = next((img.get(site.IMAGE_SRC_ATTR) for img in figure.iter("img") if img.get(site.IMAGE_SRC_ATTR)), None)
        if not src or not src.strip():
            continue
        captions = [text_of(c) for c in figure.iter("figcaption")]
        caption, credit = split_caption(next((c for c in captions if c), ""))
        url = asset_url(src, page_url)
        if url is None:
            continue
        images.append({"url": url, "caption": caption, "credit": credit})
    return images

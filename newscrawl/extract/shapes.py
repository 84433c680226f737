"""URL shapes: a path with its variable parts hidden, e.g. ``/videos/*/*``. Pure.

A profile's URL patterns are facts (some only assumed); the site itself says what is an
article (its sitemaps) and what is a listing (a page of its nav that links articles). A
*shape* names what such a page looks like, so that a URL the profile did not expect is
counted, reported once and, once the site confirmed the shape, recognised in links too:
the first segment is kept (``videos``, ``region``, ``in-pictures``: the site's own words for
a kind of page), every later one hidden. The leading segments of an article path (all but
its slug) are its section, as on every article URL seen (``/news/politics/{slug}``).
"""

from __future__ import annotations

import re
from functools import lru_cache

# a last segment with one of these extensions is a file, not a page that could be a listing
FILE_SUFFIX = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|ico|css|js|json|xml|txt|pdf|zip|mp[34]|webm|woff2?)$", re.I)


def segments(path: str) -> list[str]:
    return [s for s in (path or "").split("/") if s]


@lru_cache(maxsize=16384)
def shape_of(path: str) -> str:
    """``/videos/reports/x`` -> ``/videos/*/*``; ``/in-pictures/x`` -> ``/in-pictures/*``; ``/`` -> ``/``."""
    parts = segments(path)
    if not parts:
        return "/"
    return "/" + "/".join([parts[0].lower()] + ["*"] * (len(parts) - 1))


def shape_key(shape: str) -> str:
    """A shape as the last part of a stats name: ``videos/*/*``."""
    return shape.strip("/") or "home"


def leading_section(path: str) -> str | None:
    """The section an article path names by its leading segments (all but the slug), or None for a
    path of one segment."""
    parts = segments(path)
    return "/".join(parts[:-1]).lower() if len(parts) >= 2 else None


def within(section: str, path: str) -> bool:
    """Whether ``section`` (``news/politics``) is made of the leading segments of ``path``."""
    head, parts = segments(section), segments(path)
    return bool(head) and len(head) < len(parts) and [p.lower() for p in parts[:len(head)]] == head


def is_page_path(path: str) -> bool:
    """Whether a path can be a page (not a file such as an image or a script)."""
    parts = segments(path)
    return not (parts and FILE_SUFFIX.search(parts[-1]))


def is_slug_path(path: str) -> bool:
    """A path of a section and a slug: at least two segments, the last a title's words joined by ``-``
    (three words or more), as every article URL seen (SITE.md, "Slugs")."""
    parts = segments(path)
    return len(parts) >= 2 and parts[-1].count("-") >= 2 and not FILE_SUFFIX.search(parts[-1])

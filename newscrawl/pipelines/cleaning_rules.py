"""The normalisation of an article document (SCHEMA.md), as a pure function: no Scrapy here.

``clean_article`` is idempotent: cleaning a cleaned document changes nothing.
Values of a type it does not expect are left as they are, for validation to report.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any, Callable, Iterable

from newscrawl.extract import text
from newscrawl.extract.dates import to_utc
from newscrawl.sites import get_profile, profile_for_host
from newscrawl.urls import canonical_url

MAX_DECODE_PASSES = 8  # "&amp;amp;nbsp;" needs three; nothing real needs eight


def clean_article(doc: dict, mirror_hosts: tuple[str, ...] = ()) -> dict:
    """A cleaned copy of ``doc``: same keys, values normalised, word_count and content_hash recomputed.

    ``doc`` is only read: every value that changes is a new one.
    """
    host = doc.get("site") if isinstance(doc.get("site"), str) else None
    profile = profile_for_host(host) or get_profile()
    site_url = partial(_site_url, mirror_hosts=mirror_hosts, site_host=profile.host)
    cleaners: dict[str, Callable[[Any], Any]] = {
        "site": _text, "title": _text,
        "postid": _nullable_text, "category": _nullable_text, "description": _nullable_text, "source": _nullable_text,
        "type": partial(_type, types=profile.tawsiyat_types), "section": _section, "lang": _lang, "body": _body,
        "url": site_url,
        "related_urls": partial(_list_of, site_url), "aliases": partial(_list_of, site_url),
        "authors": partial(_list_of, _text), "tags": partial(_list_of, _text), "countries": partial(_list_of, _text),
        "images": _images,
        "published_at": to_utc, "modified_at": to_utc, "first_seen_at": to_utc, "last_seen_at": to_utc,
        "reading_minutes": _int, "word_count": _int, "video_duration": _int, "revision": _int,
    }
    out = {key: cleaners[key](value) if key in cleaners else value for key, value in doc.items()}
    body, title = out.get("body"), out.get("title")
    if isinstance(body, str):
        if "word_count" in out:
            out["word_count"] = text.word_count(body)
        if "content_hash" in out and isinstance(title, str):
            # normalises the body once more: the answer _settled just computed, kept by text.normalise_body
            out["content_hash"] = text.content_hash(title, body)
    return out


def _settled(normalise: Any, value: str) -> str:
    """``normalise`` applied until nothing changes: double-escaped entities ("&amp;amp;") decode one
    level per pass, and cleaning must give the same text when run again."""
    for _ in range(MAX_DECODE_PASSES):
        again = normalise(value)
        if again == value:
            break
        value = again
    return value


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return _settled(text.normalise_text, value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # e.g. a postid read from JSON as a number
    return value


def _nullable_text(value: Any) -> Any:
    value = _text(value)
    return None if value == "" else value


def _lang(value: Any) -> Any:
    return _text(value).lower() if isinstance(value, str) else value


def _body(value: Any) -> Any:
    return _settled(text.normalise_body, value) if isinstance(value, str) else value


def _list_of(clean: Callable[[Any], Any], values: Any) -> list:
    return _unique(clean(v) for v in _as_list(values))


def _type(value: Any, types: dict) -> Any:
    if not isinstance(value, str):
        return value
    kind = _text(value).lower()
    return types.get(kind, kind)


def _section(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _text(value).lower().strip("/ ")


def _site_url(value: Any, mirror_hosts: tuple[str, ...] = (), site_host: str | None = None) -> Any:
    """Canonical when it is an absolute http(s) URL; otherwise only trimmed, for validation to judge."""
    if not isinstance(value, str):
        return value
    value = _text(value)
    scheme, _, rest = value.partition("://")
    if scheme.lower() in ("http", "https") and rest and not rest.startswith("/") and " " not in value:
        return canonical_url(value, mirror_hosts=mirror_hosts, site_host=site_host)
    return value


def _image_url(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = _text(value).replace(" ", "%20")
    if value.startswith("//"):
        value = "https:" + value
    return value


def _images(images: Any) -> Any:
    if not isinstance(images, list):
        return images
    out, seen = [], set()
    for image in images:
        if dataclasses.is_dataclass(image) and not isinstance(image, type):
            image = dataclasses.asdict(image)
        if not isinstance(image, dict):
            out.append(image)
            continue
        image = dict(image)
        image["url"] = _image_url(image.get("url"))
        for f in ("caption", "credit"):
            image[f] = _nullable_text(image.get(f))
        if isinstance(image["url"], str):
            if not image["url"] or image["url"] in seen:
                continue
            seen.add(image["url"])
        out.append(image)
    return out


def _int(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _unique(values: Iterable[Any]) -> list:
    """Values in order, empty ones dropped, each once."""
    out = []
    for value in values:
        if value not in ("", None) and value not in out:
            out.append(value)
    return out

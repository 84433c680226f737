"""The page's machine-readable metadata: the tawsiyat JSON block, <meta> tags, <html lang>."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from newscrawl.extract.dom import select
from newscrawl.site import SiteProfile
from newscrawl.extract.text import normalise_text


@dataclass
class PageMetadata:
    tawsiyat: dict = field(default_factory=dict)  # empty when missing or unreadable
    meta: dict[str, str] = field(default_factory=dict)  # name/property (lower-case) -> content
    html_lang: str | None = None
    problems: list[str] = field(default_factory=list)

    def value(self, key: str) -> str | None:
        """A tawsiyat value as normalised text; None when absent or empty."""
        raw = self.tawsiyat.get(key)
        if raw is None or isinstance(raw, (dict, list)):
            return None
        return normalise_text(str(raw)) or None

    def meta_value(self, key: str) -> str | None:
        return self.meta.get(key) or None

    def declares_article(self, types: dict) -> bool:
        """Whether the page says it is an article: a metadata ``type`` among the profile's ``types``
        (its ``tawsiyat_types``), or ``og:type`` article."""
        return (self.value("type") or "").lower() in types or (self.meta_value("og:type") or "").lower() == "article"

    def classes(self, mapping: str) -> list[str]:
        classes = self.tawsiyat.get("classes")
        if not isinstance(classes, list):
            return []
        values = []
        for entry in classes:
            if isinstance(entry, dict) and entry.get("mapping") == mapping and entry.get("value") is not None:
                values.append(normalise_text(str(entry["value"])))
        return values


def read_tawsiyat(root, profile: SiteProfile) -> tuple[dict, list[str]]:
    texts = select(root, profile.tawsiyat_selector)
    if not texts:
        return {}, ["tawsiyat metadata missing"]
    raw = "".join(texts).strip()
    if not raw:
        return {}, ["tawsiyat metadata empty"]
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return {}, [f"tawsiyat metadata is not valid JSON: {str(exc)[:80]}"]
    if not isinstance(data, dict):
        return {}, ["tawsiyat metadata is not a JSON object"]
    return data, []


def read_meta_tags(root) -> dict[str, str]:
    meta: dict[str, str] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name")
        if not key:
            continue
        key = key.strip().lower()
        content = normalise_text(element.get("content"))
        if content and key not in meta:
            meta[key] = content
    return meta


def read_metadata(root, profile: SiteProfile) -> PageMetadata:
    tawsiyat, problems = read_tawsiyat(root, profile)
    html_lang = normalise_text(root.get("lang")) if root.tag == "html" else ""
    return PageMetadata(tawsiyat=tawsiyat, meta=read_meta_tags(root), html_lang=html_lang or None, problems=problems)

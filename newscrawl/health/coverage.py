"""Field coverage: the share of a run's articles that have each SCHEMA.md field. Pure."""

from __future__ import annotations

from collections import Counter

# fields whose absence is normal for some articles are still measured: a drop against
# recent runs is what matters, not the absolute share
COVERED_FIELDS = (
    "postid", "category", "title", "description", "authors", "source", "published_at",
    "modified_at", "reading_minutes", "body", "images", "tags", "countries", "related_urls",
    "video_duration",
)
SOURCES = ("metadata", "meta", "visible")


def present(value) -> bool:
    return value not in (None, "", [], {}, 0) or value is False


class Coverage:
    """Counts, per field, the articles that have it."""

    def __init__(self) -> None:
        self.articles = 0
        self.present: Counter[str] = Counter()

    def add(self, article: dict) -> None:
        self.articles += 1
        for name in COVERED_FIELDS:
            if present(article.get(name)):
                self.present[name] += 1

    def shares(self) -> dict[str, float]:
        if not self.articles:
            return {}
        return {name: round(self.present[name] / self.articles, 4) for name in COVERED_FIELDS}


def source_shares(stats: dict) -> dict[str, dict[str, float]]:
    """From `extract/source/<field>/<source>` stats: per field, the share of each source used."""
    counts: dict[str, Counter] = {}
    for key, value in stats.items():
        parts = key.split("/")
        if len(parts) == 4 and parts[:2] == ["extract", "source"]:
            counts.setdefault(parts[2], Counter())[parts[3]] += value
    shares = {}
    for name, counter in counts.items():
        total = sum(counter.values())
        shares[name] = {source: round(n / total, 4) for source, n in counter.items()} if total else {}
    return shares


def fallback_share(sources: dict[str, dict[str, float]], fields=("title", "published_at", "authors")) -> float:
    """The mean share of the given fields taken from anything but the metadata block."""
    values = [1 - shares.get("metadata", 0.0) for name, shares in sources.items() if name in fields and shares]
    return round(sum(values) / len(values), 4) if values else 0.0

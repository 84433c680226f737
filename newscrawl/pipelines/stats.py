"""Per-pipeline counters in the crawl stats, named ``<area>/items/in|out|dropped`` and ``<area>/...``."""

from __future__ import annotations

from typing import Any


class PipelineStats:
    def __init__(self, stats: Any, area: str):
        self.stats = stats
        self.area = area

    def name(self, *path: str) -> str:
        return "/".join((self.area, *path))

    def inc(self, *path: str, count: int = 1) -> None:
        self.stats.inc_value(self.name(*path), count)

    def item_in(self) -> None:
        self.inc("items", "in")

    def item_out(self) -> None:
        self.inc("items", "out")

    def item_dropped(self) -> None:
        self.inc("items", "dropped")

    def get(self, *path: str) -> int:
        return self.stats.get_value(self.name(*path), 0)

    def under(self, *path: str) -> dict[str, int]:
        """Counters below ``<area>/<path>/``, keyed by the rest of their name."""
        prefix = self.name(*path) + "/"
        return {k[len(prefix):]: v for k, v in (self.stats.get_stats() or {}).items() if k.startswith(prefix)}

    def summary(self) -> str:
        """One line for the end of the crawl: ``in N, out N, dropped N``."""
        return ", ".join(f"{what} {self.get('items', what)}" for what in ("in", "out", "dropped"))

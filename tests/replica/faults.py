"""Misbehaviour on demand: latency (everywhere, under a path prefix or at one path), transient 5xx, 429 above a rate, bot blocking, truncation."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict, deque

BOT_MARKERS = ("curl", "python-requests", "scrapy/", "wget", "python-urllib", "go-http-client")
ERROR_STATUSES = (500, 502, 503)
OPTION_DEFAULTS = {"epoch": 1, "latency_ms": 0, "error_rate": 0.0, "rate_limit": 0, "block_bots": False,
                   "truncate_rate": 0.0, "markup_change": "", "markup": 1, "sitemap_lastmod": "true",
                   "no_tawsiyat": False, "slow_prefix": "", "slow_path": "", "slow_ms": 0}


def as_bool(value) -> bool:
    """JSON true/false, 0/1 or the strings "true"/"false" (bool("false") would be True)."""
    if isinstance(value, str):
        if value.strip().lower() in ("true", "1", "yes", "on"):
            return True
        if value.strip().lower() in ("false", "0", "no", "off", ""):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    return bool(value)


OPTION_TYPES = {"epoch": int, "latency_ms": float, "error_rate": float, "rate_limit": float, "block_bots": as_bool,
                "truncate_rate": float, "markup_change": str, "markup": int, "sitemap_lastmod": str,
                "no_tawsiyat": as_bool, "slow_prefix": str, "slow_path": str, "slow_ms": float}
# the options that change what the site is rather than how it misbehaves: they live on the model
CONTENT_OPTIONS = ("epoch", "markup", "sitemap_lastmod", "no_tawsiyat", "markup_change")


def unit_hash(*parts: object) -> float:
    """A stable number in [0, 1) for the parts (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def looks_like_bot(user_agent: str | None) -> bool:
    ua = (user_agent or "").strip().lower()
    return not ua or any(marker in ua for marker in BOT_MARKERS)


class Faults:
    def __init__(self, seed: int, options: dict):
        self.seed = seed
        self.options = dict(OPTION_DEFAULTS)
        self.update(options)
        self._lock = threading.Lock()
        self._window: deque[float] = deque()
        self._errors_served: dict[str, int] = defaultdict(int)
        self._cuts_served: dict[str, int] = defaultdict(int)

    def update(self, changes: dict) -> dict:
        unknown = set(changes) - set(OPTION_TYPES)
        if unknown:
            raise ValueError(f"unknown options: {sorted(unknown)}")
        converted = {key: OPTION_TYPES[key](value if value is not None else OPTION_DEFAULTS[key])
                     for key, value in changes.items()}  # all or nothing: a bad value changes no option
        self.options.update(converted)
        return dict(self.options)

    def delay(self, path: str = "") -> None:
        """latency_ms for every answer; slow_ms more for paths under slow_prefix (e.g. sitemaps read last) and
        for the one path slow_path (e.g. "/": the home page read last), its query aside."""
        wait = self.options["latency_ms"]
        if self.options["slow_prefix"] and path.startswith(self.options["slow_prefix"]):
            wait += self.options["slow_ms"]
        elif self.options["slow_path"] and path.split("?", 1)[0] == self.options["slow_path"]:
            wait += self.options["slow_ms"]
        if wait > 0:
            time.sleep(wait / 1000)

    def blocked(self, user_agent: str | None) -> bool:
        return bool(self.options["block_bots"]) and looks_like_bot(user_agent)

    def rate_limited(self) -> bool:
        """True above rate_limit requests/second (sliding window over all clients; refused ones do not count)."""
        limit = self.options["rate_limit"]
        if limit <= 0:
            return False
        now = time.monotonic()
        with self._lock:
            while self._window and now - self._window[0] >= 1.0:
                self._window.popleft()
            if len(self._window) >= limit:
                return True
            self._window.append(now)
            return False

    def error_status(self, path: str) -> int | None:
        """A 5xx for the first 1-2 requests of the chosen share of paths, then nothing."""
        rate = self.options["error_rate"]
        if rate <= 0 or unit_hash(self.seed, "error", path) >= rate:
            return None
        failures = 1 + int(unit_hash(self.seed, "error-count", path) < 0.5)
        with self._lock:
            if self._errors_served[path] >= failures:
                return None
            self._errors_served[path] += 1
        return ERROR_STATUSES[int(unit_hash(self.seed, "error-status", path) * len(ERROR_STATUSES))]

    def truncation(self, path: str) -> str | None:
        """'short_length' or 'early_close' for the first 1-2 responses of the chosen share of paths."""
        rate = self.options["truncate_rate"]
        if rate <= 0 or unit_hash(self.seed, "cut", path) >= rate:
            return None
        attempts = 1 + int(unit_hash(self.seed, "cut-count", path) < 0.5)
        with self._lock:
            if self._cuts_served[path] >= attempts:
                return None
            self._cuts_served[path] += 1
        return "short_length" if unit_hash(self.seed, "cut-mode", path) < 0.5 else "early_close"

    def cut_point(self, path: str, size: int) -> int:
        return int(size * (0.3 + 0.4 * unit_hash(self.seed, "cut-at", path)))

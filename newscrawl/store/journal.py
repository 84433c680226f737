"""A local journal of batches the store could not take: JSON lines, replayed once it answers again.

Each line is one record: ``{"kind": "articles"|"breaking"|"rejects", "now": date, "doc": {...}}``
in bson.json_util's relaxed JSON, so datetimes come back as tz-aware UTC datetimes.
A batch is appended under an exclusive lock and fsynced before ``append`` returns.
``replay`` first renames the file aside (so appends during the replay go to a fresh
file), applies it batch by batch, and deletes it only after every write succeeded;
a replay that fails leaves the file for the next one. Replays are idempotent (see
``store.revisions``), so a replay cut short stores nothing twice when repeated.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Any, Iterable

from bson import json_util
from bson.json_util import JSONMode, JSONOptions

logger = logging.getLogger(__name__)

JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=timezone.utc)
KINDS = ("articles", "breaking", "rejects")
REPLAY_BATCH = 500
PENDING_INFIX = ".replaying-"


class Journal:
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._replay_lock_path = self.path.with_name(self.path.name + ".replay.lock")

    def append(self, kind: str, docs: Iterable[Any], now: datetime) -> int:
        """Append a batch durably; the number of records written."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal kind {kind!r}")
        lines = [json_util.dumps({"kind": kind, "now": now, "doc": doc}, json_options=JSON_OPTIONS) + "\n"
                 for doc in docs]
        if not lines:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(self._lock_path):
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.writelines(lines)
                fh.flush()
                os.fsync(fh.fileno())
        return len(lines)

    def pending(self) -> int:
        """Records waiting for a replay."""
        return sum(1 for path in self._files() for line in path.open(encoding="utf-8") if line.strip())

    def read(self, path: Path) -> list[dict]:
        records = []
        with open(path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    records.append(json_util.loads(line, json_options=JSON_OPTIONS))
                except ValueError:
                    # a line cut by a crash mid-append: its batch was never acknowledged as journaled
                    logger.warning("journal %s line %d is not JSON; skipped", path, number)
        return records

    def replay(self, store) -> int:
        """Apply every journaled record to ``store``; the number replayed (0 if another replay runs)."""
        if not self.path.parent.exists():
            return 0
        with self._locked(self._replay_lock_path, blocking=False) as locked:
            if not locked:
                logger.info("journal %s is being replayed by another process", self.path)
                return 0
            with self._locked(self._lock_path):
                if self.path.exists() and self.path.stat().st_size:
                    self.path.rename(self.path.with_name(f"{self.path.name}{PENDING_INFIX}{time.time_ns()}"))
            replayed = 0
            for path in self._pending_files():
                records = self.read(path)
                for (kind, now), group in groupby(records, key=lambda r: (r["kind"], r["now"])):
                    group = [r["doc"] for r in group]
                    for start in range(0, len(group), REPLAY_BATCH):
                        _apply(store, kind, group[start:start + REPLAY_BATCH], now)
                        replayed += len(group[start:start + REPLAY_BATCH])
                path.unlink()
                logger.info("journal %s: replayed %d records", path.name, len(records))
            return replayed

    # --- internals -------------------------------------------------------------

    def _pending_files(self) -> list[Path]:
        return sorted(self.path.parent.glob(self.path.name + PENDING_INFIX + "*"),
                      key=lambda p: int(p.name.rsplit("-", 1)[1]))

    def _files(self) -> list[Path]:
        return self._pending_files() + ([self.path] if self.path.exists() else [])

    @contextlib.contextmanager
    def _locked(self, path: Path, blocking: bool = True):
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def _apply(store, kind: str, docs: list[dict], now: datetime) -> None:
    if kind == "articles":
        store.articles.upsert_many(docs, now)
    elif kind == "breaking":
        store.breaking.upsert_many(docs, now)
    elif kind == "rejects":
        store.save_rejects(docs)
    elif kind == "pages":
        store.pages.save_many(docs, now)
    elif kind == "sightings":
        store.articles.mark_seen(docs, now)
    else:
        raise ValueError(f"unknown journal kind {kind!r}")

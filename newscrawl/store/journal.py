"""A local journal of batches the store could not take: JSON lines, replayed once it answers again.

Each store has its own journal file, ``<NEWSCRAWL_DATA_DIR>/journal/<target key>.jsonl``
(``newscrawl.store.target``), and each line is one record that names its store and site::

    {"kind": "articles"|"breaking"|"rejects"|"pages"|"sightings", "now": date,
     "site": host, "store": {database, hosts, replica_set, srv, embedded}, "doc": {...}}

in bson.json_util's relaxed JSON, so datetimes come back as tz-aware UTC datetimes. A crawl
replays only its own store's file; the others wait for a crawl into their store or for
``newscrawl db replay``. ``journal/articles.jsonl``, written before records named their
store, is *legacy*: replayed only when a command asks for it (``db replay --legacy``).

A batch is appended under an exclusive lock and fsynced before ``append`` returns; a line
left half-written by a process killed mid-append is closed off by the next append (and
skipped when read), so it can never swallow the records after it. ``replay`` first renames
the file aside (so appends during the replay go to a fresh file), applies it batch by
batch, and deletes it only after every write succeeded; a replay that fails leaves the file
for the next one. Replays are idempotent (see ``store.revisions``), so a replay cut short
stores nothing twice when repeated.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Any, Iterable

from bson import json_util
from bson.json_util import JSONMode, JSONOptions

from newscrawl.store.target import StoreTarget

logger = logging.getLogger(__name__)

JSON_OPTIONS = JSONOptions(json_mode=JSONMode.RELAXED, tz_aware=True, tzinfo=timezone.utc)
KINDS = ("articles", "breaking", "rejects", "pages", "sightings")
REPLAY_BATCH = 500
PENDING_INFIX = ".replaying-"
LEGACY_NAME = "articles.jsonl"  # the one journal of every store, before records named theirs
# the fields a record starts with, read without parsing the document that follows them
_HEAD = re.compile(r'^\{"kind": "(?P<kind>\w+)", "now": \{"\$date": "(?P<now>[^"]+)"\}'
                   r'(?:, "site": (?:"(?P<site>[^"\\]*)"|null))?')


def journal_dir(data_dir: str | os.PathLike) -> Path:
    return Path(data_dir) / "journal"


def site_of(doc: Any) -> str | None:
    """The site (host) a journaled document belongs to: its own ``site``, a reject's item's, else its URL's host."""
    if not isinstance(doc, dict):
        return None
    item = doc.get("item") if isinstance(doc.get("item"), dict) else {}
    site = doc.get("site") or item.get("site")
    if site:
        return str(site).lower()
    url = doc.get("url") or item.get("url")
    if isinstance(url, str) and "://" in url:
        return url.split("://", 1)[1].split("/", 1)[0].lower() or None
    return None


class Journal:
    """One journal file (and the parts of it being replayed): a store's own, or the legacy one."""

    def __init__(self, path: str | os.PathLike, target: StoreTarget | None = None):
        self.path = Path(path)
        self.target = target
        self._store_record = target.as_record() if target is not None else None
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._replay_lock_path = self.path.with_name(self.path.name + ".replay.lock")

    @classmethod
    def for_target(cls, directory: str | os.PathLike, target: StoreTarget) -> Journal:
        return cls(target.journal_path(Path(directory)), target)

    @classmethod
    def legacy(cls, directory: str | os.PathLike) -> Journal:
        return cls(Path(directory) / LEGACY_NAME)

    def append(self, kind: str, docs: Iterable[Any], now: datetime) -> int:
        """Append a batch durably; the number of records written."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal kind {kind!r}")
        lines = []
        for doc in docs:
            record = {"kind": kind, "now": now, "site": site_of(doc)}
            if self._store_record is not None:
                record["store"] = self._store_record
            record["doc"] = doc
            lines.append(json_util.dumps(record, json_options=JSON_OPTIONS) + "\n")
        if not lines:
            return 0
        data = "".join(lines).encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked(self._lock_path):
            created = not self.path.exists()
            with open(self.path, "a+b") as fh:
                fh.seek(0, os.SEEK_END)
                if fh.tell():
                    fh.seek(-1, os.SEEK_END)
                    if fh.read(1) != b"\n":
                        # the last append was cut short (a killed process): end its torn line here, so
                        # that this batch's first record is a line of its own
                        data = b"\n" + data
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if created:
                _fsync_dir(self.path.parent)
        return len(lines)

    def pending(self) -> int:
        """Records waiting for a replay."""
        total = 0
        for path in self.files():
            with open(path, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
        return total

    def has_pending(self) -> bool:
        """Whether anything waits, without reading the files."""
        return any(path.stat().st_size for path in self.files())

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

    def files(self) -> list[Path]:
        return self._pending_files() + ([self.path] if self.path.exists() else [])

    # --- internals -------------------------------------------------------------

    def _pending_files(self) -> list[Path]:
        if not self.path.parent.exists():
            return []
        return sorted(self.path.parent.glob(self.path.name + PENDING_INFIX + "*"),
                      key=lambda p: int(p.name.rsplit("-", 1)[1]))

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


# --- what waits in a journal directory -------------------------------------------------


@dataclass
class Waiting:
    """The records one journal file (and its parts being replayed) holds."""

    name: str  # the file name without .jsonl: a target key, or "articles" for the legacy journal
    path: Path
    target: StoreTarget | None = None  # None: legacy records, which name no store
    records: int = 0
    kinds: Counter = field(default_factory=Counter)
    sites: Counter = field(default_factory=Counter)
    oldest: datetime | None = None
    newest: datetime | None = None

    @property
    def legacy(self) -> bool:
        return self.target is None

    @property
    def label(self) -> str:
        return self.target.label if self.target is not None else "legacy records (written before records named their store)"

    def describe_kinds(self) -> str:
        return ", ".join(f"{kind} {n}" for kind, n in sorted(self.kinds.items())) or "none"

    def journal(self) -> Journal:
        return Journal(self.path, self.target)


def waiting(directory: str | os.PathLike, exclude: str | None = None) -> list[Waiting]:
    """Every journal in ``directory`` that holds records, with what it holds (the file named
    ``exclude``, a target key, is left out). Reads each line's head only, not its document."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    groups: dict[str, list[Path]] = {}
    for path in directory.iterdir():
        name = path.name
        if name.endswith(".jsonl"):
            base = name[:-len(".jsonl")]
        elif ".jsonl" + PENDING_INFIX in name:
            base = name.split(".jsonl" + PENDING_INFIX, 1)[0]
        else:
            continue
        if base != exclude:
            groups.setdefault(base, []).append(path)
    found = []
    for base, paths in sorted(groups.items()):
        entry = Waiting(name=base, path=directory / f"{base}.jsonl")
        for path in sorted(paths):
            _tally(entry, path)
        if entry.records:
            found.append(entry)
    return found


def _tally(entry: Waiting, path: Path) -> None:
    try:
        fh = open(path, encoding="utf-8")
    except FileNotFoundError:  # replayed meanwhile
        return
    # the first whole record of a store's journal names the store; the legacy journal names none
    need_target = entry.target is None and entry.name != LEGACY_NAME[:-len(".jsonl")]
    with fh:
        for line in fh:
            if not line.strip():
                continue
            # a line torn by a killed process has a head too, but not the record's closing brace
            head = _HEAD.match(line) if line.rstrip().endswith("}") else None
            if head is None or need_target:
                try:
                    record = json_util.loads(line, json_options=JSON_OPTIONS)
                except ValueError:
                    continue  # a torn line: never acknowledged, never replayed
                if need_target:
                    entry.target, need_target = StoreTarget.from_record(record), False
                kind, now, site = record.get("kind"), record.get("now"), record.get("site")
            else:
                kind, site = head["kind"], head["site"]
                try:
                    now = datetime.fromisoformat(head["now"].replace("Z", "+00:00"))
                except ValueError:
                    now = None
            entry.records += 1
            entry.kinds[kind] += 1
            if site:
                entry.sites[site] += 1
            if isinstance(now, datetime):
                entry.oldest = now if entry.oldest is None else min(entry.oldest, now)
                entry.newest = now if entry.newest is None else max(entry.newest, now)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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

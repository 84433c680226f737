"""Which store a journal record belongs to: the store's identity, never its credentials.

A store is either the embedded SecantusDB server of a data directory (its absolute path
and the database name) or a MongoDB deployment (its host list, sorted and with ports, the
database name and the replica set). Two settings that name the same store give the same
target; user names, passwords and other URI options are never part of it. ``key`` names
the target's journal file, ``label`` is what the logs and ``newscrawl db journal`` show.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from newscrawl.store import connection

DEFAULT_PORT = 27017
KEY_PREFIX = "store-"


@dataclass(frozen=True)
class StoreTarget:
    database: str
    hosts: tuple[str, ...] = ()  # "host:port", sorted; empty for the embedded store
    replica_set: str | None = None
    srv: bool = False  # hosts holds the one DNS name of a mongodb+srv:// URI
    embedded: str | None = None  # the embedded store's data directory, absolute

    @classmethod
    def from_settings(cls, settings: Any) -> StoreTarget:
        uri = connection.configured_uri(settings)
        database = connection.database_name(settings)
        if not uri:
            return cls(database=database, embedded=str(connection.data_dir(settings).resolve()))
        return cls.from_uri(uri, database)

    @classmethod
    def from_uri(cls, uri: str, database: str) -> StoreTarget:
        scheme, sep, rest = uri.partition("://")
        scheme = scheme.lower()
        if not sep or scheme not in ("mongodb", "mongodb+srv"):
            # not a URI pymongo would take either: the whole text, password masked, names it
            return cls(database=database, hosts=(connection.mask_uri(uri),))
        # as pymongo splits it: hosts up to the first "/", options after the "?" that follows
        netloc, slash, path = rest.partition("/")
        if slash:
            query = path.partition("?")[2]
        else:
            netloc, _, query = netloc.partition("?")
        hostlist = netloc.rpartition("@")[2]  # user:password@ is never kept
        options = {name.lower(): value for name, value in parse_qsl(query, keep_blank_values=True)}
        replica_set = options.get("replicaset") or None
        if scheme == "mongodb+srv":
            return cls(database=database, hosts=(hostlist.lower(),), replica_set=replica_set, srv=True)
        hosts = []
        for host in hostlist.split(","):
            host = host.strip().lower()
            if not host:
                continue
            if host.startswith("["):  # [::1]:27017
                name, _, port = host[1:].partition("]")
                port = port.lstrip(":") or str(DEFAULT_PORT)
                hosts.append(f"[{name}]:{port}")
            else:
                name, _, port = host.partition(":")
                hosts.append(f"{name}:{port or DEFAULT_PORT}")
        return cls(database=database, hosts=tuple(sorted(set(hosts))), replica_set=replica_set)

    @classmethod
    def from_record(cls, record: dict) -> StoreTarget | None:
        """The target a journal record names (None: a record written before records named one)."""
        store = record.get("store")
        if not isinstance(store, dict) or not store.get("database"):
            return None
        return cls(database=store["database"], hosts=tuple(store.get("hosts") or ()),
                   replica_set=store.get("replica_set"), srv=bool(store.get("srv")), embedded=store.get("embedded"))

    def as_record(self) -> dict:
        return {"database": self.database, "hosts": list(self.hosts), "replica_set": self.replica_set,
                "srv": self.srv, "embedded": self.embedded}

    @property
    def key(self) -> str:
        """A short stable name for this target: its journal file is ``<key>.jsonl``."""
        canonical = json.dumps(self.as_record(), sort_keys=True, separators=(",", ":"))
        return KEY_PREFIX + hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()

    def uri(self, database: str = "") -> str:
        """The server's URI without credentials (for a database, or none)."""
        query = f"?replicaSet={self.replica_set}" if self.replica_set else ""
        scheme = "mongodb+srv" if self.srv else "mongodb"
        return f"{scheme}://{','.join(self.hosts)}/{database}{query}"

    @property
    def label(self) -> str:
        if self.embedded is not None:
            return f"the embedded store in {self.embedded} (database {self.database})"
        return self.uri(self.database)

    def replay_command(self) -> str:
        """The `newscrawl db replay` line that writes this target's records (credentials left to the user)."""
        if self.embedded is not None:
            return f"newscrawl db replay --data-dir {self.embedded} --db {self.database}"
        return f"newscrawl db replay --uri {self.uri()} --db {self.database}"

    def journal_path(self, journal_dir: Path) -> Path:
        return Path(journal_dir) / f"{self.key}.jsonl"

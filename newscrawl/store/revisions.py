"""Plan the writes for a batch of articles against what the store already holds. Pure: no I/O.

For each item, in batch order, against the stored documents and the items planned before it:

- ``unchanged``: a document with this URL has the same ``content_hash``; only
  ``last_seen_at`` moves (``$max``), and the fields outside the text (modified_at,
  tags, images, ...) are refreshed from the item where they differ, unless the item
  is older than the document's last sighting (a late journal replay), which must not
  roll them back. ``by_url`` documents must be whole for that comparison, but for the text, which
  their ``content_hash`` stands for (the body is needed only where the text changed).
- ``changed``: same URL, other ``content_hash``; the stored version is copied to
  ``article_revisions`` and the document takes the item with ``revision + 1``.
- ``aliased``: no document with this URL, but one (another URL) with the same
  ``content_hash``; the URL joins that document's ``aliases``, no new document. A
  document that already lists the URL and holds the text is that one.
- ``new``: otherwise; inserted with revision 1, no aliases, first/last seen = now.
- ``stale``: same URL, other text, but older than the stored sighting (a journal
  replayed after newer crawls); nothing changes. For a URL stored as an alias: no
  document listing it holds the text, and one of them was seen after the item.
- ``superseded``: the same URL comes again later in the batch; a batch is one moment,
  so its last item for a URL is the one stored.

Every write is conditional on the revision that was read, and a second replay of a
batch plans only ``unchanged``/``aliased`` no-ops: that makes retries and journal
replays store nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STORE_FIELDS = ("revision", "aliases", "first_seen_at", "last_seen_at")
REVISION_FIELDS = ("title", "body", "modified_at")
# content_hash stands for these: equal hashes, equal texts
HASHED_FIELDS = ("title", "body")
# what planning needs of a stored document found by hash or alias: such a document is never replaced
PROJECTION = {"_id": 0, "url": 1, "content_hash": 1, "revision": 1, "aliases": 1, "last_seen_at": 1,
              "first_seen_at": 1}
# of a document found by URL: all but the body, which is needed only where the text is replaced
BY_URL_PROJECTION = {"_id": 0, "body": 0}

NEW, CHANGED, UNCHANGED, ALIASED, STALE, SUPERSEDED = "new", "changed", "unchanged", "aliased", "stale", "superseded"
OUTCOMES = (NEW, CHANGED, UNCHANGED, ALIASED, STALE, SUPERSEDED)


@dataclass
class Planned:
    """The final state of one URL's document after the batch."""

    url: str
    stored: dict | None  # the document as read, None when it is new
    fields: dict | None = None  # item fields to write; None when only aliases/last_seen_at move
    revision: int = 1
    content_hash: str = ""
    version: dict = field(default_factory=dict)  # title, body, modified_at of the current text
    new_aliases: list[str] = field(default_factory=list)
    last_seen_at: datetime | None = None


@dataclass
class Plan:
    now: datetime
    documents: dict[str, Planned] = field(default_factory=dict)  # by URL, in first-touched order
    revisions: list[dict] = field(default_factory=list)  # article_revisions documents to add
    outcomes: list[tuple[str, str]] = field(default_factory=list)  # (item url, outcome), item order

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for _, outcome in self.outcomes:
            counts[outcome] += 1
        return counts

    def inserts(self) -> list[dict]:
        """Whole documents for the URLs the store does not hold yet."""
        return [_new_document(p, self.now) for p in self.documents.values() if p.stored is None]

    def updates(self) -> list[tuple[dict, dict]]:
        """(filter, update) for stored documents that change; the filter pins the revision that was read."""
        out = []
        for p in self.documents.values():
            if p.stored is None or _only_seen(p):
                continue
            update: dict[str, Any] = {"$max": {"last_seen_at": p.last_seen_at}}
            if p.fields is not None:
                update["$set"] = {**p.fields, "revision": p.revision}
            if p.new_aliases:
                update["$addToSet"] = {"aliases": {"$each": p.new_aliases}}
            out.append(({"url": p.url, "revision": p.stored.get("revision")}, update))
        return out

    def seen(self) -> list[str]:
        """URLs of stored documents of which only ``last_seen_at`` moves, to ``now``.

        One statement can move them all: that is safe whatever revision each holds. A document
        the batch read but did not see (an alias URL that now serves another text) is not here.
        """
        return [p.url for p in self.documents.values() if p.stored is not None and _only_seen(p)
                and p.last_seen_at != p.stored.get("last_seen_at")]


def item_fields(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in STORE_FIELDS and k != "_id"}


def plan_batch(items: list[dict], by_url: dict[str, dict], by_hash: dict[str, Any], now: datetime,
               by_alias: dict[str, Any] | None = None) -> Plan:
    """The writes that store ``items`` seen at ``now``.

    ``by_url``: stored documents (PROJECTION) whose url is an item's url.
    ``by_hash``: for each content_hash of the items, the stored document (or the list
    of them, earliest first seen first) that holds it.
    ``by_alias``: for item URLs that are stored as aliases, the document (PROJECTION) listing
    them, or the list of all the documents that do (earliest first seen first).

    Items for URLs that have a document are planned first, then the others against
    the state those leave: whether a URL is an alias depends on the texts the
    documents hold after the batch, which is what makes a replay plan no-ops.
    """
    plan = Plan(now)
    docs = plan.documents
    last = {item["url"]: i for i, item in enumerate(items)}
    outcomes: dict[int, str] = {}
    homeless: list[int] = []
    for i, item in enumerate(items):
        url = item["url"]
        if last[url] != i:
            outcomes[i] = SUPERSEDED
        elif url in by_url:
            planned = docs.setdefault(url, _from_stored(by_url[url]))
            outcomes[i] = _observe(plan, planned, item, now)
        else:
            homeless.append(i)
    held: dict[str, Planned] = {}
    for planned in docs.values():
        held.setdefault(planned.content_hash, planned)
    for i in homeless:
        item = items[i]
        url, digest = item["url"], item["content_hash"]
        # already an alias, of one document or of several (a URL that served one text, then another's,
        # is listed by both: history stays); every one of them counts, whatever order they were read in
        listing = [docs.get(d["url"]) or docs.setdefault(d["url"], _from_stored(d))
                   for d in _documents((by_alias or {}).get(url))]
        target = next((p for p in listing if p.content_hash == digest), None)
        if target is None and any(p.last_seen_at is not None and now < p.last_seen_at for p in listing):
            # a sighting older than the last of a document listing this URL under another text (a late
            # journal replay): what the URL served since is not known here, and nothing changes
            outcomes[i] = STALE
            continue
        target = target or _holder(docs, by_hash.get(digest), digest) or held.get(digest)
        if target is not None and target.url == url:
            # another worker stored this very URL between this batch's reads: it is not its own alias
            outcomes[i] = _observe(plan, target, item, now)
        elif target is not None:
            if url not in target.new_aliases and url not in (target.stored or {}).get("aliases", ()):
                target.new_aliases.append(url)
            target.last_seen_at = _later(target.last_seen_at, now)
            outcomes[i] = ALIASED
        else:
            docs[url] = Planned(url, None, fields=item_fields(item), revision=1, content_hash=digest,
                                version=_version(item), last_seen_at=now)
            held.setdefault(digest, docs[url])
            outcomes[i] = NEW
    plan.outcomes = [(item["url"], outcomes[i]) for i, item in enumerate(items)]
    return plan


def _documents(stored: Any) -> list[dict]:
    """A stored document, or a list of them, or None, as a list."""
    return stored if isinstance(stored, list) else [stored] if stored else []


def _holder(docs: dict[str, Planned], stored: Any, digest: str) -> Planned | None:
    """The earliest stored document that still holds the text ``digest`` after this batch's updates."""
    for doc in _documents(stored):
        planned = docs.get(doc["url"])
        if planned is None:
            return docs.setdefault(doc["url"], _from_stored(doc))
        if planned.content_hash == digest:
            return planned
    return None


def _from_stored(doc: dict) -> Planned:
    return Planned(doc["url"], doc, revision=doc.get("revision") or 1, content_hash=doc.get("content_hash", ""),
                   version=_version(doc), last_seen_at=doc.get("last_seen_at"))


def _observe(plan: Plan, planned: Planned, item: dict, now: datetime) -> str:
    seen = planned.last_seen_at
    older = seen is not None and now < seen
    if item["content_hash"] == planned.content_hash:
        fields = item_fields(item)
        if not older and (planned.fields is not None or not _same(fields, planned.stored)):
            planned.fields = fields
        planned.last_seen_at = _later(seen, now)
        return UNCHANGED
    if older:
        return STALE
    plan.revisions.append({"url": planned.url, "revision": planned.revision, "content_hash": planned.content_hash,
                           **planned.version, "replaced_at": now})
    planned.revision += 1
    planned.content_hash = item["content_hash"]
    planned.version = _version(item)
    planned.fields = item_fields(item)
    planned.last_seen_at = now
    return CHANGED


def _only_seen(p: Planned) -> bool:
    return p.fields is None and not p.new_aliases


def _same(fields: dict, stored: dict | None) -> bool:
    """Whether writing ``fields`` (of the same text) would change nothing (BSON dates keep milliseconds only)."""
    if stored is None:
        return False
    for key, value in fields.items():
        if key in HASHED_FIELDS:
            continue
        have = stored.get(key)
        if isinstance(value, datetime) and isinstance(have, datetime):
            if abs(value - have).total_seconds() >= 0.001:
                return False
        elif have != value:
            return False
    return True


def _new_document(p: Planned, now: datetime) -> dict:
    return {**p.fields, "revision": p.revision, "aliases": list(p.new_aliases), "first_seen_at": now,
            "last_seen_at": p.last_seen_at or now}


def _version(doc: dict) -> dict:
    return {f: doc.get(f) for f in REVISION_FIELDS}


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


"""The ``articles`` collection (and ``article_revisions``): batch upserts and lookups."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from itemadapter import ItemAdapter
from pymongo import InsertOne, UpdateMany, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError, WriteConcernError

from newscrawl.store.retry import StoreConflict
from newscrawl.store.revisions import BY_URL_PROJECTION, OUTCOMES, PROJECTION, Plan, plan_batch

logger = logging.getLogger(__name__)

VALIDATION_FAILED = 121
DUPLICATE_KEY = 11000
# a concurrent writer can make the revision read by a plan stale; re-plan this often at most
MAX_ROUNDS = 3
# SecantusDB answers a long $in list in time that grows faster than its length; chunks keep reads linear
READ_CHUNK = 100
# sightings per update statement: SecantusDB checks each matched document against the whole $in list,
# and commits (syncing its journal) once per statement; about 20 balances the two
SEEN_CHUNK = 20
LOOKUP_FIELDS = ("modified_at", "content_hash", "published_at", "last_seen_at", "http_etag", "http_last_modified")


@dataclass
class UpsertResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*OUTCOMES, "rejected"), 0))
    outcomes: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)  # rejects documents (url, errors, item, at)


def to_document(item: Any) -> dict:
    """An ArticleItem or a dict as a plain dict (nested dataclasses too)."""
    return item if type(item) is dict else ItemAdapter(item).asdict()


class Articles:
    def __init__(self, db: Database):
        self.collection = db["articles"]
        self.revisions = db["article_revisions"]
        self.rejects = db["rejects"]

    def upsert_many(self, items: Iterable[Any], now: datetime) -> UpsertResult:
        """Store a batch seen at ``now``: reads by $in on url and on content_hash, then two bulk writes."""
        docs = [to_document(i) for i in items]
        result = UpsertResult()
        first_plan: Plan | None = None
        for _ in range(MAX_ROUNDS):
            if not docs:
                break
            plan = self._plan(docs, now)
            first_plan = first_plan or plan
            rejected_urls, conflict = self._apply(plan, docs, now, result)
            if rejected_urls:
                docs = [d for d in docs if d["url"] not in rejected_urls]
            if not conflict:
                break
            logger.info("articles changed under a batch of %d while writing it; planning it again", len(docs))
        else:
            # nothing is dropped: the caller retries the batch, then journals it
            raise StoreConflict(f"a batch of {len(docs)} articles still conflicted after {MAX_ROUNDS} rounds")
        rejected = {r["url"] for r in result.rejected}
        for url, outcome in first_plan.outcomes if first_plan else ():
            outcome = "rejected" if url in rejected else outcome
            result.outcomes.append((url, outcome))
            result.counts[outcome] += 1
        return result

    def lookup(self, urls: Iterable[str]) -> dict[str, dict]:
        """What the store knows of these URLs (aliases included), for incremental crawl decisions."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        wanted = set(urls)
        found: dict[str, dict] = {}
        projection = {"_id": 0, "url": 1, "aliases": 1, **dict.fromkeys(LOOKUP_FIELDS, 1)}
        for doc in self._find_urls(urls, projection):
            info = {f: doc.get(f) for f in LOOKUP_FIELDS}
            for url in (doc["url"], *doc.get("aliases", ())):
                if url in wanted and (url not in found or url == doc["url"]):
                    found[url] = info if url == doc["url"] else {**info, "alias_of": doc["url"]}
        return found

    # --- internals ---------------------------------------------------------------

    def _find_urls(self, urls: list[str], projection: dict):
        """Documents whose url or one of whose aliases is in ``urls``.

        Two indexed $in queries, not one $or: SecantusDB answers an $or with a collection scan.
        """
        yield from self._find("url", urls, projection)
        yield from self._find("aliases", urls, projection)

    def _plan(self, docs: list[dict], now: datetime) -> Plan:
        """Read what the batch touches, then plan it. Each read asks only for what the previous left open."""
        urls = list(dict.fromkeys(d["url"] for d in docs))
        by_url = {d["url"]: d for d in self._find("url", urls, BY_URL_PROJECTION)}
        last = {d["url"]: d for d in docs}
        replaced = [u for u, d in by_url.items() if last[u]["content_hash"] != d.get("content_hash")]
        for d in self._find("url", replaced, {"_id": 0, "url": 1, "body": 1}):
            by_url[d["url"]]["body"] = d.get("body")
        homeless = [u for u in urls if u not in by_url]
        wanted = set(homeless)
        # every document listing an alias (a URL may have served several texts), earliest first seen first
        by_alias: dict[str, list[dict]] = {}
        for d in sorted(self._find("aliases", homeless, PROJECTION), key=lambda d: d.get("first_seen_at") or now):
            for alias in wanted.intersection(d.get("aliases", ())):
                by_alias.setdefault(alias, []).append(d)
        hashes = list(dict.fromkeys(last[u]["content_hash"] for u in homeless))
        by_hash: dict[str, list[dict]] = {}
        for d in sorted(self._find("content_hash", hashes, PROJECTION), key=lambda d: d.get("first_seen_at") or now):
            by_hash.setdefault(d["content_hash"], []).append(d)
        return plan_batch(docs, by_url, by_hash, now, by_alias)

    def _find(self, field: str, values: list, projection: dict):
        for chunk in _chunks(values):
            yield from self.collection.find({field: {"$in": chunk}}, projection)

    def _apply(self, plan: Plan, docs: list[dict], now: datetime, result: UpsertResult) -> tuple[set[str], bool]:
        """Write the plan; the URLs the validator rejected, and whether a concurrent change got in the way."""
        conflict = False
        if plan.revisions:
            # the copy goes first: a crash between the two writes leaves a copy, never a lost version
            # unique (url, revision): a copy already there (a retry, a replay) is a duplicate key, and fine
            _, errors = _bulk(self.revisions, [InsertOne(dict(r)) for r in plan.revisions])
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise BulkWriteError({"writeErrors": errors})
        inserts, updates = plan.inserts(), plan.updates()
        # plain inserts (cheaper than upserts); the unique url index turns a concurrent insert into a conflict
        ops = [InsertOne(d) for d in inserts] + [UpdateOne(f, u) for f, u in updates]
        urls = [d["url"] for d in inserts] + [f["url"] for f, _ in updates]
        failures: list[tuple[str, dict]] = []
        if ops:
            counts, errors = _bulk(self.collection, ops)
            failed_updates = 0
            for error in errors:
                if error["code"] not in (VALIDATION_FAILED, DUPLICATE_KEY):
                    raise BulkWriteError({"writeErrors": errors})
                failed_updates += error["index"] >= len(inserts)
                conflict |= error["code"] == DUPLICATE_KEY
                failures.append((urls[error["index"]], error))
            # an update that matched nothing means someone else wrote in between
            conflict |= counts["matched"] != len(updates) - failed_updates
        failures += self._see(plan.seen(), now)
        rejected_urls = {url for url, error in failures if error["code"] == VALIDATION_FAILED}
        if rejected_urls:
            self._reject(rejected_urls, failures, docs, now, result)
        return rejected_urls, conflict

    def mark_seen(self, sightings: list[dict], now: datetime) -> int:
        """Articles re-checked and unchanged (HTTP 304): ``last_seen_at`` moves to when each was seen,
        on the document of that URL or the one listing it as an alias. Idempotent ($max)."""
        latest: dict[str, datetime] = {}
        for sighting in sightings:
            seen = sighting.get("seen_at") or now
            latest[sighting["url"]] = max(latest.get(sighting["url"], seen), seen)
        by_time: dict[datetime, list[str]] = {}
        for url, seen in latest.items():
            by_time.setdefault(seen, []).append(url)
        ops = [UpdateMany({field: {"$in": chunk}}, _seen_at(seen))
               for seen, urls in by_time.items() for chunk in _chunks(urls, SEEN_CHUNK)
               for field in ("url", "aliases")]
        if ops:
            _, errors = _bulk(self.collection, ops)
            if any(e["code"] != VALIDATION_FAILED for e in errors):
                raise BulkWriteError({"writeErrors": errors})
        return len(latest)

    def _see(self, urls: list[str], now: datetime) -> list[tuple[str, dict]]:
        """Move ``last_seen_at`` of these stored documents to ``now``; the (url, error) of those refused.

        One statement per chunk: a server commits (and syncs its journal) once per statement, not per document.
        """
        if not urls:
            return []
        chunks = list(_chunks(urls, SEEN_CHUNK))
        _, errors = _bulk(self.collection, [UpdateMany({"url": {"$in": c}}, _seen_at(now)) for c in chunks])
        if not errors:
            return []
        # a document the validator refuses (stored before a schema change) stops its chunk: those go one by one
        redo = [url for error in errors for url in chunks[error["index"]]]
        _, errors = _bulk(self.collection, [UpdateOne({"url": url}, _seen_at(now)) for url in redo])
        if any(e["code"] != VALIDATION_FAILED for e in errors):
            raise BulkWriteError({"writeErrors": errors})
        return [(redo[e["index"]], e) for e in errors]

    def _reject(self, rejected_urls: set[str], failures: list[tuple[str, dict]], docs: list[dict],
                now: datetime, result: UpsertResult) -> None:
        reasons: dict[str, list[dict]] = {}
        for url, error in failures:
            if error["code"] == VALIDATION_FAILED:
                reasons.setdefault(url, []).append(_describe(error))
        by_url = {d["url"]: d for d in docs}
        rejects = [{"url": url, "errors": reasons[url], "item": by_url.get(url), "at": now}
                   for url in rejected_urls]
        self.rejects.insert_many(rejects)
        result.rejected.extend(rejects)
        logger.warning("the store's validator rejected %d articles: %s", len(rejects), sorted(rejected_urls)[:5])


def _seen_at(now: datetime) -> dict:
    return {"$max": {"last_seen_at": now}}


def _bulk(collection, ops: list) -> tuple[dict[str, int], list[dict]]:
    """Run an unordered bulk write; (counts, write errors). Write-concern errors raise (they are transient)."""
    try:
        r = collection.bulk_write(ops, ordered=False)
        return {"inserted": r.inserted_count, "matched": r.matched_count}, []
    except BulkWriteError as exc:
        details = exc.details
        if details.get("writeConcernErrors"):
            raise WriteConcernError(str(details["writeConcernErrors"][0].get("errmsg")),
                                    details["writeConcernErrors"][0].get("code"), details) from exc
        return {"inserted": details.get("nInserted", 0), "matched": details.get("nMatched", 0)}, \
            details.get("writeErrors", [])


def _chunks(values: list, size: int = READ_CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _describe(error: dict) -> dict:
    """A write error in the shape of the validation pipeline's errors (field, rule, message)."""
    info = error.get("errInfo", {}).get("details")
    message = error.get("errmsg", "write error") + (f": {info}" if info else "")
    return {"field": "(document)", "rule": "store-validator", "message": message[:1000]}

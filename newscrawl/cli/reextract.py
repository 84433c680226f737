"""`newscrawl reextract`: extract the articles again from the raw pages kept in `pages`.

After a parser fix, the stored articles are brought up to date without crawling:
each URL's latest page goes through the same extraction, cleaning and validation
as a crawl, and into the store through ``Articles.upsert_many``, so a changed text
becomes a new revision with the old one kept in ``article_revisions``.
"""

from __future__ import annotations

import argparse
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from newscrawl.cli import CommandError, common
from newscrawl.store.revisions import STORE_FIELDS

SHOWN_FAILURES = 10


def register(subparsers) -> None:
    parser = subparsers.add_parser("reextract", help="re-run extraction over the raw pages kept in `pages`",
                                   description="Re-extract stored articles from their kept raw pages (the latest "
                                               "page of each URL) and update them, keeping revisions.")
    parser.add_argument("--limit", type=common.positive_int, default=0, help="at most N pages (default 0: all)")
    parser.add_argument("--url", help="only this article URL")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


@dataclass
class Tally:
    pages: int = 0
    updated: int = 0
    revisions: int = 0
    unchanged: int = 0
    stale: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, url: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < SHOWN_FAILURES:
            self.failures.append(f"{url}: {reason}")

    def summary(self) -> str:
        return (f"reextract: {self.pages} pages, {self.updated} updated ({self.revisions} new revisions), "
                f"{self.unchanged} unchanged, {self.stale} stale (older than the stored version), {self.failed} failed")


def fields_of_page(page: dict) -> dict:
    """The cleaned article fields of a kept page; ValueError with the reason when it is no valid article."""
    from newscrawl.extract.article import extract_article
    from newscrawl.pipelines.cleaning_rules import clean_article
    from newscrawl.schema import validate_article

    try:
        html = zlib.decompress(bytes(page["html"]))
    except (KeyError, TypeError, zlib.error) as exc:
        raise ValueError(f"unreadable html ({exc})") from None
    extraction = extract_article(html, page["url"])
    fields = clean_article(extraction.fields)
    errors = validate_article(fields)
    if errors:
        raise ValueError("; ".join(f"{e.field}/{e.rule}" for e in errors[:3]))
    return fields


def comparable(value):
    # BSON keeps milliseconds: a stored date equals the extracted one truncated
    if isinstance(value, datetime):
        value = value.astimezone(timezone.utc)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value


def differs(fields: dict, stored: dict) -> bool:
    return any(comparable(value) != comparable(stored.get(name)) for name, value in fields.items()
               if name not in STORE_FIELDS)


def older_than_stored(fields: dict, stored: dict | None) -> bool:
    """Whether the page holds an earlier version of the stored text (by the site's modified time)."""
    if not stored or fields.get("content_hash") == stored.get("content_hash"):
        return False
    page_modified, stored_modified = fields.get("modified_at"), stored.get("modified_at")
    return bool(page_modified and stored_modified and comparable(page_modified) < comparable(stored_modified))


def reextract_page(db, store, page: dict, tally: Tally) -> None:
    url = page["url"]
    try:
        fields = fields_of_page(page)
    except ValueError as exc:
        tally.fail(url, str(exc))
        return
    fetched_at = page.get("fetched_at") or datetime.now(timezone.utc)
    stored = db.articles.find_one({"url": fields["url"]}, {"_id": 0})
    if older_than_stored(fields, stored):
        tally.stale += 1
        return
    # the page was seen when it was fetched; a later sighting of the same text stays the last one
    now = max(fetched_at, stored["last_seen_at"]) if stored and stored.get("last_seen_at") else fetched_at
    result = store.articles.upsert_many([fields], now)
    outcome = result.outcomes[0][1] if result.outcomes else "rejected"
    if outcome == "rejected":
        reasons = result.rejected[0]["errors"] if result.rejected else []
        tally.fail(url, "; ".join(r.get("message", "")[:120] for r in reasons) or "rejected by the store")
    elif outcome == "stale":
        tally.stale += 1
    elif outcome in ("changed", "new"):
        tally.updated += 1
        tally.revisions += outcome == "changed"
    elif outcome == "unchanged" and stored is not None and differs(fields, stored):
        tally.updated += 1
    else:
        tally.unchanged += 1


def pages_query(url: str | None) -> dict:
    query: dict = {"status": {"$gte": 200, "$lt": 300}}
    if url:
        query["url"] = url
    return query


def latest_pages(db, url: str | None, limit: int) -> list:
    """The _ids of the latest successful page of each URL, newest first."""
    # sort only (url, fetched_at) pairs, never the pages' html
    pipeline = [
        {"$match": pages_query(url)},
        {"$project": {"url": 1, "fetched_at": 1}},
        {"$sort": {"fetched_at": -1}},
        {"$group": {"_id": "$url", "page": {"$first": "$_id"}, "at": {"$first": "$fetched_at"}}},
        {"$sort": {"at": -1, "_id": 1}},
    ]
    if limit:
        pipeline.append({"$limit": limit})
    return [row["page"] for row in db.pages.aggregate(pipeline, allowDiskUse=True)]


def canonical(url: str) -> str:
    from newscrawl.urls import canonical_url

    try:
        return canonical_url(url) or url
    except ValueError:
        raise CommandError(f"invalid --url {url!r}: expected an article URL") from None


def run(args: argparse.Namespace) -> int:
    from newscrawl.store import Store

    url = canonical(args.url) if args.url else None
    tally = Tally()
    with common.connect(args) as db:
        pages = latest_pages(db, url, args.limit)
        progress = common.Progress(len(pages), enabled=args.progress, label="reextract ")
        store = Store(db)
        for page_id in pages:
            page = db.pages.find_one({"_id": page_id})
            if page is None:  # removed meanwhile
                continue
            tally.pages += 1
            reextract_page(db, store, page, tally)
            progress.advance()
        progress.finish()
    for failure in tally.failures:
        print(f"failed: {failure}", file=sys.stderr)
    print(tally.summary())
    if url and not tally.pages:
        raise CommandError(f"no kept page for {url} in `pages`", code=1)
    return 1 if tally.failed and not (tally.updated or tally.unchanged or tally.stale) else 0

"""Collections, indexes and the articles validator; every function here is idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, OperationFailure

logger = logging.getLogger(__name__)

CANNOT_CREATE_INDEX = 67
# an index of that name exists with other keys or options (an older release's definition)
INDEX_DEFINITION_CONFLICTS = (85, 86)
TEXT_INDEX = IndexModel([("title", TEXT), ("description", TEXT), ("body", TEXT)], name="text",
                        default_language="english")

INDEXES: dict[str, list[IndexModel]] = {
    "articles": [
        IndexModel([("url", ASCENDING)], name="url", unique=True),
        IndexModel([("published_at", DESCENDING)], name="published_at"),
        IndexModel([("tags", ASCENDING)], name="tags"),
        IndexModel([("section", ASCENDING), ("published_at", DESCENDING)], name="section_published_at"),
        # one database holds several editions: per-site listings and counts
        IndexModel([("site", ASCENDING), ("published_at", DESCENDING)], name="site_published_at"),
        IndexModel([("content_hash", ASCENDING)], name="content_hash"),
        # a first version's text is held once: a concurrent insert of the same text under another URL
        # (another worker) is a duplicate-key conflict, which upsert_many re-plans into an alias; an
        # article edited into another's text (revision > 1) keeps its own document
        IndexModel([("content_hash", ASCENDING), ("revision", ASCENDING)], name="content_hash_first_revision",
                   unique=True, partialFilterExpression={"revision": 1}),
        # lookup() answers for alias URLs too
        IndexModel([("aliases", ASCENDING)], name="aliases"),
    ],
    "article_revisions": [
        # unique: a retried or replayed batch copies a version once
        IndexModel([("url", ASCENDING), ("revision", ASCENDING)], name="url_revision", unique=True),
    ],
    "breaking": [
        # per site: two editions may carry the same line (a name, a figure) as two lines of their own
        IndexModel([("site", ASCENDING), ("text_hash", ASCENDING)], name="text_hash", unique=True),
        IndexModel([("last_seen_at", DESCENDING)], name="last_seen_at"),
    ],
    "rejects": [
        IndexModel([("url", ASCENDING)], name="url"),
        IndexModel([("at", DESCENDING)], name="at"),
    ],
    "pages": [
        IndexModel([("url", ASCENDING), ("fetched_at", DESCENDING)], name="url_fetched_at", unique=True),
    ],
    # what the crawler knows of the site's non-article pages between runs (store/schedule.py)
    "schedule": [
        IndexModel([("site", ASCENDING), ("kind", ASCENDING), ("url", ASCENDING)], name="site_kind_url", unique=True),
    ],
    "revisits": [
        IndexModel([("site", ASCENDING), ("url", ASCENDING)], name="site_url", unique=True),
    ],
}


@dataclass
class IndexReport:
    text_index_available: bool
    validator: bool  # whether the articles collection has the schema's validator


def articles_validator() -> dict | None:
    """The schema package's ``{"$jsonSchema": ...}``; None (with a warning) while it does not exist."""
    try:
        from newscrawl.schema import mongo_validator
    except ImportError:
        logger.warning("newscrawl.schema.mongo_validator is missing: the articles collection has no validator")
        return None
    return mongo_validator()


def ensure_collection(db: Database, name: str, validator: dict | None = None) -> None:
    if validator is None:
        if name not in db.list_collection_names(filter={"name": name}):
            try:
                db.create_collection(name)
            except CollectionInvalid:
                pass  # created meanwhile
        return
    try:
        db.create_collection(name, validator=validator, validationLevel="strict", validationAction="error")
    except CollectionInvalid:
        db.command("collMod", name, validator=validator, validationLevel="strict", validationAction="error")


def ensure_text_index(db: Database) -> bool:
    """The text index where the server supports one (SecantusDB does not: code 67)."""
    try:
        db["articles"].create_indexes([TEXT_INDEX])
        return True
    except OperationFailure as exc:
        if exc.code != CANNOT_CREATE_INDEX:
            raise
        logger.info("no text index on articles: the server cannot create one (%s)", exc.details.get("errmsg", exc))
        return False


def create_indexes(collection, models: list[IndexModel]) -> None:
    """Create ``models``; one that exists under its name with another definition is rebuilt."""
    try:
        collection.create_indexes(models)
        return
    except OperationFailure as exc:
        if exc.code not in INDEX_DEFINITION_CONFLICTS:
            raise
    existing = {ix["name"]: ix for ix in collection.list_indexes()}
    for model in models:
        wanted = model.document
        have = existing.get(wanted["name"])
        if have is not None and _definition(have) != _definition(wanted):
            logger.warning("rebuilding index %s.%s: its definition changed", collection.name, wanted["name"])
            collection.drop_index(wanted["name"])
    collection.create_indexes(models)


def _definition(index: dict) -> tuple:
    return (list(dict(index["key"]).items()), bool(index.get("unique")),
            dict(index.get("partialFilterExpression") or {}))


def ensure_indexes(db: Database, validate: bool = True) -> IndexReport:
    validator = articles_validator() if validate else None
    ensure_collection(db, "articles", validator)
    for name, models in INDEXES.items():
        if name != "articles":
            ensure_collection(db, name)
        create_indexes(db[name], models)
    return IndexReport(text_index_available=ensure_text_index(db), validator=validator is not None)

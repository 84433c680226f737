"""`newscrawl stats`: what the database holds, per section, day and tag, and the last crawl."""

from __future__ import annotations

import argparse
import json

from newscrawl.cli import common

DAYS = 14
CRAWL_FIELDS = ("spider", "start", "end", "finish_reason")


def register(subparsers) -> None:
    parser = subparsers.add_parser("stats", help="figures about the stored articles and crawls",
                                   description="Articles per section, per day and per tag; revisions, rejects, "
                                               "breaking lines and the last crawl.")
    parser.add_argument("--top", type=common.positive_int, default=10, help="how many tags to list (default 10)")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    common.add_site_arg(parser)
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


def counts(collection, pipeline: list[dict]) -> list[dict]:
    """[{"key", "count"}] from a pipeline ending in a $group on _id with a count n."""
    return [{"key": row["_id"], "count": row["n"]} for row in collection.aggregate(pipeline)]


def gather(db, top: int, site: dict | None = None) -> dict:
    """The figures; ``site`` (``{"site": host}``) keeps one site's documents."""
    site = site or {}
    match = [{"$match": site}] if site else []
    articles = db.articles
    per_site = counts(articles, [
        {"$group": {"_id": "$site", "n": {"$sum": 1}}},
        {"$sort": {"n": -1, "_id": 1}},
    ])
    per_section = counts(articles, [
        *match,
        {"$group": {"_id": "$section", "n": {"$sum": 1}}},
        {"$sort": {"n": -1, "_id": 1}},
    ])
    per_day = counts(articles, [
        {"$match": {**site, "published_at": {"$type": "date"}}},
        {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": "$published_at"}}, "n": {"$sum": 1}}},
        {"$sort": {"_id": -1}},
        {"$limit": DAYS},
    ])
    top_tags = counts(articles, [
        *match,
        {"$unwind": "$tags"},
        {"$group": {"_id": "$tags", "n": {"$sum": 1}}},
        {"$sort": {"n": -1, "_id": 1}},
        {"$limit": top},
    ]) if top else []
    site_urls = {"url": {"$regex": "^https://" + site["site"].replace(".", "\\.") + "/"}} if site else {}
    return {
        "site": site.get("site"),
        "articles": articles.count_documents(site),
        "per_site": per_site,
        "per_section": per_section,
        "per_day": per_day,
        "top_tags": top_tags,
        "revisions": {
            "article_revisions": db.article_revisions.count_documents(site_urls),
            "articles_revised": articles.count_documents({**site, "revision": {"$gt": 1}}),
        },
        "rejects": db.rejects.count_documents(site_urls),
        "breaking": db.breaking.count_documents(site),
        "last_crawl": last_crawl(db, site),
    }


def last_crawl(db, site: dict | None = None) -> dict | None:
    if "crawls" not in db.list_collection_names():
        return None
    return db.crawls.find_one(site or {}, {"_id": 0}, sort=[("start", -1)])


def print_text(figures: dict) -> None:
    print(f"articles: {figures['articles']}" + (f" on {figures['site']}" if figures.get("site") else ""))
    if len(figures.get("per_site", [])) > 1 and not figures.get("site"):
        print_block("per site:", ["site", "articles"], [[row["key"] or "(none)", str(row["count"])]
                                                        for row in figures["per_site"]])
    print_block("per section:", ["section", "articles"],
                [[row["key"] or "(none)", str(row["count"])] for row in figures["per_section"]])
    print_block(f"per day (last {DAYS} days with articles, UTC):", ["day", "articles"],
                [[row["key"], str(row["count"])] for row in figures["per_day"]])
    print_block("top tags:", ["tag", "articles"], [[row["key"], str(row["count"])] for row in figures["top_tags"]])
    revisions = figures["revisions"]
    print(f"\nrevisions: {revisions['article_revisions']} earlier versions kept, "
          f"{revisions['articles_revised']} articles revised (revision > 1)")
    print(f"rejects: {figures['rejects']}")
    print(f"breaking lines: {figures['breaking']}")
    crawl = figures["last_crawl"]
    if crawl is None:
        print("last crawl: none recorded")
        return
    print("last crawl:")
    counts = crawl.get("counts") or {}
    if counts.get("requests"):
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted((counts.get("requests_by_kind") or {}).items(),
                                                                key=lambda kv: -kv[1]))
        per = counts.get("per_change")
        print(f"  requests: {counts['requests']}" + (f" ({kinds})" if kinds else "")
              + (f"; {per} per new or changed article" if per is not None else "; no article new or changed"))
    for name in CRAWL_FIELDS:
        print(f"  {name}: {format_value(crawl.get(name))}")
    for name, value in crawl.items():
        if name not in CRAWL_FIELDS:
            print(f"  {name}: {format_value(value)}")


def print_block(title: str, headers: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}")
    if rows:
        common.print_table(headers, rows)
    else:
        print("  (none)")


def format_value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(common.plain(value), ensure_ascii=False)
    return str(common.plain(value))


def run(args: argparse.Namespace) -> int:
    with common.connect(args) as db:
        figures = gather(db, args.top, common.site_filter(args))
    if args.json:
        print(common.json_line(figures))
    else:
        print_text(figures)
    return 0

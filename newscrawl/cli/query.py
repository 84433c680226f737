"""`newscrawl articles`: the stored articles matching filters, newest first."""

from __future__ import annotations

import argparse

from newscrawl.cli import common

TABLE_FIELDS = {"published_at": 1, "section": 1, "title": 1, "url": 1, "_id": 0}


def register(subparsers) -> None:
    parser = subparsers.add_parser("articles", help="list stored articles, newest first",
                                   description="List stored articles matching the filters, newest first.")
    common.add_filter_args(parser)
    parser.add_argument("--limit", type=common.positive_int, default=20, help="at most N articles (default 20; 0: all)")
    parser.add_argument("--json", action="store_true", help="JSON lines, whole documents, ISO dates")
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with common.connect(args) as db:
        articles = db.articles
        query = common.article_filter(args, articles)
        projection = {"_id": 0} if args.json else TABLE_FIELDS
        cursor = articles.find(query, projection).sort([("published_at", -1), ("url", 1)]).limit(args.limit)
        if args.json:
            for document in cursor:
                print(common.json_line(document))
            return 0
        rows = [[common.short_time(d.get("published_at")), d.get("section") or "", common.clip(d.get("title"), 70),
                 d.get("url", "")] for d in cursor]
        if rows:
            common.print_table(["published (UTC)", "section", "title", "url"], rows)
        else:
            print("no articles match")
    return 0

"""`newscrawl breaking`: the latest breaking-news ticker lines."""

from __future__ import annotations

import argparse

from newscrawl.cli import common


def register(subparsers) -> None:
    parser = subparsers.add_parser("breaking", help="the latest breaking-news ticker lines",
                                   description="Ticker lines, most recently seen first.")
    parser.add_argument("--limit", type=common.positive_int, default=20, help="at most N lines (default 20; 0: all)")
    parser.add_argument("--since", help=f"last seen at or after ({common.DATE_FORMAT_HELP})")
    parser.add_argument("--json", action="store_true", help="JSON lines, ISO dates")
    common.add_site_arg(parser)
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    query = {**common.site_filter(args), **common.date_range("last_seen_at", args.since, None)}
    with common.connect(args) as db:
        cursor = db.breaking.find(query, {"_id": 0}).sort([("last_seen_at", -1), ("text_hash", 1)]).limit(args.limit)
        if args.json:
            for line in cursor:
                print(common.json_line(line))
            return 0
        rows = [[common.short_time(line.get("last_seen_at")), str(line.get("seen_count", "")),
                 common.clip(line.get("text"), 100), line.get("url") or ""] for line in cursor]
    if rows:
        common.print_table(["last seen (UTC)", "seen", "text", "url"], rows)
    else:
        print("no breaking lines")
    return 0

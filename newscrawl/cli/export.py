"""`newscrawl export`: the matching articles as JSON lines or CSV, streamed from the cursor."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sys
from datetime import datetime

from newscrawl.cli import CommandError, common

# SCHEMA.md's article fields, in its order: the CSV columns
CSV_FIELDS = ("url", "site", "postid", "type", "section", "category", "title", "description", "authors", "source",
              "published_at", "modified_at", "reading_minutes", "word_count", "body", "images", "tags", "countries",
              "related_urls", "video_duration", "lang", "content_hash", "revision", "aliases", "first_seen_at",
              "last_seen_at")
BATCH_SIZE = 500


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="export articles as JSON lines or CSV",
                                   description="Export the articles matching the filters, newest first, streamed.")
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format (default jsonl)")
    parser.add_argument("--output", "-o", default="-", metavar="FILE", help="file to write, or - for stdout (default)")
    common.add_filter_args(parser)
    parser.add_argument("--limit", type=common.positive_int, default=0, help="at most N articles (default 0: all)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="progress bar on stderr (default: when stderr is a terminal)")
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


def csv_cell(name: str, value) -> str:
    if name == "images":
        return json.dumps(common.plain(value or []), ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return common.iso(value)
    if isinstance(value, list):
        if any(isinstance(item, dict) for item in value):
            return json.dumps(common.plain(value), ensure_ascii=False)
        return "|".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(common.plain(value), ensure_ascii=False)
    return str(value)


class JsonLinesWriter:
    def __init__(self, stream):
        self.stream = stream

    def write(self, document: dict) -> None:
        self.stream.write(common.json_line(document) + "\n")


class CsvWriter:
    def __init__(self, stream):
        self.writer = csv.writer(stream)
        self.writer.writerow(CSV_FIELDS)

    def write(self, document: dict) -> None:
        self.writer.writerow([csv_cell(name, document.get(name)) for name in CSV_FIELDS])


@contextlib.contextmanager
def open_output(path: str):
    """stdout for "-"; otherwise a temporary file renamed into place only when the export completes."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    partial = f"{path}.part"
    try:
        stream = open(partial, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with stream:
            yield stream
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def run(args: argparse.Namespace) -> int:
    with common.connect(args) as db:
        articles = db.articles
        query = common.article_filter(args, articles)
        total = articles.count_documents(query)
        if args.limit:
            total = min(total, args.limit)
        cursor = (articles.find(query, {"_id": 0}, batch_size=BATCH_SIZE)
                  .sort([("published_at", -1), ("url", 1)]).limit(args.limit))
        progress = common.Progress(total, enabled=args.progress, label="export ")
        with open_output(args.output) as stream:
            writer = (CsvWriter if args.format == "csv" else JsonLinesWriter)(stream)
            with cursor:
                for document in cursor:
                    writer.write(document)
                    progress.advance()
        progress.finish()
    target = "stdout" if args.output == "-" else args.output
    print(f"exported {progress.count} articles to {target}", file=sys.stderr)
    return 0

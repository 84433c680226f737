"""`newscrawl report`: one self-contained HTML file of charts (or `--format json`, the same figures).

Articles per day over the archive with its gaps marked, articles by section, country, author and
extraction method, the crawl history (duration, new / changed / unchanged / rejected, errors, 403s,
429s, the monitors' verdicts), field coverage per crawl, and breaking lines per day. The charts are
static SVG drawn by matplotlib and inlined: the file opens offline and fetches nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import median

from newscrawl.cli import CommandError, common

DEFAULT_OUTPUT = "newscrawl-report.html"
DEFAULT_GAP_DAYS = 3
CONTEXT_DAYS = 7  # days on each side of a run of empty days that tell whether it lies amid busy days
BUSY_RATIO = 0.5  # their mean must reach this share of the typical (median) day
CRAWL_HISTORY = 50  # most recent crawls shown
COVERAGE_CRAWLS = 20  # most recent article crawls in the coverage chart
COVERAGE_FIELDS = ("title", "body", "published_at", "authors", "description", "category", "source", "images",
                   "tags", "countries", "related_urls", "modified_at", "reading_minutes", "postid",
                   "video_duration")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="an HTML report of charts (or JSON): archive, sections, crawls, coverage, breaking",
        description="One self-contained HTML file (opens offline) with articles per day and their gaps, "
                    "articles by section, country, author and extraction method, the crawl history, field "
                    "coverage per crawl and breaking lines per day. --format json gives the same figures.")
    parser.add_argument("-o", "--output", default=None,
                        help=f"file to write (default {DEFAULT_OUTPUT} for html, standard output for json; "
                             "'-' is standard output)")
    parser.add_argument("--format", choices=("html", "json"), default="html", help="html (default) or json")
    parser.add_argument("--site", default=None, help="only this site's articles and crawls (a host name)")
    parser.add_argument("--gap-days", type=common.positive_int, default=DEFAULT_GAP_DAYS,
                        help=f"mark runs of at least N days without articles amid busy days (default "
                             f"{DEFAULT_GAP_DAYS}; 0: mark none)")
    parser.add_argument("--top", type=common.positive_int, default=15,
                        help="how many sections, countries and authors to chart (default 15)")
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


# --- pure: gaps in a daily series ------------------------------------------------------


def find_gaps(days: list[tuple[date, int]], min_days: int = DEFAULT_GAP_DAYS, context: int = CONTEXT_DAYS,
              busy_ratio: float = BUSY_RATIO) -> list[dict]:
    """Runs of at least ``min_days`` days with no article amid busy days.

    ``days`` is a list of (day, count), one per consecutive day. Only an archive whose typical
    day (the median over all days) has articles can have gaps: where most days are empty, an
    empty week is the usual, not a gap. A run counts when it has days on both sides and the mean
    of the ``context`` days before it and of those after it each reach ``busy_ratio`` times the
    typical day (and at least one article a day).
    """
    if min_days <= 0 or not days:
        return []
    counts = [n for _, n in days]
    typical = median(counts)
    if typical < 1:
        return []
    busy = max(1.0, busy_ratio * typical)
    gaps, i = [], 0
    while i < len(counts):
        if counts[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(counts) and not counts[j + 1]:
            j += 1
        length = j - i + 1
        before, after = counts[max(0, i - context):i], counts[j + 1:j + 1 + context]
        if length >= min_days and before and after:
            mean_before, mean_after = sum(before) / len(before), sum(after) / len(after)
            if mean_before >= busy and mean_after >= busy:
                gaps.append({"start": days[i][0], "end": days[j][0], "days": length,
                             "before": round(mean_before, 2), "after": round(mean_after, 2)})
        i = j + 1
    return gaps


def fill_days(counts: dict[str, int]) -> list[tuple[date, int]]:
    """{"YYYY-MM-DD": n} into one (day, n) per day from the first to the last, zeros included."""
    if not counts:
        return []
    parsed = {date.fromisoformat(k): v for k, v in counts.items()}
    first, last = min(parsed), max(parsed)
    return [(first + timedelta(d), parsed.get(first + timedelta(d), 0)) for d in range((last - first).days + 1)]


# --- figures from the database ----------------------------------------------------------


def _grouped(collection, match: dict, key, unwind: str | None = None, limit: int = 0) -> list[dict]:
    pipeline: list[dict] = [{"$match": match}] if match else []
    if unwind:
        pipeline.append({"$unwind": f"${unwind}"})
    pipeline += [{"$group": {"_id": key, "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}]
    if limit:
        pipeline.append({"$limit": limit})
    return [{"key": row["_id"] if row["_id"] not in (None, "") else "(none)", "count": row["n"]}
            for row in collection.aggregate(pipeline)]


def _per_day(collection, match: dict, field: str) -> dict[str, int]:
    rows = collection.aggregate([
        {"$match": {**match, field: {"$type": "date"}}},
        {"$group": {"_id": {"$dateToString": {"format": "%Y-%m-%d", "date": f"${field}"}}, "n": {"$sum": 1}}},
    ])
    return {row["_id"]: row["n"] for row in rows}


def _utc(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def crawl_row(doc: dict) -> dict:
    counts = doc.get("counts") or {}
    start, end = _utc(doc.get("start")), _utc(doc.get("end"))
    monitors = doc.get("monitors") or []
    failed = [m["name"] for m in monitors if m.get("level", "pass" if m.get("ok", True) else "fail") == "fail"]
    warned = [m["name"] for m in monitors if m.get("level") == "warn"]
    return {
        "id": str(doc.get("_id")), "spider": doc.get("spider"), "site": doc.get("site"), "start": start,
        "end": end, "duration_s": round((end - start).total_seconds(), 1) if start and end else None,
        "status": doc.get("status"), "finish_reason": doc.get("finish_reason"), "articles": doc.get("articles", 0),
        "new": counts.get("new", 0), "changed": counts.get("changed", 0), "unchanged": counts.get("unchanged", 0),
        "rejected": counts.get("rejected", 0), "errors": counts.get("errors", 0),
        "blocked_403": counts.get("blocked", 0), "rate_limited_429": counts.get("rate_limited", 0),
        "lines": counts.get("lines"), "failed_monitors": failed, "warned_monitors": warned,
        "message": doc.get("message") or "; ".join(m["message"] for m in monitors if m["name"] in failed),
        "coverage": doc.get("coverage") or {},
        "requests": counts.get("requests", 0), "per_change": counts.get("per_change"),
        "requests_by_kind": counts.get("requests_by_kind") or {},
    }


def gather(db, site: str | None = None, gap_days: int = DEFAULT_GAP_DAYS, top: int = 15) -> dict:
    articles = db.articles
    match = {"site": site} if site else {}
    sites = sorted(s for s in articles.distinct("site", match) if s) if articles.count_documents(match) else []
    per_day = fill_days(_per_day(articles, match, "published_at"))
    crawl_match = {"$or": [{"site": site}, {"site": {"$exists": False}}]} if site else {}
    crawls = [crawl_row(doc) for doc in db.crawls.find(crawl_match, {"stats": 0}).sort("start", -1).limit(CRAWL_HISTORY)]
    crawls.reverse()
    coverage = [{"crawl": row["id"], "start": row["start"], "coverage": row["coverage"]}
                for row in crawls if row["coverage"] and row["spider"] != "breaking"][-COVERAGE_CRAWLS:]
    breaking_days = fill_days(_per_day(db.breaking, {}, "first_seen_at"))
    return {
        "title": "newscrawl report: " + (", ".join(sites) if sites else (site or "no articles yet")),
        "sites": sites,
        "site_filter": site,
        "generated_at": datetime.now(timezone.utc),
        "totals": {
            "articles": sum(n for _, n in per_day),
            "first_day": per_day[0][0] if per_day else None,
            "last_day": per_day[-1][0] if per_day else None,
            "days": len(per_day),
            "crawls": len(crawls),
            "crawls_failed": sum(1 for row in crawls if row["status"] == "failed"),
            "breaking_lines": db.breaking.count_documents({}),
        },
        "per_day": [{"day": d, "count": n} for d, n in per_day],
        "gaps": find_gaps(per_day, gap_days),
        "gap_days": gap_days,
        "per_section": _grouped(articles, match, "$section", limit=top),
        "per_country": _grouped(articles, match, "$countries", unwind="countries", limit=top),
        "per_author": _grouped(articles, match, "$authors", unwind="authors", limit=top),
        "per_method": _grouped(articles, match, {"$ifNull": ["$extraction", "site"]}),
        "crawls": [{k: v for k, v in row.items() if k != "coverage"} for row in crawls],
        "coverage": coverage,
        "breaking_per_day": [{"day": d, "count": n} for d, n in breaking_days],
    }


def as_json(figures: dict) -> str:
    def plain(value):
        if isinstance(value, (date, datetime)) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, datetime):
            return common.iso(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return json.dumps(plain(figures), ensure_ascii=False, indent=1)


def run(args: argparse.Namespace) -> int:
    with common.connect(args) as db:
        figures = gather(db, args.site, args.gap_days, args.top or 15)
    if args.format == "json":
        text = as_json(figures) + "\n"
        target = args.output or "-"
    else:
        from newscrawl.cli.report_html import render

        text = render(figures)
        target = args.output or DEFAULT_OUTPUT
    if target == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc}", code=1) from None
    days = figures["totals"]
    print(f"wrote {target}: {days['articles']} articles over {days['days']} days, {len(figures['gaps'])} gap(s), "
          f"{days['crawls']} crawls, {days['breaking_lines']} breaking lines", file=sys.stderr)
    return 0

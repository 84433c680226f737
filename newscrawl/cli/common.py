"""What the query commands share: the connection, the article filters, dates and output."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from newscrawl.cli import CommandError
from newscrawl.store import connection

DEFAULT_DATABASE = "newscrawl"
DEFAULT_TIMEOUT_MS = 3000
DATE_FORMAT_HELP = "YYYY-MM-DD or an ISO datetime such as 2025-11-10T14:30:00Z"
SEARCH_TEXT = "search: $text index"
SEARCH_REGEX = "search: case-insensitive match on title and description (no text index on this server)"

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- connection -----------------------------------------------------------------


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--uri", default=None,
                       help="MongoDB URI (default: env MONGODB_URI, else the embedded store)")
    group.add_argument("--db", default=None,
                       help=f"database name (default: env MONGODB_DATABASE, else {DEFAULT_DATABASE})")
    group.add_argument("--data-dir", default=None,
                       help="data directory of the embedded store (default: env NEWSCRAWL_DATA_DIR, else ./data)")
    group.add_argument("--timeout-ms", type=int, default=None,
                       help=f"server selection timeout in ms (default: env MONGODB_TIMEOUT_MS, else {DEFAULT_TIMEOUT_MS})")


def store_settings(args: argparse.Namespace) -> dict:
    """The store settings the flags give; unset ones fall back to the environment in newscrawl.store."""
    return {
        "MONGODB_URI": getattr(args, "uri", None) or os.environ.get("MONGODB_URI", ""),
        "MONGODB_DATABASE": getattr(args, "db", None),
        "NEWSCRAWL_DATA_DIR": getattr(args, "data_dir", None),
        "MONGO_SERVER_SELECTION_TIMEOUT_MS": timeout_ms(args),
    }


def check_args(args: argparse.Namespace) -> None:
    """CommandError (exit 2) for a bad --site, --since, --until or timeout, before anything connects."""
    if getattr(args, "site", None) and getattr(args, "site_is_edition", False):
        site_filter(args)
    for option in ("since", "until"):
        value = getattr(args, option, None)
        if isinstance(value, str) and value:
            parse_date(value, f"--{option}")
    if hasattr(args, "timeout_ms"):
        timeout_ms(args)


def database_name(args: argparse.Namespace) -> str:
    return connection.database_name(store_settings(args))


def timeout_ms(args: argparse.Namespace) -> int:
    value = getattr(args, "timeout_ms", None) or os.environ.get("MONGODB_TIMEOUT_MS") or DEFAULT_TIMEOUT_MS
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"invalid MONGODB_TIMEOUT_MS {value!r}: expected milliseconds") from None


def _short_reason(exc: Exception) -> str:
    # pymongo appends the whole topology description; the first part says what went wrong
    text = str(exc)
    for marker in (" (configured timeouts", ", Timeout:", ", Topology Description"):
        text = text.split(marker)[0]
    return text


def resolve_uri(settings: dict) -> str:
    """The configured URI, else the embedded store's (started if it is not running)."""
    try:
        return connection.resolve_uri(settings)
    except ImportError as exc:
        raise CommandError(f"no MONGODB_URI given and the embedded store is unavailable ({exc})", code=1) from None
    except (RuntimeError, OSError) as exc:
        raise CommandError(f"cannot start the embedded store: {exc}", code=1) from None


@contextlib.contextmanager
def connect(args: argparse.Namespace) -> Iterator:
    """Yield the database, checked reachable; the client closed after, and the embedded store
    stopped again if this command started it."""
    settings = store_settings(args)
    uri = resolve_uri(settings)
    try:
        with _client(uri, settings) as client:
            yield client[connection.database_name(settings)]
    finally:
        if not connection.configured_uri(settings):
            connection.embedded_server(settings).stop()


@contextlib.contextmanager
def _client(uri: str, settings: dict) -> Iterator:
    from pymongo.errors import ConfigurationError, PyMongoError

    try:
        client = connection.make_client(uri, settings)
    except (ConfigurationError, ValueError) as exc:
        raise CommandError(f"invalid MongoDB URI {connection.mask_uri(uri)}: {exc}") from None
    try:
        try:
            client.admin.command("ping")
        except PyMongoError as exc:
            raise CommandError(f"cannot reach MongoDB at {connection.mask_uri(uri)}: {_short_reason(exc)}",
                               code=1) from None
        yield client
    finally:
        client.close()


# --- dates ----------------------------------------------------------------------


def parse_date(value: str, option: str) -> tuple[datetime, bool]:
    """(UTC datetime, whether only a day was given); CommandError naming the value and the format."""
    text = value.strip()
    try:
        if _DATE_ONLY.match(text):
            return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc), True
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"invalid date {value!r} for {option}: expected {DATE_FORMAT_HELP}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc), False


def date_range(field: str, since: str | None, until: str | None) -> dict:
    """A filter on ``field``; a day given to --until includes the whole day."""
    bounds: dict = {}
    if since:
        bounds["$gte"] = parse_date(since, "--since")[0]
    if until:
        moment, day_only = parse_date(until, "--until")
        if day_only:
            bounds["$lt"] = moment + timedelta(days=1)
        else:
            bounds["$lte"] = moment
    return {field: bounds} if bounds else {}


def iso(value) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    # BSON dates hold milliseconds
    timespec = "milliseconds" if value.microsecond else "seconds"
    return value.astimezone(timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")


def short_time(value) -> str:
    if value is None:
        return "-"
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


# --- article filters ------------------------------------------------------------


def add_site_arg(parser) -> None:
    parser.add_argument("--site", help="only this site: an edition (en, ar) or a host (english.almayadeen.net); "
                                       "default: every site in the database")
    parser.set_defaults(site_is_edition=True)  # checked by check_args before anything connects


def site_filter(args: argparse.Namespace) -> dict:
    """``{"site": host}`` for --site (an edition key or a host), ``{}`` without it."""
    value = getattr(args, "site", None)
    if not value:
        return {}
    from newscrawl.sites import UnknownSite, get_profile

    try:
        return {"site": get_profile(value).host}
    except UnknownSite as exc:
        raise CommandError(f"--site: {exc}") from None


def add_filter_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    add_site_arg(group)
    group.add_argument("--since", help=f"published at or after ({DATE_FORMAT_HELP})")
    group.add_argument("--until", help="published at or before (a day includes the whole day)")
    group.add_argument("--section", help="section (news/politics) or category label (Politics), any case")
    group.add_argument("--tag", help="a tag, any case")
    group.add_argument("--author", help="an author, any case")
    group.add_argument("--search", metavar="TEXT", help="words in the title or description")


def _exactly(value: str) -> dict:
    return {"$regex": f"^{re.escape(value.strip())}$", "$options": "i"}


def has_text_index(collection) -> bool:
    return any("text" in index["key"].values() for index in collection.list_indexes())


def article_filter(args: argparse.Namespace, collection) -> dict:
    """The MongoDB filter for the filter flags; says on stderr how --search is done."""
    clauses: list[dict] = []
    site = site_filter(args)
    if site:
        clauses.append(site)
    dates = date_range("published_at", args.since, args.until)
    if dates:
        clauses.append(dates)
    if args.section:
        clauses.append({"$or": [{"section": _exactly(args.section)}, {"category": _exactly(args.section)}]})
    if args.tag:
        clauses.append({"tags": _exactly(args.tag)})
    if args.author:
        clauses.append({"authors": _exactly(args.author)})
    if args.search:
        if has_text_index(collection):
            print(SEARCH_TEXT, file=sys.stderr)
            clauses.insert(0, {"$text": {"$search": args.search}})
        else:
            print(SEARCH_REGEX, file=sys.stderr)
            words = {"$regex": re.escape(args.search), "$options": "i"}
            clauses.append({"$or": [{"title": words}, {"description": words}]})
    if not clauses:
        return {}
    if len(clauses) == 1:
        return clauses[0]
    return {"$and": clauses}


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


# --- output ---------------------------------------------------------------------


def plain(value):
    """A BSON value as JSON-ready data: dates as ISO strings, ObjectIds and bytes as text."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if key != "_id"}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def json_line(document) -> str:
    return json.dumps(plain(document), ensure_ascii=False)


def clip(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_table(headers: list[str], rows: list[list[str]], out=None) -> None:
    """Columns as wide as their widest cell; the last column is never padded."""
    out = out or sys.stdout
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(cells[:-1])] + [cells[-1]]
        return "  ".join(padded).rstrip()

    print(line(headers), file=out)
    print(line(["-" * w for w in widths]), file=out)
    for row in rows:
        print(line(row), file=out)


class Progress:
    """A progress bar on stderr, redrawn at most ten times a second; silent when disabled."""

    def __init__(self, total: int, enabled: bool | None = None, label: str = "", stream=None):
        self.total = total
        self.count = 0
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._drawn_at = 0.0

    def advance(self, step: int = 1) -> None:
        self.count += step
        if self.enabled and time.monotonic() - self._drawn_at >= 0.1:
            self._draw()

    def _draw(self) -> None:
        self._drawn_at = time.monotonic()
        share = self.count / self.total if self.total else 1.0
        filled = int(30 * min(share, 1.0))
        bar = "#" * filled + "." * (30 - filled)
        self.stream.write(f"\r{self.label}[{bar}] {self.count}/{self.total} {share:4.0%}")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

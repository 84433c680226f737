"""`newscrawl db`: serve the embedded store, list and replay the journals, show the URI, ensure indexes."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from newscrawl.cli import CommandError, common
from newscrawl.store import connection

JOURNAL_DIR = Path("journal")


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="the store: serve, journal, replay, uri, indexes",
                                   description="Work with the MongoDB store.")
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    serve = commands.add_parser("serve", help="run the embedded SecantusDB store in the foreground",
                                description="Start the embedded store, print its URI, run until Ctrl-C or SIGTERM.")
    serve.add_argument("--data-dir", default=None, help="data directory (default: env NEWSCRAWL_DATA_DIR, else ./data)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default: last used, else free)")
    serve.add_argument("--db", default=None, help="database name in the printed URI (default: env MONGODB_DATABASE)")
    serve.set_defaults(func=serve_store)

    journal = commands.add_parser(
        "journal", help="list the journaled records waiting for their store, per store",
        description="List what waits in the journals under <data dir>/journal: one entry per store (the "
                    "store's identity, never its credentials), with the records per kind and per site, the oldest "
                    "and newest, and the command that replays them. Legacy records (written before journals named "
                    "their store) are listed apart.")
    journal.add_argument("--data-dir", default=None,
                         help="data directory (default: env NEWSCRAWL_DATA_DIR, else ./data)")
    journal.add_argument("--json", action="store_true", help="one JSON object per store")
    journal.set_defaults(func=list_journals)

    replay = commands.add_parser(
        "replay", help="replay a store's journal into it",
        description="Write the batches journaled while the store was unreachable into that store: by default the "
                    "records journaled for the store that --uri/--db (or --data-dir, for the embedded store) name, "
                    "and nothing else. Records of another store stay where they are unless you name them.")
    which = replay.add_argument_group("which records (default: the named store's own)")
    which.add_argument("--legacy", action="store_true",
                       help="also the legacy records (<data dir>/journal/articles.jsonl, written before journals "
                            "named their store), into the named store")
    which.add_argument("--from", dest="source", default=None, metavar="KEY",
                       help="instead, the records journaled for another store (a key from `newscrawl db journal`), "
                            "into the named store: for a store that moved")
    which.add_argument("--journal", default=None, metavar="FILE",
                       help="instead, every record of this journal file, into the named store")
    common.add_connection_args(replay)
    replay.set_defaults(func=replay_journal)

    uri = commands.add_parser("uri", help="print the URI in use (password masked)")
    common.add_connection_args(uri)
    uri.set_defaults(func=show_uri)

    indexes = commands.add_parser("indexes", help="ensure collections, indexes and the validator; list them")
    common.add_connection_args(indexes)
    indexes.set_defaults(func=ensure_indexes)


def embedded_server(args: argparse.Namespace):
    from newscrawl.store.embedded import EmbeddedServer

    settings = {"NEWSCRAWL_DATA_DIR": args.data_dir, "MONGODB_DATABASE": args.db}
    options = {"port": args.port} if getattr(args, "port", None) else {}
    try:
        return EmbeddedServer(connection.data_dir(settings), database=connection.database_name(settings), **options)
    except TypeError:
        raise CommandError("--port needs EmbeddedServer(data_dir, database, port=...) in newscrawl.store.embedded")


def start(server) -> str:
    from newscrawl.store.embedded import EmbeddedServerError

    try:
        return server.start()
    except (EmbeddedServerError, OSError) as exc:
        raise CommandError(f"cannot start the embedded store: {exc}", code=1) from None


def wait_for_signal(server) -> int:
    """Block until SIGINT or SIGTERM (0), or until the server process dies (1)."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        if server.proc is not None and server.proc.poll() is not None:
            print(f"embedded store exited with {server.proc.returncode}; see {server.log_file}", file=sys.stderr)
            return 1
    return 0


def serve_store(args: argparse.Namespace) -> int:
    server = embedded_server(args)
    uri = start(server)
    if not server.started_here:
        print(uri, flush=True)
        print(f"the embedded store in {server.storage} is already served by another process", file=sys.stderr)
        return 0
    code = 1
    try:
        print(uri, flush=True)
        print(f"serving the embedded store (data in {server.storage}); connect with mongosh, Compass or pymongo "
              f"at the URI above; Ctrl-C to stop", file=sys.stderr, flush=True)
        code = wait_for_signal(server)
    finally:
        server.stop()
    print("embedded store stopped", file=sys.stderr)
    return code


def journal_directory(args: argparse.Namespace) -> Path:
    return connection.data_dir(common.store_settings(args)) / JOURNAL_DIR


def list_journals(args: argparse.Namespace) -> int:
    from newscrawl.store.journal import waiting

    directory = journal_directory(args)
    entries = waiting(directory)
    if args.json:
        for entry in entries:
            print(json.dumps({
                "key": None if entry.legacy else entry.name, "store": entry.label, "legacy": entry.legacy,
                "file": str(entry.path), "records": entry.records, "kinds": dict(entry.kinds),
                "sites": dict(entry.sites), "oldest": common.iso(entry.oldest), "newest": common.iso(entry.newest),
                "replay": replay_hint(entry)}, ensure_ascii=False))
        return 0
    if not entries:
        print(f"no journaled records wait in {directory}")
        return 0
    for entry in entries:
        print(entry.label if entry.legacy else f"{entry.label}  (key {entry.name})")
        sites = ", ".join(f"{site} {n}" for site, n in entry.sites.most_common()) or "-"
        print(f"  {entry.records} records: {entry.describe_kinds()}; sites: {sites}")
        print(f"  journaled {common.short_time(entry.oldest)} to {common.short_time(entry.newest)} UTC; "
              f"file {entry.path}")
        print(f"  replay: {replay_hint(entry)}")
    return 0


def replay_hint(entry) -> str:
    if entry.legacy:
        return "newscrawl db replay --legacy --uri URI --db DB (into the store you name)"
    return entry.target.replay_command() + (" (add the credentials)" if not entry.target.embedded else "")


def replay_journal(args: argparse.Namespace) -> int:
    from newscrawl.store import Store
    from newscrawl.store.journal import Journal, waiting
    from newscrawl.store.target import StoreTarget

    if args.journal and args.source:
        raise CommandError("--journal and --from name different records; give one")
    settings = common.store_settings(args)
    directory = journal_directory(args)
    target = StoreTarget.from_settings(settings)
    if args.journal:
        journals = [Journal(Path(args.journal))]
    elif args.source:
        found = [entry for entry in waiting(directory) if not entry.legacy and entry.name == args.source]
        if not found:
            known = [entry.name for entry in waiting(directory) if not entry.legacy]
            raise CommandError(f"--from {args.source}: no journaled records for that key in {directory}"
                               + (f"; keys: {', '.join(known)}" if known else ""))
        journals = [found[0].journal()]
    else:
        journals = [Journal.for_target(directory, target)]
    if args.legacy:
        journals.append(Journal.legacy(directory))
    replayed = 0
    with common.connect(args) as db:
        store = Store(db)
        for journal in journals:
            replayed += journal.replay(store)
    left = sum(journal.pending() for journal in journals)
    sources = ", ".join(str(journal.path) for journal in journals)
    print(f"replayed {replayed} items from {sources} into {target.label}" + (f"; {left} still pending" if left else ""))
    others = [entry for entry in waiting(directory) if entry.path not in {j.path for j in journals}]
    for entry in others:
        print(f"not replayed: {entry.records} records for {entry.label} (`newscrawl db journal` lists them)",
              file=sys.stderr)
    return 0


def show_uri(args: argparse.Namespace) -> int:
    settings = common.store_settings(args)
    configured = connection.configured_uri(settings)
    if configured:
        print(connection.mask_uri(configured))
        return 0
    server = connection.embedded_server(settings)
    uri = start(server)
    print(connection.mask_uri(uri))
    if server.started_here:
        server.stop()
        print(f"(embedded store in {server.storage}: not running; `newscrawl db serve` serves it)", file=sys.stderr)
    return 0


def ensure_indexes(args: argparse.Namespace) -> int:
    from newscrawl.store.indexes import INDEXES
    from newscrawl.store.indexes import ensure_indexes as ensure

    with common.connect(args) as db:
        report = ensure(db)
        for name in ["articles", *(n for n in INDEXES if n != "articles")]:
            print(f"{name}:")
            for index in db[name].list_indexes():
                keys = ", ".join(f"{field} {direction}" for field, direction in index["key"].items())
                flags = " unique" if index.get("unique") else ""
                print(f"  {index['name']}: {keys}{flags}")
    print(f"text index: {'yes' if report.text_index_available else 'no (the server cannot create one)'}")
    print(f"articles validator: {'yes' if report.validator else 'no'}")
    return 0

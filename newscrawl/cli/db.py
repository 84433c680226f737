"""`newscrawl db`: serve the embedded store, replay the journal, show the URI, ensure indexes."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from newscrawl.cli import CommandError, common
from newscrawl.store import connection

JOURNAL = Path("journal") / "articles.jsonl"


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="the store: serve, replay, uri, indexes",
                                   description="Work with the MongoDB store.")
    commands = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)

    serve = commands.add_parser("serve", help="run the embedded SecantusDB store in the foreground",
                                description="Start the embedded store, print its URI, run until Ctrl-C or SIGTERM.")
    serve.add_argument("--data-dir", default=None, help="data directory (default: env NEWSCRAWL_DATA_DIR, else ./data)")
    serve.add_argument("--port", type=int, default=None, help="port to listen on (default: last used, else free)")
    serve.add_argument("--db", default=None, help="database name in the printed URI (default: env MONGODB_DATABASE)")
    serve.set_defaults(func=serve_store)

    replay = commands.add_parser("replay", help="replay the on-disk journal into the store",
                                 description="Write the batches journaled while the store was unreachable.")
    replay.add_argument("--journal", default=None, metavar="FILE",
                        help=f"journal file (default: <data dir>/{JOURNAL})")
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


def journal_path(args: argparse.Namespace) -> Path:
    if args.journal:
        return Path(args.journal)
    return connection.data_dir(common.store_settings(args)) / JOURNAL


def replay_journal(args: argparse.Namespace) -> int:
    from newscrawl.store.journal import Journal

    try:
        from newscrawl.store import Store
    except ImportError:
        raise CommandError("newscrawl.store.Store is not available in this version", code=1) from None
    path = journal_path(args)
    journal = Journal(path)
    with common.connect(args) as db:
        replayed = journal.replay(Store(db))
    left = journal.pending()
    print(f"replayed {replayed} items from {path}" + (f"; {left} still pending" if left else ""))
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

"""The `newscrawl` command: query, export, stats, report, breaking, db, submit, frontier.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (args -> exit code).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from newscrawl import __version__

# module names under newscrawl.cli; a module that is absent is skipped
COMMAND_MODULES = ("query", "export", "stats", "report", "breaking", "db", "reextract", "submit", "frontier",
                   "doctor", "demo")


class CommandError(Exception):
    """A clear message for the user; printed without a traceback, exit code 2 unless given."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newscrawl", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"newscrawl {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"newscrawl.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"newscrawl.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        from newscrawl.cli.common import check_args

        check_args(args)  # bad dates, sites and timeouts end here, before any store is started or reached
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"newscrawl {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader (head, less) went away: stop quietly like other Unix tools
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""`newscrawl frontier status|reset`: the shared crawl frontier in Redis (REDIS_URL)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from newscrawl.cli import CommandError


def register(subparsers) -> None:
    parser = subparsers.add_parser("frontier", help="the distributed crawl frontier in Redis",
                                   description="Show or clear the frontier that distributed workers share: "
                                               "queued requests, seen fingerprints, leases in flight, live workers.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="queue length, fingerprints, leases and workers per spider and site")
    status.add_argument("--json", action="store_true", help="one JSON list")
    reset = actions.add_parser("reset", help="delete frontiers (queue, fingerprints, leases) so the next run starts over")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    for sub in (status, reset):
        sub.add_argument("--redis-url", default=None, help="Redis URL (default: env REDIS_URL)")
        sub.add_argument("--spider", default=None, help="only this spider's frontiers")
        sub.add_argument("--site", default=None, help="only the frontiers of this site host (e.g. english.almayadeen.net)")
    status.set_defaults(func=run_status)
    reset.set_defaults(func=run_reset)


def connect(args: argparse.Namespace):
    import redis

    from newscrawl.distributed.connection import mask_url

    url = args.redis_url or os.environ.get("REDIS_URL")
    if not url:
        raise CommandError("no Redis given: set REDIS_URL or pass --redis-url")
    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        server.ping()
    except ValueError as exc:
        raise CommandError(f"invalid Redis URL {mask_url(url)}: {exc}") from None
    except redis.RedisError as exc:
        raise CommandError(f"cannot reach Redis at {mask_url(url)}: {exc}", code=1) from None
    return server


def run_status(args: argparse.Namespace) -> int:
    from newscrawl.distributed import admin

    server = connect(args)
    rows = [admin.status(server, keys) for keys in admin.find(server, args.spider, args.site)]
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], indent=1))
        return 0
    if not rows:
        print("no frontier in Redis" + (f" for spider {args.spider}" if args.spider else ""))
        return 0
    header = ("spider", "site", "queued", "fingerprints", "leases", "expired", "workers")
    table = [header] + [(r.spider, r.site, r.queued, r.fingerprints, r.leases, r.leases_expired, r.workers)
                        for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(str(v).rjust(w) if isinstance(v, int) else str(v).ljust(w) for v, w in zip(row, widths)))
    return 0


def run_reset(args: argparse.Namespace) -> int:
    from newscrawl.distributed import admin

    server = connect(args)
    targets = admin.find(server, args.spider, args.site)
    if not targets:
        print("nothing to reset")
        return 0
    for keys in targets:
        row = admin.status(server, keys)
        live = f", {row.workers} live workers!" if row.workers else ""
        print(f"{keys.base}: {row.queued} queued, {row.fingerprints} fingerprints, {row.leases} leases{live}")
    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError("refusing to reset without confirmation: pass --yes")
        answer = input(f"delete {len(targets)} frontier(s)? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("nothing deleted")
            return 1
    deleted = sum(admin.reset(server, keys) for keys in targets)
    print(f"reset {len(targets)} frontier(s) ({deleted} keys deleted)")
    return 0

"""python -m tests.replica serve|truth ... (see docs/CONTRACTS.md, "Replica")."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "truth"):
        p = sub.add_parser(name)
        p.add_argument("--articles", type=int, default=300)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--epoch", type=int, default=1, choices=(1, 2))
    serve = sub.choices["serve"]
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--latency-ms", type=float, default=0)
    serve.add_argument("--error-rate", type=float, default=0.0)
    serve.add_argument("--rate-limit", type=float, default=0)
    serve.add_argument("--block-bots", action="store_true")
    serve.add_argument("--truncate-rate", type=float, default=0.0)
    serve.add_argument("--markup-change", default="")
    serve.add_argument("--log", default=None, help="append the request log to this JSON-lines file")
    return parser


def serve(args) -> int:
    from tests.replica.model import SiteModel
    from tests.replica.server import Replica, make_server

    model = SiteModel(seed=args.seed, articles=args.articles, epoch=args.epoch)
    model.warm()
    options = {"latency_ms": args.latency_ms, "error_rate": args.error_rate, "rate_limit": args.rate_limit,
               "block_bots": args.block_bots, "truncate_rate": args.truncate_rate,
               "markup_change": args.markup_change}
    server = make_server(Replica(model, options, args.log), args.host, args.port)
    host, port = server.server_address[:2]
    print(f"READY http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def iso_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value))


def truth(args) -> int:
    from tests.replica.model import SiteModel

    model = SiteModel(seed=args.seed, articles=args.articles, epoch=args.epoch)
    out = sys.stdout
    for doc in model.truth():
        out.write(json.dumps(doc, ensure_ascii=False, default=iso_default) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return serve(args) if args.command == "serve" else truth(args)


if __name__ == "__main__":
    sys.exit(main())

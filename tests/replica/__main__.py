"""python -m tests.replica serve|truth ... (see docs/CONTRACTS.md, "Replica")."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import date, datetime


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.replica", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "truth"):
        p = sub.add_parser(name)
        p.add_argument("--articles", type=int, default=300)
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--epoch", type=int, default=1, choices=(1, 2))
        # content options: serve and truth take the same ones, so a truth matches what was served
        p.add_argument("--edition", default="en", choices=("en", "ar"),
                       help="en: english.almayadeen.net; ar: www.almayadeen.net")
        p.add_argument("--markup", type=int, default=1, choices=(1, 2),
                       help="English page markup: 1 as today, 2 a redesign of every assumed element")
        p.add_argument("--no-tawsiyat", action="store_true", help="no page carries the tawsiyat metadata block")
        p.add_argument("--unknown-template", action="store_true",
                       help="serve 1%% of the articles (at least 3) with an unknown body template")
        p.add_argument("--unknown-template-rate", type=float, default=None, metavar="R",
                       help="the share of articles with the unknown template (at least 3 when above 0)")
        p.add_argument("--sitemap-lastmod", default="true", choices=("true", "build"),
                       help="build: every <lastmod> of a monthly sitemap is the file's build time")
        p.add_argument("--span-days", type=int, default=None, metavar="N",
                       help="epoch-1 articles within the last N days before epoch 1's end, with a 5-day gap")
        p.add_argument("--unknown-shapes", action="store_true",
                       help="Arabic: some articles at /videos/{sub}/, /infographs/, /in-pictures/ paths")
        p.add_argument("--unknown-listings", action="store_true",
                       help="Arabic: region listings /region/{slug} in the nav, some articles listed only there")
        p.add_argument("--labels", default="table", choices=("table", "site"),
                       help="site: the pages say the site's own section labels, not SITE.md's")
        p.add_argument("--empty-section", default=None, metavar="PATH",
                       help="that section's listing shows no article; its articles live in another section")
        p.add_argument("--markup-change", default="", choices=("", "byline", "listings"),
                       help="byline: markup 1's byline in div.writer; listings: listing cards without links")
        p.add_argument("--undated", action="store_true",
                       help="the unknown-template pages state no date (needs --unknown-template[-rate])")
        p.add_argument("--sitemap-news", action="store_true",
                       help="every sitemap entry carries a Google News <news:publication_date>")
        p.add_argument("--release-every", type=float, default=None, metavar="S",
                       help="release mode: a new article every S seconds once the clock starts")
        p.add_argument("--release-count", type=int, default=0, metavar="N", help="release mode: N releases")
        p.add_argument("--release-edits", type=int, default=0, metavar="K",
                       help="release mode: K of the released articles are edited")
        p.add_argument("--release-edit-after", type=float, default=120.0, metavar="E",
                       help="release mode: an edit comes E seconds after its article's release (default 120)")
    serve = sub.choices["serve"]
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--latency-ms", type=float, default=0)
    serve.add_argument("--slow-prefix", default="", help="paths starting with this answer --slow-ms later")
    serve.add_argument("--slow-path", default="", help="this one path (its query aside) answers --slow-ms later")
    serve.add_argument("--slow-ms", type=float, default=0)
    serve.add_argument("--error-rate", type=float, default=0.0)
    serve.add_argument("--rate-limit", type=float, default=0)
    serve.add_argument("--block-bots", action="store_true")
    serve.add_argument("--truncate-rate", type=float, default=0.0)
    serve.add_argument("--release-start", default=None, choices=("now",),
                       help="start the release clock when the server starts (else POST /__replica/control "
                            '{"release": "start"})')
    serve.add_argument("--log", default=None, help="append the request log to this JSON-lines file")
    return parser


def make_model(args):
    from tests.replica.model import UNKNOWN_TEMPLATE_SHARE, SiteModel

    share = args.unknown_template_rate if args.unknown_template_rate is not None else (
        UNKNOWN_TEMPLATE_SHARE if args.unknown_template else 0.0)
    return SiteModel(seed=args.seed, articles=args.articles, epoch=args.epoch, edition=args.edition,
                     markup=args.markup, no_tawsiyat=args.no_tawsiyat, unknown_template=share,
                     sitemap_lastmod=args.sitemap_lastmod, span_days=args.span_days,
                     unknown_shapes=args.unknown_shapes, unknown_listings=args.unknown_listings, labels=args.labels,
                     empty_section=args.empty_section, markup_change=args.markup_change, undated=args.undated,
                     sitemap_news=args.sitemap_news, release_every=args.release_every,
                     release_count=args.release_count, release_edits=args.release_edits,
                     release_edit_after=args.release_edit_after)


def serve(args) -> int:
    from tests.replica.server import Replica, make_server

    model = make_model(args)
    if args.release_start and not model.release_plan:
        raise ValueError("--release-start needs release mode (--release-every S --release-count N)")
    model.warm()
    gc.freeze()  # the model lives as long as the server: keep its objects out of every later collection
    options = {"latency_ms": args.latency_ms, "error_rate": args.error_rate, "rate_limit": args.rate_limit,
               "block_bots": args.block_bots, "truncate_rate": args.truncate_rate,
               "slow_prefix": args.slow_prefix, "slow_path": args.slow_path, "slow_ms": args.slow_ms}
    replica = Replica(model, options, args.log)
    server = make_server(replica, args.host, args.port)
    host, port = server.server_address[:2]
    if args.release_start == "now":
        replica.start_release()
    print(f"READY http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def iso_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(type(value))


def truth(args) -> int:
    model = make_model(args)
    out = sys.stdout
    for doc in model.truth():
        out.write(json.dumps(doc, ensure_ascii=False, default=iso_default) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return serve(args) if args.command == "serve" else truth(args)
    except ValueError as exc:  # an option the model refuses (e.g. --markup 2 with --edition ar)
        parser.error(str(exc))


if __name__ == "__main__":
    sys.exit(main())

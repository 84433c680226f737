"""`newscrawl doctor`: check a site profile's facts against the live site (or BASE_URL), fact by fact.

The first command to run against a site: it fetches one page of each kind, politely
(robots.txt, the crawler's User-Agent, a pause between requests), and prints for each
fact of ``newscrawl/sites/<edition>.py`` whether it held, fell back to a pattern, was
absent, or failed, so that its output names the line of the profile to change.

Exit codes: 0 every required fact held; 1 a required fact failed; 2 bad usage; 4 the site
could not be reached (DNS, refused, TLS, timeout) or refused us (403/503 on every page).
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
import urllib.robotparser
from urllib.parse import quote, urlsplit

from newscrawl.cli import CommandError, common
from newscrawl.extract.dom import parse_html
from newscrawl.extract.links import PageLinks
from newscrawl.extract.listing import cards_of
from newscrawl.extract.sitemap import parse_sitemap_index
from newscrawl.health.doctor import ABSENT, FAILED, FELL_BACK, HELD, Pages, diagnose, failed_required
from newscrawl.sites import UnknownSite, get_profile
from newscrawl.urls import mirror_url

EXIT_FACT_FAILED, EXIT_UNREACHABLE = 1, 4
MARKS = {HELD: "ok  ", FELL_BACK: "FELL", ABSENT: "--  ", FAILED: "FAIL"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("doctor", help="check a site profile's facts against the site, fact by fact",
                                   description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("--edition", default=os.environ.get("NEWSCRAWL_EDITION") or None,
                        help="the profile to check (en, ar, or a host; default en)")
    parser.add_argument("--base-url", default=os.environ.get("BASE_URL") or None,
                        help="fetch from this mirror instead of the site (default: env BASE_URL, else the site)")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds between requests (default 1)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request (default 20)")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.add_argument("--store", action="store_true",
                        help="also show what the last crawl of this site recorded in the store: URL shapes its "
                             "sitemaps list beyond the profile, listings found by what they are, and where pages "
                             "and profile disagreed (implied by --uri or MONGODB_URI)")
    common.add_connection_args(parser)
    parser.set_defaults(func=run)


class Unreachable(Exception):
    """The site could not be fetched at all; the message names the cause."""


class Fetcher:
    """Polite GETs: the crawler's User-Agent, robots.txt obeyed, a pause between requests."""

    def __init__(self, base_url: str, delay: float, timeout: float):
        from newscrawl import settings

        self.base_url, self.delay, self.timeout = base_url.rstrip("/"), delay, timeout
        self.user_agent = settings.USER_AGENT
        self.last = 0.0
        self.robots = urllib.robotparser.RobotFileParser()
        self.fetched: list[tuple[str, int]] = []

    def get(self, url: str) -> tuple[int, bytes]:
        wait = self.last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.last = time.monotonic()
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, body = err.code, err.read() or b""
        except (urllib.error.URLError, socket.timeout, TimeoutError, ssl.SSLError, ConnectionError) as exc:
            raise Unreachable(describe(url, exc)) from None
        self.fetched.append((url, status))
        return status, body

    def open_robots(self) -> None:
        status, body = self.get(self.base_url + "/robots.txt")
        if status in (401, 403) and b"cloudflare" in body.lower():
            raise Unreachable(f"{host_of(self.base_url)} answered {status} to robots.txt (a bot challenge): "
                              "we are blocked")
        self.robots.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])

    def page(self, site_url: str) -> tuple[str, bytes] | str:
        """(fetched URL, body), or why not."""
        url = mirror_url(site_url, self.base_url)
        if not self.robots.can_fetch(self.user_agent, url):
            return f"robots.txt disallows {urlsplit(url).path}"
        status, body = self.get(url)
        if status != 200:
            return f"HTTP {status}"
        return url, body


def host_of(url: str) -> str:
    return urlsplit(url).hostname or url


def describe(url: str, exc: Exception) -> str:
    reason = getattr(exc, "reason", exc)
    host = host_of(url)
    if isinstance(reason, socket.gaierror):
        return f"cannot resolve {host} (DNS): check the network or proxy settings, or set BASE_URL to a mirror"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection: is the address right? (BASE_URL)"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error talking to {host}: {reason}"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"{host} did not answer in time"
    return f"{host}: {reason}"


def collect(profile, fetcher: Fetcher) -> Pages:
    """One page of each kind, each found from the pages before it."""
    pages = Pages()

    def fetch(kind: str, site_url: str):
        got = fetcher.page(site_url)
        if isinstance(got, str):
            pages.errors[kind] = got
            return None
        setattr(pages, kind, got)
        return got

    home = fetch("home", profile.url + profile.home_path)
    listing_url = article_url = None
    if home:
        root = parse_html(home[1])
        links = PageLinks(root, home[0], profile) if root is not None else None
        if links is not None:
            listing_url = next(iter(links.urls("listing")), None)
            article_url = next((link.url for link in links.article_links), None)
    listing_url = listing_url or f"{profile.url}/{next(iter(profile.sections))}"
    listing = fetch("listing", listing_url)
    if listing and profile.page_param:
        fetch("listing_page2", f"{listing_url}?{profile.page_param}=2")
    if listing and article_url is None:
        root = parse_html(listing[1])
        cards = cards_of(PageLinks(root, listing[0], profile))[0] if root is not None else []
        article_url = cards[0].url if cards else None
    index = fetch("sitemap_index", profile.url + profile.sitemap_index_path)
    if index:
        monthly = [e.loc for e in parse_sitemap_index(index[1]) if profile.sitemap_month_re.search(e.loc)]
        if monthly:
            month = fetch("sitemap_month", monthly[0])
            if month and article_url is None:
                from newscrawl.extract.sitemap import parse_urlset

                article_url = next((e.loc for e in parse_urlset(month[1])), None)
    if article_url:
        article = fetch("article", article_url)
        if article:
            root = parse_html(article[1])
            tags = PageLinks(root, article[0], profile).urls("tag") if root is not None else []
            if tags:
                fetch("tag", tags[0])
    else:
        pages.errors["article"] = "no article link found on the home page, a listing or a sitemap"
    if "tag" not in pages.errors and pages.tag is None and not article_url:
        fetch("tag", profile.url + profile.tag_path.format(name=quote("Gaza")))
    return pages


def run(args) -> int:
    try:
        profile = get_profile(args.edition)
    except UnknownSite as exc:
        raise CommandError(str(exc)) from None
    base_url = args.base_url or profile.url
    if urlsplit(base_url).scheme not in ("http", "https"):
        raise CommandError(f"--base-url {base_url!r}: expected an http(s) URL")
    fetcher = Fetcher(base_url, args.delay, args.timeout)
    try:
        fetcher.open_robots()
        pages = collect(profile, fetcher)
    except Unreachable as exc:
        print(f"newscrawl doctor: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    if fetcher.fetched and all(status in (403, 503) for _, status in fetcher.fetched[1:] or fetcher.fetched):
        print(f"newscrawl doctor: {host_of(base_url)} answered {fetcher.fetched[-1][1]} to every page: we are "
              "blocked (a bot challenge?); nothing to check", file=sys.stderr)
        return EXIT_UNREACHABLE
    verdicts = diagnose(profile, pages)
    failed = failed_required(verdicts)
    learned = last_crawl(profile, args) if args.store or args.uri or os.environ.get("MONGODB_URI") else None
    if args.json:
        json.dump({"edition": profile.key, "site": profile.host, "base_url": base_url,
                   "verdicts": [v.as_dict() for v in verdicts], "failed_required": [v.fact for v in failed],
                   **({"last_crawl": learned} if learned is not None else {})},
                  sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    else:
        print(f"newscrawl doctor: {profile.name} ({profile.host}), profile newscrawl/sites (edition "
              f"{profile.key}), fetched from {base_url}")
        for v in verdicts:
            mark = MARKS.get(v.status, "    ")
            need = "required" if v.required else v.evidence
            print(f"  {mark} {v.fact:<22} [{need}] {v.status}: {v.detail}")
        changed = [v.fact for v in verdicts if v.status in (FELL_BACK, FAILED)]
        print(f"facts that did not hold: {', '.join(changed) or 'none'}")
        if learned is not None:
            print_learned(profile, learned)
    if failed:
        print(f"newscrawl doctor: required facts failed: {', '.join(v.fact for v in failed)}", file=sys.stderr)
        return EXIT_FACT_FAILED
    return 0


LEARNED = ("unknown_shapes", "learned_listings", "disagreements", "listings")


def last_crawl(profile, args) -> dict:
    """What the last finished crawl of the site recorded beyond its profile ({} when none is recorded)."""
    with common.connect(args) as db:
        doc = db["crawls"].find_one({"site": profile.host, "spider": "almayadeen", "end": {"$exists": True}},
                                    {"_id": 0, "end": 1, "status": 1, **dict.fromkeys(LEARNED, 1)},
                                    sort=[("end", -1)])
    return doc or {}


def print_learned(profile, learned: dict) -> None:
    if not learned:
        print(f"the store holds no finished crawl of {profile.host}")
        return
    print(f"the last crawl of {profile.host} ({common.short_time(learned.get('end'))}, {learned.get('status')}) "
          "found beyond the profile:")
    shapes = learned.get("unknown_shapes") or []
    print("  article URL shapes its sitemaps list that article_path_re does not match: " + (", ".join(
        f"{s['shape']} ({s['urls']}, e.g. {s['example']})" for s in shapes) or "none"))
    listings = learned.get("learned_listings") or []
    print("  listings found by what they are (no listing pattern names them): " + (", ".join(
        f"{s['shape']} ({s['listings']})" for s in listings) or "none"))
    disagreements = learned.get("disagreements") or {}
    print("  fields where the page and the profile (or the visible page) disagreed: " + (", ".join(
        f"{name} {n}" for name, n in sorted(disagreements.items())) or "none"))
    empty = [entry["path"] for entry in learned.get("listings") or [] if not entry.get("articles")]
    if empty:
        print(f"  listings with no article link on their first page: {', '.join(empty)}")

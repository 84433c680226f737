"""How fresh the archive stays, and at what cost: follow mode against scheduled incremental runs.

Two replicas of the same site in release mode (``tests/replica``, ``--release-every``): each publishes a
new article every ``--every`` seconds, ``--count`` of them, and edits ``--edits`` of them
``--edit-after`` seconds after their release. Each has its own store, built first by a plain crawl of the
archive (not counted). Then, side by side in the same run:

- **follow**: one `scrapy crawl almayadeen -a follow=true` with the default settings;
- **baseline**: `scrapy crawl almayadeen` started every ``--baseline-every`` seconds (a new run as soon as
  the last one ended when a run takes longer), the best schedule a cron or Scrapyd timer gives.

Both run until every release and every edit is stored, or ``--tail`` seconds after the last release.
Printed per arm: captured / released, the median and p95 delay from a release to its storing (the
document's ``first_seen_at``), the requests the replica answered in all (polls included) and per new
article, the requests other than article pages per minute (polls), and the edits stored as revision 2.

    python -m bench freshness                       # 30 articles, one every 20 s, 3 edits: about 15 min
    python -m bench freshness --every 5 --count 12 --edits 2 --edit-after 20 --tail 120   # a quick look
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pymongo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import ReplicaProcess, SecantusProcess  # noqa: E402
from tests.e2e.crawl import Crawl, run_crawl  # noqa: E402

from newscrawl import settings as defaults  # noqa: E402

# production pacing for both arms (tests/e2e/crawl.py runs fast; here the crawler is as polite as it ships)
POLITE = {name: getattr(defaults, name) for name in (
    "AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
    "NEWSCRAWL_BACKOFF_BASE", "NEWSCRAWL_BACKOFF_MAX")}


def releases(replica) -> list[dict]:
    with urllib.request.urlopen(replica.url + "/__replica/releases", timeout=30) as resp:
        return json.load(resp)


def is_article(path: str) -> bool:
    path = path.split("?")[0]
    return path.count("/") >= 2 and not path.startswith(("/sitemaps/", "/tags/", "/region/", "/static/", "/api/"))


class Arm:
    def __init__(self, name: str, workdir: Path, args):
        self.name, self.args = name, args
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True)
        self.replica = ReplicaProcess(self.workdir, articles=args.articles, seed=1, release_every=args.every,
                                      release_count=args.count, release_edits=args.edits,
                                      release_edit_after=args.edit_after)
        self.store = SecantusProcess(self.workdir / "db")
        self.settings = {**POLITE, "BASE_URL": self.replica.url, "MONGODB_URI": self.store.uri,
                         "MONGODB_DATABASE": "bench"}
        self.stored_at: dict[str, float] = {}
        self.texts: dict[str, tuple[str, int]] = {}  # url -> (content_hash, revision) as stored
        self.started = self.clock = 0.0
        self.runs = 0

    def build_archive(self) -> None:
        result = run_crawl("almayadeen", self.workdir, {**self.settings, "AUTOTHROTTLE_ENABLED": "False",
                                                        "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16"})
        if result.returncode != 0:
            raise RuntimeError(f"{self.name}: the archive crawl failed ({result.returncode})")
        self.replica.clear_log()

    def start_clock(self) -> None:
        self.replica.control(release="start")
        self.clock = time.time()

    def observe(self) -> tuple[list[dict], list[dict]]:
        """Releases and edits so far; which of them the store holds (first_seen_at; revision 2)."""
        events = releases(self.replica)
        released = [e for e in events if e["event"] == "released"]
        edited = [e for e in events if e["event"] == "edited"]
        client = pymongo.MongoClient(self.store.uri, tz_aware=True)
        try:
            urls = [e["url"] for e in released]
            for doc in client.bench.articles.find({"url": {"$in": urls}},
                                                  {"url": 1, "first_seen_at": 1, "revision": 1, "content_hash": 1}):
                self.stored_at.setdefault(doc["url"], doc["first_seen_at"].timestamp())
                self.texts[doc["url"]] = (doc["content_hash"], doc.get("revision", 1))
        finally:
            client.close()
        return released, edited

    def done(self) -> bool:
        released, edited = self.observe()
        return (len(released) == self.args.count and all(e["url"] in self.stored_at for e in released)
                and len(edited) == self.args.edits and all(self.has(e) for e in edited))

    def has(self, edit: dict) -> bool:
        """Whether the store holds an edit's text (as revision 2, or first seen already edited)."""
        return self.texts.get(edit["url"], ("", 0))[0] == edit["content_hash"]

    def report(self) -> dict:
        released, edited = self.observe()
        delays = sorted(self.stored_at[e["url"]] - e["t"] for e in released if e["url"] in self.stored_at)
        log = [e for e in self.replica.requests() if e["t"] >= self.started]
        minutes = max(1e-9, (max(e["t"] for e in log) - self.started) / 60) if log else 1.0
        polls = sum(1 for e in log if not is_article(e["path"]))
        return {
            "arm": self.name, "released": len(released), "captured": len(delays),
            "median": statistics.median(delays) if delays else None,
            "p95": delays[min(len(delays) - 1, round(0.95 * (len(delays) - 1)))] if delays else None,
            "requests": len(log), "per_article": len(log) / len(released) if released else None,
            "polls_per_minute": polls / minutes, "edits": len(edited),
            "edits_captured": sum(self.has(e) for e in edited),
            "edits_as_revisions": sum(self.has(e) and self.texts[e["url"]][1] >= 2 for e in edited), "runs": self.runs,
        }

    def stop(self) -> None:
        self.replica.stop()
        self.store.stop()


def run_follow(arm: Arm, deadline: float, stop: threading.Event) -> None:
    crawl = Crawl("almayadeen", arm.workdir, arm.settings, args={"follow": "true"})
    arm.started = time.time()
    log_file = crawl.log_file
    limit = time.monotonic() + 120
    while not (log_file.exists() and "following " in log_file.read_text()):
        if crawl.proc.poll() is not None:
            raise RuntimeError(f"follow mode exited early: {crawl.wait().log[-2000:]}")
        if time.monotonic() > limit:
            crawl.proc.kill()
            raise RuntimeError("follow mode did not start following within 120 s")
        time.sleep(0.2)
    arm.start_clock()
    while time.monotonic() < deadline and not stop.is_set() and not arm.done():
        time.sleep(1)
    crawl.proc.send_signal(signal.SIGTERM)
    crawl.wait(60)


def run_baseline(arm: Arm, every: float, deadline: float, stop: threading.Event) -> None:
    arm.started = time.time()
    arm.start_clock()
    while time.monotonic() < deadline and not stop.is_set() and not arm.done():
        began = time.monotonic()
        run_crawl("almayadeen", arm.workdir, arm.settings)  # as the follow arm's crawl, one run after another
        arm.runs += 1
        while time.monotonic() < began + every and not arm.done() and time.monotonic() < deadline:
            time.sleep(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench freshness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=float, default=20.0, help="seconds between two new articles (20)")
    parser.add_argument("--count", type=int, default=30, help="new articles (30: ten minutes at 20 s)")
    parser.add_argument("--edits", type=int, default=3, help="released articles edited later (3)")
    parser.add_argument("--edit-after", type=float, default=120.0, help="seconds from a release to its edit (120)")
    parser.add_argument("--articles", type=int, default=300, help="the archive before the releases (300)")
    parser.add_argument("--baseline-every", type=float, default=60.0, help="seconds between scheduled runs (60)")
    parser.add_argument("--tail", type=float, default=900.0,
                        help="seconds after the last release to wait for edits and late articles (900)")
    parser.add_argument("--arms", default="follow,baseline", help="which arms to run (follow,baseline)")
    args = parser.parse_args(argv)
    arms_wanted = [a.strip() for a in args.arms.split(",") if a.strip()]
    workdir = Path(tempfile.mkdtemp(prefix="bench-freshness-"))
    arms = {name: Arm(name, workdir, args) for name in arms_wanted}
    try:
        for arm in arms.values():
            arm.build_archive()
        deadline = time.monotonic() + 60 + args.every * args.count + args.tail
        stop = threading.Event()
        threads = []
        if "follow" in arms:
            threads.append(threading.Thread(target=run_follow, args=(arms["follow"], deadline, stop)))
        if "baseline" in arms:
            threads.append(threading.Thread(target=run_baseline,
                                            args=(arms["baseline"], args.baseline_every, deadline, stop)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rows = [arm.report() for arm in arms.values()]
    finally:
        for arm in arms.values():
            arm.stop()
    print(f"\nfreshness: a new article every {args.every:g} s, {args.count} in all, {args.edits} edited "
          f"{args.edit_after:g} s after release; archive of {args.articles}")
    print("| arm | captured / released | median delay | p95 delay | requests (all) | per new article | "
          "polls per minute | edits stored (as revision 2) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        def s(v):
            return f"{v:.0f} s" if v is not None else "-"
        label = r["arm"] + (f" ({r['runs']} runs)" if r["arm"] == "baseline" else "")
        print(f"| {label} | {r['captured']} / {r['released']} | {s(r['median'])} | {s(r['p95'])} | {r['requests']} | "
              f"{r['per_article']:.2f} | {r['polls_per_minute']:.1f} | {r['edits_captured']} / {r['edits']} "
              f"({r['edits_as_revisions']}) |")
    if "follow" in arms and "baseline" in arms:
        by_arm = {r["arm"]: r for r in rows}
        f, b = by_arm["follow"], by_arm["baseline"]
        if f["per_article"] and b["per_article"]:
            print(f"follow / baseline: requests per new article {f['per_article'] / b['per_article']:.2f}x")
    follow = next((r for r in rows if r["arm"] == "follow"), None)
    if follow:
        ok = (follow["captured"] == follow["released"] and follow["median"] is not None and follow["median"] <= 30
              and follow["p95"] <= 60 and follow["per_article"] <= 3 and follow["edits_captured"] == follow["edits"])
        print(f"follow targets (100% captured, median <= 30 s, p95 <= 60 s, <= 3 requests per new article, every "
              f"edit a revision): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

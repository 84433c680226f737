"""`newscrawl demo` (`make demo`): the whole product on the offline replica, in about a minute.

Starts the replica of the site (tests/replica, so: from a clone of the repository), crawls it into
an embedded store of its own under --dir (default ./demo, never the user's ./data), captures the
breaking ticker once, writes the report, prints a summary with example queries, and stops
everything it started, also when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from newscrawl.cli import CommandError

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ARTICLES = 300
SPAN_DAYS = 60  # the replica packs its articles into this many days, with a deliberate gap
FAST = {  # the replica is ours and local: no need to pace the crawl
    "AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "NEWSCRAWL_PROGRESS_INTERVAL": "5", "LOG_LEVEL": "INFO",
}
EXIT_MEANING = {0: "monitors passed", 3: "monitors FAILED"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="crawl the offline replica into ./demo and write a report",
                                   description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="demo", help="where the demo keeps its store, logs and report "
                                                      "(default ./demo; emptied first)")
    parser.add_argument("--articles", type=int, default=ARTICLES, help=f"articles in the replica (default {ARTICLES})")
    parser.set_defaults(func=run)


def say(text: str = "") -> None:
    print(text, flush=True)


class Demo:
    def __init__(self, workdir: Path, articles: int):
        self.dir = workdir.resolve()
        self.data = self.dir / "data"
        self.logs = self.dir / "logs"
        self.report = self.dir / "report.html"
        self.articles = articles
        self.replica: subprocess.Popen | None = None
        self.store = None
        self.url = ""
        self.env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "REDIS_URL", "BASE_URL")}
        self.env.update({"NEWSCRAWL_DATA_DIR": str(self.data), "MONGODB_DATABASE": "newscrawl",
                         "PYTHONUNBUFFERED": "1"})

    # --- the parts ---------------------------------------------------------------------------
    def prepare(self) -> None:
        if not (REPO / "tests" / "replica" / "__main__.py").exists():
            raise CommandError("the demo needs the offline replica in tests/replica: run it from a clone of the "
                               "repository", code=1)
        if self.data.exists():
            shutil.rmtree(self.data)  # a fresh store every time: the demo's own, never ./data
        self.logs.mkdir(parents=True, exist_ok=True)

    def replica_options(self) -> list[str]:
        options = ["--articles", str(self.articles), "--seed", "1", "--log", str(self.logs / "replica.jsonl")]
        return options + ["--span-days", str(SPAN_DAYS)]  # the archive with a gap on purpose

    def start_replica(self) -> None:
        cmd = [sys.executable, "-m", "tests.replica", "serve", "--host", "127.0.0.1", "--port", "0",
               *self.replica_options()]
        self.replica = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.replica.stdout.readline()
        if not line.startswith("READY "):
            raise CommandError(f"the replica did not start: {line.strip() or self.replica.stderr.read()[-500:]}",
                               code=1)
        self.url = line.split()[1].rstrip("/")

    def start_store(self) -> str:
        from newscrawl.store.embedded import EmbeddedServer

        self.store = EmbeddedServer(self.data, database="newscrawl")
        return self.store.start()  # the crawls and the report reuse it; the demo stops it

    def scrapy(self, spider: str, log: str, *args: str, timeout: float = 600) -> tuple[int, dict, float]:
        stats_file = self.logs / f"{spider}-stats.json"
        cmd = [str(BIN / "scrapy"), "crawl", spider, *args]
        for key, value in {**FAST, "BASE_URL": self.url, "LOG_FILE": str(self.logs / log),
                           "NEWSCRAWL_STATS_FILE": str(stats_file)}.items():
            cmd += ["-s", f"{key}={value}"]
        started = time.monotonic()
        proc = subprocess.run(cmd, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        return proc.returncode, stats, time.monotonic() - started

    def write_report(self) -> int:
        proc = subprocess.run([str(BIN / "newscrawl"), "report", "--data-dir", str(self.data), "-o", str(self.report)],
                              cwd=REPO, env=self.env, capture_output=True, text=True, timeout=300)
        if proc.returncode:
            say(f"      the report failed: {proc.stderr.strip()[-500:]}")
        return proc.returncode

    def summary(self, uri: str) -> dict:
        import pymongo

        client = pymongo.MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
        try:
            db = client["newscrawl"]
            first = db.articles.find_one({}, {"published_at": 1}, sort=[("published_at", 1)])
            last = db.articles.find_one({}, {"published_at": 1}, sort=[("published_at", -1)])
            return {"articles": db.articles.count_documents({}), "rejects": db.rejects.count_documents({}),
                    "breaking": db.breaking.count_documents({}),
                    "sections": len(db.articles.distinct("section")),
                    "first": first["published_at"] if first else None, "last": last["published_at"] if last else None}
        finally:
            client.close()

    def stop(self) -> None:
        if self.store is not None:
            self.store.stop()
            self.store = None
        if self.replica is not None:
            if self.replica.poll() is None:
                self.replica.terminate()
                try:
                    self.replica.wait(10)
                except subprocess.TimeoutExpired:
                    self.replica.kill()
                    self.replica.wait(10)
            for stream in (self.replica.stdout, self.replica.stderr):
                stream.close()
            self.replica = None

    # --- the run --------------------------------------------------------------------------------
    def run(self) -> int:
        began = time.monotonic()
        self.prepare()
        self.start_replica()
        say(f"newscrawl demo: the offline replica of the site at {self.url} ({self.articles} articles)")
        uri = self.start_store()
        say(f"      store: {uri} (embedded SecantusDB, data in {self.data})")

        say("[1/3] crawling it (scrapy crawl almayadeen) ...")
        code, stats, took = self.scrapy("almayadeen", "crawl.log")
        verdict = EXIT_MEANING.get(code, f"exit code {code}")
        say(f"      {stats.get('mongo/articles/new', 0)} articles stored, {stats.get('validate/items/dropped', 0)} "
            f"rejected, in {took:.1f} s ({verdict}); log: {self.logs / 'crawl.log'}")

        say("[2/3] capturing the breaking ticker once (scrapy crawl breaking -a repeat=1, Chromium) ...")
        b_code, b_stats, took = self.scrapy("breaking", "breaking.log", "-a", "repeat=1", timeout=300)
        if b_code == 1:
            say(f"      the capture could not start (is Chromium installed? apt-get install chromium); "
                f"see {self.logs / 'breaking.log'}")
        else:
            say(f"      {b_stats.get('breaking/lines/seen', 0)} ticker lines in {took:.1f} s "
                f"({EXIT_MEANING.get(b_code, f'exit code {b_code}')})")

        say("[3/3] writing the report (newscrawl report) ...")
        report_code = self.write_report()
        figures = self.summary(uri)
        span = (f"{figures['first']:%d %b %Y} to {figures['last']:%d %b %Y}" if figures["first"] else "no dates")
        d = self.data
        say()
        say(f"Done in {time.monotonic() - began:.0f} s. The demo store holds {figures['articles']} articles "
            f"({figures['sections']} sections, published {span}), {figures['rejects']} rejects and "
            f"{figures['breaking']} breaking lines.")
        if report_code == 0:
            say(f"Report: {self.report}  (open file://{self.report} in a browser; it works offline)")
        say()
        say("Try, on the demo store:")
        say(f"  newscrawl articles --data-dir {d} --limit 5")
        say(f"  newscrawl articles --data-dir {d} --section politics --search ceasefire")
        say(f"  newscrawl stats --data-dir {d}")
        say(f"  newscrawl breaking --data-dir {d} --limit 5")
        say(f"  newscrawl export --data-dir {d} --format csv -o {self.dir / 'articles.csv'}")
        say(f"  newscrawl report --data-dir {d} --format json | head -40")
        say(f"  newscrawl db serve --data-dir {d}   # then: mongosh {uri}")
        say("Against the live site: make crawl (MongoDB in ./data); everything the demo started is stopped.")
        return 0 if code in (0, 3) and report_code == 0 else 1


def run(args: argparse.Namespace) -> int:
    demo = Demo(Path(args.dir), args.articles)
    try:
        return demo.run()
    except subprocess.TimeoutExpired as exc:
        raise CommandError(f"a step took too long: {' '.join(map(str, exc.cmd[:3]))}", code=1) from None
    finally:
        demo.stop()

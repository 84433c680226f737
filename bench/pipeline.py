"""What processing an article costs against fetching it: a bare fetch-only crawl against the full crawl.

    .venv/bin/python -m bench pipeline [--articles 2000] [--repeats 3] [--concurrency 32]

One replica (no latency) serves every run. Three variants, alternated across repeats:

- ``fetch``: the baseline, ``FetchOnlySpider`` below: the sitemap index, the monthly
  sitemaps (parsed by the project's own sitemap parser) and every article page, whose
  body is never looked at; the project's settings, middlewares and extensions otherwise.
- ``store off``: ``scrapy crawl almayadeen -a discover=sitemaps`` with
  ``NEWSCRAWL_STORE_ENABLED=False`` (extraction and clean -> validate -> dedupe).
- ``store on``: the same crawl writing to a SecantusDB server started by the bench
  (a fresh database each run, dropped afterwards).

Speed is article pages served / the crawl's ``elapsed_time_seconds`` (from the engine's
start to its close: the final flush of the store included, interpreter start-up not).
CPU is the crawler process's own (user + system, from the kernel's accounting of the
reaped child), per article page; the database server's and the replica's CPU during
the run are reported apart. Printed: each run, then the medians and the median of the
per-repeat ratios against ``fetch`` (targets: store off >= 0.8x, store on >= 0.55x).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from scrapy import Request, Spider

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from newscrawl import site  # noqa: E402
from newscrawl.extract.sitemap import parse_sitemap_index, parse_urlset  # noqa: E402
from newscrawl.urls import canonical_url, host_of, mirror_url  # noqa: E402

TARGETS = {"store off": 0.8, "store on": 0.55}
VARIANTS = ("fetch", "store off", "store on")


class FetchOnlySpider(Spider):
    """The baseline: sitemap index -> monthly sitemaps -> every article page; nothing parsed."""

    name = "bench_fetch_only"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base_url = crawler.settings.get("BASE_URL", site.SITE_URL).rstrip("/")
        spider.mirror_hosts = (host_of(spider.base_url),)
        spider.allowed_domains = [host_of(spider.base_url).split(":")[0], site.SITE_HOST]
        return spider

    def request(self, url: str, callback, priority: int) -> Request:
        canonical = canonical_url(url, mirror_hosts=self.mirror_hosts)
        return Request(mirror_url(canonical, self.base_url), callback=callback, priority=priority)

    async def start(self):
        yield self.request(site.SITE_URL + site.SITEMAP_INDEX_PATH, self.parse_index, 40)

    def parse_index(self, response):
        for entry in parse_sitemap_index(response.body):
            yield self.request(entry.loc, self.parse_sitemap, 35)

    def parse_sitemap(self, response):
        for entry in parse_urlset(response.body):
            yield self.request(entry.loc, self.parse_article, 30)

    def parse_article(self, response):
        self.crawler.stats.inc_value("bench/articles/fetched")
        return None


# --- the runs ---------------------------------------------------------------------------


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU of a live process (0 when there is none)."""
    if pid is None:
        return 0.0
    import psutil

    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def article_pages(replica) -> int:
    return sum(1 for e in replica.requests()
               if e["status"] == 200 and site.ARTICLE_PATH_RE.match(e["path"].split("?")[0]))


def run_variant(variant: str, args, replica, db_uri: str | None, db_pid: int | None, workdir: Path) -> dict:
    from tests.e2e.crawl import FAST, SCRAPY

    stats_file = workdir / f"stats-{uuid.uuid4().hex[:8]}.json"
    database = f"bench_pipeline_{uuid.uuid4().hex[:8]}"
    settings = {**FAST, "BASE_URL": replica.url, "LOG_LEVEL": "WARNING",
                "CONCURRENT_REQUESTS": str(args.concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
                "NEWSCRAWL_STATS_FILE": str(stats_file), "NEWSCRAWL_DATA_DIR": str(workdir / "data"),
                "NEWSCRAWL_PROGRESS_INTERVAL": "0", "NEWSCRAWL_REACTOR_LAG_INTERVAL": str(args.lag_interval)}
    settings.update(dict(s.split("=", 1) for s in args.set))
    if variant == "store on":
        settings.update(MONGODB_URI=db_uri, MONGODB_DATABASE=database)
    else:
        settings["NEWSCRAWL_STORE_ENABLED"] = "False"
    if variant == "fetch":
        cmd = [SCRAPY, "runspider", str(Path(__file__).resolve())]
    else:
        cmd = [SCRAPY, "crawl", "almayadeen", "-a", "discover=sitemaps"]
    cmd += [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "MONGODB_DATABASE")}
    replica.clear_log()
    db_before, replica_before, mine_before = cpu_seconds(db_pid), cpu_seconds(replica.proc.pid), children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    crawler_cpu = children_cpu() - mine_before
    db_cpu, replica_cpu = cpu_seconds(db_pid) - db_before, cpu_seconds(replica.proc.pid) - replica_before
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    if not stats:
        raise RuntimeError(f"{variant}: no stats (exit {proc.returncode}): {proc.stderr[-3000:]}")
    pages = article_pages(replica)
    elapsed = float(stats.get("elapsed_time_seconds") or wall)
    if variant == "store on" and db_uri:
        from pymongo import MongoClient

        with MongoClient(db_uri) as client:
            stored = client[database]["articles"].count_documents({})
            client.drop_database(database)
    else:
        stored = None
    return {"variant": variant, "pages": pages, "elapsed": elapsed, "wall": wall, "rate": pages / elapsed,
            "cpu": crawler_cpu, "cpu_ms_per_article": 1000 * crawler_cpu / max(pages, 1),
            "db_cpu": db_cpu, "db_cpu_ms_per_article": 1000 * db_cpu / max(pages, 1) if variant == "store on" else 0.0,
            "replica_cpu": replica_cpu, "items": stats.get("item_scraped_count", 0),
            "dropped": stats.get("item_dropped_count", 0), "stored": stored,
            "lag_p99": stats.get("reactor/lag/p99_ms"), "exit": proc.returncode}


def describe(r: dict) -> str:
    stored = f", {r['stored']} stored" if r["stored"] is not None else ""
    db = f"; db cpu {r['db_cpu_ms_per_article']:.2f} ms/article" if r["variant"] == "store on" else ""
    return (f"{r['variant']:>9}: {r['pages']} articles in {r['elapsed']:.2f} s ({r['wall']:.2f} s wall) = "
            f"{r['rate']:6.1f} articles/s; crawler cpu {r['cpu']:.2f} s = {r['cpu_ms_per_article']:.2f} ms/article"
            f"{db}; replica cpu {r['replica_cpu']:.2f} s; items {r['items']} (dropped {r['dropped']}{stored}); "
            f"reactor lag p99 {r['lag_p99']} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="replica size (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the three variants (default 3)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of: " + ", ".join(VARIANTS))
    parser.add_argument("--lag-interval", type=float, default=0.05, help="reactor-lag probe interval, seconds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra Scrapy setting for every variant (repeatable), e.g. for experiments")
    args = parser.parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(variants) - set(VARIANTS)
    if unknown or not variants:
        parser.error(f"unknown variants {sorted(unknown)}")

    from newscrawl.store.embedded import EmbeddedServer
    from tests.conftest import ReplicaProcess

    workdir = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    replica = ReplicaProcess(workdir, articles=args.articles, seed=1, epoch=1)
    server = None
    try:
        db_uri = db_pid = None
        if "store on" in variants:
            db_uri = os.environ.get("MONGODB_URI")
            if not db_uri:
                server = EmbeddedServer(workdir / "db")
                db_uri = server.start()
                db_pid = server.proc.pid
        database = ("none" if db_uri is None else "MONGODB_URI" if server is None else f"SecantusDB pid {db_pid}")
        print(f"replica {args.articles} articles, no latency, {args.concurrency} requests in flight, "
              f"{args.repeats} repeats; database {database}; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)
        results: dict[str, list[dict]] = {v: [] for v in variants}
        for repeat in range(args.repeats):
            order = variants[repeat % len(variants):] + variants[:repeat % len(variants)]
            for variant in order:
                result = run_variant(variant, args, replica, db_uri, db_pid, workdir)
                results[variant].append(result)
                print(f"  [{repeat + 1}] {describe(result)}", flush=True)
        print("medians:")
        for variant in variants:
            runs = results[variant]
            rate = statistics.median(r["rate"] for r in runs)
            cpu = statistics.median(r["cpu_ms_per_article"] for r in runs)
            line = f"  {variant:>9}: {rate:6.1f} articles/s, crawler cpu {cpu:.2f} ms/article"
            if variant == "store on":
                line += f", database cpu {statistics.median(r['db_cpu_ms_per_article'] for r in runs):.2f} ms/article"
            line += f", reactor lag p99 {statistics.median(r['lag_p99'] or 0 for r in runs):.1f} ms"
            print(line)
        if "fetch" in variants:
            for variant, target in TARGETS.items():
                if variant not in variants:
                    continue
                extra = statistics.median(r["cpu_ms_per_article"] - f["cpu_ms_per_article"]
                                          for r, f in zip(results[variant], results["fetch"]))
                print(f"  {variant}: crawler cpu beyond the fetch's, median {extra:.2f} ms/article")
            for variant, target in TARGETS.items():
                if variant not in variants:
                    continue
                ratios = [r["rate"] / f["rate"] for r, f in zip(results[variant], results["fetch"])]
                ratio = statistics.median(ratios)
                print(f"  {variant} / fetch: median {ratio:.2f}x (runs {', '.join(f'{x:.2f}' for x in ratios)}; "
                      f"target >= {target}x): {'OK' if ratio >= target else 'BELOW TARGET'}")
        return 0
    finally:
        if server is not None:
            server.stop()
        replica.stop()


if __name__ == "__main__":
    sys.exit(main())

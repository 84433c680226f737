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

Then, in this process, the CPU each stage costs per article over the same kind of
pages (``--stage-articles``, best of three passes of ``process_time``): extraction,
each pipeline's ``process_item``, the crawl-health extension's ``item_scraped``. These
are much less disturbed by other work on the machine than the crawl figures.
``--stages-only`` prints only them.
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

from newscrawl.extract.sitemap import parse_sitemap_index, parse_urlset  # noqa: E402
from newscrawl.sites import get_profile  # noqa: E402
from newscrawl.urls import canonical_url, host_of, mirror_url  # noqa: E402

SITE = get_profile("en")

TARGETS = {"store off": 0.8, "store on": 0.55}
VARIANTS = ("fetch", "store off", "store on")


class FetchOnlySpider(Spider):
    """The baseline: sitemap index -> monthly sitemaps -> every article page; nothing parsed."""

    name = "bench_fetch_only"

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.base_url = (crawler.settings.get("BASE_URL") or SITE.url).rstrip("/")
        spider.mirror_hosts = (host_of(spider.base_url),)
        spider.allowed_domains = [host_of(spider.base_url).split(":")[0], SITE.host]
        return spider

    def request(self, url: str, callback, priority: int) -> Request:
        canonical = canonical_url(url, mirror_hosts=self.mirror_hosts)
        return Request(mirror_url(canonical, self.base_url), callback=callback, priority=priority)

    async def start(self):
        yield self.request(SITE.url + SITE.sitemap_index_path, self.parse_index, 40)

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
               if e["status"] == 200 and SITE.is_article_path(e["path"].split("?")[0]))


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
    # the crawler reaps its extraction workers, so their CPU is in crawler_cpu: the spider reports it apart
    workers_cpu = float(stats.get("extract/workers/cpu_seconds") or 0.0)
    return {"variant": variant, "pages": pages, "elapsed": elapsed, "wall": wall, "rate": pages / elapsed,
            "cpu": crawler_cpu, "cpu_ms_per_article": 1000 * crawler_cpu / max(pages, 1),
            "workers_cpu": workers_cpu, "own_cpu_ms_per_article": 1000 * (crawler_cpu - workers_cpu) / max(pages, 1),
            "db_cpu": db_cpu, "db_cpu_ms_per_article": 1000 * db_cpu / max(pages, 1) if variant == "store on" else 0.0,
            "replica_cpu": replica_cpu, "items": stats.get("item_scraped_count", 0),
            "dropped": stats.get("item_dropped_count", 0), "stored": stored,
            "lag_p99": stats.get("reactor/lag/p99_ms"), "exit": proc.returncode}


def describe(r: dict) -> str:
    stored = f", {r['stored']} stored" if r["stored"] is not None else ""
    db = f"; db cpu {r['db_cpu_ms_per_article']:.2f} ms/article" if r["variant"] == "store on" else ""
    return (f"{r['variant']:>9}: {r['pages']} articles in {r['elapsed']:.2f} s ({r['wall']:.2f} s wall) = "
            f"{r['rate']:6.1f} articles/s; crawler cpu {r['cpu']:.2f} s = {r['cpu_ms_per_article']:.2f} ms/article"
            f" (own thread {r['own_cpu_ms_per_article']:.2f} ms, extraction workers {r['workers_cpu']:.2f} s)"
            f"{db}; replica cpu {r['replica_cpu']:.2f} s; items {r['items']} (dropped {r['dropped']}{stored}); "
            f"reactor lag p99 {r['lag_p99']} ms")


# --- the stages, in this process ------------------------------------------------------------


def stage_costs(articles: int, repeats: int = 3) -> list[tuple[str, float]]:
    """(stage, CPU microseconds per article) for extraction and each per-item step of the crawl."""
    import asyncio
    from urllib.parse import urlsplit

    from scrapy.exceptions import DropItem
    from scrapy.utils.test import get_crawler
    from twisted.internet import defer

    from newscrawl.extract.article import extract_article
    from newscrawl.health.extension import CrawlHealth
    from newscrawl.items import ArticleItem
    from newscrawl.pipelines.clean import CleaningPipeline
    from newscrawl.pipelines.dedupe import DedupePipeline
    from newscrawl.pipelines.mongo import MongoPipeline
    from newscrawl.pipelines.validate import ValidationPipeline
    from tests.replica.model import SiteModel
    from tests.replica.routes import resolve

    mirror = "http://127.0.0.1:5555"
    model = SiteModel(seed=1, articles=articles, epoch=1)
    pages = [(mirror + urlsplit(d["url"]).path, resolve(model, 1, urlsplit(d["url"]).path).body) for d in model.truth()]
    workdir = Path(tempfile.mkdtemp(prefix="bench-stages-"))
    settings = {"BASE_URL": mirror, "NEWSCRAWL_STORE_ENABLED": False, "NEWSCRAWL_DATA_DIR": str(workdir),
                "MONGO_FLUSH_ITEMS": 10**9, "MONGO_FLUSH_SECONDS": 10**9}

    def best(fn, make_inputs, is_async: bool = False) -> float:
        """CPU per article of ``fn`` (a coroutine function if ``is_async``, run in one asyncio loop)."""
        times = []

        async def timed_async(inputs) -> float:
            started = time.process_time()
            for x in inputs:
                await fn(x)
            return time.process_time() - started

        for _ in range(repeats):
            inputs = make_inputs()
            if is_async:
                times.append(asyncio.run(timed_async(inputs)))
                continue
            started = time.process_time()
            for x in inputs:
                fn(x)
            times.append(time.process_time() - started)
        return 1e6 * min(times) / len(pages)

    fields = [extract_article(body, url).fields for url, body in pages]
    results = [("extract_article", best(lambda p: extract_article(p[1], p[0]), lambda: pages))]

    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    clean = CleaningPipeline.from_crawler(crawler)
    validate = ValidationPipeline.from_crawler(crawler)
    validate.run_in_thread = lambda f, *args: defer.succeed(f(*args))
    validate._store, validate._store_resolved = None, True

    async def validated(item):
        try:
            return await validate.process_item(item)
        except DropItem:
            return None

    dedupe = [DedupePipeline.from_crawler(crawler)]

    def dedupe_step(item):
        try:
            return dedupe[0].process_item(item)
        except DropItem:
            return None

    def cleaned_for_dedupe():
        dedupe[0] = DedupePipeline.from_crawler(crawler)  # a new run: no URL seen yet
        return cleaned()

    def fresh():
        return [ArticleItem(**f) for f in fields]

    def cleaned():
        items = fresh()
        for item in items:
            clean.process_item(item)
        return items

    results.append(("CleaningPipeline.process_item", best(clean.process_item, fresh)))
    asyncio.run(validated(cleaned()[0]))  # the first item compiles the schema check
    results.append(("ValidationPipeline.process_item", best(validated, cleaned, is_async=True)))
    results.append(("DedupePipeline.process_item", best(dedupe_step, cleaned_for_dedupe)))
    store = MongoPipeline(crawler, store=None)

    async def buffered(item):
        await store.process_item(item)
        store.articles.clear()

    results.append(("MongoPipeline.process_item (buffering)", best(buffered, cleaned, is_async=True)))
    health = CrawlHealth(crawler)
    results.append(("CrawlHealth.item_scraped (not a pipeline)", best(lambda item: health.item_scraped(item, None),
                                                                      cleaned)))
    return results


def print_stage_costs(articles: int) -> None:
    costs = stage_costs(articles)
    print(f"CPU per article in this process ({articles}-article replica pages, best of 3 passes):")
    for name, micros in costs:
        print(f"  {name:<42} {micros:8.1f} us")
    pipelines = sum(m for name, m in costs if "Pipeline" in name)
    print(f"  {'the four pipelines':<42} {pipelines:8.1f} us")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000, help="replica size (default 2000)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of the three variants (default 3)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight (default 32)")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of: " + ", ".join(VARIANTS))
    parser.add_argument("--lag-interval", type=float, default=0.05, help="reactor-lag probe interval, seconds")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="an extra Scrapy setting for every variant (repeatable), e.g. for experiments")
    parser.add_argument("--stage-articles", type=int, default=300, help="replica size for the stage costs")
    parser.add_argument("--stages-only", action="store_true", help="only the stage costs, no crawl")
    args = parser.parse_args(argv)
    if args.stages_only:
        print_stage_costs(args.stage_articles)
        return 0
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
            line = (f"  {variant:>9}: {rate:6.1f} articles/s, crawler cpu {cpu:.2f} ms/article "
                    f"(best run: {max(r['rate'] for r in runs):.1f}/s, {min(r['cpu_ms_per_article'] for r in runs):.2f} ms)")
            if variant != "fetch":
                line += f" (own thread {statistics.median(r['own_cpu_ms_per_article'] for r in runs):.2f} ms)"
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
                own = statistics.median(r["own_cpu_ms_per_article"] - f["cpu_ms_per_article"]
                                        for r, f in zip(results[variant], results["fetch"]))
                print(f"  {variant}: crawler cpu beyond the fetch's, median {extra:.2f} ms/article "
                      f"({own:.2f} ms in the crawler's own thread, the rest in its extraction workers)")
            for variant, target in TARGETS.items():
                if variant not in variants:
                    continue
                ratios = [r["rate"] / f["rate"] for r, f in zip(results[variant], results["fetch"])]
                ratio = statistics.median(ratios)
                print(f"  {variant} / fetch: median {ratio:.2f}x (runs {', '.join(f'{x:.2f}' for x in ratios)}; "
                      f"target >= {target}x): {'OK' if ratio >= target else 'BELOW TARGET'}")
        print_stage_costs(args.stage_articles)
        return 0
    finally:
        if server is not None:
            server.stop()
        replica.stop()


if __name__ == "__main__":
    sys.exit(main())

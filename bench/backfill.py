"""Backfill: a sitemaps-only crawl of a large replica by workers sharing one frontier; rate, memory, store latency.

    .venv/bin/python -m bench backfill --articles 200000 --workers 2 --edition ar   # the full run (hours)
    .venv/bin/python -m bench backfill --articles 5000                              # a quick one

The replica (``--edition``, no faults, no latency), a SecantusDB server and a Redis server
(password-protected) are started on loopback ports; ``--workers`` ``scrapy crawl almayadeen
-a discover=sitemaps -a edition=...`` processes share the frontier through Redis, with the
FAST settings of tests/e2e/crawl.py. Every second the bench reads the number of stored
articles (following the collection's change stream: see Prober.follow) and samples each worker's RSS (psutil, with its children) and the CPU time of every
process it started and of the whole machine (so other people's load shows as "other").

Reported:
- articles/s per --window seconds, and per tenth of the crawl (by articles stored, with the CPU
  each component used meanwhile); the rate of the last tenth against the first (target >= 0.8x);
- each worker's peak RSS over the first tenth and over the last tenth (target: last <= 1.25x first)
  and its overall peak;
- the store's write latency when the stored count crosses 10%, 50% and 100% of what the sitemaps
  promise, measured from this process while the workers write: the median of --probes journaled
  single-document upserts into a separate collection (``bench_probe``), and the median of
  --batch-probes bulk upserts of 100 synthetic articles (newscrawl.store.samples) into the crawl's
  own ``articles`` collection through the pipeline's write path (``Articles.upsert_many``), so at
  that collection's size; those probe articles are deleted right after. The same probes on the
  empty store before the crawl and on the full, idle store after it separate load from size;
  a single-document probe every --probe-every seconds gives the latency over time;
- totals: stored (+ aliases, rejected invalid pages) against the sitemap truth
  (``SiteModel.reachable("sitemaps")`` minus the invalid pages), missing, duplicates, duration,
  requests, every worker's exit code.

Writes bench/results/backfill.json and backfill.md (and a copy of both in the workdir, beside the
workers' logs and ticks.jsonl, the samples); exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import psutil
import pymongo
from pymongo.write_concern import WriteConcern

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.sites import get_profile  # noqa: E402
from newscrawl.store.articles import Articles  # noqa: E402
from newscrawl.store.connection import make_client  # noqa: E402
from newscrawl.store.indexes import ensure_indexes  # noqa: E402
from newscrawl.store.samples import sample_article  # noqa: E402
from tests.conftest import RedisProcess, ReplicaProcess, SecantusProcess  # noqa: E402
from tests.e2e.crawl import FAST, SCRAPY  # noqa: E402
from tests.replica.model import SiteModel  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ADDONS = json.dumps({"newscrawl.distributed.DistributedAddon": 0})
DB = "backfill"
MEMORY_TARGET = 1.25  # a worker's peak RSS over the last tenth within 1.25x of its peak over the first tenth
RATE_TARGET = 0.8  # articles/s over the last tenth at least 0.8x that over the first tenth
MARKS = (0.1, 0.5, 1.0)
PROBE_BASE = 50_000_000  # sample article numbers of the probes: far from anything else
MB = 2**20


def arguments(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench backfill", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=200000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--edition", default="ar", choices=("en", "ar"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--window", type=float, default=10.0, help="seconds per articles/s window")
    p.add_argument("--probes", type=int, default=5, help="single-document probes per mark (median)")
    p.add_argument("--batch-probes", type=int, default=3, help="100-article bulk upserts per mark (median)")
    p.add_argument("--probe-every", type=float, default=30.0, help="seconds between single probes during the crawl")
    p.add_argument("--idle-close", type=int, default=30, help="NEWSCRAWL_IDLE_CLOSE_SECONDS of the workers")
    p.add_argument("--timeout", type=float, default=6 * 3600.0, help="seconds before the workers are killed")
    p.add_argument("--workdir", type=Path, default=None, help="default: a new directory under the temp dir")
    p.add_argument("--keep-data", action="store_true", help="keep the store's and Redis's files in the workdir")
    return p.parse_args(argv)


# --- the processes ----------------------------------------------------------------


class Worker:
    """One `scrapy crawl almayadeen` sitemaps-only process on the shared frontier."""

    def __init__(self, workdir: Path, name: str, settings: dict, spider_args: dict):
        self.name = name
        self.log = workdir / f"{name}.log"
        self.stats_file = workdir / f"{name}.stats.json"
        merged = {**FAST, "NEWSCRAWL_STATS_FILE": str(self.stats_file), "LOG_FILE": str(self.log),
                  "NEWSCRAWL_DATA_DIR": str(workdir / f"data-{name}"), **settings}
        cmd = [SCRAPY, "crawl", "almayadeen"] + [a for k, v in merged.items() for a in ("-s", f"{k}={v}")]
        cmd += [a for k, v in spider_args.items() for a in ("-a", f"{k}={v}")]
        self.stderr = open(workdir / f"{name}.stderr", "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.ps = psutil.Process(self.proc.pid)
        self.rss: list[tuple[float, float, int]] = []  # (t, progress, bytes)
        self.exited_at: float | None = None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def sample(self, t: float, progress: float) -> None:
        try:
            rss = self.ps.memory_info().rss + sum(c.memory_info().rss for c in self.ps.children(recursive=True))
        except psutil.Error:
            return
        self.rss.append((t, progress, rss))

    def memory(self) -> dict:
        if not self.rss:
            return {}
        first = [r for _, p, r in self.rss if p <= 0.1]
        last = [r for _, p, r in self.rss if p >= 0.9]
        out = {"samples": len(self.rss), "peak_mb": round(max(r for *_, r in self.rss) / MB, 1),
               "first_tenth_peak_mb": round(max(first) / MB, 1) if first else None,
               "last_tenth_peak_mb": round(max(last) / MB, 1) if last else None,
               "first_tenth_samples": len(first), "last_tenth_samples": len(last)}
        if first and last:
            out["last_over_first"] = round(max(last) / max(first), 3)
        return out

    @property
    def stats(self) -> dict:
        try:
            return json.loads(self.stats_file.read_text())
        except (OSError, ValueError):
            return {}

    def kill(self) -> None:
        if self.alive():
            self.proc.kill()
            self.proc.wait(30)
        self.stderr.close()


def cpu_seconds(ps: psutil.Process | None, children: bool = False) -> float:
    if ps is None:
        return 0.0
    try:
        t = ps.cpu_times()
        total = t.user + t.system
        if children:
            total += sum(sum(c.cpu_times()[:2]) for c in ps.children(recursive=True))
        return total
    except psutil.Error:
        return 0.0


class CpuMeter:
    """Cumulative CPU seconds per named process; a process that exited keeps its last figure."""

    def __init__(self):
        self.last: dict[str, float] = {}

    def read(self, processes: dict[str, tuple[psutil.Process | None, bool]]) -> dict[str, float]:
        for name, (ps, children) in processes.items():
            self.last[name] = max(self.last.get(name, 0.0), cpu_seconds(ps, children))
        return dict(self.last)


def rss_mb(ps: psutil.Process | None) -> float | None:
    try:
        return round(ps.memory_info().rss / MB, 1) if ps is not None else None
    except psutil.Error:
        return None


def machine_busy() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of the whole machine so far."""
    t = psutil.cpu_times()
    idle = t.idle + getattr(t, "iowait", 0.0)
    total = sum(t)
    return total - idle, total


def loopback_only(pids: list[int]) -> bool:
    """Every listening socket of these processes is bound to 127.0.0.1."""
    for pid in pids:
        try:
            for conn in psutil.Process(pid).net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN and conn.laddr.ip != "127.0.0.1":
                    return False
        except psutil.Error:
            continue
    return True


# --- the store's write latency ------------------------------------------------------------


class Prober:
    """Timed writes from this process against the crawl's server (see the module's docstring)."""

    def __init__(self, uri: str):
        self.client = make_client(uri)  # the crawl's client options: journaled writes
        self.db = self.client[DB]
        self.single_collection = self.db["bench_probe"].with_options(write_concern=WriteConcern(w=1, j=True))
        self.articles = Articles(self.db)
        self.batches = 0
        self.singles = 0

    def single(self) -> float:
        """ms for one journaled upsert of a small document into a separate collection."""
        self.singles += 1
        started = time.perf_counter()
        self.single_collection.update_one({"_id": "probe"}, {"$set": {"n": self.singles,
                                                                      "at": datetime.now(timezone.utc)}},
                                          upsert=True)
        return (time.perf_counter() - started) * 1000

    def batch(self) -> float:
        """ms for the pipeline's bulk upsert of 100 new synthetic articles into ``articles`` (removed after)."""
        base = PROBE_BASE + self.batches * 100
        self.batches += 1
        docs = [sample_article(base + i) for i in range(100)]
        urls = [d["url"] for d in docs]
        started = time.perf_counter()
        try:
            result = self.articles.upsert_many(docs, datetime.now(timezone.utc))
            elapsed = (time.perf_counter() - started) * 1000
        finally:
            self.db["articles"].delete_many({"url": {"$in": urls}})
        if result.counts.get("new") != 100:
            raise RuntimeError(f"a probe batch was not stored as 100 new articles: {result.counts}")
        return elapsed

    def measure(self, singles: int, batches: int) -> dict:
        s = [self.single() for _ in range(singles)]
        b = [self.batch() for _ in range(batches)]
        return {"single_ms": round(statistics.median(s), 1), "single_all_ms": [round(x, 1) for x in s],
                "batch100_ms": round(statistics.median(b), 1) if b else None,
                "batch100_all_ms": [round(x, 1) for x in b]}

    def follow(self) -> None:
        """Count the stored articles from now on by following the collection's change stream.

        SecantusDB counts a collection by reading every document under its storage lock (10 to 30 ms
        per 1,000 articles): a count every second would soon be the store's main load. A change stream
        reads only the new oplog entries; measured on an index-free collection it costs the server
        about 0.16 ms per insert (a few per cent of what the crawl's own write of an article costs).
        """
        self.count = self.db["articles"].count_documents({})
        self.stream = self.db["articles"].watch(
            [{"$match": {"operationType": {"$in": ["insert", "delete"]}}}, {"$project": {"operationType": 1}}],
            max_await_time_ms=50)

    def stored(self) -> int:
        """Articles stored now (the change stream's inserts minus deletes since follow())."""
        while True:
            change = self.stream.try_next()
            if change is None:
                return self.count
            self.count += 1 if change["operationType"] == "insert" else -1

    def close(self) -> None:
        if getattr(self, "stream", None) is not None:
            self.stream.close()
        self.db["bench_probe"].drop()
        self.client.close()


# --- the truth ----------------------------------------------------------------------------


def model_truth(seed: int, articles: int, edition: str) -> dict:
    """What a sitemaps-only backfill must end with, from the replica's model (JSON-able)."""
    model = SiteModel(seed=seed, articles=articles, epoch=1, edition=edition)
    reachable = model.reachable("sitemaps")
    invalid = set(model.invalid) & reachable
    target = reachable - invalid
    # a text published under two URLs is one document (the other URL an alias of it)
    twins = {url for url, original in model.duplicates.items() if url in target and original in target}
    return {"target": sorted(target), "invalid": sorted(invalid), "documents": len(target) - len(twins),
            "twins": len(twins), "articles_in_model": len(model.present())}


def sitemap_truth(args) -> dict:
    """model_truth in a child process: the model of 200,000 articles takes about 300 MB, which this
    process would keep, and a child's peak RSS as the kernel reports it (ru_maxrss, Scrapy's
    memusage/max) starts from its parent's: the workers' own figures would show this process's peak."""
    code = ("import json, sys; from bench.backfill import model_truth; "
            f"json.dump(model_truth({args.seed}, {args.articles}, {args.edition!r}), sys.stdout)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    truth = json.loads(out)
    truth["target"], truth["invalid"] = set(truth["target"]), set(truth["invalid"])
    return truth


def compare(db, truth: dict) -> dict:
    target, invalid = truth["target"], truth["invalid"]
    urls: Counter = Counter()
    aliases: Counter = Counter()
    for doc in db["articles"].find({}, {"_id": 0, "url": 1, "aliases": 1}):
        urls[doc["url"]] += 1
        aliases.update(doc.get("aliases", []))
    rejected = {r["url"] for r in db["rejects"].find({}, {"_id": 0, "url": 1})}
    held = set(urls) | set(aliases)
    missing = target - held
    return {"target": len(target), "expected_documents": truth["documents"], "stored": len(urls),
            "aliased": len(aliases), "invalid_in_sitemaps": len(invalid), "rejected": len(rejected),
            "rejected_invalid": len(rejected & invalid), "missing": len(missing), "missing_sample": sorted(missing)[:10],
            "invalid_stored": len(set(urls) & invalid), "unexpected": len(held - target - invalid),
            "duplicates": sum(n - 1 for n in urls.values() if n > 1) + sum(n - 1 for n in aliases.values() if n > 1)
            + len(set(urls) & set(aliases))}


# --- figures from the samples -------------------------------------------------------------


def crossing(ticks: list[dict], value: float) -> float | None:
    """When the stored count first reached ``value`` (linear between the two samples around it)."""
    previous = None
    for tick in ticks:
        if tick["count"] >= value:
            if previous is None or tick["count"] == previous["count"]:
                return tick["t"]
            share = (value - previous["count"]) / (tick["count"] - previous["count"])
            return previous["t"] + max(0.0, share) * (tick["t"] - previous["t"])
        previous = tick
    return None


def between(ticks: list[dict], t0: float, t1: float) -> dict:
    """CPU cores each component used between t0 and t1 (first and last sample inside), machine load."""
    inside = [x for x in ticks if t0 <= x["t"] <= t1]
    if len(inside) < 2:
        return {}
    a, b = inside[0], inside[-1]
    dt = b["t"] - a["t"]
    if dt <= 0:
        return {}
    cores = {k: round((b["cpu"][k] - a["cpu"][k]) / dt, 2) for k in b["cpu"] if k in a["cpu"]}
    busy = (b["busy"] - a["busy"]) / dt
    cores["machine"] = round(busy, 2)
    cores["other"] = round(max(0.0, busy - sum(v for k, v in cores.items() if k != "machine")), 2)
    probes = [x["probe_ms"] for x in inside if x.get("probe_ms") is not None]
    if probes:
        cores["probe_ms_median"] = round(statistics.median(probes), 1)
    counts = [x["count_ms"] for x in inside if x.get("count_ms") is not None]
    if counts:
        cores["count_ms_median"] = round(statistics.median(counts), 2)
    stored = b["count"] - a["count"]
    if stored > 0:  # CPU milliseconds each component spent per article stored
        cores["cpu_ms_per_article"] = {k: round((b["cpu"][k] - a["cpu"][k]) * 1000 / stored, 2)
                                       for k in b["cpu"] if k in a["cpu"]}
    rss: dict[str, float] = {}
    for x in inside:
        for name, mb in x.get("rss_mb", {}).items():
            rss[name] = max(rss.get(name, 0.0), mb)
    return {"cores": cores, "rss_peak_mb": rss}


def rate_figures(ticks: list[dict], final: int, window: float) -> dict:
    if final <= 0 or not ticks:
        return {}
    start = crossing(ticks, 1)
    marks = [crossing(ticks, final * k / 10) for k in range(1, 11)]
    tenths = []
    for k in range(10):
        t0 = start if k == 0 else marks[k - 1]
        t1 = marks[k]
        if t0 is None or t1 is None or t1 <= t0:
            tenths.append({"tenth": k + 1, "rate": None})
            continue
        stored = final / 10 - (1 if k == 0 else 0)
        tenths.append({"tenth": k + 1, "from_s": round(t0, 1), "to_s": round(t1, 1),
                       "rate": round(stored / (t1 - t0), 2), **between(ticks, t0, t1)})
    windows = []
    edge = ticks[0]
    for tick in ticks[1:]:
        if tick["t"] - edge["t"] >= window:
            windows.append({"t": round(tick["t"], 1), "count": tick["count"],
                            "rate": round((tick["count"] - edge["count"]) / (tick["t"] - edge["t"]), 2),
                            "rss_mb": tick["rss_mb"], "probe_ms": tick.get("probe_ms")})
            edge = tick
    first, last = tenths[0]["rate"], tenths[-1]["rate"]
    return {"first_article_s": round(start, 1) if start is not None else None,
            "last_article_s": round(marks[-1], 1) if marks[-1] is not None else None,
            "overall_rate": round((final - 1) / (marks[-1] - start), 2) if start is not None and marks[-1] else None,
            "first_tenth_rate": first, "last_tenth_rate": last,
            "last_over_first": round(last / first, 3) if first and last else None,
            "tenths": tenths, "windows": windows}


def replica_requests(log_path: Path, edition: str) -> dict:
    profile = get_profile(edition)
    statuses: Counter = Counter()
    article_paths: Counter = Counter()
    sitemaps = 0
    if log_path.exists():
        with log_path.open(encoding="utf-8") as lines:
            for line in lines:
                entry = json.loads(line)
                statuses[entry["status"]] += 1
                path = entry["path"].split("?")[0]
                if entry["status"] == 200 and profile.is_article_path(path):
                    article_paths[path] += 1
                elif "sitemap" in path:
                    sitemaps += 1
    return {"total": sum(statuses.values()), "by_status": {str(k): v for k, v in sorted(statuses.items())},
            "article_pages": sum(article_paths.values()), "article_pages_twice": sum(n - 1 for n in article_paths.values() if n > 1),
            "sitemaps": sitemaps}


# --- the run --------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="backfill-"))
    workdir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    events: list[dict] = []

    def event(what: str, count: int | None = None) -> None:
        events.append({"t": round(time.monotonic() - began, 1), "count": count, "event": what})
        suffix = f" [{count} stored]" if count is not None else ""
        print(f"[{events[-1]['t']:8.1f}s] {what}{suffix}", flush=True)

    truth = sitemap_truth(args)
    expected = truth["documents"]
    event(f"model: {truth['articles_in_model']} articles, {len(truth['target'])} valid in the sitemaps "
          f"({truth['twins']} twins), {len(truth['invalid'])} invalid; expecting {expected} documents")
    t = time.monotonic()
    replica = ReplicaProcess(workdir, articles=args.articles, seed=args.seed, epoch=1, edition=args.edition)
    replica_start = round(time.monotonic() - t, 1)
    event(f"replica of {args.articles} articles ({args.edition}) ready in {replica_start} s, "
          f"{rss_mb(psutil.Process(replica.proc.pid))} MB")
    mongo = SecantusProcess(workdir / "secantus")
    redis_server = RedisProcess(workdir, password=os.urandom(12).hex())
    services = {"replica": psutil.Process(replica.proc.pid), "store": psutil.Process(mongo.proc.pid),
                "redis": psutil.Process(redis_server.proc.pid)}
    prober = Prober(mongo.uri)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo.uri, "MONGODB_DATABASE": DB, "LOG_LEVEL": "INFO",
                "ADDONS": ADDONS, "REDIS_URL": redis_server.url,
                "NEWSCRAWL_IDLE_CLOSE_SECONDS": str(args.idle_close)}
    spider_args = {"discover": "sitemaps", "edition": args.edition}
    probes: dict[str, dict] = {}
    workers: list[Worker] = []
    ticks: list[dict] = []
    try:
        # the indexes and validator before any worker, as a crawl's store has them (workers ensure the same)
        ensure_indexes(prober.db)
        prober.follow()
        probes["before (empty, idle)"] = {"count": 0, "progress": 0.0, **prober.measure(args.probes, args.batch_probes)}
        event(f"store probes before the crawl: {probes['before (empty, idle)']['single_ms']} ms single, "
              f"{probes['before (empty, idle)']['batch100_ms']} ms for 100 articles")
        started = time.monotonic()
        workers = [Worker(workdir, f"worker{i}", settings, spider_args) for i in range(args.workers)]
        event(f"{len(workers)} workers started")
        pids = [p.pid for p in services.values()]
        meter = CpuMeter()
        measured = {**{w.name: (w.ps, True) for w in workers}, **{name: (ps, False) for name, ps in services.items()},
                    "bench": (psutil.Process(), False)}
        loopback_checked: bool | None = None
        next_probe = started + args.probe_every
        marks = list(MARKS)
        timed_out = False
        count = 0
        while any(w.alive() for w in workers):
            now = time.monotonic()
            t = now - started
            if t > args.timeout:
                timed_out = True
                event("timeout: killing the workers", count)
                break
            t_count = time.perf_counter()
            count = prober.stored()
            count_ms = (time.perf_counter() - t_count) * 1000
            progress = count / expected
            for w in workers:
                if w.alive():
                    w.sample(t, progress)
                elif w.exited_at is None:
                    w.exited_at = t
                    event(f"{w.name} exited with {w.proc.returncode}", count)
            busy, _ = machine_busy()
            tick = {"t": round(t, 2), "count": count, "count_ms": round(count_ms, 2), "busy": busy,
                    "cpu": meter.read(measured),
                    "rss_mb": {w.name: round(w.rss[-1][2] / MB, 1) for w in workers if w.rss and w.alive()}}
            if len(ticks) % 10 == 0:
                tick["services_mb"] = {name: rss_mb(ps) for name, ps in services.items()}
            if now >= next_probe:
                tick["probe_ms"] = round(prober.single(), 1)
                next_probe = now + args.probe_every
            while marks and count >= marks[0] * expected:
                mark = marks.pop(0)
                probes[f"{mark:.0%}"] = {"count": count, "progress": round(progress, 4), "t": round(t, 1),
                                         **prober.measure(args.probes, args.batch_probes)}
                p = probes[f"{mark:.0%}"]
                event(f"{mark:.0%} stored: store probes {p['single_ms']} ms single, {p['batch100_ms']} ms for "
                      f"100 articles; rss {tick['rss_mb']}", count)
            if loopback_checked is None and t > 10:
                loopback_checked = loopback_only(pids + [w.proc.pid for w in workers])
            ticks.append(tick)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - now)))
        crawl_seconds = time.monotonic() - started
        for w in workers:
            if w.exited_at is None:
                w.exited_at = time.monotonic() - started
        final = prober.stored()
        counted = prober.db["articles"].count_documents({})  # once: the stream's count checked
        if counted != final:
            event(f"the change stream counted {final} articles, the collection holds {counted}; using the latter")
            final = counted
        ticks.append({"t": round(crawl_seconds, 2), "count": final, "busy": machine_busy()[0],
                      "cpu": meter.read(measured), "rss_mb": {}})
        event(f"crawl over in {crawl_seconds:.0f} s", final)
        if marks:  # the 100% mark never reached: the end is measured as it is
            probes[f"end ({final / expected:.1%}, never reached 100%)"] = {
                "count": final, "progress": round(final / expected, 4), **prober.measure(args.probes, args.batch_probes)}
        probes["after (full, idle)"] = {"count": final, "progress": round(final / expected, 4),
                                        **prober.measure(args.probes, args.batch_probes)}
        result_totals = compare(prober.db, truth)
        event(f"stored {result_totals['stored']} + {result_totals['aliased']} aliases, missing "
              f"{result_totals['missing']}, duplicates {result_totals['duplicates']}")
        redis_info = {}
        try:
            import redis as redis_lib
            r = redis_lib.Redis.from_url(redis_server.url)
            redis_info = {"used_memory_peak_mb": round(r.info("memory")["used_memory_peak"] / MB, 1),
                          "keys": r.dbsize()}
            r.close()
        except Exception as exc:  # only a figure
            redis_info = {"error": type(exc).__name__}
        services_peak = {name: max((x["services_mb"].get(name) or 0) for x in ticks if "services_mb" in x)
                         for name in services} if any("services_mb" in x for x in ticks) else {}
    finally:
        for w in workers:
            w.kill()
        prober.close()
        requests = replica_requests(replica.log_path, args.edition)
        for server in (replica, mongo, redis_server):
            server.stop()
        if not args.keep_data:
            shutil.rmtree(workdir / "secantus", ignore_errors=True)
    with (workdir / "ticks.jsonl").open("w") as out:
        for tick in ticks:
            out.write(json.dumps(tick) + "\n")
    stats = {w.name: w.stats for w in workers}
    return {
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "machine": {"cpus": psutil.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
                    "python": platform.python_version(), "load_average_end": [round(x, 2) for x in os.getloadavg()]},
        "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "workdir": str(workdir), "replica_start_s": replica_start, "seconds": round(crawl_seconds, 1),
        "timed_out": timed_out, "events": events, "loopback_only": loopback_checked,
        "exit_codes": {w.name: w.proc.returncode for w in workers},
        "exited_at_s": {w.name: round(w.exited_at, 1) for w in workers},
        "totals": result_totals, "requests": requests,
        "worker_stats": {name: {k: s.get(k) for k in (
            "downloader/request_count", "downloader/response_count", "item_scraped_count", "retry/count",
            "discovery/articles/sitemaps", "sitemap/urls", "mongo/articles/new", "mongo/articles/aliased",
            "mongo/flush/count", "mongo/flush/retries", "mongo/journal/written", "incremental/lookup_failed",
            "downloader/exception_count", "downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError",
            "validate/items/dropped", "log_count/ERROR", "log_count/WARNING", "finish_reason", "health/status",
            "memusage/max") if k in s} for name, s in stats.items()},
        "tracebacks": {w.name: w.log.read_text(errors="replace").count("Traceback") if w.log.exists() else None
                       for w in workers},
        "rate": rate_figures(ticks, final, args.window),
        "memory": {w.name: w.memory() for w in workers},
        "services_peak_mb": services_peak, "redis": redis_info,
        "store_probes": probes,
    }


def verdicts(result: dict) -> list[tuple[str, str, str, bool]]:
    totals, rate = result["totals"], result["rate"]
    ratio = rate.get("last_over_first")
    rows = [
        ("articles/s, last tenth / first tenth", f">= {RATE_TARGET}",
         f"{ratio} ({rate.get('last_tenth_rate')} / {rate.get('first_tenth_rate')})" if ratio else "n/a",
         bool(ratio and ratio >= RATE_TARGET)),
    ]
    for name, mem in result["memory"].items():
        value = mem.get("last_over_first")
        rows.append((f"{name} peak RSS, last tenth / first tenth", f"<= {MEMORY_TARGET}",
                     f"{value} ({mem.get('first_tenth_peak_mb')} -> {mem.get('last_tenth_peak_mb')} MB; "
                     f"peak {mem.get('peak_mb')} MB)" if value else "n/a", bool(value and value <= MEMORY_TARGET)))
    rows += [
        ("sitemap articles missing", "0", f"{totals['missing']} of {totals['target']}", totals["missing"] == 0),
        ("duplicates (a URL held twice)", "0", str(totals["duplicates"]), totals["duplicates"] == 0),
        ("invalid pages stored", "0", str(totals["invalid_stored"]), totals["invalid_stored"] == 0),
        ("workers' exit codes", "0", ", ".join(f"{k} {v}" for k, v in result["exit_codes"].items()),
         all(v == 0 for v in result["exit_codes"].values()) and not result["timed_out"]),
    ]
    return rows


def markdown(result: dict) -> str:
    c, rate, totals, req = result["config"], result["rate"], result["totals"], result["requests"]
    lines = [f"### Backfill: {c['articles']:,} articles ({c['edition']}), sitemaps only, {c['workers']} workers, "
             f"{result['seconds']:.0f} s", "",
             f"Machine: {result['machine']['cpus']} CPUs, {result['machine']['memory_gb']} GB, shared by the replica, "
             f"SecantusDB, Redis, the workers and whatever else ran (\"other\" below). Replica start "
             f"{result['replica_start_s']} s. First article stored at {rate.get('first_article_s')} s, the last at "
             f"{rate.get('last_article_s')} s; {rate.get('overall_rate')} articles/s overall. Requests: {req['total']:,} "
             f"({req['article_pages']:,} article pages, {req['article_pages_twice']} fetched twice, {req['sitemaps']} "
             f"sitemap files; statuses {req['by_status']}). Stored {totals['stored']:,} + {totals['aliased']} aliases of "
             f"{totals['target']:,} valid sitemap articles; {totals['rejected_invalid']} of {totals['invalid_in_sitemaps']} "
             f"invalid pages rejected. Services bound to 127.0.0.1 only: {result['loopback_only']}.",
             "", "| check | target | result | ok |", "|---|---|---|---|"]
    lines += [f"| {name} | {target} | {value} | {'yes' if ok else '**no**'} |" for name, target, value, ok in verdicts(result)]
    short = [r["tenth"] for r in rate.get("tenths", []) if r.get("rate") and r["to_s"] - r["from_s"] < 30]
    if short:
        lines += ["", f"Tenths {short} lasted under 30 s: their rates mostly show the workers' flushes (100 items "
                  "or 2 s each) and the probes at the marks, not the crawl's pace. Judge the rate on a larger run."]
    lines += ["", "Store write latency (median; single: one journaled upsert into a side collection; "
              "100 articles: the pipeline's bulk upsert of 100 new synthetic articles into `articles`):", "",
              "| when | stored | single | 100 articles |", "|---|---|---|---|"]
    for when, p in result["store_probes"].items():
        lines.append(f"| {when} | {p['count']:,} | {p['single_ms']} ms | {p['batch100_ms']} ms |")
    names = list(result["memory"])
    components = names + ["replica", "store", "redis", "bench", "other", "machine"]
    lines += ["", "Per tenth of the crawl (by articles stored): articles/s, median single-write probe, each worker's "
              "peak RSS, and the CPU cores each process used (\"other\": the rest of the machine, other people's work):",
              "", "| tenth | articles/s | probe ms | " + " | ".join(f"{n} MB" for n in names) + " | "
              + " | ".join(f"{k} cores" for k in components) + " |",
              "|---|---|---|" + "---|" * (len(names) + len(components))]
    for row in rate.get("tenths", []):
        cores, rss = row.get("cores", {}), row.get("rss_peak_mb", {})
        lines.append(f"| {row['tenth']} | {row.get('rate')} | {cores.get('probe_ms_median', '')} | "
                     + " | ".join(str(rss.get(n, "")) for n in names) + " | "
                     + " | ".join(str(cores.get(k, "")) for k in components) + " |")
    parts = names + ["replica", "store", "redis"]
    lines += ["", "CPU milliseconds per article stored, per tenth (a cost that grows with the crawl shows here, "
              "whatever the machine's load), and the median time the bench took to read the count (a change-stream poll, up to 50 ms of it waiting):", "",
              "| tenth | " + " | ".join(parts) + " | count read ms |", "|---|" + "---|" * (len(parts) + 1)]
    for row in rate.get("tenths", []):
        cores = row.get("cores", {})
        per = cores.get("cpu_ms_per_article", {})
        lines.append(f"| {row['tenth']} | " + " | ".join(str(per.get(k, "")) for k in parts)
                     + f" | {cores.get('count_ms_median', '')} |")
    mem = result["memory"]
    lines += ["", "Peak RSS (MB): " + "; ".join(f"{k}: {v.get('peak_mb')}" for k, v in mem.items())
              + "; services: " + "; ".join(f"{k} {v}" for k, v in result["services_peak_mb"].items())
              + f"; Redis used_memory_peak {result['redis'].get('used_memory_peak_mb')} MB."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = arguments(argv)
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table = markdown(result)
    # the run's own copy beside its logs and samples: the next run replaces bench/results' files
    for folder in (RESULTS, Path(result["workdir"])):
        (folder / "backfill.json").write_text(json.dumps(result, indent=2, default=str))
        (folder / "backfill.md").write_text(table)
    print(table)
    return 0 if all(ok for *_, ok in verdicts(result)) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Soak: a long crawl of the replica under every fault at once; nothing lost, nothing twice, memory flat.

    .venv/bin/python -m bench.soak --articles 20000          # the full soak (on demand, not in CI)
    .venv/bin/python -m bench.soak --articles 3000 --workers 2

Faults: replica latency, 5xx, a 429 rate limit, truncated bodies; the SecantusDB server
killed (SIGKILL) and started again on the same port and storage at --db-restart-at of the
crawl; with two or more workers (a shared Redis frontier, password-protected), worker 1
killed (SIGKILL) at --kill-worker-at and started again. Then an incremental catch-up run
(what the next scheduled crawl would do). The store is compared to the replica's truth:
missing = truth - stored - aliases - rejected; duplicates = URLs held twice. Each worker's
RSS is sampled every second; its peak is compared to its value at 10% of the crawl.
Writes bench/results/soak.json and soak.md; exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil
import pymongo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import RedisProcess, ReplicaProcess, SecantusProcess  # noqa: E402
from tests.e2e.crawl import FAST, SCRAPY  # noqa: E402
from tests.replica.model import SiteModel  # noqa: E402

RESULTS = ROOT / "bench" / "results"
ADDONS = json.dumps({"newscrawl.distributed.DistributedAddon": 0})
MEMORY_TARGET = 1.25  # peak RSS within 25% of its value at 10% of the crawl
DB = "soak"
WARM_UP_SAMPLES = 5  # one sample a second


def arguments(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=2, help="1: one plain crawl; 2+: distributed over Redis")
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--error-rate", type=float, default=0.05)
    p.add_argument("--rate-limit", type=float, default=150.0, help="requests per second before 429s")
    p.add_argument("--truncate-rate", type=float, default=0.01)
    p.add_argument("--db-restart-at", type=float, default=0.4, help="fraction of the crawl; 0 for none")
    p.add_argument("--kill-worker-at", type=float, default=0.6, help="fraction of the crawl; 0 for none")
    p.add_argument("--no-catch-up", action="store_true", help="skip the incremental run at the end")
    p.add_argument("--timeout", type=float, default=3600.0)
    p.add_argument("--workdir", type=Path, default=None)
    return p.parse_args(argv)


class Worker:
    def __init__(self, workdir: Path, name: str, settings: dict):
        self.name = name
        self.log = workdir / f"{name}.log"
        self.stats_file = workdir / f"{name}.stats.json"
        merged = {**FAST, "NEWSCRAWL_STATS_FILE": str(self.stats_file), "LOG_FILE": str(self.log),
                  "NEWSCRAWL_DATA_DIR": str(workdir / f"data-{name}"), **settings}
        cmd = [SCRAPY, "crawl", "almayadeen"] + [a for k, v in merged.items() for a in ("-s", f"{k}={v}")]
        self.stderr = open(workdir / f"{name}.stderr", "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.rss: list[tuple[float, int]] = []  # (progress, bytes)

    def sample(self, progress: float) -> None:
        try:
            proc = psutil.Process(self.proc.pid)
            rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            return
        self.rss.append((progress, rss))

    def memory(self) -> dict:
        if not self.rss:
            return {}
        # 10% of this worker's own share of the crawl, and never its first seconds (Scrapy still loading):
        # a worker started mid-crawl would otherwise be measured against an empty interpreter
        start = self.rss[0][0]
        threshold = start + 0.10 * (1 - start)
        settled = self.rss[WARM_UP_SAMPLES:] or self.rss
        at_10 = next((rss for progress, rss in settled if progress >= threshold), settled[0][1])
        peak = max(rss for _, rss in self.rss)
        return {"rss_at_10pct_mb": round(at_10 / 2**20, 1), "rss_peak_mb": round(peak / 2**20, 1),
                "peak_over_10pct": round(peak / at_10, 3), "samples": len(self.rss),
                "series": [(round(p, 3), round(r / 2**20, 1)) for p, r in self.rss]}

    @property
    def stats(self) -> dict:
        try:
            return json.loads(self.stats_file.read_text())
        except (OSError, ValueError):
            return {}

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)


def count_stored(uri: str) -> int | None:
    try:
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=1000)
        try:
            return client[DB].articles.estimated_document_count()
        finally:
            client.close()
    except pymongo.errors.PyMongoError:
        return None  # the server is down (on purpose)


def compare(uri: str, model: SiteModel) -> dict:
    client = pymongo.MongoClient(uri, tz_aware=True)
    try:
        docs = list(client[DB].articles.find({}, {"url": 1, "aliases": 1}))
        rejected = {r["url"] for r in client[DB].rejects.find({}, {"url": 1})}
    finally:
        client.close()
    truth = {d["url"] for d in model.truth()}
    invalid = set(model.invalid)
    urls = Counter(d["url"] for d in docs)
    aliases = Counter(a for d in docs for a in d.get("aliases", []))
    held = set(urls) | set(aliases)
    accounted = held | rejected
    return {
        "truth": len(truth), "invalid_in_truth": len(invalid), "stored": len(urls), "aliased": len(aliases),
        "rejected": len(rejected), "rejected_invalid": len(rejected & invalid),
        "missing": len(truth - accounted), "missing_sample": sorted(truth - accounted)[:10],
        "invalid_stored": len((set(urls) - rejected) & invalid),
        "unexpected": len(held - truth),
        "duplicates": sum(n - 1 for n in urls.values() if n > 1) + sum(n - 1 for n in aliases.values() if n > 1)
        + len(set(urls) & set(aliases)),
    }


def journal_lines(workdir: Path) -> int:
    return sum(len(p.read_text().splitlines()) for p in workdir.glob("data-*/journal/*.jsonl"))


def run(args: argparse.Namespace) -> dict:
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="soak-"))
    workdir.mkdir(parents=True, exist_ok=True)
    model = SiteModel(seed=args.seed, articles=args.articles, epoch=1)
    expected = len(model.truth()) - len(model.invalid)
    replica = ReplicaProcess(workdir, articles=args.articles, seed=args.seed, epoch=1, latency_ms=args.latency_ms,
                             error_rate=args.error_rate, rate_limit=args.rate_limit, truncate_rate=args.truncate_rate)
    mongo = SecantusProcess(workdir / "secantus")
    redis_server = RedisProcess(workdir, password=os.urandom(12).hex()) if args.workers > 1 else None
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo.uri, "MONGODB_DATABASE": DB, "RETRY_TIMES": "10",
                "MONGO_RETRY_SECONDS": "60", "NEWSCRAWL_MONITOR_EMPTY_LISTINGS": "1000", "LOG_LEVEL": "INFO"}
    if redis_server:
        settings.update({"ADDONS": ADDONS, "REDIS_URL": redis_server.url, "NEWSCRAWL_IDLE_CLOSE_SECONDS": "20",
                         "NEWSCRAWL_LEASE_SECONDS": "15"})
    events: list[dict] = []
    started = time.monotonic()

    def event(what: str, progress: float) -> None:
        events.append({"t": round(time.monotonic() - started, 1), "progress": round(progress, 3), "event": what})
        print(f"[{events[-1]['t']:7.1f}s {progress:6.1%}] {what}", flush=True)

    workers = [Worker(workdir, f"worker{i}", settings) for i in range(max(1, args.workers))]
    event(f"{len(workers)} worker(s) started; replica {args.articles} articles, expecting {expected} stored", 0)
    finished: list[Worker] = []
    db_restarted = worker_killed = False
    last_count = 0
    try:
        while any(w.proc.poll() is None for w in workers):
            if time.monotonic() - started > args.timeout:
                event("timeout: killing the workers", last_count / expected)
                break
            count = count_stored(mongo.uri)
            last_count = count if count is not None else last_count
            progress = last_count / expected
            for w in workers:
                if w.proc.poll() is None:
                    w.sample(progress)
            if args.db_restart_at and not db_restarted and progress >= args.db_restart_at:
                db_restarted = True
                mongo.kill()
                event("SecantusDB killed (SIGKILL)", progress)
                time.sleep(3)
                mongo.start()
                event("SecantusDB started again (same port, same storage)", progress)
            if (args.kill_worker_at and len(workers) > 1 and not worker_killed and progress >= args.kill_worker_at):
                worker_killed = True
                victim = workers[1]
                victim.kill()
                finished.append(victim)
                event(f"{victim.name} killed (SIGKILL)", progress)
                workers[1] = Worker(workdir, f"{victim.name}-restarted", settings)
                event(f"{workers[1].name} started", progress)
            time.sleep(1.0)
    finally:
        for w in workers:
            w.kill()
    all_workers = finished + workers
    main_phase = compare(mongo.uri, model)
    event(f"crawl done: stored {main_phase['stored']}, missing {main_phase['missing']}", last_count / expected)

    catch_up = None
    if not args.no_catch_up:
        runner = Worker(workdir, "catch-up", {**settings, "ADDONS": "{}", "REDIS_URL": ""})
        runner.proc.wait(args.timeout)
        catch_up = compare(mongo.uri, model)
        catch_up["articles_downloaded"] = runner.stats.get("discovery/articles/listings", 0) + \
            runner.stats.get("discovery/articles/sitemaps", 0) + runner.stats.get("discovery/articles/tags", 0)
        event(f"catch-up run: missing {catch_up['missing']}, downloaded {catch_up['articles_downloaded']}", 1)

    log = replica.requests()
    statuses = Counter(e["status"] for e in log)
    stats = [w.stats for w in all_workers]
    result = {
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "workdir": str(workdir), "seconds": round(time.monotonic() - started, 1), "events": events,
        "requests": {"total": len(log), **{str(k): v for k, v in sorted(statuses.items())}},
        "incomplete_retried": sum(s.get("download/incomplete/count", 0) for s in stats),
        "store_retries": sum(s.get("mongo/flush/retries", 0) for s in stats),
        "journaled": sum(s.get("mongo/journal/written", 0) for s in stats),
        "journal_lines_left": journal_lines(workdir),
        "tracebacks": sum((workdir / f"{w.name}.log").read_text(errors="replace").count("Traceback")
                          for w in all_workers if (workdir / f"{w.name}.log").exists()),
        "exit_codes": {w.name: w.proc.returncode for w in all_workers},
        "after_crawl": main_phase, "after_catch_up": catch_up,
        "memory": {w.name: w.memory() for w in all_workers},
    }
    for server in (replica, mongo, redis_server):
        if server is not None:
            server.stop()
    return result


def verdicts(result: dict) -> list[tuple[str, str, str, bool]]:
    final = result["after_catch_up"] or result["after_crawl"]
    first = result["after_crawl"]
    rows = [
        ("missing after the faulty crawl", "0", str(first["missing"]), first["missing"] == 0),
        ("missing after the catch-up run", "0", str(final["missing"]), final["missing"] == 0),
        ("duplicates (a URL held twice)", "0", str(final["duplicates"]), final["duplicates"] == 0),
        ("invalid pages stored", "0", str(final["invalid_stored"]), final["invalid_stored"] == 0),
        ("URLs not in the truth", "0", str(final["unexpected"]), final["unexpected"] == 0),
        ("journal records left unreplayed", "0", str(result["journal_lines_left"]), result["journal_lines_left"] == 0),
    ]
    for name, mem in result["memory"].items():
        if mem and mem["samples"] >= 10:
            rows.append((f"{name} peak RSS / RSS at 10%", f"<= {MEMORY_TARGET:.2f}",
                         f"{mem['peak_over_10pct']:.2f} ({mem['rss_at_10pct_mb']} -> {mem['rss_peak_mb']} MB)",
                         mem["peak_over_10pct"] <= MEMORY_TARGET))
    return rows


def markdown(result: dict) -> str:
    c = result["config"]
    lines = [f"### Soak: {c['articles']} articles, {c['workers']} worker(s), {result['seconds']:.0f} s",
             "", f"Faults: latency {c['latency_ms']} ms, {c['error_rate']:.0%} 5xx, 429 above {c['rate_limit']:g} rps, "
             f"{c['truncate_rate']:.0%} truncated bodies, DB killed at {c['db_restart_at']:.0%}, "
             f"worker killed at {c['kill_worker_at']:.0%}. Requests: {result['requests']}.",
             "", "| check | target | result | ok |", "|---|---|---|---|"]
    lines += [f"| {name} | {target} | {value} | {'yes' if ok else '**no**'} |" for name, target, value, ok in verdicts(result)]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    args = arguments(argv)
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(result, indent=2, default=str))
    table = markdown(result)
    (RESULTS / "soak.md").write_text(table)
    print(table)
    return 0 if all(ok for *_, ok in verdicts(result)) else 1


if __name__ == "__main__":
    sys.exit(main())

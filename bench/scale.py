"""Articles per second with 1, 2 and 4 distributed workers against a replica with page latency.

python -m bench scale  (or python bench/scale.py --latency-ms 100 --workers 1,2,4 --articles 400)

Each round: a fresh replica and Redis, N `scrapy crawl almayadeen` workers started
together on one frontier, storage off. Speed is article pages served / the span of the
replica's request log (first request to last article), so process start-up and the
idle close at the end do not count. Per-worker concurrency is capped (--concurrency)
as a polite crawler's would be: more workers must mean more pages in flight. Printed as
speed-up over 1 worker in the same run; targets 1.8x at 2 workers and 3.2x at 4.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.sites import get_profile  # noqa: E402
from tests.conftest import RedisProcess, ReplicaProcess  # noqa: E402
from tests.e2e.crawl import FAST, SCRAPY  # noqa: E402

TARGETS = {2: 1.8, 4: 3.2}


def article_log(replica) -> tuple[int, float]:
    log = replica.requests()
    articles = [e for e in log if e["status"] == 200 and get_profile("en").is_article_path(e["path"].split("?")[0])]
    if not articles:
        return 0, 0.0
    return len(articles), max(e["t"] for e in articles) - min(e["t"] for e in log)


def run_round(workers: int, args, workdir: Path) -> float:
    workdir.mkdir(parents=True, exist_ok=True)
    replica = ReplicaProcess(workdir, articles=args.articles, seed=1, epoch=1, latency_ms=args.latency_ms)
    redis_server = RedisProcess(workdir)
    procs = []
    try:
        settings = {**FAST, "BASE_URL": replica.url, "REDIS_URL": redis_server.url,
                    "ADDONS": json.dumps({"newscrawl.distributed.DistributedAddon": 0}),
                    "NEWSCRAWL_STORE_ENABLED": "False", "ITEM_PIPELINES": "{}", "LOG_LEVEL": "WARNING",
                    "CONCURRENT_REQUESTS": str(args.concurrency),
                    "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
                    "NEWSCRAWL_IDLE_CLOSE_SECONDS": "2", "NEWSCRAWL_DATA_DIR": str(workdir / "data")}
        cmd = [SCRAPY, "crawl", "almayadeen"] + [x for k, v in settings.items() for x in ("-s", f"{k}={v}")]
        procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        codes = [p.wait(3600) for p in procs]
        if any(codes):
            raise RuntimeError(f"a worker failed: exit codes {codes}")
        count, span = article_log(replica)
        if count != args.articles:
            print(f"  warning: {count} article pages served for {args.articles} articles", file=sys.stderr)
        return count / span if span else 0.0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        replica.stop()
        redis_server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="worker counts to compare (default 1,2,4)")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight per worker (default 4)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    speeds: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for n in counts:
            speeds[n] = run_round(n, args, Path(tmp) / f"w{n}")
            print(f"{n} worker(s): {speeds[n]:7.1f} articles/s", flush=True)
    base = speeds.get(1)
    ok = True
    if base:
        for n in counts:
            ratio = speeds[n] / base
            target = TARGETS.get(n)
            mark = "" if target is None else f"  (target {target:.1f}x{'' if ratio >= target else ', MISSED'})"
            ok &= target is None or ratio >= target
            print(f"speed-up at {n} worker(s): {ratio:.2f}x{mark}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time from process start to READY, and the replica's peak memory, against a 300-article replica.

Default: 20,000 articles (target < 15 s). ``--articles 200000`` measures the size the backfill benchmark
serves (target < 60 s); ``--edition ar`` the Arabic edition; ``--runs N`` keeps the best of N starts.
Each measured replica also answers its sitemap index and one monthly sitemap before it is stopped.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {20000: 15.0}  # seconds; any larger size: 60 s
DEFAULT_TARGET = 60.0


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start(articles: int, edition: str) -> tuple[float, float]:
    """(seconds to READY, peak RSS in MB after serving the sitemaps)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "tests.replica", "serve", "--port", "0", "--articles", str(articles),
                             "--edition", edition], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        elapsed = time.monotonic() - started
        if not line.startswith("READY "):
            raise RuntimeError(f"replica did not start: {line!r}")
        base = line.split()[1].rstrip("/")
        with urllib.request.urlopen(base + "/sitemaps/all.xml", timeout=60) as resp:
            index = resp.read().decode()
        month = index.split("<loc>", 2)[1].split("</loc>")[0].split("almayadeen.net", 1)[1]
        with urllib.request.urlopen(base + month, timeout=60) as resp:
            assert b"</urlset>" in resp.read()
        return elapsed, peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench replica_start", description=__doc__)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--edition", default="en", choices=("en", "ar"))
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    target = TARGETS.get(args.articles, DEFAULT_TARGET)
    base = min(start(300, args.edition) for _ in range(args.runs))
    big = min(start(args.articles, args.edition) for _ in range(args.runs))
    print(f"replica start ({args.edition}), 300 articles: {base[0]:6.2f} s, peak {base[1]:5.0f} MB")
    print(f"replica start ({args.edition}), {args.articles:,} articles: {big[0]:6.2f} s, peak {big[1]:5.0f} MB"
          f"  (target < {target:.0f} s)")
    print(f"ratio {args.articles:,} / 300: {big[0] / base[0]:.1f}x")
    return 0 if big[0] < target else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time from process start to READY: a 20,000-article replica against a 300-article one (target < 15 s)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 15.0


def start_seconds(articles: int) -> float:
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "tests.replica", "serve", "--port", "0", "--articles", str(articles)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        elapsed = time.monotonic() - started
        if not line.startswith("READY "):
            raise RuntimeError(f"replica did not start: {line!r}")
        return elapsed
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def main() -> int:
    base = min(start_seconds(300) for _ in range(2))
    big = min(start_seconds(20000) for _ in range(2))
    print(f"replica start, 300 articles:    {base:6.2f} s")
    print(f"replica start, 20,000 articles: {big:6.2f} s  (target < {TARGET_SECONDS:.0f} s)")
    print(f"ratio 20,000 / 300: {big / base:.1f}x")
    return 0 if big < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())

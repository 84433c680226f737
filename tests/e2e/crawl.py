"""Run a spider the way a user does (`scrapy crawl` in a subprocess) and read back what it did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRAPY = str(Path(sys.executable).parent / "scrapy")

# fast but otherwise default: the politeness machinery stays on, only its pace changes
FAST = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
    "NEWSCRAWL_BACKOFF_BASE": "0.05",
    "NEWSCRAWL_BACKOFF_MAX": "2",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    stats: dict
    log: str
    items: list[dict]


def run_crawl(spider: str, workdir: Path, settings: dict | None = None, args: dict | None = None,
              env: dict | None = None, timeout: float = 900, feed: bool = False) -> CrawlResult:
    workdir.mkdir(parents=True, exist_ok=True)
    stats_file = workdir / f"stats-{spider}-{len(list(workdir.glob('stats-*')))}.json"
    log_file = stats_file.with_suffix(".log")
    items_file = stats_file.with_suffix(".jsonl")
    cmd = [SCRAPY, "crawl", spider]
    merged = {**FAST, "NEWSCRAWL_STATS_FILE": str(stats_file), "LOG_FILE": str(log_file),
              "NEWSCRAWL_DATA_DIR": str(workdir / "data"), **(settings or {})}
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    for key, value in (args or {}).items():
        cmd += ["-a", f"{key}={value}"]
    if feed:
        cmd += ["-O", f"{items_file}:jsonlines"]
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=timeout,
                          capture_output=True, text=True)
    log = (log_file.read_text() if log_file.exists() else "") + proc.stderr
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    items = [json.loads(line) for line in items_file.read_text().splitlines()] if items_file.exists() else []
    return CrawlResult(proc.returncode, stats, log, items)

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


class Crawl:
    """A `scrapy crawl` subprocess, started now; ``wait()`` gives its CrawlResult."""

    def __init__(self, spider: str, workdir: Path, settings: dict | None = None, args: dict | None = None,
                 env: dict | None = None, feed: bool = False):
        workdir.mkdir(parents=True, exist_ok=True)
        self.stats_file = workdir / f"stats-{spider}-{len(list(workdir.glob('stats-*')))}.json"
        self.log_file = self.stats_file.with_suffix(".log")
        self.items_file = self.stats_file.with_suffix(".jsonl")
        cmd = [SCRAPY, "crawl", spider]
        merged = {**FAST, "NEWSCRAWL_STATS_FILE": str(self.stats_file), "LOG_FILE": str(self.log_file),
                  "NEWSCRAWL_DATA_DIR": str(workdir / "data"), **(settings or {})}
        for key, value in merged.items():
            cmd += ["-s", f"{key}={value}"]
        for key, value in (args or {}).items():
            cmd += ["-a", f"{key}={value}"]
        if feed:
            cmd += ["-O", f"{self.items_file}:jsonlines"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)

    def wait(self, timeout: float = 900) -> CrawlResult:
        try:
            _, stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, stderr = self.proc.communicate()
            raise
        log = (self.log_file.read_text() if self.log_file.exists() else "") + stderr
        stats = json.loads(self.stats_file.read_text()) if self.stats_file.exists() else {}
        items = ([json.loads(line) for line in self.items_file.read_text().splitlines()]
                 if self.items_file.exists() else [])
        return CrawlResult(self.proc.returncode, stats, log, items)


def run_crawl(spider: str, workdir: Path, settings: dict | None = None, args: dict | None = None,
              env: dict | None = None, timeout: float = 900, feed: bool = False) -> CrawlResult:
    return Crawl(spider, workdir, settings, args, env, feed).wait(timeout)

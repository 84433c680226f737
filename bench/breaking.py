"""Spider `breaking` in watch mode against a local replica.

1. Memory: RSS of one watch process after 200 captures against after 20 (target: at most
   20% more), for the Scrapy process alone and for its whole tree (Playwright driver and
   Chromium included). Storage is off (ITEM_PIPELINES={}): this measures the browser loop.
2. Speed: one capture (warm browser: navigate, run the page script, wait for the ticker)
   against a plain HTTP fetch of the same page, medians of 20, and the spider's own pace.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).parent / "scrapy")
EARLY, LATE = 20, 200
INTERVAL = 0.05
TARGET_GROWTH = 1.20
TICKER_API = "/api/breaking.json"


def start_replica() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.replica", "serve", "--port", "0", "--articles", "300"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"replica did not start: {line!r}")
    return proc, line.split()[1].rstrip("/")


def captures(base_url: str) -> int:
    with urllib.request.urlopen(base_url + "/__replica/log", timeout=30) as resp:
        return sum(1 for entry in json.load(resp) if entry["path"].startswith(TICKER_API))


def tree_rss(proc: psutil.Process) -> tuple[int, int]:
    own = proc.memory_info().rss
    total = own
    for child in proc.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return own, total


def watch_memory(base_url: str, workdir: Path) -> dict:
    cmd = [SCRAPY, "crawl", "breaking", "-a", f"repeat={LATE + 10}", "-a", f"interval={INTERVAL}",
           "-s", f"BASE_URL={base_url}", "-s", "ITEM_PIPELINES={}", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=WARNING", "-s", f"LOG_FILE={workdir / 'watch.log'}",
           "-s", f"NEWSCRAWL_STATS_FILE={workdir / 'stats.json'}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    watched = psutil.Process(proc.pid)
    samples: dict[int, tuple[int, int, float]] = {}
    try:
        for mark in (EARLY, LATE):
            while (done := captures(base_url)) < mark:
                if proc.poll() is not None:
                    raise RuntimeError(f"watch ended after {done} captures; see {workdir / 'watch.log'}")
                time.sleep(0.05)
            samples[mark] = (*tree_rss(watched), time.monotonic())
    finally:
        proc.terminate()
        proc.wait(60)
    return samples


async def render_times(url: str, runs: int) -> list[float]:
    from playwright.async_api import async_playwright

    from newscrawl.sites import get_profile
    from newscrawl.browser import find_chromium, launch_options, skip_heavy_resource

    async def route(r):
        await (r.abort() if skip_heavy_resource(r.request) else r.continue_())

    times = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options(find_chromium()))
        context = await browser.new_context()
        for _ in range(runs + 1):  # the first warms the browser up and is not counted
            started = time.perf_counter()
            page = await context.new_page()
            await page.route("**", route)
            await page.goto(url)
            await page.wait_for_selector(get_profile("en").ticker_item, state="attached")
            await page.content()
            await page.close()
            times.append(time.perf_counter() - started)
        await browser.close()
    return times[1:]


def fetch_times(url: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as resp:
            resp.read()
        times.append(time.perf_counter() - started)
    return times[1:]


def main() -> int:
    replica, base_url = start_replica()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            samples = watch_memory(base_url, Path(tmp))
        render = statistics.median(asyncio.run(render_times(base_url + "/", 20)))
        fetch = statistics.median(fetch_times(base_url + "/", 20))
    finally:
        replica.terminate()
        replica.wait(10)
    (own_early, tree_early, t_early), (own_late, tree_late, t_late) = samples[EARLY], samples[LATE]
    pace = (t_late - t_early) / (LATE - EARLY) - INTERVAL
    own_ratio, tree_ratio = own_late / own_early, tree_late / tree_early
    mib = 1024 * 1024
    print(f"RSS Scrapy process: {own_early / mib:7.1f} MiB after {EARLY}, {own_late / mib:7.1f} MiB after {LATE}: "
          f"ratio {own_ratio:.2f} (target <= {TARGET_GROWTH:.2f})")
    print(f"RSS whole tree:     {tree_early / mib:7.1f} MiB after {EARLY}, {tree_late / mib:7.1f} MiB after {LATE}: "
          f"ratio {tree_ratio:.2f}")
    print(f"one capture (warm browser): {render * 1000:7.1f} ms; plain HTTP fetch: {fetch * 1000:6.1f} ms; "
          f"ratio {render / fetch:.1f}x")
    print(f"spider pace in watch mode: {pace * 1000:.1f} ms per capture beyond the {INTERVAL * 1000:.0f} ms interval "
          f"(ratio to a plain fetch {pace / fetch:.1f}x)")
    return 0 if own_ratio <= TARGET_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())

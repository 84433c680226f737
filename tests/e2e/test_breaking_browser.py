"""Spider `breaking` when its browser goes wrong: killed mid-watch, or not installed at all."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.e2e.crawl import ROOT, SCRAPY, run_crawl
from tests.replica.model import SiteModel

TICKER_API = "/api/breaking.json"


def start_watch(replica, mongo_uri, mongo_db, workdir: Path, repeat: int, interval: float, **settings):
    workdir.mkdir(parents=True, exist_ok=True)
    stats_file = workdir / "stats.json"
    cmd = [SCRAPY, "crawl", "breaking", "-a", f"repeat={repeat}", "-a", f"interval={interval}"]
    for key, value in {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db.name,
                       "NEWSCRAWL_STATS_FILE": stats_file, "LOG_FILE": workdir / "crawl.log",
                       "NEWSCRAWL_DATA_DIR": workdir / "data", "BREAKING_WAIT_MS": 10000, **settings}.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc, stats_file


def ticker_fetches(replica) -> list[float]:
    """When the page script asked for the ticker: one per rendered capture."""
    return [entry["t"] for entry in replica.requests() if entry["path"].startswith(TICKER_API)]


def wait_for(condition, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert proc.poll() is None, f"crawl ended early: {proc.stderr.read()[-2000:]}"
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")


def kill_chromium(proc: subprocess.Popen) -> int:
    """Kill every Chromium process under the crawl; how many were killed.

    Processes come and go while we look (a renderer closes with its page, a browser exits on
    its own): any of them may be gone between the listing and the kill, which is not an error.
    """
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    killed = 0
    for child in children:
        try:
            if "chrom" in child.name().lower():
                child.kill()
                killed += 1
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return killed


def captured_once(workdir: Path) -> bool:
    """The first capture's lines were yielded, so its page is closed (parse_ticker closes it first)."""
    log = workdir / "crawl.log"
    return log.exists() and "Scraped from <200" in log.read_text(errors="replace")


def finish(proc: subprocess.Popen, stats_file: Path, timeout: float) -> dict:
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
        raise AssertionError(f"the crawl hung: still running {timeout}s after the browser was killed")
    assert proc.returncode == 0, proc.stderr.read()[-3000:]
    return json.loads(stats_file.read_text())


def test_browser_killed_between_captures_is_replaced(replica, mongo_uri, mongo_db, tmp_path):
    proc, stats_file = start_watch(replica, mongo_uri, mongo_db, tmp_path, repeat=4, interval=3, LOG_LEVEL="DEBUG")
    try:
        # between captures: the first one's page is closed, the next one is 3 s away
        wait_for(lambda: captured_once(tmp_path), 120, proc)
        assert kill_chromium(proc) >= 1
        killed_at = time.time()
        stats = finish(proc, stats_file, timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert stats["finish_reason"] == "finished"
    assert stats["playwright/browser_count"] >= 2  # a new browser after the kill
    assert stats["breaking/captures"] == 4
    assert any(t > killed_at for t in ticker_fetches(replica))
    lines = SiteModel(seed=1, articles=300, epoch=1).ticker()
    assert sorted(doc["seen_count"] for doc in mongo_db.breaking.find()) == [4] * len(lines)


CAPTURES = 40


@pytest.mark.slow
def test_browser_killed_again_and_again_never_hangs_the_watch(replica, mongo_uri, mongo_db, tmp_path):
    """Kills land anywhere: during launch, context or page creation, rendering or between captures."""
    proc, stats_file = start_watch(replica, mongo_uri, mongo_db, tmp_path, repeat=CAPTURES, interval=0.3,
                                   BROWSER_DEADLINE=15)
    try:
        wait_for(lambda: len(ticker_fetches(replica)) >= 1, 120, proc)
        kills = 0
        last_kill = time.time()
        deadline = time.monotonic() + 120
        # kill whatever browser is alive, as soon as one is: during launch, rendering or idle
        while kills < 5 and proc.poll() is None and time.monotonic() < deadline:
            if kill_chromium(proc):
                kills += 1
                last_kill = time.time()
                time.sleep(1.1)
            else:
                time.sleep(0.1)
        stats = finish(proc, stats_file, timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()

    assert kills >= 3
    assert stats["finish_reason"] == "finished"
    captured, failed = stats.get("breaking/captures", 0), sum(
        v for k, v in stats.items() if k.startswith("breaking/error/"))
    assert captured + failed == CAPTURES  # every capture ended, one way or the other
    assert any(t > last_kill for t in ticker_fetches(replica))  # and the watch still renders after


def test_missing_chromium_is_a_clear_error_before_any_browser_starts(replica, mongo_uri, mongo_db, tmp_path):
    venv_bin = str(Path(SCRAPY).parent)
    result = run_crawl("breaking", tmp_path, timeout=120,
                       env={"CHROMIUM_EXECUTABLE": "/nonexistent", "PATH": venv_bin},
                       settings={"BASE_URL": replica.url, "MONGODB_URI": mongo_uri,
                                 "MONGODB_DATABASE": mongo_db.name})
    assert result.returncode != 0
    assert "CHROMIUM_EXECUTABLE=/nonexistent" in result.log
    assert "apt-get install chromium" in result.log
    assert not [e for e in replica.requests() if e["path"] == "/"]  # nothing was rendered

"""`make demo`: replica, crawl, ticker capture and report in one command, and nothing left running after."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from tests.e2e.crawl import ROOT
from tests.e2e.report_browser import pixel_spread, view
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e
PR_SET_CHILD_SUBREAPER = 36


@pytest.fixture
def subreaper():
    """Orphans of what this test starts are re-parented to it, so a process left behind is its child."""
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield before
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
    for child in psutil.Process().children():
        if child.pid not in before and child.status() == psutil.STATUS_ZOMBIE:
            os.waitpid(child.pid, os.WNOHANG)


def left_running(before: set[int]) -> list[str]:
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(" ".join(child.cmdline())[:200])
        except psutil.NoSuchProcess:
            pass
    return alive


def test_make_demo_crawls_captures_reports_and_stops_everything(subreaper, tmp_path):
    demo_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "NEWSCRAWL_DATA_DIR", "BASE_URL")}
    proc = subprocess.run(["make", "--no-print-directory", "demo", f"DEMO_DIR={demo_dir}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-3000:]
    assert left_running(subreaper) == []  # the replica, the store, Chromium: all stopped

    model = SiteModel(seed=1, articles=300, epoch=1)
    stored = len([d for d in model.truth() if d["url"] not in model.invalid]) - len(model.duplicates)
    lines = len(model.ticker())
    assert "newscrawl demo: the offline replica of the site at http://127.0.0.1:" in out
    assert f"{stored} articles stored, {len(model.invalid)} rejected, in " in out and "(monitors passed)" in out
    assert f"{lines} ticker lines in " in out
    assert f"The demo store holds {stored} articles" in out and f"{lines} breaking lines." in out
    report = demo_dir / "report.html"
    assert f"Report: {report}" in out
    assert f"newscrawl articles --data-dir {demo_dir / 'data'} --limit 5" in out
    assert not (ROOT / "data" / "demo").exists()

    seen = view(report, tmp_path / "demo-report.png")
    assert seen.requests == [report.resolve().as_uri()]
    assert set(seen.charts) == {"per_day", "per_section", "per_country", "per_author", "per_method", "crawls",
                                "cost", "coverage", "breaking_per_day"}
    empty = {name for name, chart in seen.charts.items() if not (chart["marks"] and chart["drawn"])}
    assert empty == set()
    assert seen.charts["breaking_per_day"]["drawn"] == 1  # one capture, today
    grey_variance, colours = pixel_spread(seen.screenshot)
    assert grey_variance > 200 and colours > 50, (grey_variance, colours)

    # the gap the replica put there on purpose (python -m tests.replica serve --span-days N)
    figures = subprocess.run([str(Path(sys.executable).parent / "newscrawl"), "report", "--format", "json",
                              "--data-dir", str(demo_dir / "data")], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert figures.returncode == 0, figures.stderr
    gaps = json.loads(figures.stdout)["gaps"]
    assert gaps and max(g["days"] for g in gaps) >= 5, gaps
    assert left_running(subreaper) == []

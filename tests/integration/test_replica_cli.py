"""The replica's command line: truth as JSON lines, serve printing READY."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

from tests.conftest import ROOT
from tests.replica.model import SiteModel


def test_truth_dumps_json_lines_with_iso_dates():
    out = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--articles", "40", "--seed", "4",
                          "--epoch", "2"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    docs = [json.loads(line) for line in out.splitlines()]
    model = SiteModel(seed=4, articles=40, epoch=2)
    assert [d["url"] for d in docs] == [d["url"] for d in model.truth()]
    first = model.truth()[0]
    assert datetime.fromisoformat(docs[0]["published_at"]) == first["published_at"]
    assert docs[0]["content_hash"] == first["content_hash"]


def test_serve_prints_ready_and_stops(replica_factory):
    rp = replica_factory(articles=30, seed=2, epoch=2)
    assert rp.url.startswith("http://127.0.0.1:")
    assert rp.control()["epoch"] == 2

"""`newscrawl report` opened in headless Chromium: every chart drew its data, nothing was fetched, not blank."""

from __future__ import annotations

import pytest

from tests.e2e.report_browser import pixel_spread, view
from tests.integration import report_data
from tests.integration.test_cli_support import run_cli

pytestmark = pytest.mark.e2e


def test_every_chart_has_data_in_a_real_browser(mongo_uri, mongo_db, mongo_db_name, tmp_path):
    report_data.seed(mongo_db)
    target = tmp_path / "report.html"
    result = run_cli("report", "--site", "english.almayadeen.net", "-o", str(target), uri=mongo_uri,
                     db=mongo_db_name, timeout=120)
    assert result.returncode == 0, result.stderr

    seen = view(target, tmp_path / "report.png")
    assert seen.title == "newscrawl report: english.almayadeen.net"
    expected = {"per_day": 30, "per_section": 3, "per_country": 2, "per_author": 2, "per_method": 2,
                "crawls": 8, "cost": 6, "coverage": 10, "breaking_per_day": 3}
    assert {name: c["marks"] for name, c in seen.charts.items()} == expected
    assert {name: c["declared"] for name, c in seen.charts.items()} == expected
    assert all(c["visible"] for c in seen.charts.values())
    # bars of days with articles have a size on screen; the six empty days of the gap and the empty
    # breaking day are drawn flat
    assert seen.charts["per_day"]["drawn"] == 24 and seen.charts["breaking_per_day"]["drawn"] == 2
    assert seen.charts["per_section"]["drawn"] == 3
    assert seen.requests == [target.resolve().as_uri()]  # the file itself, nothing else
    grey_variance, colours = pixel_spread(seen.screenshot)
    assert grey_variance > 200 and colours > 50, (grey_variance, colours)

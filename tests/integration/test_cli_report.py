"""`newscrawl report` in a subprocess against a store with known figures (tests/integration/report_data.py)."""

from __future__ import annotations

import json
import re

from tests.integration import report_data
from tests.integration.test_cli_support import run_cli


def report_json(mongo_uri, mongo_db_name, *args) -> dict:
    result = run_cli("report", "--format", "json", *args, uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_json_figures_of_one_site(mongo_uri, mongo_db, mongo_db_name):
    report_data.seed(mongo_db)
    figures = report_json(mongo_uri, mongo_db_name, "--site", "english.almayadeen.net")
    assert figures["title"] == "newscrawl report: english.almayadeen.net"
    assert figures["sites"] == ["english.almayadeen.net"]
    assert figures["totals"] | {"crawls": None} == {
        "articles": 72, "first_day": "2025-03-01", "last_day": "2025-03-30", "days": 30, "crawls": None,
        "crawls_failed": 1, "breaking_lines": 5}
    assert figures["totals"]["crawls"] == 3  # its two article crawls and its breaking run
    per_day = {row["day"]: row["count"] for row in figures["per_day"]}
    assert len(per_day) == 30 and per_day["2025-03-01"] == 3 and per_day["2025-03-05"] == 3
    assert [d for d, n in per_day.items() if n == 0] == [f"2025-03-{d}" for d in range(12, 18)]
    assert figures["gaps"] == [{"start": "2025-03-12", "end": "2025-03-17", "days": 6, "before": 3.0, "after": 3.0}]
    assert figures["per_section"] == [{"key": "news/politics", "count": 36}, {"key": "articles/opinion", "count": 18},
                                      {"key": "news/economy", "count": 18}]
    assert figures["per_country"] == [{"key": "Lebanon", "count": 48}, {"key": "Palestine", "count": 24}]
    assert figures["per_author"] == [{"key": "Al Mayadeen English", "count": 72}, {"key": "Zeinab El-Hajj", "count": 12}]
    assert figures["per_method"] == [{"key": "site", "count": 63}, {"key": "generic", "count": 9}]
    assert [c["id"] for c in figures["crawls"]] == ["run-1", "run-2", "run-3"]
    run1, run2, run3 = figures["crawls"]
    assert (run1["duration_s"], run1["new"], run1["rejected"], run1["errors"], run1["rate_limited_429"]) == (
        120.0, 70, 2, 1, 3)
    assert (run1["status"], run1["failed_monitors"], run1["warned_monitors"]) == ("passed", [], ["fallbacks"])
    assert (run2["status"], run2["unchanged"], run2["changed"], run2["blocked_403"]) == ("failed", 69, 1, 4)
    assert run2["failed_monitors"] == ["coverage/authors"]
    assert run2["message"] == "field authors: present in 40% of articles, against 98% in the last 1 runs"
    assert (run3["spider"], run3["lines"]) == ("breaking", 5)
    assert [c["crawl"] for c in figures["coverage"]] == ["run-1", "run-2"]
    assert figures["coverage"][1]["coverage"]["authors"] == 0.4
    assert figures["breaking_per_day"] == [{"day": "2025-03-28", "count": 2}, {"day": "2025-03-29", "count": 0},
                                           {"day": "2025-03-30", "count": 3}]


def test_json_figures_of_every_site(mongo_uri, mongo_db, mongo_db_name):
    report_data.seed(mongo_db)
    figures = report_json(mongo_uri, mongo_db_name)
    assert figures["title"] == "newscrawl report: english.almayadeen.net, www.almayadeen.net"
    assert figures["totals"]["articles"] == 77 and figures["totals"]["crawls"] == 4
    assert {row["day"]: row["count"] for row in figures["per_day"]}["2025-03-05"] == 8
    assert figures["per_section"][0] == {"key": "news/politics", "count": 41}
    assert figures["per_method"] == [{"key": "site", "count": 68}, {"key": "generic", "count": 9}]
    # --gap-days above the gap's length marks none; 0 marks none
    assert report_json(mongo_uri, mongo_db_name, "--gap-days", "7")["gaps"] == []
    assert report_json(mongo_uri, mongo_db_name, "--gap-days", "0")["gaps"] == []


def marks(page: str, chart: str) -> int:
    return len(re.findall(rf'<g id="mark-{chart}-\d+"', page))


def test_html_report_is_one_offline_file_with_every_chart(mongo_uri, mongo_db, mongo_db_name, tmp_path):
    report_data.seed(mongo_db)
    target = tmp_path / "report.html"
    result = run_cli("report", "--site", "english.almayadeen.net", "-o", str(target), uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (f"wrote {target}: 72 articles over 30 days, 1 gap(s), 3 crawls, "
                                     "5 breaking lines")
    page = target.read_text()
    assert "<title>newscrawl report: english.almayadeen.net</title>" in page
    expected = {"per_day": 30, "per_section": 3, "per_country": 2, "per_author": 2, "per_method": 2,
                "crawls": 8, "cost": 6, "coverage": 10, "breaking_per_day": 3}
    declared = dict(re.findall(r'data-chart="(\w+)" data-points="(\d+)"', page))
    assert {name: int(n) for name, n in declared.items()} == expected
    assert {name: marks(page, name) for name in expected} == expected
    assert "12 Mar 2025–17 Mar 2025 (6 days)" in page  # the gap, named under its chart
    # nothing to fetch: no script, no stylesheet or image from elsewhere
    assert not re.search(r"<script|<link|<img|@import|url\(http|src=\"http", page)
    assert "countries stand in for regions" in page


def test_an_empty_store_gives_a_report_that_says_so(mongo_uri, mongo_db_name, tmp_path):
    target = tmp_path / "empty.html"
    result = run_cli("report", "-o", str(target), uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    page = target.read_text()
    assert "newscrawl report: no articles yet" in page
    assert set(re.findall(r'data-points="(\d+)"', page)) == {"0"}


def test_usage_errors(mongo_uri, mongo_db_name):
    assert run_cli("report", "--format", "pdf", uri=mongo_uri, db=mongo_db_name).returncode == 2
    assert run_cli("report", "--gap-days", "-1", uri=mongo_uri, db=mongo_db_name).returncode == 2

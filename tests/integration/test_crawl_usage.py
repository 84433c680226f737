"""A wrong argument or setting, as a user types it: one message on stderr, no traceback, exit 2 (issue #23)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli_support import NEWSCRAWL, ROOT

SCRAPY = str(Path(sys.executable).parent / "scrapy")
DEAD_STORE = "mongodb://127.0.0.1:1/"  # nothing may be reached or started before the check


def run(cmd: list[str], tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MONGODB_URI": DEAD_STORE, "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("argv, message", [
    (["almayadeen", "-a", "folow=true"], "scrapy crawl almayadeen: error: almayadeen: unknown argument(s) folow; "
                                         "accepted: discover, edition, follow, max_articles, refresh, sections, since, "
                                         "tags, until"),
    (["almayadeen", "-a", "follow=yes please"], "scrapy crawl almayadeen: error: almayadeen: follow='yes please': "
                                                "expected true or false"),
    (["almayadeen", "-a", "since=2024-13-99"], "scrapy crawl almayadeen: error: almayadeen: since='2024-13-99': "
                                               "expected a date YYYY-MM-DD or an ISO datetime"),
    (["almayadeen", "-a", "bogus=1"], "scrapy crawl almayadeen: error: almayadeen: unknown argument(s) bogus"),
    (["almayadeen", "-a", "edition=xx"], "scrapy crawl almayadeen: error: almayadeen: edition: unknown edition or "
                                         "site 'xx'; known: en (english.almayadeen.net), ar (www.almayadeen.net)"),
    (["almayadeen", "-a", "sections=nope"], "scrapy crawl almayadeen: error: almayadeen: sections: nope is not a "
                                            "section path of english.almayadeen.net"),
    (["almayadeen", "-s", "NEWSCRAWL_LISTING_MAX_PAGES=abc"],
     "scrapy crawl almayadeen: error: setting NEWSCRAWL_LISTING_MAX_PAGES='abc': expected a whole number "
     "(default 1000)"),
    (["breaking", "-a", "repeat=x"], "scrapy crawl breaking: error: breaking: repeat must be a whole number "
                                     "(0 = until stopped); got 'x'"),
    (["breaking", "-a", "bogus=1"], "scrapy crawl breaking: error: breaking: unknown argument(s) bogus; "
                                    "accepted: edition, interval, pages, repeat"),
    (["nope"], "scrapy crawl nope: error: no spider named 'nope'; spiders: almayadeen, breaking"),
])
def test_scrapy_crawl_says_what_is_wrong_and_exits_2(argv, message, tmp_path):
    result = run([SCRAPY, "crawl", *argv], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr and "Scrapy 2." not in result.stderr  # no banner: nothing started
    assert not (tmp_path / "data").exists()  # no store, no journal, no log of a crawl


def test_a_bad_setting_from_the_environment_is_reported_the_same_way(tmp_path):
    env_result = subprocess.run([SCRAPY, "crawl", "almayadeen"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                                env={**os.environ, "MONGO_SERVER_SELECTION_TIMEOUT_MS": "5s",
                                     "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")})
    assert env_result.returncode == 2
    assert env_result.stderr == ("scrapy crawl almayadeen: error: setting MONGO_SERVER_SELECTION_TIMEOUT_MS='5s': "
                                 "expected a whole number (default 5000)\n")


@pytest.mark.parametrize("argv, message", [
    (["articles", "--since", "2024-13-99"], "newscrawl articles: error: invalid date '2024-13-99' for --since"),
    (["export", "--site", "xx"], "newscrawl export: error: --site: unknown edition or site 'xx'"),
    (["submit", "almayadeen", "-a", "folow=true", "--nodes", "http://127.0.0.1:1/"],
     "newscrawl submit: error: almayadeen: unknown argument(s) folow"),
    (["submit", "breaking", "-s", "BREAKING_WAIT_MS=soon", "--nodes", "http://127.0.0.1:1/"],
     "newscrawl submit: error: setting BREAKING_WAIT_MS='soon': expected a whole number"),
    (["db", "replay", "--from", "store-000000000000", "--data-dir", "."],
     "newscrawl db: error: --from store-000000000000: no journaled records for that key"),
])
def test_newscrawl_says_what_is_wrong_before_reaching_anything(argv, message, tmp_path):
    result = run([NEWSCRAWL, *argv], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(message) and "Traceback" not in result.stderr

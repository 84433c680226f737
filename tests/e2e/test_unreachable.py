"""A site that cannot be reached: one line naming the cause and the next step, an exit code per cause,
and few tries (counted in requests, not timed)."""

from __future__ import annotations

import json
import os
import subprocess
import pymongo
import pytest

from tests.conftest import free_port
from tests.e2e.crawl import ROOT, run_crawl
from tests.e2e.rewrite import RewritingSite

pytestmark = pytest.mark.e2e

NEXT_NETWORK = ("Next: check this machine's network connection and DNS, or its proxy settings (HTTPS_PROXY, "
                "HTTP_PROXY); set BASE_URL to a mirror this machine can reach; or run `make demo` to see the "
                "crawler work on the offline replica.")
HOST = "newscrawl-test.invalid"  # .invalid never resolves (RFC 2606)
DNS_ERROR = "downloader/exception_type_count/scrapy.exceptions.CannotResolveHostError"
REFUSED_ERROR = "downloader/exception_type_count/scrapy.exceptions.DownloadConnectionRefusedError"


def error_lines(log: str) -> list[str]:
    return [line.split(" ERROR: ", 1)[1] for line in log.splitlines() if " ERROR: " in line]


def test_make_crawl_without_dns_ends_with_one_line_and_exit_4(mongo_uri, mongo_db_name, tmp_path):
    log_file = tmp_path / "crawl.log"
    stats_file = tmp_path / "stats.json"
    env = {**os.environ, "BASE_URL": f"http://{HOST}", "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name,
           "NEWSCRAWL_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(["make", "--no-print-directory", "crawl",
                           f"ARGS=-s LOG_FILE={log_file} -s NEWSCRAWL_STATS_FILE={stats_file}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2  # make's own code for a failed recipe; the crawl's is in its last line
    assert "Error 4" in proc.stderr, proc.stderr[-2000:]
    log = log_file.read_text()
    assert error_lines(log) == [
        f"site unreachable: cannot resolve {HOST} (DNS lookup failed for /robots.txt); nothing was crawled. "
        f"{NEXT_NETWORK} (finish reason unreachable_dns, exit code 4)"]
    assert "Traceback" not in log and "Deprecat" not in log
    stats = json.loads(stats_file.read_text())
    assert stats["finish_reason"] == "unreachable_dns"
    assert stats[DNS_ERROR] <= 2 and stats["downloader/request_count"] <= 2  # one retry of one URL at most
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({})
    client.close()
    assert record["status"] == "failed" and record["finish_reason"] == "unreachable_dns"
    assert record["message"].startswith(f"site unreachable: cannot resolve {HOST}")
    assert record["monitors"] == []


def test_refused_connection_ends_with_one_line_and_exit_5(tmp_path):
    port = free_port()  # nothing listens there
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": f"http://127.0.0.1:{port}",
                                                "NEWSCRAWL_STORE_ENABLED": "False"}, timeout=300)
    assert result.returncode == 5, result.log[-3000:]
    assert error_lines(result.log) == [
        f"site unreachable: cannot connect to 127.0.0.1:{port}: connection refused (/robots.txt); nothing was "
        f"crawled. {NEXT_NETWORK} (finish reason unreachable_refused, exit code 5)"]
    assert result.stats[REFUSED_ERROR] <= 2 and result.stats["downloader/request_count"] <= 2


def test_refused_without_robots_txt_tries_each_seed_at_most_twice(tmp_path):
    port = free_port()
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": f"http://127.0.0.1:{port}", "ROBOTSTXT_OBEY": "False",
                                                "NEWSCRAWL_STORE_ENABLED": "False"}, timeout=300)
    assert result.returncode == 5, result.log[-3000:]
    [line] = error_lines(result.log)
    assert line.startswith(f"site unreachable: cannot connect to 127.0.0.1:{port}: connection refused (/")
    assert result.stats[REFUSED_ERROR] <= 4  # two seeds, one retry each at most


def test_blocked_on_every_start_url_ends_with_one_line_and_exit_8(replica_factory, tmp_path):
    replica = replica_factory(articles=50, seed=1, epoch=1, block_bots=True)
    ua = "python-requests/2.32.3"
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "USER_AGENT": ua,
                                                "NEWSCRAWL_STORE_ENABLED": "False"}, timeout=300)
    assert result.returncode == 8, result.log[-3000:]
    assert error_lines(result.log) == [
        "site unreachable: blocked by the site: 127.0.0.1 answered 403 Forbidden to /robots.txt, /, "
        f"/sitemaps/all.xml (User-Agent '{ua}'); nothing was crawled. Next: the site refuses this client: keep "
        "the default honest User-Agent (a borrowed bot or tool name is blocked), try later or from another "
        "network, or set BASE_URL to a mirror; `make demo` shows the crawler work on the offline replica. "
        "(finish reason blocked, exit code 8)"]
    # each start URL asked once: a 403 is never retried, nothing else was tried
    assert sorted((e["path"], e["status"]) for e in replica.requests()) == [
        ("/", 403), ("/robots.txt", 403), ("/sitemaps/all.xml", 403)]


def _robots_forbidden(path, status, ctype, body):
    if path.startswith("/robots.txt"):
        return 403, "text/plain", b"Forbidden"
    return status, ctype, body


def test_a_site_that_answers_is_not_judged_unreachable(replica, tmp_path):
    """robots.txt answers 403, the pages are served: the crawl goes on, the failure is a warning."""
    with RewritingSite(replica.url, _robots_forbidden) as site:
        result = run_crawl("almayadeen", tmp_path, {"BASE_URL": site.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                    "ITEM_PIPELINES": "{}"},
                           args={"max_articles": "5", "discover": "sitemaps"})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["reachability/answered"] == 1
    assert result.stats["reachability/failed/blocked"] == 1
    assert "site unreachable" not in result.log
    assert (f"start request {site.url}/robots.txt failed (blocked: 403 Forbidden); the site answered other "
            "requests") in result.log


def test_a_site_that_never_answers_ends_with_one_line_and_exit_7(tmp_path):
    import socket

    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections (the kernel's backlog), answers nothing
    port = silent.getsockname()[1]
    try:
        result = run_crawl("almayadeen", tmp_path, {"BASE_URL": f"http://127.0.0.1:{port}",
                                                    "NEWSCRAWL_START_TIMEOUT": "1",
                                                    "NEWSCRAWL_STORE_ENABLED": "False"}, timeout=300)
    finally:
        silent.close()
    assert result.returncode == 7, result.log[-3000:]
    assert error_lines(result.log) == [
        "site unreachable: 127.0.0.1 did not answer within 1 s (/robots.txt, /, /sitemaps/all.xml); nothing was "
        f"crawled. {NEXT_NETWORK} (finish reason unreachable_timeout, exit code 7)"]
    # robots.txt tried twice, then each seed once: it already failed for good on this host
    assert result.stats["downloader/exception_type_count/scrapy.exceptions.DownloadTimeoutError"] == 4

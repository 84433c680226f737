"""Crawl health against the replica: progress, the `crawls` record, monitors, warnings and the webhook action.

A site that changed is the replica behind a real HTTP server that rewrites its answers
(tests/e2e/rewrite.py): no tawsiyat block anywhere, a redesign that links to no article,
a ticker feed that is gone.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymongo
import pytest

from tests.e2e.crawl import run_crawl
from tests.e2e.rewrite import RewritingSite, no_ticker_feed, redesigned, source_prefix_renamed, strip_tawsiyat
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e
PROGRESS = re.compile(r"progress: (\d+)/(\d+) articles")


@pytest.fixture
def webhook_receiver():
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def store(mongo_uri, mongo_db_name) -> dict:
    return {"MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}


def monitor(record: dict, name: str) -> dict:
    return next(m for m in record["monitors"] if m["name"] == name)


def test_monitors_pass_a_normal_crawl_and_fail_when_the_source_line_changes(
        replica, mongo_uri, mongo_db_name, tmp_path, webhook_receiver):
    hook_url, received = webhook_receiver
    settings = {"BASE_URL": replica.url, **store(mongo_uri, mongo_db_name),
                "NEWSCRAWL_PROGRESS_INTERVAL": "0.2", "NEWSCRAWL_ALERT_WEBHOOK": hook_url}
    model = SiteModel(seed=1, articles=300, epoch=1)
    total = len(model.reachable("sitemaps"))

    normal = run_crawl("almayadeen", tmp_path, settings, args={"discover": "sitemaps"})
    assert normal.returncode == 0, normal.log[-3000:]
    assert normal.stats["health/status"] == "passed"
    totals = [int(m.group(2)) for m in PROGRESS.finditer(normal.log)]
    assert totals and totals[-1] == total  # the backfill knows its total from the sitemaps
    assert not received  # actions run only for a failed run

    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    db = client[mongo_db_name]
    first = db.crawls.find_one({"status": "passed"})
    assert first["spider"] == "almayadeen" and first["site"] == "english.almayadeen.net"  # the profile's host
    assert first["arguments"]["discover"] == ["sitemaps"]
    assert first["end"] > first["start"] and first["finish_reason"] == "finished"
    assert first["progress"]["known"] == total and first["progress"]["done"] == total
    assert first["coverage"]["source"] > 0.5 and first["coverage"]["authors"] > 0.9
    assert first["counts"]["items"] == first["articles"] > 0
    assert first["counts"]["rejected"] == len(model.invalid)
    # no history for this spider on this site: the first run is judged against the fixed floors
    assert monitor(first, "coverage")["message"].startswith("first run: key fields above their floors (authors ")
    assert {m["level"] for m in first["monitors"]} == {"pass"}

    # the site writes its source line another way: a new backfill into the same store (articles
    # cleared, history kept) must fail its monitors, name the field, and post to the webhook
    db.articles.drop()
    with RewritingSite(replica.url, source_prefix_renamed) as site:
        changed = run_crawl("almayadeen", tmp_path, {**settings, "BASE_URL": site.url}, args={"discover": "sitemaps"})
    assert changed.returncode == 3
    assert changed.stats["health/status"] == "failed"
    assert re.search(r"field source: present in 0% of articles, against \d+% in the last 1 runs", changed.log)
    failed = db.crawls.find_one({"status": "failed"})
    assert failed["finish_reason"] == "monitors_failed" and failed["site"] == "english.almayadeen.net"
    assert monitor(failed, "coverage/source")["level"] == "fail"
    assert len(received) == 1 and "field source" in received[0]["text"]
    assert received[0]["report"]["status"] == "failed"
    client.close()


def test_a_site_without_the_metadata_block_is_reported_not_failed(replica, mongo_uri, mongo_db_name, tmp_path):
    """Issue 14: every field filled from meta tags and the visible page: a warning, exit 0."""
    model = SiteModel(seed=1, articles=300, epoch=1)
    with RewritingSite(replica.url, strip_tawsiyat) as site:
        result = run_crawl("almayadeen", tmp_path, {"BASE_URL": site.url, **store(mongo_uri, mongo_db_name)},
                           args={"discover": "sitemaps"})
    assert result.returncode == 0, result.log[-3000:]
    total = len(model.reachable("sitemaps"))
    warning = ("metadata source absent on most pages: 100% of key fields came from meta tags or the visible page; "
               "every key field still filled (title 100%, published_at 100%, authors 100%); "
               f"tawsiyat_metadata_missing {total} pages")
    assert result.stats["health/status"] == "passed"
    assert result.stats["health/warned/fallbacks"] == warning
    assert f"- warning: {warning}" in result.log
    assert "fallbacks dominate" not in result.log
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({})
    client.close()
    assert record["status"] == "passed"
    assert monitor(record, "fallbacks") | {"detail": None} == {
        "name": "fallbacks", "level": "warn", "ok": True, "message": warning, "detail": None}


def test_a_redesigned_site_that_links_to_no_article_fails_naming_what_it_fetched(replica, tmp_path):
    with RewritingSite(replica.url, redesigned) as site:
        result = run_crawl("almayadeen", tmp_path, {"BASE_URL": site.url, "NEWSCRAWL_STORE_ENABLED": "False"})
    assert result.returncode == 3, result.log[-3000:]
    message = result.stats["health/failed/discovery"]
    assert message.startswith("discovered no article: ")
    assert message.endswith(" — the site's URL patterns or sitemap paths changed")
    assert f"- {message}" in result.log
    # with no listing linked from the home page, the spider walked the profile's 27 listings
    assert message == ("discovered no article: the home page gave 0 article and 0 section links, 27 listing "
                       "pages gave no article link, the sitemap index listed 0 sitemaps — the site's URL "
                       "patterns or sitemap paths changed")
    assert result.stats["health/failed/home"] == ("home page: fetched, but it gave no section links and no "
                                                  "article links — its navigation menu and article cards changed")


def test_rejects_above_their_share_fail_the_run_naming_the_rule(replica, tmp_path):
    model = SiteModel(seed=1, articles=300, epoch=1)
    total = len(model.reachable("sitemaps"))
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                "VALIDATION_MIN_BODY_WORDS": "100000"},
                       args={"discover": "sitemaps"})
    assert result.returncode == 3, result.log[-3000:]
    assert result.stats["health/failed/rejects"].startswith(
        f"rejects: 100% of {total} validated items were rejected (limit 10%); top reasons: "
        f"body/body_words {total}, ")


def test_breaking_fails_when_no_capture_succeeded(replica, mongo_uri, mongo_db_name, tmp_path):
    with RewritingSite(replica.url, no_ticker_feed) as site:
        result = run_crawl("breaking", tmp_path, {"BASE_URL": site.url, **store(mongo_uri, mongo_db_name),
                                                  "BREAKING_WAIT_MS": "3000"}, timeout=300)
    message = ("breaking: no capture succeeded: 0 of 1 captures showed ticker lines (errors: no_ticker 1) "
               "— the ticker markup or its script changed")
    assert result.returncode == 3, result.log[-3000:]
    assert result.stats["health/failed/captures"] == message
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({"spider": "breaking"})
    client.close()
    assert record["status"] == "failed" and record["finish_reason"] == "monitors_failed"
    assert record["counts"]["captures"] == 1 and record["counts"]["succeeded"] == 0
    assert monitor(record, "captures")["message"] == message


def test_breaking_passes_and_is_recorded_when_a_capture_succeeded(replica, mongo_uri, mongo_db_name, tmp_path):
    result = run_crawl("breaking", tmp_path, {"BASE_URL": replica.url, **store(mongo_uri, mongo_db_name)},
                       timeout=300)
    assert result.returncode == 0, result.log[-3000:]
    lines = SiteModel(seed=1, articles=300, epoch=1).ticker()
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({"spider": "breaking"})
    client.close()
    assert record["status"] == "passed"
    assert monitor(record, "captures")["message"] == f"1 of 1 captures showed ticker lines ({len(lines)} lines)"

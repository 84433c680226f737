"""Crawl health against the replica: progress, the `crawls` record, monitors and the webhook action."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pymongo
import pytest

from tests.e2e.crawl import run_crawl
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


def test_monitors_pass_a_normal_crawl_and_fail_when_the_byline_moves(
        replica, mongo_uri, mongo_db_name, tmp_path, webhook_receiver):
    hook_url, received = webhook_receiver
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name,
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
    assert first["spider"] == "almayadeen" and first["arguments"]["discover"] == ["sitemaps"]
    assert first["end"] > first["start"] and first["finish_reason"] == "finished"
    assert first["progress"]["known"] == total and first["progress"]["done"] == total
    assert first["coverage"]["source"] > 0.5 and first["coverage"]["authors"] > 0.9
    assert first["counts"]["items"] == first["articles"] > 0

    # the site changes its byline markup: a new backfill into the same store (articles cleared,
    # history kept) must fail its monitors, name the field, and post to the webhook
    db.articles.drop()
    replica.control(markup_change="byline")
    changed = run_crawl("almayadeen", tmp_path, settings, args={"discover": "sitemaps"})
    assert changed.returncode != 0
    assert changed.stats["health/status"] == "failed"
    assert re.search(r"field source: present in 0% of articles, against \d+% in the last 1 runs", changed.log)
    failed = db.crawls.find_one({"status": "failed"})
    assert failed["finish_reason"] == "monitors_failed"
    assert any(m["name"] == "coverage/source" and not m["ok"] for m in failed["monitors"])
    assert len(received) == 1 and "field source" in received[0]["text"]
    assert received[0]["report"]["status"] == "failed"
    client.close()

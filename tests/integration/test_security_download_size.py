"""A runaway page is cut off: DOWNLOAD_MAXSIZE (16 MB) cancels a 64 MB download, the crawl goes on."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newscrawl import settings
from tests.e2e.crawl import run_crawl

MB = 1024 * 1024
# Far beyond the limit: without a Content-Length the client stops reading at 16 MB, and the loopback's
# socket buffers (several MB each way) let the server write on a while before it notices; 20 MB was
# within their reach on a fast machine, so "the download stopped early" depended on timing.
HUGE = 64 * MB
HOME = ('<html><body><div class="listing"><div class="card"><a class="card__link" href="/news/politics/huge">'
        '<h3 class="card__title">Huge</h3></a><span class="card__date">10 Nov 2025</span></div></div></body></html>')


class RunawayServer(ThreadingHTTPServer):
    daemon_threads = True
    sent_huge = 0  # bytes of the huge page written before the client hung up
    chunked = False


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/":
            body = HOME.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/news/politics/huge":
            self.send_huge()
        else:
            self.send_error(404)

    def send_huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if not self.server.chunked:
            self.send_header("Content-Length", str(HUGE))
        self.send_header("Connection", "close")
        self.end_headers()
        block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        try:
            while self.server.sent_huge < HUGE:
                self.wfile.write(block)
                self.server.sent_huge += len(block)
        except OSError:  # the crawler cancelled the download
            pass


@pytest.fixture(params=[False, True], ids=["content-length", "no-content-length"])
def runaway(request):
    server = RunawayServer(("127.0.0.1", 0), Handler)
    server.chunked = request.param
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_size_limits_are_set_on_purpose():
    assert settings.DOWNLOAD_MAXSIZE == 16 * MB
    assert settings.DOWNLOAD_WARNSIZE == 4 * MB


def test_a_runaway_page_is_cancelled_without_crashing(runaway, tmp_path):
    base = f"http://127.0.0.1:{runaway.server_address[1]}"
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": base, "NEWSCRAWL_STORE_ENABLED": "False",
                                                "ITEM_PIPELINES": "{}", "RETRY_TIMES": "0"},
                       args={"discover": "listings"}, timeout=300)
    # Scrapy 2.19 words it "... larger than download max size"; older ones said "Cancelling download"
    assert "larger than download max size" in result.log or "Cancelling download" in result.log, result.log[-3000:]
    assert result.stats.get("downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError") == 1
    assert "Traceback" not in result.log and "Spider closed" in result.log, result.log[-3000:]
    assert result.stats.get("articles/extracted", 0) == 0
    assert result.stats.get("errors/article", 0) >= 1  # counted as a failed article, not lost silently
    assert runaway.sent_huge < HUGE  # the download really stopped early

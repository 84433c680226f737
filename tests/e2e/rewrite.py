"""A site that changed: a real HTTP server on 127.0.0.1 in front of the replica that rewrites its answers.

    with RewritingSite(replica.url, strip_tawsiyat) as site:
        run_crawl(..., {"BASE_URL": site.url})

A rewrite takes (path, status, content_type, body) and returns (status, content_type, body).
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TAWSIYAT = re.compile(rb"<script[^>]*id=[\"']tawsiyat-metadata[\"'][^>]*>.*?</script>", re.S | re.I)


def strip_tawsiyat(path, status, ctype, body):
    """No page carries the tawsiyat metadata block (it is evidenced on the Arabic edition only)."""
    return status, ctype, TAWSIYAT.sub(b"", body)


def source_prefix_renamed(path, status, ctype, body):
    """The byline's source line says "Via:" instead of "Source:" (a text no pattern of the profile knows)."""
    return status, ctype, body.replace(b">Source: ", b">Via: ")


def no_ticker_feed(path, status, ctype, body):
    """The ticker's script finds no feed: the JSON endpoint answers 404."""
    if path.startswith("/api/breaking"):
        return 404, "application/json", b'{"error": "gone"}'
    return status, ctype, body


EMPTY_INDEX = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
               b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></sitemapindex>\n')
BLANK_PAGE = b"<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>Our new site</p></body></html>"


def redesigned(path, status, ctype, body):
    """Everything changed: every page is a blank new design, the sitemap index lists nothing."""
    if path.startswith("/robots.txt"):
        return status, ctype, body
    if path.startswith("/sitemaps/"):
        return 200, "application/xml; charset=utf-8", EMPTY_INDEX
    return 200, "text/html; charset=utf-8", BLANK_PAGE


class RewritingSite:
    def __init__(self, upstream: str, rewrite):
        self.upstream = upstream.rstrip("/")
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                request = urllib.request.Request(site.upstream + self.path,
                                                 headers={"User-Agent": self.headers.get("User-Agent", "")})
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, ctype, body = answer.status, answer.headers.get("Content-Type", ""), answer.read()
                except urllib.error.HTTPError as error:
                    status, ctype, body = error.code, error.headers.get("Content-Type", ""), error.read()
                status, ctype, body = rewrite(self.path, status, ctype, body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RewritingSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

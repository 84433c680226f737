"""Conditional requests over HTTP: ETag and Last-Modified on article pages, 304 Not Modified, epoch changes."""

from __future__ import annotations

import hashlib
import http.client
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

from tests.replica.model import SiteModel

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SITE_URL = "https://english.almayadeen.net"


def request(replica, path: str, method: str = "GET", **headers) -> tuple[int, dict, bytes]:
    parts = urlsplit(replica.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request(method, path, headers={"User-Agent": BROWSER, **{k.replace("_", "-"): v for k, v in headers.items()}})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


@pytest.fixture(scope="module")
def truth1():
    return {d["url"]: d for d in SiteModel(seed=1, articles=300, epoch=1).truth()}


def test_article_pages_carry_validators_from_their_bytes_and_times(replica, truth1):
    urls = list(truth1)[:30]
    for url in urls:
        status, headers, body = request(replica, url[len(SITE_URL):])
        assert status == 200
        etag = headers["etag"]
        assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
        assert etag.strip('"') == hashlib.sha256(body).hexdigest()[:32]
        doc = truth1[url]
        assert parsedate_to_datetime(headers["last-modified"]) == (doc["modified_at"] or doc["published_at"])
    for path in ("/robots.txt", "/api/breaking.json", "/static/ticker.js", "/nope"):  # not cacheable pages
        assert "etag" not in request(replica, path)[1], path
    for path in ("/", "/news/politics", "/sitemaps/all.xml"):  # validators everywhere cacheable (issue 22)
        assert "etag" in request(replica, path)[1], path


def test_not_modified_answers(replica, truth1):
    url = next(u for u, d in truth1.items() if d["modified_at"])
    path = url[len(SITE_URL):]
    _, headers, body = request(replica, path)
    etag, modified = headers["etag"], parsedate_to_datetime(headers["last-modified"])
    for conditions in ({"If_None_Match": etag}, {"If_None_Match": f'"nope", W/{etag}'}, {"If_None_Match": "*"},
                       {"If_Modified_Since": http_date(modified)},
                       {"If_Modified_Since": http_date(modified + timedelta(days=3))}):
        status, got, payload = request(replica, path, **conditions)
        assert status == 304 and payload == b"" and got["etag"] == etag, conditions
    for conditions in ({"If_None_Match": '"other"'}, {"If_Modified_Since": http_date(modified - timedelta(seconds=1))},
                       {"If_Modified_Since": "not a date"},
                       # If-None-Match wins over If-Modified-Since
                       {"If_None_Match": '"other"', "If_Modified_Since": http_date(modified)}):
        status, _, payload = request(replica, path, **conditions)
        assert status == 200 and payload == body, conditions
    assert request(replica, path, "HEAD", If_None_Match=etag)[0] == 304
    assert request(replica, "/robots.txt", If_None_Match="*")[0] == 200  # robots.txt has no validators


def test_conditional_answers_in_the_request_log(replica, truth1):
    path = next(iter(truth1))[len(SITE_URL):]
    etag = request(replica, path)[1]["etag"]
    replica.clear_log()
    request(replica, path, If_None_Match=etag)
    request(replica, path)
    assert [(e["path"], e["status"]) for e in replica.requests()] == [(path, 304), (path, 200)]


def test_a_changed_article_gets_new_validators_in_epoch_two(replica, truth1):
    two = SiteModel(seed=1, articles=300, epoch=2)
    changed = sorted(two.changed(2))[0]
    same = next(u for u in sorted(truth1) if u not in two.changed(2))
    before = {u: request(replica, u[len(SITE_URL):])[1] for u in (changed, same)}
    replica.control(epoch=2)
    try:
        path = changed[len(SITE_URL):]
        status, headers, _ = request(replica, path, If_None_Match=before[changed]["etag"])
        assert status == 200 and headers["etag"] != before[changed]["etag"]
        assert parsedate_to_datetime(headers["last-modified"]) > parsedate_to_datetime(before[changed]["last-modified"])
        assert request(replica, path, If_Modified_Since=before[changed]["last-modified"])[0] == 200
        assert request(replica, path, If_None_Match=headers["etag"])[0] == 304
        status, headers, _ = request(replica, same[len(SITE_URL):], If_None_Match=before[same]["etag"])
        assert status == 304 and headers["etag"] == before[same]["etag"]
    finally:
        replica.control(epoch=1)

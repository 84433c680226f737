"""Each fault switch of the replica does what it says (CLI flags and the control endpoint)."""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from urllib.parse import urlsplit

from parsel import Selector

from tests.replica.model import SiteModel

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HTML_END_MARKER = b"</html>"
SITEMAP_END_MARKERS = (b"</urlset>", b"</sitemapindex>")


def get(replica, path: str, ua: str | None = BROWSER) -> tuple[int, dict, bytes, str | None]:
    """(status, headers, body, error): one request on a fresh connection; error names a cut-off body."""
    host, port = urlsplit(replica.url).hostname, urlsplit(replica.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"User-Agent": ua} if ua is not None else {}
    conn.putrequest("GET", path, skip_accept_encoding=True)
    for k, v in headers.items():
        conn.putheader(k, v)
    conn.endheaders()
    resp = conn.getresponse()
    try:
        body, error = resp.read(), None
    except http.client.IncompleteRead as exc:
        body, error = exc.partial, "incomplete"
    conn.close()
    return resp.status, dict(resp.getheaders()), body, error


def article_paths(n: int, articles: int = 300) -> list[str]:
    model = SiteModel(seed=1, articles=articles)
    return [h.path for h in model.present() if h.reach == "all"][:n]


def test_latency_is_added_to_every_request(replica_factory):
    rp = replica_factory(articles=50, latency_ms=300)
    started = time.monotonic()
    assert get(rp, "/robots.txt")[0] == 200
    assert time.monotonic() - started >= 0.3
    rp.control(latency_ms=0)
    started = time.monotonic()
    get(rp, "/robots.txt")
    assert time.monotonic() - started < 0.3


def test_errors_then_success_on_retry(replica_factory):
    rp = replica_factory(articles=300, error_rate=0.5)
    paths = article_paths(60)
    first = {p: get(rp, p)[0] for p in paths}
    failing = [p for p, s in first.items() if s != 200]
    assert 10 <= len(failing) <= 50 and {first[p] for p in failing} <= {500, 502, 503}
    for path in failing:
        statuses = [get(rp, path)[0] for _ in range(2)]
        assert statuses[-1] == 200 and set(statuses) <= {200, 500, 502, 503}
    assert all(get(rp, p)[0] == 200 for p in paths)


def test_error_choice_is_deterministic(replica_factory):
    a, b = replica_factory(articles=60, error_rate=0.3), replica_factory(articles=60, error_rate=0.3)
    paths = ["/", "/news/politics", "/robots.txt", "/sitemaps/all.xml", *(f"/news/politics?page={n}" for n in range(2, 12))]
    assert [get(a, p)[0] for p in paths] == [get(b, p)[0] for p in paths]


def test_rate_limit_answers_429_with_retry_after(replica_factory):
    rp = replica_factory(articles=50, rate_limit=5)
    answers = [get(rp, "/robots.txt") for _ in range(15)]
    statuses = Counter(a[0] for a in answers)
    assert statuses[200] >= 1 and statuses[429] >= 5 and set(statuses) == {200, 429}
    assert all(a[1]["Retry-After"] == "1" for a in answers if a[0] == 429)
    time.sleep(1.1)
    assert get(rp, "/robots.txt")[0] == 200
    rp.control(rate_limit=0)
    assert all(get(rp, "/robots.txt")[0] == 200 for _ in range(15))


def test_block_bots_answers_cloudflare_403_to_bot_user_agents(replica_factory):
    rp = replica_factory(articles=50, block_bots=True)
    for ua in ("curl/8.0", "", None, "python-requests/2.32", "Scrapy/2.13 (+https://scrapy.org)", "Wget/1.21",
               "Python-urllib/3.12", "Go-http-client/1.1"):
        status, _, body, _ = get(rp, "/", ua)
        assert status == 403, ua
        assert b"Attention Required! | Cloudflare" in body and b"Sorry, you have been blocked" in body
    assert get(rp, "/", BROWSER)[0] == 200
    assert get(rp, "/", "newscrawl/0.1.0 (+https://github.com/newscrawl/newscrawl)")[0] == 200
    rp.control(block_bots=False)
    assert get(rp, "/", "curl/8.0")[0] == 200


def test_truncated_bodies_both_ways_then_whole(replica_factory):
    rp = replica_factory(articles=300, truncate_rate=1.0)
    modes = Counter()
    for path in article_paths(20) + ["/sitemaps/all.xml", "/news/politics"]:
        status, headers, body, error = get(rp, path)
        assert status == 200
        end = SITEMAP_END_MARKERS if path.endswith(".xml") else (HTML_END_MARKER,)
        assert not any(m in body for m in end), path
        if error:
            modes["early_close"] += 1
            assert int(headers["Content-Length"]) > len(body)
        else:
            modes["short_length"] += 1
            assert int(headers["Content-Length"]) == len(body)
        for _ in range(2):
            status, headers, body, error = get(rp, path)
        assert error is None and any(m in body for m in end) and int(headers["Content-Length"]) == len(body)
    assert modes["early_close"] >= 3 and modes["short_length"] >= 3
    status, _, body, error = get(rp, "/api/breaking.json")  # JSON is never cut
    assert error is None and json.loads(body)["items"]


def test_markup_change_moves_the_byline(replica_factory):
    rp = replica_factory(articles=50, markup_change="byline")
    path = article_paths(1, articles=50)[0]
    status, _, body, _ = get(rp, path)
    assert status == 200
    sel = Selector(text=body.decode())
    assert not sel.css("ul.byline")
    assert sel.css("div.details-white-box div.writer span.author::text").get().startswith("By ")
    assert sel.css("div.writer span.date::text").get()
    rp.control(markup_change="")
    sel = Selector(text=get(rp, path)[2].decode())
    assert sel.css("ul.byline li.author") and not sel.css("div.writer")


def test_request_log_in_memory_and_on_disk(replica_factory):
    rp = replica_factory(articles=50)
    rp.clear_log()
    get(rp, "/news/politics?page=2&utm_source=x", "agent-a")
    get(rp, "/missing", "agent-b")
    rp.control(latency_ms=0)
    log = rp.requests()
    assert [(e["path"], e["status"], e["ua"]) for e in log] == [
        ("/news/politics?page=2&utm_source=x", 200, "agent-a"), ("/missing", 404, "agent-b")]
    assert all(isinstance(e["t"], float) for e in log)
    on_disk = [json.loads(line) for line in rp.log_path.read_text().splitlines()]
    assert [e["path"] for e in on_disk][-2:] == ["/news/politics?page=2&utm_source=x", "/missing"]
    rp.clear_log()
    assert rp.requests() == []


def test_control_rejects_unknown_options(replica_factory):
    rp = replica_factory(articles=20)
    host, port = urlsplit(rp.url).hostname, urlsplit(rp.url).port
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("POST", "/__replica/control", body=json.dumps({"nonsense": 1}))
    assert conn.getresponse().status == 400
    options = rp.control(error_rate=0.1, truncate_rate=0.2)
    assert options["error_rate"] == 0.1 and options["truncate_rate"] == 0.2 and options["epoch"] == 1
    for refused in ({"markup": 3}, {"sitemap_lastmod": "sometimes"}, {"epoch": 3},
                    {"error_rate": 0.5, "no_tawsiyat": "maybe"}):
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("POST", "/__replica/control", body=json.dumps(refused))
        assert conn.getresponse().status == 400, refused
    assert rp.control() == options  # a refused change changes nothing


def test_serves_many_concurrent_clients(replica_factory):
    from concurrent.futures import ThreadPoolExecutor

    rp = replica_factory(articles=300)
    paths = article_paths(100) * 4
    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(lambda p: get(rp, p)[0], paths))
    assert statuses == [200] * len(paths)

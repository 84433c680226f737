"""What went wrong when the site cannot be reached, and what the one message says (pure)."""

import pytest
from OpenSSL import SSL
from scrapy.exceptions import (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError, DownloadTimeoutError,
)
from scrapy.http import HtmlResponse
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseNeverReceived

from newscrawl.health.reachability import (
    cause_text, classify, is_challenge, pick_kind, unreachable_message,
)


def _raised(exc, cause=None):
    try:
        try:
            if cause is not None:
                raise cause
        finally:
            raise exc
    except Exception as caught:  # noqa: BLE001 - the chain is what is tested
        return caught


def test_classify_the_errors_of_scrapys_download_handlers():
    assert classify(CannotResolveHostError("DNS lookup failed: no results for hostname lookup: x.invalid.")) == "dns"
    assert classify(DownloadConnectionRefusedError("Connection was refused by other side")) == "refused"
    assert classify(DownloadTimeoutError("Getting http://x/ took longer than 4.0 seconds.")) == "timeout"
    tls = ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "wrong version number")]))])
    assert classify(_raised(DownloadFailedError(str(tls)), cause=tls)) == "tls"
    assert classify(_raised(DownloadFailedError("Connection was closed cleanly."))) == "network"
    assert classify(ValueError("a bug, not the network")) is None


@pytest.mark.parametrize("text,kind", [
    ("Page.goto: net::ERR_NAME_NOT_RESOLVED at http://x.invalid/", "dns"),
    ("Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/", "refused"),
    ("Page.goto: net::ERR_CERT_AUTHORITY_INVALID at https://x/", "tls"),
])
def test_classify_browser_errors_by_their_net_code(text, kind):
    assert classify(RuntimeError(text)) == kind


def _page(status, body=b"<html></html>", headers=None):
    return HtmlResponse("https://english.almayadeen.net/", status=status, body=body, headers=headers or {})


def test_challenge_pages_by_header_or_markup():
    assert is_challenge(_page(503, headers={"cf-mitigated": "challenge"}))
    assert is_challenge(_page(503, b"<html><head><title>Just a moment...</title></head></html>"))
    assert is_challenge(_page(403, b"<title>Attention Required! | Cloudflare</title><div id='cf-error-details'>"))
    assert not is_challenge(_page(503, b"<html><body><h1>503</h1></body></html>"))  # plain overload: retried
    assert not is_challenge(_page(200, b"<title>Just a moment...</title>"))


def test_the_one_message_names_the_cause_and_the_next_step():
    cause = cause_text("dns", "english.almayadeen.net", 443, ["/robots.txt"])
    assert cause == "cannot resolve english.almayadeen.net (DNS lookup failed for /robots.txt)"
    assert unreachable_message("dns", cause) == (
        "site unreachable: cannot resolve english.almayadeen.net (DNS lookup failed for /robots.txt); nothing was "
        "crawled. Next: check this machine's network connection and DNS, or its proxy settings (HTTPS_PROXY, "
        "HTTP_PROXY); set BASE_URL to a mirror this machine can reach; or run `make demo` to see the crawler work "
        "on the offline replica. (finish reason unreachable_dns, exit code 4)")
    assert cause_text("refused", "127.0.0.1", 9, ["/", "/robots.txt"]) == (
        "cannot connect to 127.0.0.1:9: connection refused (/robots.txt, /)")
    assert cause_text("timeout", "example.org", 443, ["/robots.txt", "/", "/sitemaps/all.xml"], timeout=4.0) == (
        "example.org did not answer within 4 s (/robots.txt, /, /sitemaps/all.xml)")
    blocked = cause_text("blocked", "english.almayadeen.net", 443, ["/", "/robots.txt"], "403 Forbidden",
                         user_agent="curl/8.0")
    assert blocked == ("blocked by the site: english.almayadeen.net answered 403 Forbidden to /robots.txt, / "
                       "(User-Agent 'curl/8.0')")
    assert "(finish reason blocked, exit code 8)" in unreachable_message("blocked", blocked)
    assert "ca-certificates" in unreachable_message("tls", "x")


def test_the_most_telling_cause_wins():
    assert pick_kind(["blocked", "timeout"]) == "timeout"
    assert pick_kind(["blocked", "dns"]) == "dns"
    assert pick_kind(["blocked"]) == "blocked"

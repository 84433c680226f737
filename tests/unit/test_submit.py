"""`newscrawl submit`'s choices (job identity, duplicates, load) and the Scrapyd client's errors.

The client's errors are checked against small real HTTP servers on loopback.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
from datetime import datetime, timezone

import pytest

from newscrawl.cli import main
from newscrawl.cli.submit import (NodeState, args_hash, by_load, find_duplicate, job_prefix, new_job_id,
                                  parse_pairs)
from newscrawl.cli import CommandError
from newscrawl.scrapyd_client import (ApiError, AuthenticationFailed, NodeUnreachable, ScrapydNode,
                                      public_url)


def state(url: str, pending=(), running=(), status=None) -> NodeState:
    jobs = {"pending": list(pending), "running": list(running), "finished": []}
    status = status or {"pending": len(jobs["pending"]), "running": len(jobs["running"])}
    return NodeState(ScrapydNode(url), status, jobs)


# --- job identity -------------------------------------------------------------------


def test_args_hash_ignores_argument_order_but_not_values_or_spider():
    assert args_hash("almayadeen", {"a": "1", "b": "2"}) == args_hash("almayadeen", {"b": "2", "a": "1"})
    assert args_hash("almayadeen", {"a": "1"}) != args_hash("almayadeen", {"a": "2"})
    assert args_hash("almayadeen", {}) != args_hash("breaking", {})
    assert args_hash("almayadeen", {"a": "1,2"}) != args_hash("almayadeen", {"a": "1", "2": ""})


def test_job_id_starts_with_the_prefix_and_is_unique_and_path_safe():
    now = datetime(2025, 11, 10, 12, 30, tzinfo=timezone.utc)
    one = new_job_id("almayadeen", {"discover": "sitemaps"}, now)
    two = new_job_id("almayadeen", {"discover": "sitemaps"}, now)
    assert one.startswith(job_prefix("almayadeen", {"discover": "sitemaps"}))
    assert "20251110T123000Z" in one
    assert one != two
    assert all(c.isalnum() or c in "-_" for c in one)


def test_parse_pairs_keeps_equals_signs_in_values_and_rejects_bare_names():
    assert parse_pairs(["since=2025-01-01", "q=a=b"], "-a") == {"since": "2025-01-01", "q": "a=b"}
    with pytest.raises(CommandError, match="-a 'since': expected NAME=VALUE"):
        parse_pairs(["since"], "-a")


# --- duplicates and load ----------------------------------------------------------------


def test_a_running_job_is_recognised_by_its_id_prefix():
    args = {"discover": "sitemaps"}
    running = {"id": new_job_id("almayadeen", args), "spider": "almayadeen"}  # no args in listjobs
    found = find_duplicate([state("http://a:6800"), state("http://b:6800", running=[running])], "almayadeen", args)
    assert found and found.state == "running" and found.node == "http://b:6800/" and found.job_id == running["id"]


def test_a_pending_job_scheduled_elsewhere_is_recognised_by_its_arguments():
    pending = {"id": "manual-1", "spider": "almayadeen", "args": {"discover": "tags"}}
    found = find_duplicate([state("http://a:6800", pending=[pending])], "almayadeen", {"discover": "tags"})
    assert found and found.state == "pending" and found.job_id == "manual-1"


def test_other_spiders_other_arguments_and_finished_jobs_are_not_duplicates():
    args = {"discover": "sitemaps"}
    jobs = [
        {"id": new_job_id("breaking", args), "spider": "breaking", "args": args},
        {"id": new_job_id("almayadeen", {"discover": "tags"}), "spider": "almayadeen", "args": {"discover": "tags"}},
    ]
    node = state("http://a:6800", pending=jobs, running=[{"id": "x", "spider": "almayadeen"}])
    node.jobs["finished"] = [{"id": new_job_id("almayadeen", args), "spider": "almayadeen"}]
    assert find_duplicate([node], "almayadeen", args) is None


def test_least_busy_counts_pending_and_running_and_keeps_order_on_ties():
    a = state("http://a:6800", status={"pending": 2, "running": 0})
    b = state("http://b:6800", status={"pending": 0, "running": 1})
    c = state("http://c:6800", status={"pending": 1, "running": 0})
    assert [s.node.url for s in by_load([a, b, c])] == ["http://b:6800/", "http://c:6800/", "http://a:6800/"]


def test_public_url_drops_credentials_and_adds_a_slash():
    assert public_url("http://user:secret@127.0.0.1:6800") == "http://127.0.0.1:6800/"
    assert "secret" not in repr(ScrapydNode("http://127.0.0.1:6800", "u", "secret"))
    with pytest.raises(ValueError):
        public_url("127.0.0.1:6800")


# --- the command's usage errors (no network) -----------------------------------------------


def test_submit_without_nodes_says_how_to_give_them(monkeypatch, capsys):
    monkeypatch.delenv("NEWSCRAWL_SCRAPYD_NODES", raising=False)
    assert main(["submit", "almayadeen"]) == 2
    assert "NEWSCRAWL_SCRAPYD_NODES" in capsys.readouterr().err


def test_submit_refuses_arguments_that_scrapyd_would_swallow(capsys):
    assert main(["submit", "almayadeen", "-a", "jobid=x", "--nodes", "http://127.0.0.1:1/"]) == 2
    assert "reserved" in capsys.readouterr().err


# --- the client against real HTTP servers -----------------------------------------------------


class Server:
    def __init__(self, status: int, body: bytes, delay: float = 0.0):
        release = self.release = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if delay:
                    release.wait(delay)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server_factory():
    servers = []

    def start(*args, **kwargs) -> Server:
        servers.append(Server(*args, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_client_reads_status(server_factory):
    server = server_factory(200, json.dumps({"status": "ok", "pending": 1, "running": 2}).encode())
    assert ScrapydNode(server.url).daemon_status()["running"] == 2


def test_client_401_is_an_authentication_failure_without_the_password(server_factory):
    server = server_factory(401, b"Unauthorized")
    with pytest.raises(AuthenticationFailed) as failed:
        ScrapydNode(server.url, "user", "s3cret-value").daemon_status()
    assert server.url in str(failed.value) and "401" in str(failed.value)
    assert "s3cret-value" not in str(failed.value)


def test_client_error_status_and_non_json_are_api_errors(server_factory):
    refused = server_factory(200, json.dumps({"status": "error", "message": "project 'x' not found"}).encode())
    with pytest.raises(ApiError, match="project 'x' not found"):
        ScrapydNode(refused.url).list_jobs("x")
    html = server_factory(200, b"<html>proxy</html>")
    with pytest.raises(ApiError, match="did not answer JSON"):
        ScrapydNode(html.url).daemon_status()
    broken = server_factory(502, b"bad gateway")
    with pytest.raises(ApiError, match="HTTP 502"):
        ScrapydNode(broken.url).daemon_status()


def test_client_timeout_and_refused_connection_are_unreachable(server_factory):
    slow = server_factory(200, b"{}", delay=5)
    with pytest.raises(NodeUnreachable, match="no answer within 0.5s"):
        ScrapydNode(slow.url, timeout=0.5).daemon_status()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NodeUnreachable, match="not reachable"):
        ScrapydNode(f"http://127.0.0.1:{port}/", timeout=2).daemon_status()

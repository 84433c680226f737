"""Two real Scrapyd nodes (deploy/scrapyd/run-scrapyd.sh), the project deployed with scrapyd-deploy,
jobs scheduled with `newscrawl submit`.

Node A runs jobs (max_proc=1) and is kept busy by an `almayadeen` crawl of a server that
accepts connections and never answers. Node B never starts its jobs (poll_interval of an
hour), so what is scheduled there stays pending and visible with its arguments.
"""

from __future__ import annotations

import base64
import configparser
import json
import os
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from newscrawl.scrapyd_client import ScrapydNode
from tests.conftest import PY, ROOT, free_port, stop_process, wait_port

CONF = ROOT / "deploy" / "scrapyd" / "scrapyd.conf"
LAUNCHER = ROOT / "deploy" / "scrapyd" / "run-scrapyd.sh"
SCRAPYD_DEPLOY = Path(PY).parent / "scrapyd-deploy"
NEWSCRAWL = Path(PY).parent / "newscrawl"  # the console script, as cron and systemd run it
USERNAME = "newscrawl-test"
PASSWORD = "pw-" + secrets.token_hex(8)
# settings that keep a test crawl away from MongoDB and give it one slow request to wait on
QUIET = ["-s", "ITEM_PIPELINES={}", "-s", "NEWSCRAWL_STORE_ENABLED=False", "-s", "ROBOTSTXT_OBEY=False",
         "-s", "DOWNLOAD_TIMEOUT=120", "-s", "RETRY_ENABLED=False"]


class SilentServer:
    """Accepts TCP connections and never answers: a crawl of it stays running."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.connections:
            conn.close()


class ScrapydProcess:
    """A Scrapyd node started by the project's launcher with the project's config (plus overrides)."""

    def __init__(self, workdir: Path, name: str, port: int | None = None, base_url: str = "", **overrides):
        self.name = name
        self.port = port or free_port()
        self.data_dir = workdir / name
        self.data_dir.mkdir(parents=True)
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(CONF)
        for key, value in overrides.items():
            parser.set("scrapyd", key, str(value))
        conf = workdir / f"{name}.conf"
        with conf.open("w") as f:
            parser.write(f)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")}
        env.update(SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=PASSWORD, SCRAPYD_HTTP_PORT=str(self.port),
                   NEWSCRAWL_SCRAPYD_DATA_DIR=str(self.data_dir), NEWSCRAWL_SCRAPYD_CONF=str(conf),
                   SCRAPYD=str(Path(PY).parent / "scrapyd"), HOME=str(workdir),  # no ~/.scrapyd.conf
                   NEWSCRAWL_DATA_DIR=str(self.data_dir / "crawl-data"))
        if base_url:  # every crawl on this node goes there, never to the live site
            env["BASE_URL"] = base_url
        self.log_path = workdir / f"{name}.out"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(["bash", str(LAUNCHER)], cwd=workdir, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port, 30, self.proc)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.client = ScrapydNode(self.url, USERNAME, PASSWORD, timeout=60)  # listspiders runs `scrapy list`

    def stop(self):
        if self.proc.poll() is None:
            try:
                for job in self.client.list_jobs("newscrawl")["running"]:
                    self.client.cancel("newscrawl", job["id"], signal="KILL")
                deadline = time.monotonic() + 15
                while self.client.daemon_status()["running"] and time.monotonic() < deadline:
                    time.sleep(0.2)
            except Exception:
                pass
        stop_process(self.proc)
        self.log.close()


def deploy(node: ScrapydProcess, workdir: Path, password: str = PASSWORD) -> subprocess.CompletedProcess:
    """`scrapyd-deploy test-NAME` from the repo root; the target comes from a user-level scrapy.cfg."""
    xdg = workdir / f"xdg-{node.name}"
    xdg.mkdir(exist_ok=True)
    (xdg / "scrapy.cfg").write_text(
        f"[deploy:test-{node.name}]\nurl = {node.url}\nproject = newscrawl\n"
        "username = ${SCRAPYD_USERNAME}\npassword = ${SCRAPYD_PASSWORD}\n")
    env = dict(os.environ, XDG_CONFIG_HOME=str(xdg), SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=password)
    return subprocess.run([str(SCRAPYD_DEPLOY), f"test-{node.name}"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def deploy_all(nodes: str) -> subprocess.CompletedProcess:
    """scripts/scrapyd-deploy-all.sh: one egg built with scrapyd-deploy, uploaded to every node."""
    env = dict(os.environ, NEWSCRAWL_SCRAPYD_NODES=nodes, SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=PASSWORD,
               SCRAPYD_DEPLOY=str(SCRAPYD_DEPLOY))
    return subprocess.run(["bash", str(ROOT / "scripts" / "scrapyd-deploy-all.sh")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


def submit(*argv: str, password: str = PASSWORD, **env_extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSCRAWL_SCRAPYD_NODES",)}
    env.update(SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=password, **env_extra)
    return subprocess.run([str(NEWSCRAWL), "submit", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("scrapyd")


@pytest.fixture(scope="module")
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def nodes(workdir, silent_server):
    """(busy node A with a running crawl, idle node B whose jobs stay pending), both deployed."""
    started = []
    try:
        silent = f"http://127.0.0.1:{silent_server.port}"
        node_a = ScrapydProcess(workdir, "a", base_url=silent, max_proc=1, poll_interval=0.5)
        started.append(node_a)
        node_b = ScrapydProcess(workdir, "b", base_url=silent, poll_interval=3600)
        started.append(node_b)
        result = deploy_all(f"{node_a.url},{node_b.url}")
        assert result.returncode == 0, f"deploy failed:\n{result.stdout}\n{result.stderr}"
        busy = node_a.client.schedule("newscrawl", "almayadeen", jobid="busy-" + secrets.token_hex(4),
                                      args={"discover": "listings"},
                                      settings=dict(s.split("=", 1) for s in QUIET[1::2]))
        wait_until(lambda: [j for j in node_a.client.list_jobs("newscrawl")["running"] if j["id"] == busy],
                   60, "the busy crawl to run on node A")
        yield node_a, node_b
    finally:
        for node in started:
            node.stop()


def pending_ids(node: ScrapydProcess) -> list[str]:
    return [job["id"] for job in node.client.list_jobs("newscrawl")["pending"]]


# --- configuration ------------------------------------------------------------------


def test_config_listens_on_loopback_only_and_keeps_no_items():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(CONF)
    conf = parser["scrapyd"]
    assert conf["bind_address"] == "127.0.0.1"
    assert conf["http_port"] == "6800"
    assert conf["items_dir"] == ""
    assert conf["username"] == "" and conf["password"] == ""  # secrets only from the environment
    assert conf["jobstorage"] == "scrapyd.jobstorage.SqliteJobStorage"
    assert int(conf["jobs_to_keep"]) >= 1
    for key in ("eggs_dir", "dbs_dir", "logs_dir"):
        assert conf[key] and not conf[key].startswith("/"), f"{key} must be relative to the data directory"


def test_node_answers_on_127_0_0_1_only_and_requires_auth(nodes):
    node_a, _ = nodes
    assert node_a.client.daemon_status()["running"] == 1
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(node_a.url + "daemonstatus.json", timeout=5)
    assert denied.value.code == 401
    # bound to 127.0.0.1 itself, not to every address: another loopback address is refused
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.2", node_a.port), timeout=2).close()
    assert f"available at http://127.0.0.1:{node_a.port}/" in node_a.log_path.read_text()


def test_scrapyd_deploy_uploaded_the_project_with_its_spiders(nodes):
    for node in nodes:
        assert "newscrawl" in node.client.list_projects()
        assert {"almayadeen", "breaking"} <= set(node.client.list_spiders("newscrawl"))
        assert list((node.data_dir / "eggs" / "newscrawl").glob("*.egg")), "egg stored under the data dir"


def test_scrapyd_deploy_with_a_wrong_password_fails(nodes, workdir):
    result = deploy(nodes[1], workdir, password="not-the-password")
    assert result.returncode != 0
    assert "401" in result.stdout + result.stderr


def test_running_job_writes_its_log_under_the_data_dir_without_secrets(nodes):
    node_a, _ = nodes
    job = node_a.client.list_jobs("newscrawl")["running"][0]
    log_file = node_a.data_dir / "logs" / "newscrawl" / "almayadeen" / f"{job['id']}.log"
    wait_until(lambda: log_file.exists() and "Spider opened" in log_file.read_text(), 60, "the job's log")
    request = urllib.request.Request(node_a.url + job["log_url"].lstrip("/"))
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode())
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "Spider opened" in response.read().decode()
    for text in (log_file.read_text(), node_a.log_path.read_text()):
        assert PASSWORD not in text


# --- newscrawl submit -------------------------------------------------------------------


def test_submit_schedules_on_the_least_busy_node(nodes):
    node_a, node_b = nodes
    before_a, before_b = pending_ids(node_a), pending_ids(node_b)
    dry = submit("almayadeen", "-a", "discover=sitemaps", "--dry-run", "--nodes", f"{node_a.url},{node_b.url}")
    assert dry.returncode == 0 and f"would schedule almayadeen -a discover=sitemaps on {node_b.url}" in dry.stdout
    assert pending_ids(node_b) == before_b
    result = submit("almayadeen", "-a", "discover=sitemaps", "-s", "LOG_LEVEL=INFO",
                    "--nodes", f"{node_a.url},{node_b.url}")
    assert result.returncode == 0, result.stderr
    assert f"on {node_b.url}" in result.stdout
    [job] = [j for j in node_b.client.list_jobs("newscrawl")["pending"] if j["spider"] == "almayadeen"
             and j["args"] == {"discover": "sitemaps"}]
    assert job["settings"] == {"LOG_LEVEL": "INFO"}
    assert job["id"] in result.stdout
    assert pending_ids(node_a) == before_a


def test_submit_skips_a_duplicate_pending_on_any_node(nodes):
    node_a, node_b = nodes
    first = submit("almayadeen", "-a", "discover=tags", "--nodes", node_b.url)
    assert first.returncode == 0 and "scheduled" in first.stdout, first.stderr
    before = (pending_ids(node_a), pending_ids(node_b))
    result = submit("almayadeen", "-a", "discover=tags", "--nodes", f"{node_a.url},{node_b.url}")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout and "pending" in result.stdout and node_b.url in result.stdout
    assert (pending_ids(node_a), pending_ids(node_b)) == before


def test_submit_skips_a_duplicate_running_job(nodes):
    node_a, node_b = nodes
    spider_args = ["-a", "discover=listings", "-a", "max_articles=5"]
    first = submit("almayadeen", *spider_args, *QUIET, "--nodes", node_a.url)
    assert first.returncode == 0, first.stderr
    # node A runs one job at a time: end the busy one so this one starts
    busy = [j["id"] for j in node_a.client.list_jobs("newscrawl")["running"]]
    for job_id in busy:
        node_a.client.cancel("newscrawl", job_id, signal="KILL")
    wait_until(lambda: [j for j in node_a.client.list_jobs("newscrawl")["running"] if j["id"] not in busy],
               60, "the submitted job to run")
    result = submit("almayadeen", *reversed_pairs(spider_args), "--nodes", f"{node_b.url},{node_a.url}")
    assert result.returncode == 0, result.stderr
    assert "skipped" in result.stdout and "running" in result.stdout and node_a.url in result.stdout


def reversed_pairs(spider_args: list[str]) -> list[str]:
    pairs = [spider_args[i:i + 2] for i in range(0, len(spider_args), 2)]
    return [token for pair in reversed(pairs) for token in pair]


def test_submit_with_a_wrong_password_fails_naming_the_nodes(nodes):
    node_a, node_b = nodes
    wrong = "wrong-" + secrets.token_hex(6)
    result = submit("almayadeen", "-a", "discover=listings,tags", "--nodes", f"{node_a.url},{node_b.url}",
                    password=wrong)
    assert result.returncode == 3
    assert "authentication failed" in result.stderr
    assert node_a.url in result.stderr and node_b.url in result.stderr
    assert wrong not in result.stdout + result.stderr and PASSWORD not in result.stdout + result.stderr


def test_submit_fails_when_no_node_answers():
    dead = [f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{free_port()}/"]
    result = submit("almayadeen", "--nodes", ",".join(dead), "--timeout", "2")
    assert result.returncode == 4
    assert "no Scrapyd node answered" in result.stderr
    for url in dead:
        assert url in result.stderr
    assert PASSWORD not in result.stderr


def test_submit_skips_a_dead_node_and_takes_nodes_from_the_environment(nodes):
    _, node_b = nodes
    dead = f"http://127.0.0.1:{free_port()}/"
    result = submit("almayadeen", "-a", "discover=listings,sitemaps", "--timeout", "2",
                    NEWSCRAWL_SCRAPYD_NODES=f"{dead},{node_b.url}")
    assert result.returncode == 0, result.stderr
    assert f"warning: skipping node {dead}" in result.stderr
    assert f"on {node_b.url}" in result.stdout
    assert any(j["args"] == {"discover": "listings,sitemaps"} for j in node_b.client.list_jobs("newscrawl")["pending"])


def test_submit_reports_an_unknown_spider(nodes):
    _, node_b = nodes
    result = submit("no-such-spider", "--nodes", node_b.url)
    assert result.returncode == 5
    assert "spider 'no-such-spider' not found" in result.stderr


# --- the committed target `local` ------------------------------------------------------


def test_scrapyd_deploy_local_target_from_the_repo_root(workdir):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6800)) == 0:
            pytest.skip("port 6800 is taken on this machine; the other tests deploy to free ports")
    node = ScrapydProcess(workdir, "local", port=6800)
    try:
        env = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
        env.update(SCRAPYD_USERNAME=USERNAME, SCRAPYD_PASSWORD=PASSWORD)
        result = subprocess.run([str(SCRAPYD_DEPLOY), "local"], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["status"] == "ok"
        assert "newscrawl" in node.client.list_projects()
    finally:
        node.stop()

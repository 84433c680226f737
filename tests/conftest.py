"""Real services for the tests: the replica over HTTP, a SecantusDB server, a Redis server.

Each runs as its own process on a free loopback port and is stopped at the end.
Set MONGODB_URI to run the same tests against a real MongoDB instead.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


# --- the replica -------------------------------------------------------------


class ReplicaProcess:
    """A replica server in its own process (python -m tests.replica serve ...)."""

    def __init__(self, workdir: Path, **options):
        self.port = free_port()
        self.options = options
        self.log_path = workdir / f"replica-{self.port}.jsonl"
        args = [PY, "-m", "tests.replica", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--log", str(self.log_path)]
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value not in (False, None):
                args += [flag, str(value)]
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("READY "):
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            stop_process(self.proc)
            raise RuntimeError(f"replica did not start: {line!r} {err}")
        self.url = line.split()[1].rstrip("/")

    def control(self, **changes) -> dict:
        req = urllib.request.Request(self.url + "/__replica/control", data=json.dumps(changes).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.load(resp)

    def requests(self) -> list[dict]:
        """The request log: one dict per request (t, path, status, ua)."""
        with urllib.request.urlopen(self.url + "/__replica/log", timeout=30) as resp:
            return json.load(resp)

    def clear_log(self) -> None:
        req = urllib.request.Request(self.url + "/__replica/log/clear", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=10).close()

    def stop(self) -> None:
        stop_process(self.proc)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


@pytest.fixture
def replica_factory(tmp_path):
    """Start replicas with options: replica_factory(articles=300, epoch=1, seed=1, ...)."""
    started: list[ReplicaProcess] = []

    def start(**options) -> ReplicaProcess:
        rp = ReplicaProcess(tmp_path, **options)
        started.append(rp)
        return rp

    yield start
    for rp in started:
        rp.stop()


@pytest.fixture
def replica(replica_factory):
    return replica_factory(articles=300, seed=1, epoch=1)


# --- MongoDB: SecantusDB unless MONGODB_URI is set --------------------------


class SecantusProcess:
    def __init__(self, storage: Path, port: int | None = None):
        self.storage = storage
        self.port = port or free_port()
        self.start()

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self) -> None:
        self.storage.mkdir(parents=True, exist_ok=True)
        exe = shutil.which("secantusd-py", path=str(BIN)) or "secantusd-py"
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--storage-path", str(self.storage)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, 60, self.proc)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="session")
def mongo_server(tmp_path_factory):
    """A SecantusDB server for the session (None when MONGODB_URI points elsewhere)."""
    if os.environ.get("MONGODB_URI"):
        yield None
        return
    server = SecantusProcess(tmp_path_factory.mktemp("secantus"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def mongo_uri(mongo_server) -> str:
    return os.environ.get("MONGODB_URI") or mongo_server.uri


@pytest.fixture
def mongo_db_name(mongo_uri):
    """A fresh database name for one test; dropped afterwards."""
    import pymongo

    name = "t_" + uuid.uuid4().hex[:12]
    yield name
    client = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000)
    try:
        client.drop_database(name)
    except Exception:
        pass
    finally:
        client.close()


@pytest.fixture
def mongo_db(mongo_uri, mongo_db_name):
    import pymongo

    client = pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=10000)
    yield client[mongo_db_name]
    client.close()


@pytest.fixture
def own_secantus(tmp_path):
    """A SecantusDB server of this test alone, which the test may kill and restart."""
    server = SecantusProcess(tmp_path / "secantus")
    yield server
    server.stop()


# --- Redis -------------------------------------------------------------------


class RedisProcess:
    def __init__(self, workdir: Path, password: str | None = None):
        self.port = free_port()
        self.workdir = workdir
        self.password = password
        self.start()

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", str(self.workdir)]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, 20, self.proc)

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisProcess(tmp_path)
    yield server
    server.stop()

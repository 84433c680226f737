"""The services behind a crawl, locked: MongoDB with SCRAM-SHA-256 auth and TLS, Redis with a
password, and every server newscrawl starts bound to loopback only."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pymongo
import pytest
import redis
from pymongo.errors import OperationFailure, PyMongoError

from newscrawl.store import open_store
from newscrawl.store.embedded import EmbeddedServer
from tests.conftest import ROOT, RedisProcess, free_port, stop_process, wait_port
from tests.e2e.crawl import run_crawl
from tests.replica.model import SiteModel

MONGO_USER = "crawler"
MONGO_PASSWORD = "Mongo-pw-7f3c1e9a"
REDIS_PASSWORD = "Redis-pw-2b8d4c6e"
SECANTUSD = shutil.which("secantusd-py", path=str(Path(sys.executable).parent)) or "secantusd-py"


class LockedMongo:
    """A SecantusDB server with --auth (a root user made first, without auth) and optional TLS."""

    def __init__(self, workdir: Path, tls: dict[str, Path] | None = None):
        self.storage = workdir / "secantus-auth"
        self.log = workdir / "secantus-auth.log"
        self.port = free_port()
        self.tls = tls
        self._run([])
        client = pymongo.MongoClient("127.0.0.1", self.port, serverSelectionTimeoutMS=10_000, **self._tls_client())
        client.admin.command("createUser", MONGO_USER, pwd=MONGO_PASSWORD, roles=[{"role": "root", "db": "admin"}])
        client.close()
        self.stop()
        self._run(["--auth"])

    def _tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return ["--tls-cert-file", str(self.tls["cert"]), "--tls-key-file", str(self.tls["key"])]

    def _tls_client(self) -> dict:
        return {"tls": True, "tlsCAFile": str(self.tls["ca"])} if self.tls else {}

    def _run(self, extra: list[str]) -> None:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([SECANTUSD, "--host", "127.0.0.1", "--port", str(self.port),
                                          "--storage-path", str(self.storage), *self._tls_args(), *extra],
                                         stdout=log, stderr=log)
        wait_port(self.port, 60, self.proc)

    def restart(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._run(["--auth"])

    def uri(self, password: str = MONGO_PASSWORD) -> str:
        uri = f"mongodb://{MONGO_USER}:{password}@127.0.0.1:{self.port}/?authSource=admin"
        return uri + (f"&tls=true&tlsCAFile={self.tls['ca']}" if self.tls else "")

    def stop(self) -> None:
        stop_process(self.proc)


def make_certificates(workdir: Path) -> dict[str, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl."""
    d = workdir / "tls"
    d.mkdir()
    run = lambda *args: subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=newscrawl test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return {"ca": d / "ca.pem", "cert": d / "server.pem", "key": d / "server.key"}


@pytest.fixture
def locked_mongo(tmp_path):
    server = LockedMongo(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def tls_mongo(tmp_path):
    server = LockedMongo(tmp_path, tls=make_certificates(tmp_path))
    yield server
    server.stop()


@pytest.fixture
def locked_redis(tmp_path):
    server = RedisProcess(tmp_path, password=REDIS_PASSWORD)
    yield server
    server.stop()


def stored_urls(uri: str, db: str) -> set[str]:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=10_000)
    try:
        docs = list(client[db].articles.find({}, {"url": 1, "aliases": 1}))
    finally:
        client.close()
    return {d["url"] for d in docs} | {a for d in docs for a in d.get("aliases", [])}


# --- MongoDB authentication -----------------------------------------------------------


def test_the_locked_server_refuses_anonymous_and_wrong_credentials(locked_mongo):
    for uri in (f"mongodb://127.0.0.1:{locked_mongo.port}/", locked_mongo.uri("not-the-password")):
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=5_000)
        with pytest.raises(OperationFailure):
            client.newscrawl.articles.insert_one({"url": "x"})
        client.close()


@pytest.mark.e2e
def test_a_crawl_with_credentials_stores_every_article(locked_mongo, replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=3, epoch=1)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "MONGODB_DATABASE": "secure",
                                                "NEWSCRAWL_MONITOR_EMPTY_LISTINGS_SHARE": "1.01"},
                       env={"MONGODB_URI": locked_mongo.uri()})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=3, articles=40, epoch=1)
    assert stored_urls(locked_mongo.uri(), "secure") == {d["url"] for d in model.truth()} - set(model.invalid)
    assert MONGO_PASSWORD not in result.log


@pytest.mark.e2e
def test_a_wrong_password_fails_the_crawl_clearly_and_never_shows_it(locked_mongo, replica_factory, tmp_path):
    replica = replica_factory(articles=10, seed=3, epoch=1)
    wrong = "Wrong-pw-5a1b2c3d"
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "MONGODB_DATABASE": "secure",
                                                "LOG_LEVEL": "DEBUG"},
                       env={"MONGODB_URI": locked_mongo.uri(wrong)}, timeout=300)
    assert result.returncode != 0
    assert "authentication failed" in result.log.lower() or "AuthenticationFailed" in result.log, result.log[-3000:]
    outputs = [result.log, *map(Path.read_text, tmp_path.glob("stats-*.json"))]
    outputs += [p.read_text(errors="replace") for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert not [o for o in outputs if wrong in o]
    assert stored_urls(locked_mongo.uri(), "secure") == set()


# --- TLS ---------------------------------------------------------------------------------


def test_the_store_connects_over_tls_and_plaintext_is_refused(tls_mongo):
    store = open_store({"MONGODB_URI": tls_mongo.uri(), "MONGODB_DATABASE": "tls",
                        "MONGO_SERVER_SELECTION_TIMEOUT_MS": 10_000})
    try:
        store.db.probe.insert_one({"over": "tls"})
        assert store.db.probe.count_documents({"over": "tls"}) == 1
    finally:
        store.close()
    plain = pymongo.MongoClient(tls_mongo.uri().split("&tls=")[0], serverSelectionTimeoutMS=2_000)
    with pytest.raises(PyMongoError):
        plain.admin.command("ping")
    plain.close()


def test_tls_with_an_unknown_ca_is_refused(tls_mongo, tmp_path):
    (tmp_path / "other").mkdir()
    other = make_certificates(tmp_path / "other")
    client = pymongo.MongoClient(tls_mongo.uri().replace(str(tls_mongo.tls["ca"]), str(other["ca"])),
                                 serverSelectionTimeoutMS=3_000)
    with pytest.raises(PyMongoError):
        client.admin.command("ping")
    client.close()


# --- Redis with a password -------------------------------------------------------------


def test_redis_needs_its_password(locked_redis):
    from scrapy.settings import Settings

    from newscrawl.distributed.connection import mask_url, redis_from_settings

    anonymous = redis.Redis(host="127.0.0.1", port=locked_redis.port, socket_timeout=5)
    with pytest.raises(redis.exceptions.AuthenticationError):
        anonymous.ping()
    client = redis_from_settings(Settings({"REDIS_URL": locked_redis.url}))
    assert client.ping() is True
    assert REDIS_PASSWORD not in mask_url(locked_redis.url) and ":***@" in mask_url(locked_redis.url)


# --- loopback only ------------------------------------------------------------------------


def listening(pid: int) -> set[str]:
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    return {c.laddr.ip for p in procs for c in p.net_connections("inet") if c.status == psutil.CONN_LISTEN}


def test_the_embedded_store_listens_on_loopback_only(tmp_path):
    server = EmbeddedServer(tmp_path / "data")
    uri = server.start()
    try:
        assert uri.startswith("mongodb://127.0.0.1:")
        assert listening(server.proc.pid) == {"127.0.0.1"}
    finally:
        server.stop()


def test_the_replica_listens_on_loopback_only(replica_factory):
    replica = replica_factory(articles=5)
    assert replica.url.startswith("http://127.0.0.1:")
    assert listening(replica.proc.pid) == {"127.0.0.1"}


def test_scrapyd_is_configured_for_loopback_only():
    conf = configparser.ConfigParser()
    conf.read(ROOT / "deploy" / "scrapyd" / "scrapyd.conf")
    assert conf["scrapyd"]["bind_address"] == "127.0.0.1"
    assert not conf["scrapyd"].get("password")  # credentials come from the environment only

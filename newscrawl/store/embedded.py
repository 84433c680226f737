"""The embedded store: a SecantusDB server (MongoDB wire protocol) kept under the data directory.

``<data_dir>/mongo`` holds the WiredTiger files, ``server.json`` (pid, port; pid null
once stopped, the port kept so the next start reuses it) and ``server.log``. A server already running there is reused; one started here runs in
its own session, so a Ctrl-C meant for the crawl does not kill it before the last
items are written, and ``stop()`` ends it (only if this object started it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

EXECUTABLE = "secantusd-py"
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


class EmbeddedServerError(RuntimeError):
    pass


def find_executable() -> str:
    """``secantusd-py`` beside the running interpreter (a venv), else on PATH."""
    found = shutil.which(EXECUTABLE, path=str(Path(sys.executable).parent)) or shutil.which(EXECUTABLE)
    if not found:
        raise EmbeddedServerError(f"{EXECUTABLE} not found beside {sys.executable} or on PATH (pip install secantusdb)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # as a listening server would: connections of a stopped server in TIME_WAIT do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pings(port: int, timeout_ms: int = 2000) -> bool:
    client = MongoClient(HOST, port, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms,
                         directConnection=True)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


class EmbeddedServer:
    def __init__(self, data_dir: str | os.PathLike, database: str = "newscrawl"):
        self.data_dir = Path(data_dir)
        self.storage = self.data_dir / "mongo"
        self.database = database
        self.state_file = self.storage / "server.json"
        self.log_file = self.storage / "server.log"
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://{HOST}:{self.port}/{self.database}"

    @property
    def started_here(self) -> bool:
        return self.proc is not None

    def start(self) -> str:
        """Reuse the server recorded in server.json if it is alive and answers, else start one; the URI."""
        self.storage.mkdir(parents=True, exist_ok=True)
        with self._lock():
            if self.proc is not None and self.proc.poll() is None and pings(self.port):
                return self.uri
            state = self._read_state()
            if state and self._is_live(state):
                self.proc = None
                self.port = state["port"]
                logger.info("MongoDB store: %s (embedded SecantusDB, reused pid %s, data in %s)",
                            self.uri, state["pid"], self.storage)
                return self.uri
            self._spawn(state.get("port") if state else None)
        logger.info("MongoDB store: %s (embedded SecantusDB, data in %s)", self.uri, self.storage)
        return self.uri

    def running(self) -> bool:
        return self.port is not None and pings(self.port)

    def terminate(self) -> None:
        """SIGTERM to the server if this object started it, without waiting (the process is exiting now)."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        """End the server if this object started it (SIGTERM, then SIGKILL after a wait)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                logger.warning("embedded SecantusDB pid %s ignored SIGTERM for %ss; killing it", proc.pid, STOP_TIMEOUT)
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        with self._lock():
            state = self._read_state()
            if state and state.get("pid") == proc.pid:
                # keep the port: the next start takes it again if free, so the URI stays the same
                self.state_file.write_text(json.dumps({"pid": None, "port": self.port}))

    # --- internals -------------------------------------------------------------

    @contextlib.contextmanager
    def _lock(self):
        # two processes starting the store at once must not both spawn a server on the same files
        with open(self.storage / "server.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _read_state(self) -> dict:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}
        if not isinstance(state.get("port"), int) or not isinstance(state.get("pid"), (int, type(None))):
            return {}
        return state

    def _is_live(self, state: dict) -> bool:
        if state["pid"] is None or not pid_alive(state["pid"]):
            return False
        cmdline = Path(f"/proc/{state['pid']}/cmdline")
        if cmdline.exists():
            # the pid may have been reused by an unrelated process since the file was written
            args = cmdline.read_bytes().split(b"\0")
            if not any(EXECUTABLE.encode() in a for a in args) or str(self.storage.resolve()).encode() not in args:
                return False
        return pings(state["port"])

    def _spawn(self, preferred_port: int | None) -> None:
        # the same port as last time keeps the URI stable for users and for clients that reconnect
        self.port = preferred_port if preferred_port and port_is_free(preferred_port) else free_port()
        args = [find_executable(), "--host", HOST, "--port", str(self.port),
                "--storage-path", str(self.storage.resolve()), "--log-level", "WARNING"]
        with open(self.log_file, "ab") as log:
            # cwd is the storage dir so a stray ./secantusd.toml elsewhere is not picked up
            self.proc = subprocess.Popen(args, cwd=self.storage, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code, self.proc = self.proc.returncode, None
                raise EmbeddedServerError(
                    f"embedded SecantusDB exited with {code} (is another server using {self.storage}?); "
                    f"see {self.log_file}")
            if pings(self.port, 500):
                self.state_file.write_text(json.dumps({"pid": self.proc.pid, "port": self.port}))
                return
            time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        raise EmbeddedServerError(f"embedded SecantusDB did not answer on port {self.port} within {START_TIMEOUT}s")

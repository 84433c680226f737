"""The replica's HTTP server: pages from routes, faults on top, a request log, a control endpoint."""

from __future__ import annotations

import json
import math
import threading
import time
from datetime import UTC
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.replica.faults import CONTENT_OPTIONS, Faults
from tests.replica.markup import CLOUDFLARE_BLOCK
from tests.replica.model import SiteModel
from tests.replica.routes import Response, resolve

CONTROL_PREFIX = "/__replica/"


class RequestLog:
    def __init__(self, path: str | None = None):
        self._entries: list[dict] = []
        self._lock = threading.Lock()
        self._file = open(path, "a", encoding="utf-8") if path else None

    def add(self, path: str, status: int, ua: str | None) -> None:
        entry = {"t": time.time(), "path": path, "status": status, "ua": ua or ""}
        with self._lock:
            self._entries.append(entry)
            if self._file:
                self._file.write(json.dumps(entry) + "\n")
                self._file.flush()

    def add_event(self, event: dict) -> None:
        """A release-mode event (JSON line with an "event" key) in the log file; the in-memory request
        log (GET /__replica/log) keeps requests only."""
        if self._file:
            with self._lock:
                self._file.write(json.dumps(event, ensure_ascii=False) + "\n")
                self._file.flush()

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Replica:
    """The state behind the server: the model (epoch switchable), faults and the log."""

    def __init__(self, model: SiteModel, options: dict, log_path: str | None = None):
        self.model = model
        state = {name: getattr(model, name) for name in CONTENT_OPTIONS}
        self.faults = Faults(model.seed, {**options, **state})
        self.log = RequestLog(log_path)
        self._lock = threading.Lock()
        self._events_thread: threading.Thread | None = None

    def options(self) -> dict:
        """The current options as JSON (and, in release mode, the release clock's state)."""
        out = dict(self.faults.options)
        plan = self.model.release_plan
        if plan:
            schedule = self.model.schedule
            out["release"] = {"every": plan.every, "count": plan.count, "edits": plan.edits,
                              "edit_after": plan.edit_after, "started": schedule.started if schedule else None}
        return out

    def start_release(self) -> float:
        """Start the release clock (once) and the thread that writes its events to the log file."""
        with self._lock:
            started = self.model.start_release()
            if self._events_thread is None:
                self._events_thread = threading.Thread(target=self._log_events, name="release-events", daemon=True)
                self._events_thread.start()
        return started

    def _log_events(self) -> None:
        for event in self.model.release_events(math.inf):
            delay = event["t"] - time.time()
            if delay > 0:
                time.sleep(delay)
            self.log.add_event(event)

    def control(self, changes: dict) -> dict:
        changes = dict(changes)
        if "release" in changes:
            if changes.pop("release") != "start":
                raise ValueError('release: the one command is "start"')
            if not self.model.release_plan:
                raise ValueError("release mode is off (serve with --release-every S --release-count N)")
            if changes:
                self.control(changes)
            self.start_release()
            return self.options()
        if "epoch" in changes and int(changes["epoch"]) not in (1, 2):
            raise ValueError("epoch must be 1 or 2")
        with self._lock:
            before = dict(self.faults.options)
            options = self.faults.update(changes)
            for name in CONTENT_OPTIONS:
                setattr(self.model, name, options[name])
            try:
                self.model.check_options()
            except ValueError:
                self.faults.options = before
                for name in CONTENT_OPTIONS:
                    setattr(self.model, name, before[name])
                raise
        return self.options()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cloudflare"
    sys_version = ""
    replica: Replica  # set on the subclass made by make_server

    def log_message(self, format, *args):  # the request log replaces stderr logging
        pass

    def do_GET(self):
        self.answer(send_body=True)

    def do_HEAD(self):
        self.answer(send_body=False)

    def do_POST(self):
        if not self.path.startswith(CONTROL_PREFIX):
            return self.send(Response(405, "text/plain", b"method not allowed"), True)
        self.handle_control()

    # --- control endpoints (no faults, not logged) ------------------------------------
    def handle_control(self):
        rp = self.replica
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        path = self.path.split("?")[0]
        try:
            if path == "/__replica/control" and self.command == "POST":
                body = rp.control(json.loads(data or b"{}"))
            elif path == "/__replica/control":
                body = rp.options()
            elif path == "/__replica/releases":
                body = rp.model.release_events()
            elif path == "/__replica/log/clear" and self.command == "POST":
                rp.log.clear()
                body = {"cleared": True}
            elif path == "/__replica/log":
                body = rp.log.entries()
            else:
                return self.send(Response(404, "application/json", b'{"error": "unknown endpoint"}'), True)
        except (ValueError, TypeError) as exc:
            return self.send(Response(400, "application/json", json.dumps({"error": str(exc)}).encode()), True)
        self.send(Response(200, "application/json", json.dumps(body).encode()), True)

    # --- the site -------------------------------------------------------------------
    def answer(self, send_body: bool):
        if self.path.startswith(CONTROL_PREFIX):
            return self.handle_control()
        rp, ua = self.replica, self.headers.get("User-Agent")
        rp.faults.delay(self.path)
        if rp.faults.blocked(ua):
            response = Response(403, "text/html; charset=UTF-8", CLOUDFLARE_BLOCK.encode())
        elif rp.faults.rate_limited():
            response = Response(429, "text/plain; charset=utf-8", b"Too Many Requests\n")
        elif (status := rp.faults.error_status(self.path)) is not None:
            response = Response(status, "text/html; charset=utf-8", f"<html><body><h1>{status}</h1></body></html>".encode())
        else:
            options = rp.faults.options
            response = resolve(rp.model, options["epoch"], self.path, options["markup_change"])
            if self.not_modified(response):
                response = Response(304, "", b"", response.headers)
        cut = rp.faults.truncation(self.path) if response.status == 200 and response.truncatable else None
        rp.log.add(self.path, response.status, ua)
        self.send(response, send_body, cut)

    def not_modified(self, response: Response) -> bool:
        """A conditional GET of an article page whose validators still hold (If-None-Match wins)."""
        etag = response.headers.get("ETag")
        if response.status != 200 or not etag:
            return False
        if (if_none_match := self.headers.get("If-None-Match")) is not None:
            tags = [t.strip() for t in if_none_match.split(",")]
            return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)
        if since := self.headers.get("If-Modified-Since"):
            try:
                since_at = parsedate_to_datetime(since)
            except (TypeError, ValueError, IndexError):
                return False
            if since_at.tzinfo is None:
                since_at = since_at.replace(tzinfo=UTC)
            return since_at >= parsedate_to_datetime(response.headers["Last-Modified"])
        return False

    def send(self, response: Response, send_body: bool, cut: str | None = None):
        body = response.body
        length = len(body)
        if cut:
            body = body[: self.replica.faults.cut_point(self.path, len(body))]
            if cut == "short_length":
                length = len(body)
            else:  # the full length was promised: the client sees the connection drop
                self.close_connection = True
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status == 304:  # no body, no length: the validators are all it says
            self.end_headers()
            self.wfile.flush()
            return
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(length))
        if response.status == 429:
            self.send_header("Retry-After", "1")
        if cut == "early_close":
            self.send_header("Connection", "close")
        self.end_headers()
        if send_body:
            self.wfile.write(body)
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def make_server(replica: Replica, host: str, port: int) -> Server:
    handler = type("ReplicaHandler", (Handler,), {"replica": replica})
    return Server((host, port), handler)

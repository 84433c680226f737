"""A small client for Scrapyd's JSON API: basic auth, timeouts, errors that name the node.

Credentials come from the caller (``newscrawl submit`` takes them from SCRAPYD_USERNAME /
SCRAPYD_PASSWORD); they are sent in the Authorization header and never appear in a message.
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 30.0


class ScrapydError(Exception):
    """A failed call; ``node`` is the node's URL without credentials."""

    def __init__(self, node: str, message: str):
        super().__init__(f"{node}: {message}")
        self.node = node
        self.reason = message


class NodeUnreachable(ScrapydError):
    """No HTTP answer: refused, timed out, name not resolved."""


class AuthenticationFailed(ScrapydError):
    """HTTP 401: wrong or missing username/password."""


class ApiError(ScrapydError):
    """Scrapyd answered, but with an error (HTTP error status or ``{"status": "error"}``)."""


def public_url(url: str) -> str:
    """The URL with any user:password@ removed, with a trailing slash: safe to print."""
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"not a node URL (expected http://HOST:PORT/): {url!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


@dataclass
class ScrapydNode:
    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self):
        self.url = public_url(self.url)

    # --- the API -----------------------------------------------------------------------
    def daemon_status(self) -> dict:
        """{"pending": n, "running": n, "finished": n, "node_name": ...}"""
        return self._call("GET", "daemonstatus.json")

    def list_jobs(self, project: str) -> dict:
        """{"pending": [...], "running": [...], "finished": [...]}; pending jobs carry their args."""
        return self._call("GET", "listjobs.json", {"project": project})

    def list_projects(self) -> list[str]:
        return self._call("GET", "listprojects.json")["projects"]

    def list_spiders(self, project: str) -> list[str]:
        return self._call("GET", "listspiders.json", {"project": project})["spiders"]

    def schedule(self, project: str, spider: str, *, jobid: str, args: dict[str, str] | None = None,
                 settings: dict[str, str] | None = None) -> str:
        fields: list[tuple[str, str]] = [("project", project), ("spider", spider), ("jobid", jobid)]
        fields += [("setting", f"{key}={value}") for key, value in (settings or {}).items()]
        fields += list((args or {}).items())
        return self._call("POST", "schedule.json", fields)["jobid"]

    def cancel(self, project: str, job: str, signal: str = "") -> str | None:
        """The job's state before ("pending", "running" or None); Scrapyd sends INT unless told."""
        params = {"project": project, "job": job, **({"signal": signal} if signal else {})}
        return self._call("POST", "cancel.json", params).get("prevstate")

    # --- HTTP ------------------------------------------------------------------------
    def _call(self, method: str, endpoint: str, params=None) -> dict:
        query = urllib.parse.urlencode(params or {}, doseq=True)
        url = self.url + endpoint
        data = None
        if method == "GET" and query:
            url += "?" + query
        elif method == "POST":
            data = query.encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        if self.username or self.password:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                who = "the given username/password" if self.username else "no credentials (SCRAPYD_USERNAME unset)"
                raise AuthenticationFailed(self.url, f"authentication failed (HTTP 401) with {who}") from None
            raise ApiError(self.url, f"{endpoint} answered HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                reason = f"no answer within {self.timeout:g}s"
            raise NodeUnreachable(self.url, f"not reachable ({reason})") from None
        try:
            payload = json.loads(body)
        except ValueError:
            raise ApiError(self.url, f"{endpoint} did not answer JSON: {body[:80]!r}") from None
        if payload.get("status") != "ok":
            raise ApiError(self.url, f"{endpoint}: {payload.get('message', payload)}")
        return payload

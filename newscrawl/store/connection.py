"""Where the store lives: the MongoDB URI (configured, or the embedded server's) and the client."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from pymongo import MongoClient

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "newscrawl"
DEFAULT_DATA_DIR = "data"
DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5_000

_USERINFO_PASSWORD = re.compile(r"^(mongodb(?:\+srv)?://[^:/@]*):[^@/]*@", re.I)
_QUERY_SECRET = re.compile(r"([?&](?:password|[a-z]*KeyFilePassword)=)[^&]*", re.I)

# one embedded server per data directory in this process: reused by every store that asks
_embedded: dict[Path, Any] = {}


def setting(settings: Any, name: str, default: Any = None) -> Any:
    """A setting from Scrapy ``Settings``, a dict or None; empty values count as unset."""
    value = settings.get(name) if settings is not None else None
    return default if value in (None, "") else value


def database_name(settings: Any) -> str:
    return setting(settings, "MONGODB_DATABASE") or os.environ.get("MONGODB_DATABASE") or DEFAULT_DATABASE


def data_dir(settings: Any) -> Path:
    return Path(setting(settings, "NEWSCRAWL_DATA_DIR") or os.environ.get("NEWSCRAWL_DATA_DIR") or DEFAULT_DATA_DIR)


def configured_uri(settings: Any) -> str:
    """MONGODB_URI from the settings or the environment; empty means the embedded store."""
    return setting(settings, "MONGODB_URI") or os.environ.get("MONGODB_URI", "")


def embedded_server(settings: Any):
    """The process-wide EmbeddedServer for the configured data directory (not started)."""
    from newscrawl.store.embedded import EmbeddedServer

    key = data_dir(settings).resolve()
    if key not in _embedded:
        _embedded[key] = EmbeddedServer(key, database=database_name(settings))
    return _embedded[key]


def resolve_uri(settings: Any) -> str:
    """The configured URI, else the URI of the embedded server (started, or reused when running)."""
    uri = configured_uri(settings)
    if uri:
        return uri
    return embedded_server(settings).start()


def mask_uri(uri: str) -> str:
    """``uri`` with any password replaced by ``***``, safe to log."""
    uri = _USERINFO_PASSWORD.sub(r"\1:***@", uri)
    return _QUERY_SECRET.sub(r"\1***", uri)


def quiet_driver_logs() -> None:
    """Keep pymongo's loggers at INFO unless someone configured them.

    pymongo serialises every command and reply to JSON whenever its DEBUG level is enabled,
    and Scrapy enables every level on the root logger (its handler filters by LOG_LEVEL):
    that serialising, holding the GIL in the store's threads, stalled the reactor.
    """
    driver = logging.getLogger("pymongo")
    if driver.level == logging.NOTSET:
        driver.setLevel(logging.INFO)


def make_client(uri: str, settings: Any = None, **options: Any) -> MongoClient:
    """A client with tz-aware dates, journaled writes and retryable writes (``options``: more MongoClient keywords)."""
    quiet_driver_logs()
    timeout = int(setting(settings, "MONGO_SERVER_SELECTION_TIMEOUT_MS", DEFAULT_SERVER_SELECTION_TIMEOUT_MS))
    return MongoClient(
        uri,
        tz_aware=True,
        journal=True,
        retryWrites=True,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        appname="newscrawl",
        **options,
    )

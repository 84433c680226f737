"""Secrets never reach a log line: every log record of the process is masked as it is made.

Masked: the password of any ``scheme://user:password@host`` URI (mongodb://, redis://,
http://, ...); the value after any key named like *PASSWORD*, *SECRET*, *TOKEN*
(``key=value``, ``'key': 'value'``, ``?key=value``); and, anywhere in the text, the exact
values of environment variables and settings with such names, and the passwords inside
URI-valued ones. The replacement is ``***``.

``install()`` swaps in a log-record factory (so it covers every logger and handler, and
lines logged before Scrapy configures logging); call it as early as possible, e.g. from
settings.py. The ``SecretsMasking`` extension adds the crawl's own settings' secrets.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import Any, Iterable, Mapping

MASK = "***"
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE_?KEY", re.I)
MIN_SECRET_LENGTH = 4  # shorter values would mask ordinary words everywhere
_URI_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*://[^\s:/@'\"]*):(?P<secret>[^\s@/'\"]+)@", re.I)
_NAMED_VALUE = re.compile(
    r"(?P<head>[\w.\-]*(?:password|passwd|secret|token|credential|api_?key|private_?key)[\w.\-]*['\"]?\s*[:=]\s*b?)"
    r"(?:(?P<quote>['\"])(?P<quoted>[^'\"]*)(?P=quote)|(?P<bare>[^\s'\"]+))", re.I)
_SETTINGS_WITH_URIS = ("MONGODB_URI", "REDIS_URL", "NEWSCRAWL_ALERT_WEBHOOK", "SCRAPYD_URL", "BASE_URL")

_lock = threading.Lock()
_secrets: set[str] = set()
_base_factory = None


def uri_passwords(value: str) -> list[str]:
    return [m.group("secret") for m in _URI_PASSWORD.finditer(value or "")]


def secrets_in(mapping: Mapping[str, Any], uri_names: Iterable[str] = ()) -> set[str]:
    """Values of secret-named keys, and the passwords inside every URI-valued entry."""
    found: set[str] = set()
    uri_names = set(uri_names)
    for name, value in mapping.items():
        if not isinstance(value, str) or not value:
            continue
        if SECRET_NAME.search(str(name)):
            found.add(value)
        if name in uri_names or "://" in value:
            found.update(uri_passwords(value))
    return {s for s in found if len(s) >= MIN_SECRET_LENGTH}


def mask(text: str, secrets: Iterable[str] | None = None) -> str:
    """``text`` with every known secret, URI password and secret-named value replaced by ***."""
    if not text:
        return text
    for secret in sorted(_secrets if secrets is None else secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _URI_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    return _NAMED_VALUE.sub(_mask_named, text)


def _mask_named(match: re.Match) -> str:
    quote = match.group("quote") or ""
    value = match.group("quoted") if quote else match.group("bare")
    return match.group("head") + quote + (value if value in ("", MASK) else MASK) + quote


def add_secrets(values: Iterable[str]) -> None:
    with _lock:
        _secrets.update(v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LENGTH)


def emitted(record: logging.LogRecord) -> bool:
    """Whether a handler will see ``record`` (its logger's, or an ancestor's, at or below its level).

    Scrapy leaves the root logger at NOTSET and filters in its handler, so every DEBUG record
    (an item dump for each item scraped) is made and then dropped: those need no masking.
    Unknown loggers count as emitting.
    """
    logger = logging.Logger.manager.loggerDict.get(record.name)
    if not isinstance(logger, logging.Logger):
        return True
    seen_handler = False
    while logger is not None:
        for handler in logger.handlers:
            seen_handler = True
            if record.levelno >= handler.level:
                return True
        if not logger.propagate:
            break
        logger = logger.parent
    last_resort = logging.lastResort
    return not seen_handler and last_resort is not None and record.levelno >= last_resort.level


def _masked_record(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if not emitted(record):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later as it always does
        return record
    masked = mask(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[0] is not None:
        # tracebacks carry exception messages (a driver error may quote its URI); format them now, masked
        record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    return record


def install(environ: Mapping[str, str] | None = None) -> None:
    """Mask every log record of this process from now on (idempotent); secrets from ``environ``."""
    global _base_factory
    add_secrets(secrets_in(os.environ if environ is None else environ, _SETTINGS_WITH_URIS))
    with _lock:
        if _base_factory is None:
            _base_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_masked_record)


def installed() -> bool:
    return _base_factory is not None


class SecretsMasking:
    """Scrapy extension: install the masking with the crawl's settings' secrets too."""

    def __init__(self, settings):
        install()
        # settings[name], not settings.get(name): .get() of a deprecated name (DNS_RESOLVER) warns
        add_secrets(secrets_in({name: settings[name] for name in settings}, _SETTINGS_WITH_URIS))

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings)

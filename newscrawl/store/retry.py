"""Retrying store writes through transient failures (server restarting, network, failover)."""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from pymongo.errors import (AutoReconnect, ConnectionFailure, NetworkTimeout, NotPrimaryError,
                            ServerSelectionTimeoutError, WriteConcernError)

logger = logging.getLogger(__name__)

T = TypeVar("T")


class StoreConflict(RuntimeError):
    """Other writers kept changing the documents a batch was planned against; planning again may pass."""


TRANSIENT_ERRORS = (AutoReconnect, ConnectionFailure, ServerSelectionTimeoutError, NetworkTimeout, NotPrimaryError,
                    WriteConcernError, StoreConflict)
BACKOFF_FIRST = 0.25
BACKOFF_MAX = 8.0


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS)


def backoff_delays(first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX):
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, cap)


def with_retry(write: Callable[[], T], seconds: float, on_retry: Callable[[BaseException, int], None] | None = None,
               sleep: Callable[[float], None] = time.sleep,
               give_up: Callable[[BaseException], bool] | None = None) -> T:
    """``write()``, retried with exponential backoff on transient errors until ``seconds`` have passed.

    The last transient error is raised when the time is up, or at once when ``give_up(exc)``
    says so (the store's circuit: the server is known to be down); other errors at once.
    ``write`` must be idempotent (the store's batch writes are).
    """
    deadline = time.monotonic() + seconds
    attempt = 0
    for delay in backoff_delays():
        try:
            return write()
        except TRANSIENT_ERRORS as exc:
            attempt += 1
            left = deadline - time.monotonic()
            if left <= 0 or (give_up is not None and give_up(exc)):
                raise
            if on_retry is not None:
                on_retry(exc, attempt)
            logger.info("store write failed (%s: %s); retry %d in %.2fs", type(exc).__name__,
                        str(exc).split(",")[0][:200], attempt, min(delay, left))
            sleep(min(delay, left))
    raise AssertionError("unreachable")

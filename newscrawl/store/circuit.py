"""What the crawl knows about the store's state: one circuit per Store, shared by every thread.

*Closed* (the store answers): look-ups and writes go to the server. The first look-up or
write that fails for a connection reason (``AutoReconnect``, ``ServerSelectionTimeoutError``,
``NetworkTimeout``, ``ConnectionFailure``), or the driver seeing the server go (a topology
event), makes the circuit check once, with a short timeout, whether the server still answers;
when it does not (a server-selection timeout needs no check: it already waited), the circuit
*opens*. Open: ``check()`` raises ``StoreUnavailable`` at once, so look-ups answer "unknown"
(the spider treats every article as new) and writes go to the journal without waiting for
retries. A daemon thread re-tests the server every ``interval`` seconds (``probe_timeout``
each); when it answers, the circuit closes and the listeners hear it (the pipeline then
replays the journal). One warning when the store goes away, one when it is back, with the
time it was away.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from pymongo import monitoring
from pymongo.errors import AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

logger = logging.getLogger(__name__)

CONNECTION_ERRORS = (AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError)
DEFAULT_INTERVAL = 2.0
DEFAULT_PROBE_TIMEOUT = 1.0


class StoreUnavailable(ConnectionFailure):
    """The store is known to be unreachable (the circuit is open): nothing was sent to it."""


def is_connection_error(exc: BaseException) -> bool:
    return isinstance(exc, CONNECTION_ERRORS)


def short_reason(exc: BaseException) -> str:
    # pymongo appends the whole topology description; the first part says what went wrong
    text = str(exc)
    for marker in (" (configured timeouts", ", Timeout:", ", Topology Description"):
        text = text.split(marker)[0]
    return f"{type(exc).__name__}: {text[:200]}"


class Circuit:
    def __init__(self, probe: Callable[[float], bool], interval: float = DEFAULT_INTERVAL,
                 probe_timeout: float = DEFAULT_PROBE_TIMEOUT, label: Callable[[], str] = lambda: "MongoDB store",
                 journal: Callable[[], str] = lambda: "the journal"):
        self._probe = probe
        self.interval = interval
        self.probe_timeout = probe_timeout
        self._label = label
        self._journal = journal
        self._open = False
        self._opened_at = 0.0
        self._lock = threading.Lock()  # state changes
        self._probing = threading.Lock()  # one confirmation at a time
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._suspected = False
        self._next_probe = 0.0
        self._thread: threading.Thread | None = None
        self.listeners: list[Callable[[bool, float], None]] = []  # (opened?, seconds it was open)
        self.opened = 0
        self.closed = 0
        self._seconds_open = 0.0

    # --- what callers ask --------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._open

    def check(self) -> None:
        """Raise StoreUnavailable when the store is known to be down (nothing is sent then)."""
        if self._open:
            raise StoreUnavailable(f"{self._label()} is unreachable (re-tested every {self.interval:g} s)")

    def failed(self, exc: BaseException) -> bool:
        """A look-up or write failed with ``exc``: whether the store is now known to be down.

        Errors that are not about the connection never open the circuit. A server-selection
        timeout opens it at once (it already waited); other connection errors (a dropped
        connection, a step-down) open it only when a short check finds no server answering.
        """
        if not is_connection_error(exc):
            return False
        if self._open:
            return True
        if isinstance(exc, (ServerSelectionTimeoutError, StoreUnavailable)):
            self._trip(exc)
            return True
        return self.confirm(exc)

    def confirm(self, reason: BaseException | str) -> bool:
        """Check now whether the server answers; open the circuit if not. Whether it is open."""
        with self._probing:
            if self._open:
                return True
            if self._probe_quietly():
                return False
            self._trip(reason)
            return True

    def retest(self) -> bool:
        """Re-test now (blocking, one probe) rather than at the next tick; whether the circuit is closed."""
        with self._probing:
            if self._open and self._probe_quietly():
                self._reset()
            return not self._open

    def suspect(self) -> None:
        """The driver saw the server go (called from pymongo's threads): confirm in the background."""
        if self._open or self._stopped.is_set():
            return
        self._suspected = True
        self._ensure_thread()
        self._wake.set()

    def seconds_open(self) -> float:
        """The time the circuit has been open, the current outage included."""
        with self._lock:
            return self._seconds_open + (time.monotonic() - self._opened_at if self._open else 0.0)

    def wait_closed(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._open and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self._open

    def stop(self) -> None:
        """No more re-tests (the Store is closing)."""
        self._stopped.set()
        self._wake.set()

    # --- state changes ---------------------------------------------------------------

    def _trip(self, reason: BaseException | str) -> None:
        with self._lock:
            if self._open:
                return
            self._open, self._opened_at = True, time.monotonic()
            self._next_probe = self._opened_at + self.interval
            self.opened += 1
        why = short_reason(reason) if isinstance(reason, BaseException) else reason
        logger.warning("%s is unreachable (%s); until it answers again, look-ups treat articles as new and writes "
                       "go to %s (re-tested every %g s)", self._label(), why, self._journal(), self.interval)
        self._notify(True, 0.0)
        self._ensure_thread()
        self._wake.set()

    def _reset(self) -> None:
        with self._lock:
            if not self._open:
                return
            self._open = False
            took = time.monotonic() - self._opened_at
            self._seconds_open += took
            self.closed += 1
        logger.warning("%s is back after %.1f s; its journal is replayed", self._label(), took)
        self._notify(False, took)

    def _notify(self, opened: bool, seconds: float) -> None:
        for listener in list(self.listeners):
            try:
                listener(opened, seconds)
            except Exception:  # noqa: BLE001 - a listener must not break the store
                logger.exception("store circuit listener failed")

    # --- the re-testing thread -----------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive() or self._stopped.is_set():
                return
            self._thread = threading.Thread(target=self._watch, name="newscrawl-store-circuit", daemon=True)
            self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.is_set():
            if self._open:
                # the first re-test one interval after the circuit opened, then one interval after the last
                self._wake.clear()
                left = self._next_probe - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                with self._probing:
                    if self._open and self._probe_quietly():
                        self._reset()
                self._next_probe = time.monotonic() + self.interval
            else:
                self._wake.wait()
                self._wake.clear()
                if self._suspected and not self._stopped.is_set():
                    self._suspected = False
                    self.confirm("the driver lost the server")

    def _probe_quietly(self) -> bool:
        try:
            return bool(self._probe(self.probe_timeout))
        except Exception as exc:  # noqa: BLE001 - a failed probe is an answer
            logger.debug("store probe failed: %s", exc)
            return False


class TopologyWatcher(monitoring.TopologyListener):
    """Tells the circuit when the driver's view of the deployment loses its last writable server."""

    def __init__(self, circuit: Circuit):
        self.circuit = circuit

    def opened(self, event) -> None:
        pass

    def closed(self, event) -> None:
        pass

    def description_changed(self, event) -> None:
        try:
            if event.previous_description.has_writable_server() and not event.new_description.has_writable_server():
                self.circuit.suspect()
        except Exception:  # noqa: BLE001 - never raise into the driver
            pass

"""Leases: a request popped by a worker stays on record in Redis until the worker is done with it.

POP_LEASED moves a request from the queue into ``leases`` (id -> expiry) and ``lease-data``
(id -> the request). The keeper, every NEWSCRAWL_LEASE_REFRESH_SECONDS:
- releases the leases of requests this worker has finished: gone from the engine's
  in-progress set, i.e. downloaded, called back, every item through the pipelines and
  every new request queued (a retry or redirect is queued as a new request), and every
  item the Mongo pipeline had received by then made durable (stored or journaled: the
  stats `mongo/items/in` and `mongo/items/durable`), so that a worker killed with items
  still in its write buffer loses none of them;
- renews the others (so a slow download is not taken for a dead worker's);
- re-queues any lease, of any worker, that has expired: its worker died (SIGKILL, power)
  and stopped renewing. NEWSCRAWL_LEASE_SECONDS is how long that takes to notice.
It also refreshes this worker's entry in ``workers``.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import uuid

from newscrawl.distributed import scripts
from newscrawl.distributed.guard import FrontierUnavailable
from newscrawl.distributed.keys import FrontierKeys

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeaseKeeper:
    def __init__(self, server, guard, stats, keys: FrontierKeys, ttl_seconds: float, worker_id: str | None = None):
        self.server = server
        self.guard = guard
        self.stats = stats
        self.keys = keys
        self.ttl_ms = int(ttl_seconds * 1000)
        self.worker_id = worker_id or new_worker_id()
        self.held: dict[str, object] = {}  # lease id -> the Request it covers
        self.done_marks: dict[str, int] = {}  # lease id -> items received by the store when it finished
        self._ids = itertools.count(1)
        self._renew = server.register_script(scripts.RENEW)
        self._sweep = server.register_script(scripts.SWEEP)
        self._give_back = server.register_script(scripts.GIVE_BACK)
        self._heartbeat = server.register_script(scripts.HEARTBEAT)
        self._leave = server.register_script(scripts.LEAVE)

    def next_id(self) -> str:
        return f"{self.worker_id}:{next(self._ids)}"

    def hold(self, lease_id: str, request) -> None:
        self.held[lease_id] = request

    def finished(self, in_progress) -> list[str]:
        """Leases whose request is done and whose items are durable (no Mongo pipeline: at once)."""
        received = self.stats.get_value("mongo/items/in", 0)
        durable = self.stats.get_value("mongo/items/durable", 0)
        ready = []
        for lid, request in self.held.items():
            if request in in_progress:
                continue
            if durable >= self.done_marks.setdefault(lid, received):
                ready.append(lid)
        return ready

    def tick(self, in_progress, can_release: bool = True) -> None:
        """One round of heartbeat, release, renew and sweep; FrontierUnavailable while Redis is down."""
        call = self.guard.call
        call(self._heartbeat, keys=[self.keys.workers], args=[self.worker_id, self.ttl_ms])
        if can_release:
            self.release(self.finished(in_progress))
        if self.held:
            call(self._renew, keys=[self.keys.leases], args=[self.ttl_ms, *self.held])
        self.sweep()

    def release(self, lease_ids: list[str]) -> None:
        if not lease_ids:
            return
        pipe = self.server.pipeline(transaction=True)
        pipe.zrem(self.keys.leases, *lease_ids)
        pipe.hdel(self.keys.lease_data, *lease_ids)
        self.guard.call(pipe.execute)
        for lid in lease_ids:
            self.held.pop(lid, None)
            self.done_marks.pop(lid, None)
        self.stats.inc_value("frontier/leases/released", len(lease_ids))

    def sweep(self) -> int:
        """Re-queue every expired lease (whoever held it); the number re-queued."""
        requeued = self.guard.call(self._sweep, keys=[self.keys.leases, self.keys.lease_data, self.keys.requests],
                                   args=[SWEEP_BATCH])
        if requeued:
            self.stats.inc_value("frontier/leases/requeued", requeued)
            logger.warning("re-queued %d requests whose leases expired (a worker died or stalled)", requeued)
        return requeued

    def give_back(self, lease_ids: list[str]) -> int:
        """Put unfinished leased requests back in the queue now (a worker shutting down)."""
        if not lease_ids:
            return 0
        n = self.guard.call(self._give_back, keys=[self.keys.leases, self.keys.lease_data, self.keys.requests],
                            args=lease_ids)
        for lid in lease_ids:
            self.held.pop(lid, None)
        self.stats.inc_value("frontier/leases/given_back", n)
        return n

    def leave(self, in_progress, finished: bool, clear_when_done: bool, can_release: bool) -> bool:
        """Close: release what is done, give back what is not, deregister; True if the frontier was cleared."""
        try:
            if can_release:
                done = self.finished(in_progress)
                self.release(done)
            self.give_back([lid for lid, request in self.held.items() if request in in_progress])
            cleared = self.guard.call(self._leave, keys=[self.keys.requests, self.keys.leases, self.keys.workers,
                                                         self.keys.dupefilter, self.keys.lease_data],
                                      args=[self.worker_id, "1" if finished and clear_when_done else "0"])
        except FrontierUnavailable:
            logger.error("Redis unreachable while closing: %d leases stay on record and will be re-queued "
                         "by the other workers once they expire", len(self.held))
            return False
        return bool(cleared)

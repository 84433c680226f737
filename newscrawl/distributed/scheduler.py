"""scrapy-redis's Scheduler with leases, JSON requests and a pause (not a crash) while Redis is down.

SCHEDULER = "newscrawl.distributed.scheduler.DistributedScheduler" (set by DistributedAddon).
Keys per spider and site (see keys.py). A request is filtered and queued in one atomic step;
while Redis is unreachable new requests wait in local memory (``buffer``) and are written
when it answers again; leases are not released while anything waits there, so a worker
that dies with a full buffer loses nothing its parents' leases cannot bring back.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import logging
from collections import deque

from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from newscrawl.distributed.connection import get_redis
from newscrawl.distributed.dupefilter import FrontierDupeFilter
from newscrawl.distributed.guard import FrontierUnavailable, RedisGuard
from newscrawl.distributed.keys import QUEUE_KEY_TEMPLATE, FrontierKeys, site_of
from newscrawl.distributed.leases import LeaseKeeper
from newscrawl.distributed.queue import LeasedPriorityQueue
from newscrawl.distributed.serializer import SerializationError

logger = logging.getLogger(__name__)

DEFAULT_SERIALIZER = "newscrawl.distributed.serializer"
MAX_UNREADABLE_PER_CALL = 10


class DistributedScheduler(RedisScheduler):
    def __init__(self, crawler, server, guard: RedisGuard, serializer, persist: bool, flush_on_start: bool,
                 queue_key: str, lease_seconds: float, refresh_seconds: float, clear_when_done: bool):
        super().__init__(server, persist=persist, flush_on_start=flush_on_start, queue_key=queue_key,
                         queue_cls="newscrawl.distributed.queue.LeasedPriorityQueue", serializer=serializer)
        self.crawler = crawler
        self.stats = crawler.stats
        self.guard = guard
        self.lease_seconds = lease_seconds
        self.refresh_seconds = refresh_seconds
        self.clear_when_done = clear_when_done
        self.buffer: deque = deque()
        # requests only this worker makes and answers (follow mode's polls and revisits: meta "local"),
        # by priority: they never go through the shared frontier
        self.local: list = []
        self._order = itertools.count()
        self.keys: FrontierKeys | None = None
        self.leases: LeaseKeeper | None = None
        self._loop: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            crawler,
            server=get_redis(crawler),
            guard=RedisGuard.from_crawler(crawler),
            serializer=importlib.import_module(settings.get("SCHEDULER_SERIALIZER") or DEFAULT_SERIALIZER),
            persist=settings.getbool("SCHEDULER_PERSIST", True),
            flush_on_start=settings.getbool("SCHEDULER_FLUSH_ON_START"),
            queue_key=settings.get("SCHEDULER_QUEUE_KEY") or QUEUE_KEY_TEMPLATE,
            lease_seconds=settings.getfloat("NEWSCRAWL_LEASE_SECONDS", 60.0),
            refresh_seconds=settings.getfloat("NEWSCRAWL_LEASE_REFRESH_SECONDS", 1.0),
            clear_when_done=settings.getbool("NEWSCRAWL_FRONTIER_CLEAR_WHEN_DONE", True),
        )

    # --- lifecycle ----------------------------------------------------------------
    def open(self, spider):
        self.spider = spider
        self.keys = FrontierKeys(spider.name, site_of(self.crawler.settings, spider))
        self.queue = LeasedPriorityQueue(self.server, spider, self.keys.format(self.queue_key),
                                         self.serializer, self.keys)
        self.df = FrontierDupeFilter.for_spider(self.crawler, spider.name, spider)
        self.leases = LeaseKeeper(self.server, self.guard, self.stats, self.keys, self.lease_seconds)
        logger.info("distributed frontier %s on Redis %s (worker %s)", self.keys.base, self.guard.url,
                    self.leases.worker_id)
        try:
            if self.flush_on_start:
                self.guard.call(self.flush)
            queued = self.guard.call(len, self.queue)
            if queued:
                logger.info("joining a frontier with %d requests queued", queued)
            self.leases.tick(set())
        except FrontierUnavailable:
            pass  # the guard has logged it; the loop below keeps trying
        self._loop = LoopingCall(self.refresh)
        self._loop.start(self.refresh_seconds, now=False)

    def close(self, reason):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self._flush_buffer()
        if self.buffer:
            logger.error("closing with %d requests never written to Redis; the leases of the pages that "
                         "found them stay on record, so another worker will fetch those pages again",
                         len(self.buffer))
        cleared = self.leases.leave(self._in_progress(), finished=reason == "finished",
                                    clear_when_done=self.clear_when_done, can_release=not self.buffer)
        if cleared:
            logger.info("frontier %s finished: fingerprints cleared for the next run", self.keys.base)
            self.stats.set_value("frontier/finished/cleared", 1)
        if not self.persist:
            try:
                self.guard.call(self.flush)
            except FrontierUnavailable:
                pass

    def refresh(self) -> None:
        """Periodic: write buffered requests, then heartbeat/release/renew/sweep the leases."""
        self._flush_buffer()
        try:
            self.leases.tick(self._in_progress(), can_release=not self.buffer)
            # for the progress line: one worker's own counts say nothing of what the others have left
            self.stats.set_value("frontier/queued", self.guard.call(len, self.queue))
        except FrontierUnavailable:
            pass
        except Exception:  # a bug here must not stop the loop (and with it lease renewal)
            logger.exception("lease refresh failed")

    def _in_progress(self):
        slot = getattr(self.crawler.engine, "_slot", None)
        return slot.inprogress if slot is not None else set()

    # --- scheduling ------------------------------------------------------------------
    def enqueue_request(self, request):
        if request.meta.get("local"):
            heapq.heappush(self.local, (-request.priority, next(self._order), request))
            self.stats.inc_value("frontier/enqueued/local")
            return True
        self._flush_buffer()
        if self.buffer:
            self._buffer(request)
            return True
        try:
            return self._push(request)
        except FrontierUnavailable:
            self._buffer(request)
            return True

    def _push(self, request) -> bool:
        try:
            data = self.queue.encode(request)
        except SerializationError as exc:
            logger.error("cannot queue %s: %s", request, exc)
            self.stats.inc_value("frontier/requests/unserializable")
            return False
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        added = self.guard.call(self.queue.push_unseen, data, request.priority, fingerprint, self.df.key)
        if added:
            self.stats.inc_value("frontier/enqueued/redis")
        else:
            self.stats.inc_value("frontier/duplicates/filtered")
            self.df.log(request, self.spider)
        return added

    def _buffer(self, request) -> None:
        self.buffer.append(request)
        self.stats.inc_value("frontier/buffered/count")
        self.stats.max_value("frontier/buffered/max", len(self.buffer))

    def _flush_buffer(self) -> None:
        while self.buffer:
            request = self.buffer[0]
            try:
                self._push(request)
            except FrontierUnavailable:
                return
            self.buffer.popleft()

    def next_request(self):
        if self.local:
            return heapq.heappop(self.local)[2]
        self._flush_buffer()
        for _ in range(MAX_UNREADABLE_PER_CALL):
            lease_id = self.leases.next_id()
            try:
                data = self.guard.call(self.queue.pop_leased, lease_id, self.leases.ttl_ms)
            except FrontierUnavailable:
                return None
            if data is None:
                return None
            try:
                request = self.queue.decode(data)
            except (SerializationError, ValueError, AttributeError) as exc:
                logger.error("dropping an unreadable queued request: %s", exc)
                self.stats.inc_value("frontier/requests/unreadable")
                self._drop_lease(lease_id)
                continue
            self.leases.hold(lease_id, request)
            self.stats.inc_value("frontier/dequeued/redis")
            return request
        return None

    def _drop_lease(self, lease_id: str) -> None:
        self.leases.held[lease_id] = None
        try:
            self.leases.release([lease_id])
        except FrontierUnavailable:
            pass  # stays held; released on a later tick

    def has_pending_requests(self) -> bool:
        if self.local:
            return True
        if self.buffer or self.guard.down:
            return True  # unknown while Redis is away: never idle-close on a guess
        try:
            return self.guard.call(len, self.queue) > 0
        except FrontierUnavailable:
            return True

    def __len__(self):
        try:
            return self.guard.call(len, self.queue) + len(self.buffer) + len(self.local)
        except FrontierUnavailable:
            return len(self.buffer) + len(self.local)

    def frontier_state(self) -> dict | None:
        """Queued and leased requests across all workers, and this worker's buffer; None if unknown."""
        if self.buffer or self.guard.down:
            return None
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.keys.requests)
        pipe.zcard(self.keys.leases)
        try:
            queued, leased = self.guard.call(pipe.execute)
        except FrontierUnavailable:
            return None
        return {"queued": queued, "leased": leased}

"""scrapy-redis's priority queue (a sorted set scored by -priority), with two atomic additions:
push-if-unseen (dupefilter and queue in one step) and pop-with-lease."""

from __future__ import annotations

from scrapy_redis.queue import PriorityQueue

from newscrawl.distributed import scripts
from newscrawl.distributed.keys import FrontierKeys


class LeasedPriorityQueue(PriorityQueue):
    def __init__(self, server, spider, key, serializer, keys: FrontierKeys):
        super().__init__(server, spider, key, serializer=serializer)
        self.keys = keys
        self._enqueue = server.register_script(scripts.ENQUEUE)
        self._pop_leased = server.register_script(scripts.POP_LEASED)

    def encode(self, request) -> bytes:
        return self._encode_request(request)

    def decode(self, data: bytes):
        return self._decode_request(data)

    def push_unseen(self, data: bytes, priority: int, fingerprint: str | None, dupefilter_key: str) -> bool:
        """Queue encoded ``data`` unless ``fingerprint`` was seen (None: never filtered)."""
        added = self._enqueue(keys=[dupefilter_key, self.key],
                              args=[fingerprint or "", -priority, data, "1" if fingerprint else "0"])
        return bool(added)

    def pop_leased(self, lease_id: str, ttl_ms: int) -> bytes | None:
        """The highest-priority encoded request, now leased to ``lease_id`` for ``ttl_ms``."""
        return self._pop_leased(keys=[self.key, self.keys.leases, self.keys.lease_data], args=[lease_id, ttl_ms])

"""scrapy-redis's priority queue (a sorted set scored by -priority), with two atomic additions:
push-if-unseen (dupefilter and queue in one step) and pop-with-lease."""

from __future__ import annotations

from scrapy import Request
from scrapy.http.request import _find_method
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

    def _encode_request(self, request) -> bytes:
        """``Request.to_dict(spider=...)``, with the callback and errback named from a cache: Scrapy
        finds a method's name by listing every member of the spider (inspect.getmembers, which
        also evaluates its properties), about 0.4 ms per request, which made the sitemap phase of a
        200,000-article backfill take minutes."""
        obj = {"url": request.url, "callback": self._name_of(request.callback),
               "errback": self._name_of(request.errback), "headers": dict(request.headers)}
        for attr in request.attributes:  # what Request.to_dict adds, in its order
            obj.setdefault(attr, getattr(request, attr))
        if type(request) is not Request:
            obj["_class"] = request.__module__ + "." + type(request).__name__
        return self.serializer.dumps(obj)

    def _name_of(self, func):
        return self._method_name(func) if callable(func) else func

    def _method_name(self, func) -> str:
        cache = self.__dict__.setdefault("_method_names", {})
        key = getattr(func, "__func__", func)
        name = cache.get(key)
        if name is None:
            name = cache[key] = _find_method(self.spider, func)
        return name

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

"""Read and clear frontiers in Redis (for `newscrawl frontier`): no Scrapy, just keys."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from newscrawl.distributed.keys import PREFIX, FrontierKeys


@dataclass
class FrontierStatus:
    spider: str
    site: str
    queued: int
    fingerprints: int
    leases: int
    leases_expired: int
    workers: int

    def as_dict(self) -> dict:
        return asdict(self)


def find(server, spider: str | None = None, site: str | None = None) -> list[FrontierKeys]:
    """Every frontier with a key in Redis, optionally of one spider and/or site, sorted."""
    found: set[FrontierKeys] = set()
    for key in server.scan_iter(match=f"{PREFIX}:*", count=1000):
        parsed = FrontierKeys.parse(key.decode() if isinstance(key, bytes) else key)
        if parsed is None:
            continue
        keys, _ = parsed
        if (spider is None or keys.spider == spider) and (site is None or keys.site == site):
            found.add(keys)
    return sorted(found, key=lambda k: (k.spider, k.site))


def server_time_ms(server) -> int:
    seconds, micros = server.time()
    return int(seconds) * 1000 + int(micros) // 1000


def status(server, keys: FrontierKeys) -> FrontierStatus:
    now = server_time_ms(server)
    pipe = server.pipeline(transaction=False)
    pipe.zcard(keys.requests)
    pipe.scard(keys.dupefilter)
    pipe.zcard(keys.leases)
    pipe.zcount(keys.leases, "-inf", now)
    pipe.zcount(keys.workers, now, "+inf")
    queued, fingerprints, leases, expired, workers = pipe.execute()
    return FrontierStatus(keys.spider, keys.site, queued, fingerprints, leases, expired, workers)


def reset(server, keys: FrontierKeys) -> int:
    """Delete the frontier's keys; the number of keys deleted."""
    return server.delete(*keys.all())

"""Redis key names of one frontier: ``newscrawl:{spider}:{site-host}:{part}``."""

from __future__ import annotations

from dataclasses import dataclass

from newscrawl.urls import host_of

PREFIX = "newscrawl"
PARTS = ("requests", "dupefilter", "leases", "lease-data", "workers")
# scrapy-redis formats its key settings with %(spider)s; %(site)s is ours
QUEUE_KEY_TEMPLATE = PREFIX + ":%(spider)s:%(site)s:requests"
DUPEFILTER_KEY_TEMPLATE = PREFIX + ":%(spider)s:%(site)s:dupefilter"


def site_of(settings, spider=None) -> str:
    """The host the crawl targets (the spider's base URL, else BASE_URL, else the edition's site),
    so that crawls of two sites never share a frontier."""
    base = getattr(spider, "base_url", None) or settings.get("BASE_URL")
    if not base:
        from newscrawl.sites import get_profile

        base = get_profile(settings.get("NEWSCRAWL_EDITION") or None).url
    return host_of(base)


@dataclass(frozen=True)
class FrontierKeys:
    spider: str
    site: str

    @property
    def base(self) -> str:
        return f"{PREFIX}:{self.spider}:{self.site}"

    def format(self, template: str) -> str:
        return template % {"spider": self.spider, "site": self.site}

    @property
    def requests(self) -> str:
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def leases(self) -> str:
        """Sorted set: lease id -> expiry (Redis server time, ms)."""
        return f"{self.base}:leases"

    @property
    def lease_data(self) -> str:
        """Hash: lease id -> "{queue score}|{encoded request}", to put it back when the lease expires."""
        return f"{self.base}:lease-data"

    @property
    def workers(self) -> str:
        """Sorted set: worker id -> expiry of its heartbeat (ms)."""
        return f"{self.base}:workers"

    def all(self) -> list[str]:
        return [self.requests, self.dupefilter, self.leases, self.lease_data, self.workers]

    @classmethod
    def parse(cls, key: str) -> tuple[FrontierKeys, str] | None:
        """(keys, part) for a key of ours, else None. The site may hold ':' (a port)."""
        if not key.startswith(PREFIX + ":"):
            return None
        rest = key[len(PREFIX) + 1:]
        spider, _, rest = rest.partition(":")
        site, _, part = rest.rpartition(":")
        if not spider or not site or part not in PARTS:
            return None
        return cls(spider, site), part

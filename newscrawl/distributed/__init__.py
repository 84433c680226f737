"""Distributed crawling: many workers, one frontier in Redis (scrapy-redis, JSON requests, leases)."""

from newscrawl.distributed.addon import DistributedAddon

__all__ = ["DistributedAddon"]

"""Scrapy contracts of this project: `@page /path` fetches a site path from BASE_URL.

Scrapy's own `@url` holds a fixed address; `@page` lets `scrapy check` run the same
contracts against the live site, a mirror or the replica (BASE_URL).
"""

from __future__ import annotations

from scrapy.contracts import Contract

from newscrawl import site
from newscrawl.urls import mirror_url


class PageContract(Contract):
    """@page /news/politics  -> request BASE_URL + that path."""

    name = "page"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict) -> dict:
        base = getattr(self.spider, "base_url", None) or site.SITE_URL
        args["url"] = mirror_url(site.SITE_URL + self.args[0], base)
        return args

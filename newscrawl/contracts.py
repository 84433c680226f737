"""Scrapy contracts of this project: `@page /path` fetches a site path from BASE_URL.

Scrapy's own `@url` holds a fixed address; `@page` lets `scrapy check` run the same
contracts against the live site, a mirror or the replica (BASE_URL).
"""

from __future__ import annotations

from scrapy.contracts import Contract

from newscrawl.urls import mirror_url


class PageContract(Contract):
    """@page /news/politics  -> request BASE_URL + that path."""

    name = "page"

    def __init__(self, method, *args):
        super().__init__(method, *args)
        self.spider = getattr(method, "__self__", None)

    def adjust_request_args(self, args: dict) -> dict:
        profile = getattr(self.spider, "profile", None)
        if profile is None:
            from newscrawl.sites import get_profile

            profile = get_profile()
        base = getattr(self.spider, "base_url", None) or profile.url
        args["url"] = mirror_url(profile.url + self.args[0], base)
        return args

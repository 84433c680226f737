"""The frontier's request serializer: JSON round trips, callbacks by name, never a pickle."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone

import pytest
from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

from newscrawl.distributed import serializer
from newscrawl.distributed.serializer import SerializationError


class NewsSpider(Spider):
    name = "news"

    def parse_article(self, response):
        pass

    def on_error(self, failure):
        pass


@pytest.fixture
def spider():
    return NewsSpider()


def round_trip(request: Request, spider: Spider) -> Request:
    data = serializer.dumps(request.to_dict(spider=spider))
    assert isinstance(data, bytes)
    json.loads(data)  # plain JSON, readable by any tool
    return request_from_dict(serializer.loads(data), spider=spider)


def test_round_trip_keeps_callbacks_meta_priority_and_flags(spider):
    seen = datetime(2025, 11, 10, 14, 30, tzinfo=timezone.utc)
    request = Request("https://english.almayadeen.net/news/politics/x?page=2", callback=spider.parse_article,
                      errback=spider.on_error, priority=30, dont_filter=True, flags=["retry"],
                      meta={"kind": "article", "page": 2, "via": "tags", "retry_times": 1,
                            "redirect_urls": ["https://a/", "https://b/"], "ratio": 0.5, "none": None,
                            "nested": {"deep": [1, {"x": b"\x00\xff"}]}, "seen": seen},
                      cb_kwargs={"section": "news/politics"})
    back = round_trip(request, spider)
    assert back.url == request.url
    assert back.callback == spider.parse_article and back.errback == spider.on_error
    assert back.priority == 30 and back.dont_filter is True and back.flags == ["retry"]
    assert back.meta == request.meta
    assert back.meta["nested"]["deep"][1]["x"] == b"\x00\xff"
    assert back.meta["seen"] == seen
    assert back.cb_kwargs == {"section": "news/politics"}


def test_round_trip_keeps_method_body_headers_and_cookies(spider):
    request = Request("https://example.org/api", method="POST", body=b"\x89PNG\r\n\x00binary",
                      headers={"X-Token": "abc", "Accept": ["text/html", "application/xml"]},
                      cookies={"session": "s1"}, encoding="latin-1")
    back = round_trip(request, spider)
    assert back.method == "POST"
    assert back.body == b"\x89PNG\r\n\x00binary"
    assert back.headers.getlist(b"Accept") == [b"text/html", b"application/xml"]
    assert back.headers[b"X-Token"] == b"abc"
    assert back.cookies == {"session": "s1"}
    assert back.encoding == "latin-1"


def test_values_that_look_like_tags_survive(spider):
    meta = {"tricky": {"$b": "not base64, just a user value"}, "list": [{"$d": 1}]}
    back = round_trip(Request("https://example.org/", meta=meta), spider)
    assert back.meta == meta


def test_a_callback_that_is_not_a_spider_method_cannot_be_queued(spider):
    request = Request("https://example.org/", callback=lambda r: None)
    with pytest.raises(ValueError):
        request.to_dict(spider=spider)


def test_meta_that_json_cannot_hold_is_refused_with_the_type_named(spider):
    request = Request("https://example.org/", meta={"obj": object()})
    with pytest.raises(SerializationError, match="object"):
        serializer.dumps(request.to_dict(spider=spider))


def test_loads_refuses_a_pickle_without_unpickling_it(spider):
    payload = pickle.dumps(Request("https://example.org/").to_dict(spider=spider), protocol=pickle.HIGHEST_PROTOCOL)
    with pytest.raises(SerializationError, match="pickle"):
        serializer.loads(payload)


@pytest.mark.parametrize("payload", [b"", b"not json", b'{"url": "https://x/"}', b"[1, 2]",
                                     b'{"format": "newscrawl.request/1", "request": "x"}'])
def test_loads_refuses_anything_but_its_own_format(payload):
    with pytest.raises(SerializationError):
        serializer.loads(payload)


class CountingSpider(NewsSpider):
    """Counts how often Scrapy's member listing (the slow path of Request.to_dict) runs on it."""

    listings = 0

    def __dir__(self):
        CountingSpider.listings += 1
        return super().__dir__()


def test_the_frontier_queue_names_callbacks_once_and_encodes_what_to_dict_gives():
    from scrapy.http import FormRequest

    from newscrawl.distributed.queue import LeasedPriorityQueue

    spider = CountingSpider()
    queue = LeasedPriorityQueue.__new__(LeasedPriorityQueue)  # no Redis: only its encoding is used
    queue.spider, queue.serializer = spider, serializer
    requests = [Request(f"https://english.almayadeen.net/news/politics/a{i}", callback=spider.parse_article,
                        errback=spider.on_error, priority=30, headers={"If-None-Match": '"x"'},
                        meta={"kind": "article", "via": "sitemaps"}, dont_filter=bool(i % 2)) for i in range(50)]
    requests.append(FormRequest("https://english.almayadeen.net/search", formdata={"q": "x"}))
    encoded = [serializer.loads(queue._encode_request(r)) for r in requests]
    assert CountingSpider.listings == 2  # once for the callback, once for the errback: then from the cache
    CountingSpider.listings = 0
    assert encoded == [serializer.loads(serializer.dumps(r.to_dict(spider=spider))) for r in requests]
    assert encoded[0]["callback"] == "parse_article" and encoded[0]["errback"] == "on_error"
    assert encoded[-1]["_class"] == "scrapy.http.request.form.FormRequest"

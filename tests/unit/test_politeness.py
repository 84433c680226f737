"""Backoff and Retry-After arithmetic, and the spider's argument model (pure functions)."""

from datetime import datetime, timezone

import pytest

from newscrawl.middlewares import backoff_delay, retry_after_seconds
from newscrawl.spiders.arguments import AlmayadeenArguments, ArgumentError


def test_retry_after_in_seconds_and_as_http_date():
    assert retry_after_seconds(b"7") == 7.0
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def test_backoff_grows_honours_retry_after_and_is_capped():
    first, third = backoff_delay(1, 1.0, 100), backoff_delay(3, 1.0, 100)
    assert 1.0 <= first <= 1.25 and 4.0 <= third <= 5.0
    assert backoff_delay(1, 1.0, 100, retry_after=30) == 30
    assert backoff_delay(10, 1.0, 60) == 60
    assert backoff_delay(1, 1.0, 10, retry_after=3600) == 10


def test_arguments_parse_and_reject_bad_values():
    args = AlmayadeenArguments.from_kwargs({"since": "2024-07-01", "until": "2024-07-31",
                                            "discover": "sitemaps,tags", "sections": "news/politics/",
                                            "tags": "Gaza, Ilham Aliyev", "max_articles": "10"})
    # Beirut midnight is 21:00 UTC the day before in summer
    assert args.since == datetime(2024, 6, 30, 21, 0, tzinfo=timezone.utc)
    assert args.until.date().isoformat() == "2024-07-31"
    assert args.discover == ["sitemaps", "tags"] and args.sections == ["news/politics"]
    assert args.tags == ["Gaza", "Ilham Aliyev"] and args.max_articles == 10
    assert args.in_window(datetime(2024, 7, 15, tzinfo=timezone.utc))
    assert not args.in_window(datetime(2024, 8, 2, tzinfo=timezone.utc))
    for bad in ({"since": "yesterday"}, {"discover": "rss"}, {"sections": "politics"}, {"edition": "fr"},
                {"max_articles": "0"}, {"max_articles": "many"}, {"colour": "red"},
                {"since": "2024-02-01", "until": "2024-01-01"}):
        with pytest.raises(ArgumentError):
            AlmayadeenArguments.from_kwargs(bad)


def test_429_retries_have_their_own_budget_apart_from_failures():
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from newscrawl.middlewares import BackoffRetryMiddleware

    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2, "NEWSCRAWL_RATE_LIMITED_RETRIES": 3})
    mw = BackoffRetryMiddleware.from_crawler(crawler)
    crawler.stats.open_spider()
    request = Request("http://127.0.0.1/x", meta={"retry_times": 2})  # the failure budget is spent
    for n in (1, 2, 3):
        request = mw.rate_limited_retry(request)
        assert request.meta["rate_limited_times"] == n and request.meta["retry_times"] == 2
    assert mw.rate_limited_retry(request) is None
    assert crawler.stats.get_value("retry/rate_limited/max_reached") == 1

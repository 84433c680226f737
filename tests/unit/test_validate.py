"""ValidationPipeline with a real Scrapy crawler object: drops, stats, where rejects go, the close summary."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import pytest
from bson import json_util
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler
from twisted.internet import defer

from newscrawl.items import ArticleItem, BreakingItem
from newscrawl.pipelines.validate import ValidationPipeline, bson_safe
from tests.unit.test_schema import make_article

SITE = "https://english.almayadeen.net"


def article_item(**overrides) -> ArticleItem:
    return ArticleItem(**make_article(**overrides))


class FakeStore:
    """Stands in for newscrawl.store.Store in unit tests (the integration tests use the real one)."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.saved: list[dict] = []

    def save_rejects(self, rejects):
        if self.fail:
            raise ConnectionError("store down")
        self.saved.extend(rejects)


def make_pipeline(tmp_path, store=None, **settings) -> tuple[ValidationPipeline, object]:
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATA_DIR": str(tmp_path), **settings})
    pipeline = ValidationPipeline.from_crawler(crawler)
    pipeline.run_in_thread = lambda f, *args: defer.succeed(f(*args))  # the crawl tests use the real thread
    pipeline._store, pipeline._store_resolved = store, True
    return pipeline, crawler


def process(pipeline, item):
    return asyncio.run(pipeline.process_item(item))


def read_rejects(path):
    options = json_util.RELAXED_JSON_OPTIONS.with_options(tz_aware=True)
    return [json_util.loads(line, json_options=options) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_valid_article_passes_and_is_counted(tmp_path):
    pipeline, crawler = make_pipeline(tmp_path)
    item = article_item()
    assert process(pipeline, item) is item
    stats = crawler.stats.get_stats()
    assert (stats["validate/items/in"], stats["validate/items/out"]) == (1, 1)
    assert "validate/items/dropped" not in stats and not (tmp_path / "rejects.jsonl").exists()


def test_other_items_pass_untouched_and_uncounted(tmp_path):
    pipeline, crawler = make_pipeline(tmp_path)
    breaking = BreakingItem(text="", text_hash="")
    assert process(pipeline, breaking) is breaking
    assert crawler.stats.get_value("validate/items/in") is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"published_at": datetime.now(timezone.utc) + timedelta(days=3)}, "published_at/not_in_future"),
        ({"published_at": datetime(2011, 5, 1, tzinfo=timezone.utc)}, "published_at/not_before_site"),
        ({"body": "Too short.", "word_count": 2}, "body/minLength"),
        ({"word_count": 7}, "word_count/word_count_matches_body"),
        ({"reading_minutes": 90}, "reading_minutes/reading_minutes_consistent"),
        ({"url": "https://example.org/news/politics/x"}, "url/same_site"),
        ({"title": ""}, "title/minLength"),
        ({"content_hash": "not-a-hash"}, "content_hash/pattern"),
    ],
)
def test_an_invalid_article_is_dropped_counted_and_journalled(tmp_path, overrides, reason):
    pipeline, crawler = make_pipeline(tmp_path)
    item = article_item(**overrides)
    with pytest.raises(DropItem) as caught:
        process(pipeline, item)
    assert reason in str(caught.value) and caught.value.log_level == "DEBUG"
    stats = crawler.stats.get_stats()
    assert stats[f"validate/rejected/{reason}"] == 1
    assert (stats["validate/items/in"], stats["validate/items/dropped"]) == (1, 1)
    assert "validate/items/out" not in stats and stats["validate/rejects/file"] == 1
    [reject] = read_rejects(tmp_path / "rejects.jsonl")
    assert reject["url"] == item.url and reject["item"]["title"] == item.title
    assert f"{reason}" in {f"{e['field']}/{e['rule']}" for e in reject["errors"]}
    assert all(set(e) == {"field", "rule", "message"} and e["message"] for e in reject["errors"])
    assert reject["at"].tzinfo is not None and abs(datetime.now(timezone.utc) - reject["at"]) < timedelta(minutes=1)


def test_every_reason_of_one_item_is_counted(tmp_path):
    pipeline, crawler = make_pipeline(tmp_path)
    with pytest.raises(DropItem):
        process(pipeline, article_item(title="", lang="French"))
    rejected = {k for k in crawler.stats.get_stats() if k.startswith("validate/rejected/")}
    assert {"validate/rejected/title/minLength", "validate/rejected/lang/pattern",
            "validate/rejected/content_hash/content_hash_matches_text"} <= rejected


def test_rejects_go_to_the_store_when_there_is_one(tmp_path):
    store = FakeStore()
    pipeline, crawler = make_pipeline(tmp_path, store=store)
    with pytest.raises(DropItem):
        process(pipeline, article_item(title=""))
    assert [r["url"] for r in store.saved] == [make_article()["url"]]
    assert crawler.stats.get_value("validate/rejects/store") == 1
    assert not (tmp_path / "rejects.jsonl").exists()


def test_rejects_go_to_the_file_when_the_store_fails(tmp_path, caplog):
    pipeline, crawler = make_pipeline(tmp_path, store=FakeStore(fail=True))
    with caplog.at_level(logging.ERROR), pytest.raises(DropItem):
        process(pipeline, article_item(title=""))
    assert [r["url"] for r in read_rejects(tmp_path / "rejects.jsonl")] == [make_article()["url"]]
    assert crawler.stats.get_value("validate/rejects/file") == 1
    assert "store down" in caplog.text


def test_a_reject_nowhere_to_go_is_counted_lost_and_logged(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    pipeline, crawler = make_pipeline(tmp_path, VALIDATION_REJECTS_FILE=str(blocker / "rejects.jsonl"))
    with caplog.at_level(logging.ERROR), pytest.raises(DropItem):
        process(pipeline, article_item(title=""))
    assert crawler.stats.get_value("validate/rejects/lost") == 1
    assert "LOST 1 reject(s)" in caplog.text and make_article()["url"] in caplog.text


def test_the_store_is_looked_up_through_get_store(tmp_path, monkeypatch):
    import newscrawl.store

    store = FakeStore()
    calls = []
    monkeypatch.setattr(newscrawl.store, "get_store", lambda crawler: calls.append(crawler) or store, raising=False)
    crawler = get_crawler(settings_dict={"NEWSCRAWL_DATA_DIR": str(tmp_path)})
    pipeline = ValidationPipeline.from_crawler(crawler)
    pipeline.run_in_thread = lambda f, *args: defer.succeed(f(*args))
    for _ in range(2):
        with pytest.raises(DropItem):
            process(pipeline, article_item(title=""))
    assert calls == [crawler] and len(store.saved) == 2


def test_limits_come_from_settings(tmp_path):
    pipeline, crawler = make_pipeline(tmp_path, VALIDATION_MIN_BODY_WORDS=1000, VALIDATION_FUTURE_SKEW_HOURS=0.5,
                                      VALIDATION_MIN_WORDS_PER_MINUTE=10, VALIDATION_MAX_WORDS_PER_MINUTE=20)
    assert pipeline.limits.future_skew == timedelta(minutes=30)
    assert (pipeline.limits.min_words_per_minute, pipeline.limits.max_words_per_minute) == (10, 20)
    with pytest.raises(DropItem):
        process(pipeline, article_item())
    assert crawler.stats.get_value("validate/rejected/body/body_words") == 1


def test_pipeline_can_be_switched_off():
    with pytest.raises(NotConfigured):
        ValidationPipeline.from_crawler(get_crawler(settings_dict={"VALIDATION_ENABLED": False}))


def test_one_summary_at_close_and_no_per_item_log_above_debug(tmp_path, caplog):
    pipeline, _ = make_pipeline(tmp_path)
    bad_urls = [f"{SITE}/news/politics/bad-{i}" for i in range(7)]
    with caplog.at_level(logging.INFO, logger="newscrawl"):
        process(pipeline, article_item())
        for url in bad_urls:
            with pytest.raises(DropItem):
                process(pipeline, article_item(url=url, title=""))
        assert caplog.records == []
        pipeline.close_spider()
    [summary] = caplog.records
    message = summary.getMessage()
    assert summary.levelno == logging.WARNING
    assert "in 8, out 1, dropped 7" in message and "title/minLength 7" in message and "file 7" in message
    assert all(url in message for url in bad_urls[:5]) and bad_urls[5] not in message


def test_summary_without_rejects(tmp_path, caplog):
    pipeline, _ = make_pipeline(tmp_path)
    process(pipeline, article_item())
    with caplog.at_level(logging.INFO, logger="newscrawl"):
        pipeline.close_spider()
    assert "no article rejected" in caplog.text


def test_bson_safe_keeps_what_bson_holds_and_reprs_the_rest():
    when = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert bson_safe({"a": (1, 2), "b": {3}, "c": when, "d": Exception("x"), "e": 2**70, 1: None}) == {
        "a": [1, 2], "b": [3], "c": when, "d": "Exception('x')", "e": str(2**70), "1": None}


def test_the_compiled_schema_check_is_made_off_the_reactor_when_the_spider_opens(tmp_path):
    pipeline, _ = make_pipeline(tmp_path)
    ran = []
    pipeline.run_in_thread = lambda f, *args: ran.append(f) or defer.succeed(f(*args))
    asyncio.run(pipeline.open_spider())
    assert [f.__name__ for f in ran] == ["compiled_validator"]

"""DedupePipeline: one item per URL and text per run, repeated texts passed on for the store to alias."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem, BreakingItem
from newscrawl.pipelines.dedupe import DedupePipeline
from newscrawl.store.samples import sample_article


@pytest.fixture
def pipeline():
    crawler = get_crawler()
    crawler.stats.open_spider()
    return DedupePipeline.from_crawler(crawler)


def test_a_repeated_url_is_dropped_and_counted(pipeline):
    first = ArticleItem(**sample_article(1))
    assert pipeline.process_item(first) is first
    with pytest.raises(DropItem):
        pipeline.process_item(sample_article(1))  # a dict, same URL, same text
    stats = pipeline.stats.get_stats()
    assert (stats["dedupe/items/in"], stats["dedupe/items/out"], stats["dedupe/dropped/url"]) == (2, 1, 1)


def test_the_same_url_with_another_text_goes_on_for_the_store_to_keep_as_a_revision(pipeline):
    pipeline.process_item(sample_article(1))
    edited = sample_article(1, version=2)  # an edit met later in the same long crawl (follow mode)
    assert pipeline.process_item(edited) is edited
    with pytest.raises(DropItem):
        pipeline.process_item(sample_article(1, version=2))
    stats = pipeline.stats.get_stats()
    assert (stats["dedupe/items/in"], stats["dedupe/items/out"], stats["dedupe/dropped/url"]) == (3, 2, 1)


def test_the_same_text_under_another_url_goes_on_and_is_counted_as_an_alias(pipeline):
    pipeline.process_item(sample_article(1))
    twin = sample_article(2, text_of=1)
    assert pipeline.process_item(twin) is twin
    assert pipeline.stats.get_value("dedupe/aliased/content_hash") == 1
    assert pipeline.stats.get_value("dedupe/items/out") == 2


def test_breaking_lines_pass_untouched(pipeline):
    line = BreakingItem(text="x", text_hash="f" * 64)
    assert pipeline.process_item(line) is line
    assert pipeline.process_item(line) is line
    assert pipeline.stats.get_value("dedupe/items/in") is None


def test_only_digests_are_kept(pipeline):
    for i in range(100):
        pipeline.process_item(sample_article(i))
    assert len(pipeline.urls) == len(pipeline.texts) == 100
    assert all(isinstance(d, bytes) and len(d) == 16 for d in pipeline.urls)

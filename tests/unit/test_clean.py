"""Cleaning: each normalisation rule of SCHEMA.md, and the pipeline around it."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from newscrawl.extract import text
from newscrawl.extract.dates import to_utc
from newscrawl.items import ArticleItem, BreakingItem, Image
from newscrawl.pipelines.clean import CleaningPipeline
from newscrawl.pipelines.cleaning_rules import clean_article
from newscrawl.schema import validate_article
from tests.unit.test_schema import NOW, make_article

SITE = "https://english.almayadeen.net"


def test_clean_article_keeps_a_clean_article_as_it_is():
    doc = make_article()
    assert clean_article(doc) == doc


def test_clean_article_returns_a_copy_with_the_same_keys():
    doc = make_article(title="  Spaced  ")
    del doc["modified_at"]
    out = clean_article(doc)
    assert set(out) == set(doc) and doc["title"] == "  Spaced  " and out["title"] == "Spaced"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Blinken&nbsp;calls &amp; warns", "Blinken calls & warns"),
        ("\u200bZero\u200d width\ufeff", "Zero width"),
        ("  lots \t of\n\nspace\u00a0\u3000here ", "lots of space here"),
        ("Cafe\u0301 in Homs", "Caf\u00e9 in Homs"),  # NFC
        ("بري: لا خلاص\u00a0للبنان", "بري: لا خلاص للبنان"),
    ],
)
def test_title_goes_through_normalise_text(raw, clean):
    assert clean_article(make_article(title=raw))["title"] == clean


def test_nullable_strings_empty_become_null_and_numbers_become_strings():
    out = clean_article(make_article(description=" \u00a0 ", source="&nbsp;", category="", postid=1234567))
    assert (out["description"], out["source"], out["category"]) == (None, None, None)
    assert out["postid"] == "1234567"


def test_body_keeps_paragraphs_and_drops_empty_ones():
    out = clean_article(make_article(body="First\u00a0 para &amp; more.\n\n\u200b\n\n  Second\n para.  \n \nThird."))
    assert out["body"] == "First para & more.\n\nSecond para.\n\nThird."


def test_word_count_and_content_hash_are_recomputed_from_the_cleaned_text():
    out = clean_article(make_article(title=" A&amp;B ", body="one  two\u00a0three", word_count=99, content_hash="x"))
    assert out["word_count"] == 3
    assert out["content_hash"] == text.content_hash("A&B", "one two three")


def test_url_is_canonical():
    out = clean_article(make_article(url=f" http://English.AlMayadeen.net/news/politics/x/?utm_source=t#top "))
    assert out["url"] == f"{SITE}/news/politics/x"


def test_site_urls_of_a_mirror_map_to_the_site():
    out = clean_article(make_article(url="http://127.0.0.1:8123/news/politics/x",
                                     related_urls=["http://127.0.0.1:8123/news/economy/y/"]),
                        mirror_hosts=("127.0.0.1:8123",))
    assert out["url"] == f"{SITE}/news/politics/x"
    assert out["related_urls"] == [f"{SITE}/news/economy/y"]


def test_related_urls_canonical_deduplicated_in_page_order():
    related = [f"{SITE}/news/b?x=1", f"{SITE}/news/a", f"{SITE}/news/b/", "", f"{SITE}/news/a#f", f"{SITE}/news/c"]
    assert clean_article(make_article(related_urls=related))["related_urls"] == [
        f"{SITE}/news/b", f"{SITE}/news/a", f"{SITE}/news/c"]


def test_a_url_that_is_not_absolute_is_only_trimmed_for_validation_to_reject():
    out = clean_article(make_article(url=" /news/politics/x ", related_urls=["javascript:void(0)"]))
    assert out["url"] == "/news/politics/x" and out["related_urls"] == ["javascript:void(0)"]
    assert {e.field for e in validate_article(out, now=NOW)} >= {"url", "related_urls"}


def test_images_trimmed_captions_normalised_empty_to_null_duplicates_dropped():
    images = [
        {"url": " //cdn.almayadeen.net/a.jpg ", "caption": " A&nbsp;caption ", "credit": ""},
        {"url": "https://cdn.almayadeen.net/a.jpg", "caption": "again", "credit": None},
        {"url": "", "caption": "no image", "credit": None},
        Image(url="https://CDN.example/b.jpg?w=300", caption="\u200b", credit=" AP Photo "),
    ]
    assert clean_article(make_article(images=images))["images"] == [
        {"url": "https://cdn.almayadeen.net/a.jpg", "caption": "A caption", "credit": None},
        {"url": "https://CDN.example/b.jpg?w=300", "caption": None, "credit": "AP Photo"},
    ]


@pytest.mark.parametrize("field", ["tags", "authors", "countries"])
def test_label_lists_normalised_empty_dropped_deduplicated_in_order(field):
    out = clean_article(make_article(**{field: [" Gaza ", "", "Lebanon\u00a0", "Gaza", "\u200b", "غزة", "Gaza"]}))
    assert out[field] == ["Gaza", "Lebanon", "غزة"]


def test_a_single_string_becomes_a_list_and_null_an_empty_list():
    out = clean_article(make_article(authors="Al Mayadeen English", tags=None))
    assert out["authors"] == ["Al Mayadeen English"] and out["tags"] == []


def test_type_and_section_and_lang_are_normalised():
    out = clean_article(make_article(type=" VideoObject ", section="/News/Politics/", lang="EN "))
    assert (out["type"], out["section"], out["lang"]) == ("video", "news/politics", "en")


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        (datetime(2022, 9, 13, 16, 36), datetime(2022, 9, 13, 16, 36, tzinfo=timezone.utc)),
        (datetime(2022, 9, 13, 19, 36, tzinfo=ZoneInfo("Asia/Beirut")),
         datetime(2022, 9, 13, 16, 36, tzinfo=timezone.utc)),
        ("2024-05-30T23:49:00+03:00", datetime(2024, 5, 30, 20, 49, tzinfo=timezone.utc)),
        ("2024-05-30T20:49:00Z", datetime(2024, 5, 30, 20, 49, tzinfo=timezone.utc)),
        (" 2024-05-30 20:49 ", datetime(2024, 5, 30, 20, 49, tzinfo=timezone.utc)),
    ],
)
def test_dates_become_utc(raw, utc):
    out = clean_article(make_article(published_at=raw, modified_at=raw))
    for field in ("published_at", "modified_at"):
        assert out[field] == utc and out[field].utcoffset() == timedelta(0)


def test_unparseable_dates_and_unexpected_types_are_left_for_validation():
    assert to_utc("yesterday") == "yesterday" and to_utc(None) is None and to_utc(3) == 3
    out = clean_article(make_article(title=None, reading_minutes="three", images="nope"))
    assert (out["title"], out["reading_minutes"], out["images"]) == (None, "three", "nope")


def test_numeric_strings_become_ints():
    out = clean_article(make_article(reading_minutes=" 2 ", video_duration=95.0))
    assert out["reading_minutes"] == 2 and out["video_duration"] == 95


def test_store_fields_are_cleaned_too():
    out = clean_article(make_article(aliases=[f"{SITE}/news/politics/old/", f"{SITE}/news/politics/old"],
                                     first_seen_at="2025-01-01T00:00:00+02:00", revision="3"))
    assert out["aliases"] == [f"{SITE}/news/politics/old"]
    assert out["first_seen_at"] == datetime(2024, 12, 31, 22, tzinfo=timezone.utc) and out["revision"] == 3


def test_a_messy_article_is_valid_once_cleaned():
    messy = make_article(
        url=f"{SITE}/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight/?ref=home",
        title="Blinken calls&nbsp;for immediate halt\u200b to Armenia, Azerbaijan fight ",
        body="\n\n" + make_article()["body"].replace(" ", "\u00a0 ") + "\n\n\u00a0\n",
        published_at="2022-09-13T19:36:00+03:00", tags=["Armenia", "Armenia ", ""], word_count=0,
        content_hash="")
    assert validate_article(messy, now=NOW) != []
    cleaned = clean_article(messy)
    assert validate_article(cleaned, now=NOW) == []
    assert cleaned == {**make_article(), "tags": ["Armenia"]}


# --- the pipeline -------------------------------------------------------------------


def article_item(**overrides) -> ArticleItem:
    return ArticleItem(**make_article(**overrides))


def test_pipeline_cleans_the_item_in_place_and_counts_changed_fields():
    crawler = get_crawler()
    pipeline = CleaningPipeline.from_crawler(crawler)
    item = article_item(title=" Blinken&nbsp;calls ", tags=["A", "A"])
    assert pipeline.process_item(item) is item
    assert item.title == "Blinken calls" and item.tags == ["A"]
    stats = crawler.stats.get_stats()
    assert stats["clean/items/in"] == 1 and stats["clean/items/out"] == 1
    assert stats["clean/fields/changed/title"] == 1 and stats["clean/fields/changed/tags"] == 1
    assert stats["clean/fields/changed/content_hash"] == 1  # the title changed
    assert "clean/fields/changed/body" not in stats


def test_pipeline_replaces_a_datetime_equal_in_time_but_not_in_utc():
    crawler = get_crawler()
    beirut = datetime(2022, 9, 13, 19, 36, tzinfo=ZoneInfo("Asia/Beirut"))
    item = article_item(published_at=beirut)
    CleaningPipeline.from_crawler(crawler).process_item(item)
    assert item.published_at.utcoffset() == timedelta(0) and item.published_at == beirut
    assert crawler.stats.get_value("clean/fields/changed/published_at") == 1


def test_pipeline_maps_the_base_url_mirror_to_the_site():
    crawler = get_crawler(settings_dict={"BASE_URL": "http://127.0.0.1:8999"})
    item = article_item(url="http://127.0.0.1:8999/news/politics/x")
    CleaningPipeline.from_crawler(crawler).process_item(item)
    assert item.url == f"{SITE}/news/politics/x"


def test_pipeline_passes_other_items_untouched():
    crawler = get_crawler()
    breaking = BreakingItem(text="  Berri:\u00a0 x ", text_hash="h")
    assert CleaningPipeline.from_crawler(crawler).process_item(breaking) is breaking
    assert dataclasses.asdict(breaking)["text"] == "  Berri:\u00a0 x "
    assert crawler.stats.get_value("clean/items/in") is None


def test_pipeline_can_be_switched_off():
    with pytest.raises(NotConfigured):
        CleaningPipeline.from_crawler(get_crawler(settings_dict={"CLEANING_ENABLED": False}))


def test_pipeline_logs_a_summary_at_close(caplog):
    crawler = get_crawler()
    pipeline = CleaningPipeline.from_crawler(crawler)
    pipeline.process_item(article_item(title=" t "))
    with caplog.at_level(logging.INFO, logger="newscrawl.pipelines.clean"):
        pipeline.close_spider()
    [record] = caplog.records
    assert "in 1, out 1, dropped 0" in record.getMessage() and "'title': 1" in record.getMessage()


def test_the_cleaning_rules_and_the_schema_import_no_scrapy():
    import subprocess
    import sys

    code = ("import sys, newscrawl.pipelines.cleaning_rules, newscrawl.schema; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

"""How the pipelines read items (fields_of, no copy) and what the store keeps (as_document, one copy).

Both must equal ItemAdapter(item).asdict(), which the pipelines called once each before.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import scrapy
from hypothesis import given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy.utils.test import get_crawler

from newscrawl.extract.article import extract_article
from newscrawl.items import ArticleItem, BreakingItem, Image, PageItem, as_document, fields_of
from newscrawl.pipelines.mongo import MongoPipeline
from tests.replica.model import SiteModel
from tests.replica.routes import resolve
from tests.unit.test_schema import make_article


def replica_items(n: int = 60) -> list[ArticleItem]:
    model = SiteModel(seed=1, articles=n, epoch=1)
    items = []
    for doc in model.truth():
        path = urlsplit(doc["url"]).path
        items.append(ArticleItem(**extract_article(resolve(model, 1, path).body, "http://127.0.0.1:5555" + path).fields))
    return items


def test_replica_items_read_and_copied_as_itemadapter_does():
    items = replica_items()
    assert len(items) >= 50
    for item in items:
        expected = ItemAdapter(item).asdict()
        assert fields_of(item) == expected
        assert as_document(item) == expected


def test_fields_of_reads_without_copying():
    item = ArticleItem(**make_article())
    doc = fields_of(item)
    assert doc["tags"] is item.tags and doc["images"] is item.images and doc["body"] is item.body
    plain = make_article()
    assert fields_of(plain) is plain


def test_as_document_shares_no_list_or_dict_with_the_item():
    item = ArticleItem(**make_article())
    doc = as_document(item)
    doc["tags"].append("x")
    doc["images"][0]["caption"] = "changed"
    assert item.tags == make_article()["tags"] and item.images == make_article()["images"]
    plain = make_article()
    copied = as_document(plain)
    assert copied == plain and copied is not plain and copied["related_urls"] is not plain["related_urls"]


def test_nested_items_become_dicts_in_both():
    item = ArticleItem(**make_article(images=[Image(url="https://x/a.jpg", caption="c")]))
    expected = {"url": "https://x/a.jpg", "caption": "c", "credit": None}
    assert fields_of(item)["images"] == [expected] == as_document(item)["images"]
    assert fields_of({"images": [Image(url="https://x/a.jpg", caption="c")]}) == {"images": [expected]}
    # tuples and dict subclasses: as itemadapter gives them (a tuple stays a tuple, an OrderedDict becomes a dict)
    odd = ArticleItem(**make_article(tags=("a", "b"), images=[OrderedDict(url="u", caption=None, credit=None)]))
    assert fields_of(odd) == ItemAdapter(odd).asdict() == as_document(odd)
    assert type(fields_of(odd)["tags"]) is tuple and type(as_document(odd)["images"][0]) is dict


def test_other_item_types_go_through_itemadapter():
    class Thing(scrapy.Item):
        url = scrapy.Field()
        tags = scrapy.Field()

    thing = Thing(url="u", tags=["a"])
    assert fields_of(thing) == as_document(thing) == {"url": "u", "tags": ["a"]}
    line = BreakingItem(text="t", text_hash="h", seen_at=datetime(2025, 1, 1, tzinfo=timezone.utc))
    page = PageItem(url="u", fetched_at=datetime(2025, 1, 1, tzinfo=timezone.utc), status=200, html=b"x")
    for item in (line, page):
        assert fields_of(item) == as_document(item) == ItemAdapter(item).asdict()


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                    st.binary(max_size=3), st.just(datetime(2025, 1, 1, tzinfo=timezone.utc)),
                    st.just(date(2025, 1, 1)), st.just(time(1, 2)), st.just(timedelta(seconds=3)),
                    st.just(Decimal("1.5")))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple), st.lists(SCALARS, max_size=3).map(set),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.builds(Image, url=st.text(max_size=3), caption=inner, credit=inner),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from([f.name for f in dataclasses.fields(ArticleItem)]), VALUES))
def test_any_values_read_and_copied_as_itemadapter_does(values):
    item = ArticleItem(**{**make_article(), **values})
    expected = ItemAdapter(item).asdict()
    assert fields_of(item) == expected
    assert as_document(item) == expected
    doc = make_article(**values)
    assert fields_of(doc) == ItemAdapter(doc).asdict() == as_document(doc)


class NoStore:
    """MongoPipeline needs a Store only to flush; these tests stop before that."""


def test_the_store_pipeline_buffers_a_copy_the_item_cannot_change():
    crawler = get_crawler()
    crawler.stats.open_spider()
    pipeline = MongoPipeline(crawler, NoStore())
    item = ArticleItem(**make_article())
    assert asyncio.run(pipeline.process_item(item)) is item
    [buffered] = pipeline.articles
    assert buffered == ItemAdapter(item).asdict()
    item.tags.append("added later")
    item.images[0]["caption"] = "changed later"
    item.title = "changed later"
    assert buffered == {**make_article(), "http_etag": None, "http_last_modified": None}


@pytest.mark.parametrize("images", [[Image(url="https://english.almayadeen.net/a.jpg")],
                                    [{"url": "https://english.almayadeen.net/a.jpg", "caption": None,
                                      "credit": None}]])
def test_validation_alone_reads_nested_dataclasses_as_dicts(tmp_path, images):
    # with cleaning off, an Image dataclass reaches validation: it is read as itemadapter converts it
    from tests.unit.test_validate import make_pipeline, process

    pipeline, crawler = make_pipeline(tmp_path)
    item = ArticleItem(**make_article(images=images))
    assert process(pipeline, item) is item
    assert crawler.stats.get_value("validate/items/out") == 1

"""MongoPipeline under a real Scrapy crawler object and a real server that fails."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem, BreakingItem
from newscrawl.pipelines.mongo import MongoPipeline
from newscrawl.store.connection import make_client
from newscrawl.store.samples import sample_article, sample_url


def make_pipeline(uri: str, db_name: str, data_dir, **extra) -> MongoPipeline:
    crawler = get_crawler(settings_dict={"MONGODB_URI": uri, "MONGODB_DATABASE": db_name,
                                         "NEWSCRAWL_DATA_DIR": str(data_dir), "MONGO_SERVER_SELECTION_TIMEOUT_MS": 500,
                                         **extra})
    crawler.stats.open_spider()
    return MongoPipeline.from_crawler(crawler)


def stored(uri: str, db_name: str) -> list[dict]:
    client = make_client(uri)
    try:
        return list(client[db_name]["articles"].find({}, {"_id": 0}))
    finally:
        client.close()


def now() -> datetime:
    return datetime.now(timezone.utc)


def test_a_flush_stores_articles_items_and_dicts_and_breaking_lines(mongo_uri, mongo_db_name, tmp_path):
    pipeline = make_pipeline(mongo_uri, mongo_db_name, tmp_path)
    assert pipeline.connect_and_replay() == 0
    item = ArticleItem(**sample_article(1))
    line = BreakingItem(text="A line", text_hash="d" * 64)
    docs = [ItemAdapterDict(item), sample_article(2), sample_article(3, text_of=2)]
    inc = pipeline.write(docs, [ItemAdapterDict(line)], now())
    assert inc["mongo/articles/new"] == 2 and inc["mongo/articles/aliased"] == 1
    assert inc["mongo/breaking/new"] == 1 and inc["mongo/flush/count"] == 1
    inc = pipeline.write([sample_article(1, version=2), sample_article(2)], [], now())
    assert (inc["mongo/articles/changed"], inc["mongo/articles/unchanged"]) == (1, 1)
    assert {d["url"] for d in stored(mongo_uri, mongo_db_name)} == {sample_url(1), sample_url(2)}
    pipeline.store.close()


def ItemAdapterDict(item):
    from itemadapter import ItemAdapter

    return ItemAdapter(item).asdict()


def test_an_unreachable_server_sends_batches_to_the_journal_and_they_come_back_once(own_secantus, tmp_path):
    pipeline = make_pipeline(own_secantus.uri, "news", tmp_path, MONGO_RETRY_SECONDS=1.0)
    pipeline.connect_and_replay()
    pipeline.write([sample_article(0)], [], now())
    own_secantus.stop()
    inc = pipeline.write([sample_article(i) for i in range(1, 6)], [], now())
    # no server to select: the circuit opens and the batch is journaled without waiting for retries
    assert inc["mongo/journal/written"] == 5 and inc["mongo/flush/retries"] == 0
    assert pipeline.store.circuit.is_open and pipeline.store.journal.pending() == 5
    started = time.monotonic()
    inc = pipeline.write([sample_article(7)], [], now())  # while it is open: straight to the journal
    assert inc["mongo/journal/written"] == 1 and time.monotonic() - started < 0.5
    own_secantus.start()
    assert pipeline.store.circuit.wait_closed(30)  # the circuit's re-test found it back
    # the next flush, once the server answers, also replays the journal
    inc = pipeline.write([sample_article(6)], [], now())
    assert inc["mongo/journal/replayed"] == 6 and pipeline.store.journal.pending() == 0
    docs = stored(own_secantus.uri, "news")
    assert sorted(d["url"] for d in docs) == sorted(sample_url(i) for i in range(8))
    assert all(d["revision"] == 1 and d["aliases"] == [] for d in docs)
    # a new pipeline (the next crawl) replays at open; nothing is left, nothing doubles
    again = make_pipeline(own_secantus.uri, "news", tmp_path)
    assert again.connect_and_replay() == 0
    assert len(stored(own_secantus.uri, "news")) == 8
    pipeline.store.close()
    again.store.close()


def test_killing_and_restarting_the_server_mid_stream_loses_and_duplicates_nothing(own_secantus, tmp_path):
    pipeline = make_pipeline(own_secantus.uri, "news", tmp_path, MONGO_RETRY_SECONDS=60.0)
    pipeline.connect_and_replay()
    total, batch = 600, 20
    written: list = []
    errors: list[BaseException] = []

    def stream():
        try:
            for start in range(0, total, batch):
                items = [sample_article(i) for i in range(start, start + batch)]
                # every item is also repeated in the next batch, as a recrawl would
                items += [sample_article(i) for i in range(max(0, start - 5), start)]
                written.append(pipeline.write(items, [], now()))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)

    writer = threading.Thread(target=stream)
    writer.start()
    while len(written) < 5 and writer.is_alive():
        time.sleep(0.01)
    own_secantus.kill()
    time.sleep(1.0)
    own_secantus.start()
    writer.join(120)
    assert not writer.is_alive() and not errors
    assert len(written) == total // batch
    # the kill did hit the stream: a write was retried, or the circuit opened and batches were journaled
    assert sum(inc["mongo/flush/retries"] + inc["mongo/journal/written"] for inc in written) >= 1
    assert pipeline.store.circuit.wait_closed(30)
    pipeline.replay()  # what a crawl does when the circuit closes again
    docs = stored(own_secantus.uri, "news")
    urls = [d["url"] for d in docs]
    assert len(urls) == len(set(urls)) == total
    assert set(urls) == {sample_url(i) for i in range(total)}
    assert all(d["revision"] == 1 and d["aliases"] == [] for d in docs)
    assert pipeline.store.journal.pending() == 0
    pipeline.store.close()


def test_storage_off_means_no_pipeline(tmp_path):
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(settings_dict={"NEWSCRAWL_STORE_ENABLED": False})
    with pytest.raises(NotConfigured):
        MongoPipeline.from_crawler(crawler)


def test_a_crawl_replays_only_its_own_stores_journal_and_says_once_what_else_waits(mongo_uri, mongo_db_name, tmp_path,
                                                                                  caplog):
    from newscrawl.store.journal import Journal
    from newscrawl.store.target import StoreTarget

    journal_dir = tmp_path / "journal"
    elsewhere = StoreTarget.from_uri("mongodb://crawler:secret@127.0.0.1:1/", "elsewhere")
    Journal.for_target(journal_dir, elsewhere).append("articles", [sample_article(1)], now())
    Journal.legacy(journal_dir).append("articles", [sample_article(3)], now())  # as an older release wrote it
    before = {path.name: path.read_bytes() for path in journal_dir.iterdir() if path.suffix == ".jsonl"}
    pipeline = make_pipeline(mongo_uri, mongo_db_name, tmp_path)
    pipeline.store.journal.append("articles", [sample_article(2)], now())  # this store's own
    with caplog.at_level("WARNING", logger="newscrawl.pipelines.mongo"):
        assert pipeline.connect_and_replay() == 1
    assert [d["url"] for d in stored(mongo_uri, mongo_db_name)] == [sample_url(2)]
    assert {path.name: path.read_bytes() for path in journal_dir.iterdir() if path.suffix == ".jsonl"} == before
    lines = [r.getMessage() for r in caplog.records]
    assert ("1 journaled records (articles 1) for mongodb://127.0.0.1:1/elsewhere are waiting; they will be replayed "
            "by a crawl into that store, or by `newscrawl db replay --uri mongodb://127.0.0.1:1/ --db elsewhere`"
            ) in lines
    assert any(line.startswith("1 journaled records (articles 1) in ") and "--legacy" in line for line in lines)
    assert len(lines) == 2 and not any("secret" in line for line in lines)
    pipeline.store.close()


def test_what_the_journal_holds_is_replayed_once_a_re_test_finds_the_store_back(own_secantus, tmp_path):
    # the pieces close_spider puts together (the whole is tests/e2e/test_store_outage.py): the store back
    # between two timed re-tests of an open circuit, the journal waits until a re-test closes it
    pipeline = make_pipeline(own_secantus.uri, "news", tmp_path, MONGO_CIRCUIT_PROBE_SECONDS=3600)
    pipeline.connect_and_replay()
    own_secantus.stop()
    assert pipeline.write([sample_article(i) for i in range(3)], [], now())["mongo/journal/written"] == 3
    assert pipeline.store.circuit.is_open
    assert pipeline.journal_left() == (0, 3)  # still down: the records wait for the next crawl
    own_secantus.start()
    assert pipeline.store.circuit.is_open  # the next timed re-test is an hour away
    assert pipeline.store.circuit.retest()
    assert pipeline.journal_left() == (3, 0)
    assert sorted(d["url"] for d in stored(own_secantus.uri, "news")) == sorted(sample_url(i) for i in range(3))
    pipeline.store.close()

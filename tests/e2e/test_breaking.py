"""Spider `breaking` against the replica: real Chromium, real HTTP, real SecantusDB.

The ticker is filled by JavaScript, so a plain fetch sees an empty container while
the rendering spider sees every line the replica's model says is there.
"""

from __future__ import annotations

import urllib.request

from newscrawl.extract.text import text_hash
from newscrawl.extract.ticker import extract_ticker
from tests.e2e.crawl import run_crawl
from tests.replica.model import SiteModel
from tests.replica.routes import SEED_PATH

MODEL = {"seed": 1, "articles": 300}


def crawl_breaking(replica, mongo_uri, mongo_db, workdir, args=None, settings=None):
    result = run_crawl("breaking", workdir, timeout=300, args=args, settings={
        "BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db.name,
        "BREAKING_WAIT_MS": "10000", **(settings or {})})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("finish_reason") == "finished", result.stats
    return result


def stored(mongo_db) -> dict[str, dict]:
    return {doc["text"]: doc for doc in mongo_db.breaking.find({}, {"_id": 0})}


def expected(epoch: int) -> dict[str, str | None]:
    return {line["text"]: line["url"] for line in SiteModel(epoch=epoch, **MODEL).ticker()}


def test_plain_fetch_sees_no_line_but_the_spider_stores_every_line(replica, mongo_uri, mongo_db, tmp_path):
    with urllib.request.urlopen(replica.url + "/", timeout=30) as resp:
        served = resp.read().decode("utf-8")
    assert 'id="ticker"' in served  # the container is there, empty until the script runs
    assert extract_ticker(served, replica.url + "/") == []

    result = crawl_breaking(replica, mongo_uri, mongo_db, tmp_path)

    truth = expected(1)
    docs = stored(mongo_db)
    assert {text: doc["url"] for text, doc in docs.items()} == truth
    for text, doc in docs.items():
        assert doc["text_hash"] == text_hash(text)
        assert doc["seen_count"] == 1
        assert doc["first_seen_at"] == doc["last_seen_at"]
    assert result.stats["breaking/captures"] == 1
    assert result.stats["breaking/lines/seen"] == len(truth)
    assert not any(key.startswith("breaking/error/") for key in result.stats)


def test_two_captures_count_each_line_twice_in_one_browser(replica, mongo_uri, mongo_db, tmp_path):
    result = crawl_breaking(replica, mongo_uri, mongo_db, tmp_path, args={"repeat": 2, "interval": 0.2})

    truth = expected(1)
    assert mongo_db.breaking.count_documents({}) == len(truth)
    assert len(mongo_db.breaking.distinct("text_hash")) == len(truth)
    for doc in stored(mongo_db).values():
        assert doc["seen_count"] == 2
        assert doc["last_seen_at"] > doc["first_seen_at"]
    stats = result.stats
    assert stats["breaking/captures"] == 2
    assert stats["playwright/browser_count"] == 1
    assert stats["playwright/context_count"] == 1
    assert stats["playwright/page_count/max_concurrent"] == 1  # each page closed before the next


def test_epoch_two_adds_new_lines_and_leaves_vanished_ones_alone(replica, mongo_uri, mongo_db, tmp_path):
    crawl_breaking(replica, mongo_uri, mongo_db, tmp_path / "one")
    before = stored(mongo_db)
    replica.control(epoch=2)
    crawl_breaking(replica, mongo_uri, mongo_db, tmp_path / "two")
    after = stored(mongo_db)

    old, new = expected(1), expected(2)
    assert set(after) == set(old) | set(new)
    for text in set(new) - set(old):
        assert after[text]["seen_count"] == 1
        assert after[text]["first_seen_at"] > before[next(iter(before))]["last_seen_at"]
    for text in set(old) - set(new):
        assert after[text]["last_seen_at"] == before[text]["last_seen_at"]
        assert after[text]["seen_count"] == 1
    for text in set(old) & set(new):
        assert after[text]["seen_count"] == 2
        assert after[text]["first_seen_at"] == before[text]["first_seen_at"]
        assert after[text]["last_seen_at"] > before[text]["last_seen_at"]
    assert set(old) - set(new) and set(new) - set(old)  # the epochs really differ


def test_several_pages_make_one_capture_and_skip_heavy_resources(replica, mongo_uri, mongo_db, tmp_path):
    result = crawl_breaking(replica, mongo_uri, mongo_db, tmp_path,
                            args={"pages": f"/,{SEED_PATH},/news/politics"})

    truth = expected(1)
    docs = stored(mongo_db)
    assert set(docs) == set(truth)
    assert all(doc["seen_count"] == 1 for doc in docs.values())  # one capture, though three pages
    stats = result.stats
    assert stats["breaking/captures"] == 3
    assert stats["playwright/request_count/resource_type/image"] >= 1  # the article's figures
    assert stats["playwright/request_count/aborted"] >= stats["playwright/request_count/resource_type/image"]
    assert "playwright/response_count/resource_type/image" not in stats


def test_page_without_ticker_ends_with_a_clear_error_and_closed_pages(replica, mongo_uri, mongo_db, tmp_path):
    result = crawl_breaking(replica, mongo_uri, mongo_db, tmp_path,
                            args={"pages": "/robots.txt,/", "repeat": 3, "interval": 0.1},
                            settings={"BREAKING_WAIT_MS": "1500"})

    stats = result.stats
    assert stats["breaking/error/no_ticker"] == 3
    assert stats["breaking/captures"] == 3
    assert "no ticker on" in result.log and "/robots.txt" in result.log
    # a page left open would pile up (and the context allows only 4): closed in errback and callback
    assert stats["playwright/page_count/max_concurrent"] <= 2
    assert all(doc["seen_count"] == 3 for doc in stored(mongo_db).values())


def test_bad_argument_is_refused_with_a_clear_message(replica, mongo_uri, mongo_db, tmp_path):
    result = run_crawl("breaking", tmp_path, timeout=120, args={"repeat": "often"}, settings={
        "BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db.name})
    assert result.returncode != 0
    assert "repeat must be a whole number" in result.log
    assert "playwright/browser_count" not in result.stats

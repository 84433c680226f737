"""Rejects are never lost: a real crawl (its own process and reactor) through the clean and validate pipelines.

With a store they land in the ``rejects`` collection of a real SecantusDB server; with
storage off, or with the store unreachable, in ``<NEWSCRAWL_DATA_DIR>/rejects.jsonl``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bson import json_util

from tests.conftest import ROOT
from tests.unit.test_schema import make_article

SITE = "https://english.almayadeen.net"
JSON_OPTIONS = json_util.RELAXED_JSON_OPTIONS.with_options(tz_aware=True)

# A spider that yields the articles of a JSON-lines file, and writes the final stats beside it.
CRAWL = r"""
import json, sys
from bson import json_util
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings
from newscrawl.items import ArticleItem

items_path, stats_path, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
options = json_util.RELAXED_JSON_OPTIONS.with_options(tz_aware=True)

class ItemsSpider(Spider):
    name = "items"

    async def start(self):
        with open(items_path, encoding="utf-8") as f:
            for line in f:
                yield ArticleItem(**json_util.loads(line, json_options=options))

    def closed(self, reason):
        stats = {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, int)}
        with open(stats_path, "w") as f:
            json.dump(stats, f)

settings = get_project_settings()
settings.setdict(overrides, priority="cmdline")
process = CrawlerProcess(settings)
process.crawl(ItemsSpider)
process.start()
"""

BAD = {
    "title": {"title": ""},
    "future": {"published_at": datetime.now(timezone.utc) + timedelta(days=5)},
    "short": {"body": "Too short.", "word_count": 99},
}


def articles() -> list[dict]:
    """Two good articles (one only after cleaning) and one bad article per BAD case."""
    good = [make_article(), make_article(url=f"{SITE}/news/politics/messy/?utm_source=x", section="news/politics",
                                         title=" Blinken&nbsp;calls ", word_count=0, content_hash="")]
    bad = [make_article(url=f"{SITE}/news/politics/bad-{name}", **changes) for name, changes in BAD.items()]
    return good + bad


def crawl(tmp_path: Path, **overrides) -> dict:
    items_path, stats_path = tmp_path / "items.jsonl", tmp_path / "stats.json"
    items_path.write_text("".join(json_util.dumps(a, json_options=JSON_OPTIONS) + "\n" for a in articles()))
    settings = {
        "ITEM_PIPELINES": {"newscrawl.pipelines.clean.CleaningPipeline": 100,
                           "newscrawl.pipelines.validate.ValidationPipeline": 200},
        "NEWSCRAWL_DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "INFO",
        **overrides,
    }
    done = subprocess.run([sys.executable, "-c", CRAWL, str(items_path), str(stats_path), json.dumps(settings)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(stats_path.read_text())
    stats["_log"] = done.stderr
    return stats


def bad_urls() -> set[str]:
    return {f"{SITE}/news/politics/bad-{name}" for name in BAD}


def assert_crawl_counted(stats: dict) -> None:
    assert stats["clean/items/in"] == stats["clean/items/out"] == 5
    assert (stats["validate/items/in"], stats["validate/items/out"], stats["validate/items/dropped"]) == (5, 2, 3)
    assert stats["validate/rejected/title/minLength"] == 1
    assert stats["validate/rejected/published_at/not_in_future"] == 1
    assert stats["validate/rejected/body/minLength"] == 1
    assert stats["item_scraped_count"] == 2 and stats["item_dropped_count"] == 3
    # one summary at close, no per-item drop lines at INFO
    log = stats["_log"]
    assert log.count("article(s) rejected") == 1 and "Dropped:" not in log
    assert all(url in log for url in bad_urls())


def read_file(path: Path) -> list[dict]:
    return [json_util.loads(line, json_options=JSON_OPTIONS) for line in path.read_text().splitlines()]


def test_rejects_reach_the_rejects_collection(tmp_path, mongo_uri, mongo_db_name, mongo_db):
    stats = crawl(tmp_path, MONGODB_URI=mongo_uri, MONGODB_DATABASE=mongo_db_name)
    assert_crawl_counted(stats)
    assert stats["validate/rejects/store"] == 3 and "validate/rejects/file" not in stats
    rejects = list(mongo_db["rejects"].find())
    assert {r["url"] for r in rejects} == bad_urls()
    by_url = {r["url"]: r for r in rejects}
    title_reject = by_url[f"{SITE}/news/politics/bad-title"]
    assert {"field": "title", "rule": "minLength"} in [{k: e[k] for k in ("field", "rule")} for e in title_reject["errors"]]
    assert title_reject["item"]["body"] == make_article()["body"] and isinstance(title_reject["at"], datetime)
    assert not (tmp_path / "data" / "rejects.jsonl").exists()


def test_rejects_go_to_the_file_when_storage_is_off(tmp_path):
    stats = crawl(tmp_path, NEWSCRAWL_STORE_ENABLED=False)
    assert_crawl_counted(stats)
    assert stats["validate/rejects/file"] == 3
    rejects = read_file(tmp_path / "data" / "rejects.jsonl")
    assert {r["url"] for r in rejects} == bad_urls()
    future = next(r for r in rejects if r["url"].endswith("bad-future"))
    assert [e["rule"] for e in future["errors"]] == ["not_in_future"]
    assert future["item"]["published_at"] > datetime.now(timezone.utc) and future["at"].tzinfo is not None


def test_rejects_go_to_the_journal_when_the_store_is_unreachable(tmp_path):
    # a port bound and never listened on refuses connections, and no other server can take it meanwhile
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        dead = f"mongodb://127.0.0.1:{held.getsockname()[1]}/"
        stats = crawl(tmp_path, MONGODB_URI=dead, MONGO_SERVER_SELECTION_TIMEOUT_MS=500)
    assert_crawl_counted(stats)
    assert stats["validate/rejects/journal"] == 3 and "validate/rejects/store" not in stats
    # the journal of that store (newscrawl.store.journal): each record names it, and the site
    from newscrawl.store import journal_path
    from newscrawl.store.target import StoreTarget

    records = read_file(journal_path({"NEWSCRAWL_DATA_DIR": str(tmp_path / "data"), "MONGODB_URI": dead}))
    assert {r["doc"]["url"] for r in records if r["kind"] == "rejects"} == bad_urls()
    assert {StoreTarget.from_record(r).label for r in records} == {f"{dead}newscrawl"}

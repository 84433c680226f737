"""Dedupe + Mongo pipelines in a real crawl process (reactor, LoopingCall, worker thread, close flush)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from newscrawl.store.connection import make_client
from newscrawl.store.samples import sample_url

CRAWL = textwrap.dedent('''
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from newscrawl.items import ArticleItem, BreakingItem
    from newscrawl.store.samples import sample_article

    class Items(scrapy.Spider):
        name = "items"

        async def start(self):
            for i in range(40):
                yield ArticleItem(**sample_article(i))
            yield ArticleItem(**sample_article(3))               # the same URL again: dropped
            yield sample_article(100, text_of=5)                 # another URL, same text: an alias
            yield BreakingItem(text="A ticker line", text_hash="e" * 64)

    settings = json.loads(sys.argv[1])
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Items)
    process.crawl(crawler)
    process.start()
    print("STATS " + json.dumps(crawler.stats.get_stats(), default=str))
''')


def test_a_crawl_stores_every_item_once(mongo_uri, mongo_db_name, tmp_path):
    settings = {
        "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name, "NEWSCRAWL_DATA_DIR": str(tmp_path),
        "ITEM_PIPELINES": {"newscrawl.pipelines.dedupe.DedupePipeline": 300,
                           "newscrawl.pipelines.mongo.MongoPipeline": 400},
        "MONGO_FLUSH_ITEMS": 7, "MONGO_FLUSH_SECONDS": 0.2, "MONGO_MAX_PENDING_FLUSHES": 1,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
    }
    proc = subprocess.run([sys.executable, "-c", CRAWL, json.dumps(settings)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "MongoDB store: " in proc.stderr
    stats = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("STATS "))[6:])
    assert stats["dedupe/items/in"] == 42 and stats["dedupe/items/out"] == 41
    assert stats["dedupe/dropped/url"] == 1 and stats["dedupe/aliased/content_hash"] == 1
    assert stats["mongo/items/in"] == 42
    assert (stats["mongo/articles/new"], stats["mongo/articles/aliased"]) == (40, 1)
    assert stats["mongo/breaking/new"] == 1 and stats["mongo/flush/count"] >= 6
    client = make_client(mongo_uri)
    try:
        db = client[mongo_db_name]
        docs = {d["url"]: d for d in db["articles"].find()}
        assert set(docs) == {sample_url(i) for i in range(40)}
        assert docs[sample_url(5)]["aliases"] == [sample_url(100)]
        assert db["breaking"].count_documents({}) == 1
    finally:
        client.close()

"""`newscrawl stats` in a subprocess: the figures match what was inserted."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.integration.test_cli_support import NOW, article, breaking_line, revision_copy, run_cli


def seed(db) -> list[dict]:
    docs = [
        article("a", days_ago=0, tags=("Gaza", "US")),
        article("b", days_ago=0, tags=("Gaza",), revision=3),
        article("c", days_ago=1, tags=("Gaza", "Iran"), section="articles/opinion", category="Opinion"),
        article("d", days_ago=2, tags=(), section="articles/opinion", category="Opinion", revision=2),
        article("e", days_ago=20, tags=("US",), section="infographs", category="Infographs"),
    ]
    # 15 more distinct days so that only the 14 latest days are listed
    docs += [article(f"old-{i}", days_ago=30 + i, section="infographs", category="Infographs") for i in range(15)]
    db.articles.insert_many([dict(d) for d in docs])
    db.article_revisions.insert_many([revision_copy(docs[1], 1), revision_copy(docs[1], 2), revision_copy(docs[3], 1)])
    db.rejects.insert_many([{"url": "https://english.almayadeen.net/news/politics/x", "errors": [], "item": {},
                             "at": NOW}] * 1)
    db.breaking.insert_many([breaking_line(f"line {i}", minutes_ago=i) for i in range(4)])
    return docs


def day(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def test_stats_json_matches_the_data(mongo_uri, mongo_db, mongo_db_name):
    docs = seed(mongo_db)
    result = run_cli("stats", "--json", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["articles"] == len(docs) == 20
    assert stats["per_section"] == [{"key": "infographs", "count": 16}, {"key": "articles/opinion", "count": 2},
                                    {"key": "news/politics", "count": 2}]
    days = stats["per_day"]
    assert len(days) == 14
    assert days[:4] == [{"key": day(0), "count": 2}, {"key": day(1), "count": 1}, {"key": day(2), "count": 1},
                        {"key": day(20), "count": 1}]
    assert [d["key"] for d in days] == sorted((d["key"] for d in days), reverse=True)
    assert stats["top_tags"] == [{"key": "Gaza", "count": 3}, {"key": "US", "count": 2}, {"key": "Iran", "count": 1}]
    assert stats["revisions"] == {"article_revisions": 3, "articles_revised": 2}
    assert stats["rejects"] == 1
    assert stats["breaking"] == 4
    assert stats["last_crawl"] is None


def test_stats_text_and_last_crawl(mongo_uri, mongo_db, mongo_db_name):
    seed(mongo_db)
    mongo_db.crawls.insert_many([
        {"spider": "almayadeen", "start": NOW - timedelta(days=2), "end": NOW - timedelta(days=2, hours=-1),
         "finish_reason": "shutdown", "item_scraped_count": 5},
        {"spider": "almayadeen", "start": NOW - timedelta(hours=3), "end": NOW - timedelta(hours=2),
         "finish_reason": "finished", "item_scraped_count": 120, "item_dropped_count": 4},
    ])
    result = run_cli("stats", "--top", "1", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "articles: 20" in out
    assert "infographs" in out and "16" in out
    tags = out.split("top tags:")[1].split("revisions:")[0]
    assert "Gaza" in tags and "Iran" not in tags
    assert "revisions: 3 earlier versions kept, 2 articles revised" in out
    assert "rejects: 1" in out and "breaking lines: 4" in out
    crawl = out.split("last crawl:")[1]
    assert "finish_reason: finished" in crawl and "item_scraped_count: 120" in crawl
    assert "item_dropped_count: 4" in crawl and "shutdown" not in crawl


def test_stats_of_an_empty_database(mongo_uri, mongo_db_name):
    result = run_cli("stats", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    assert "articles: 0" in result.stdout and "last crawl: none recorded" in result.stdout

"""`newscrawl reextract` over kept raw pages, in a subprocess against a real SecantusDB."""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timedelta

import pytest

from tests.integration.test_cli_support import NOW, ROOT, aware, run_cli, sha256

FIXTURES = ROOT / "tests" / "fixtures"
EXPECTED = json.loads((FIXTURES / "seed-article.expected.json").read_text())
URL = EXPECTED["url"]
HTML = (FIXTURES / "seed-article.html").read_bytes()


def page(url: str, html: bytes, fetched_at: datetime, status: int = 200) -> dict:
    return {"url": url, "fetched_at": fetched_at, "status": status, "html": zlib.compress(html)}


def outdated_article(last_seen: datetime) -> dict:
    """The seed article as an older parser stored it: a cut body and no tags."""
    body = "The US will seek an immediate end to fighting."
    return {
        "url": URL, "site": "english.almayadeen.net", "postid": "57923", "type": "article",
        "section": "news/politics", "category": "Politics", "title": EXPECTED["title"], "description": None,
        "authors": ["Al Mayadeen English"], "source": None,
        "published_at": datetime.fromisoformat(EXPECTED["published_at"]), "modified_at": None,
        "reading_minutes": None, "word_count": len(body.split()), "body": body, "images": [], "tags": [],
        "countries": [], "related_urls": [], "video_duration": None, "lang": "en",
        "content_hash": sha256(EXPECTED["title"] + body), "revision": 1, "aliases": [],
        "first_seen_at": last_seen - timedelta(days=30), "last_seen_at": last_seen,
    }


@pytest.fixture
def run(mongo_uri, mongo_db_name):
    def reextract(*args: str):
        result = run_cli("reextract", *args, uri=mongo_uri, db=mongo_db_name)
        assert "Traceback" not in result.stderr, result.stderr
        return result
    return reextract


def test_reextract_updates_the_article_and_keeps_the_old_text(run, mongo_db):
    last_seen = NOW - timedelta(days=1)
    mongo_db.articles.insert_one(outdated_article(last_seen))
    mongo_db.pages.insert_one(page(URL, HTML, NOW - timedelta(days=1, hours=1)))
    result = run("--progress")
    assert result.returncode == 0, result.stderr
    assert "reextract: 1 pages, 1 updated (1 new revisions), 0 unchanged, 0 stale" in result.stdout
    assert "1/1 100%" in result.stderr
    doc = aware(mongo_db).articles.find_one({"url": URL})
    assert doc["revision"] == 2
    assert doc["body"] == EXPECTED["body"]
    assert doc["tags"] == EXPECTED["tags"] and doc["countries"] == EXPECTED["countries"]
    assert doc["reading_minutes"] == EXPECTED["reading_minutes"]
    assert doc["last_seen_at"] == last_seen  # re-reading a page is no new sighting
    old = list(mongo_db.article_revisions.find({"url": URL}))
    assert [(r["revision"], r["body"]) for r in old] == [(1, "The US will seek an immediate end to fighting.")]
    # a second run finds nothing to change
    again = run()
    assert "1 pages, 0 updated (0 new revisions), 1 unchanged" in again.stdout
    assert mongo_db.articles.find_one({"url": URL})["revision"] == 2


def test_reextract_refreshes_fields_outside_the_text(run, mongo_db):
    stored = outdated_article(NOW - timedelta(hours=2))
    mongo_db.pages.insert_one(page(URL, HTML, NOW - timedelta(hours=3)))
    # same text as the page gives, but the tags were missed
    result = run("--url", URL)
    assert "1 updated" in result.stdout  # stored fresh: no article yet
    mongo_db.articles.update_one({"url": URL}, {"$set": {"tags": [], "last_seen_at": stored["last_seen_at"]}})
    result = run("--url", URL)
    assert result.returncode == 0, result.stderr
    assert "1 pages, 1 updated (0 new revisions)" in result.stdout
    doc = mongo_db.articles.find_one({"url": URL})
    assert doc["tags"] == EXPECTED["tags"] and doc["revision"] == 1


def test_only_the_latest_page_counts_and_older_versions_are_stale(run, mongo_db):
    # the stored text was modified on the site after the kept page was fetched
    mongo_db.articles.insert_one({**outdated_article(NOW), "revision": 2,
                                  "modified_at": datetime.fromisoformat("2022-09-14T08:00:00+00:00")})
    mongo_db.pages.insert_many([page(URL, HTML, NOW - timedelta(hours=2)),
                                page(URL, b"<html>older still</html>", NOW - timedelta(days=3))])
    result = run()
    assert result.returncode == 0, result.stderr
    assert "reextract: 1 pages, 0 updated (0 new revisions), 0 unchanged, 1 stale" in result.stdout
    doc = mongo_db.articles.find_one({"url": URL})
    assert doc["revision"] == 2 and doc["tags"] == []
    assert mongo_db.article_revisions.count_documents({}) == 0


def test_failures_are_counted_and_named(run, mongo_db):
    broken = "https://english.almayadeen.net/news/politics/broken-page"
    mongo_db.pages.insert_many([
        page(broken, b"<html><body>no article here</body></html>", NOW),
        {"url": broken.replace("broken", "corrupt"), "fetched_at": NOW, "status": 200, "html": b"not zlib"},
        page(broken.replace("broken", "missing"), HTML, NOW, status=404),
        page(URL, HTML, NOW),
    ])
    result = run("--limit", "10")
    assert result.returncode == 0, result.stderr
    assert "reextract: 3 pages, 1 updated (0 new revisions), 0 unchanged, 0 stale (older than the stored version), " \
           "2 failed" in result.stdout
    assert f"failed: {broken}:" in result.stderr and "unreadable html" in result.stderr
    assert mongo_db.articles.count_documents({}) == 1
    only_broken = run("--url", broken)
    assert only_broken.returncode == 1 and "1 pages, 0 updated" in only_broken.stdout and "1 failed" in only_broken.stdout


def test_unknown_url_is_an_error(run):
    result = run("--url", "https://english.almayadeen.net/news/politics/never-kept")
    assert result.returncode == 1
    assert "no kept page for https://english.almayadeen.net/news/politics/never-kept" in result.stderr

"""`newscrawl articles` in a subprocess against a real SecantusDB with seeded articles."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from tests.conftest import free_port
from tests.integration.test_cli_support import NOW, article, run_cli

CAIRO = article("ceasefire-talks-resume", days_ago=1, title="Ceasefire talks resume in Cairo",
                description="Negotiators met again.", tags=("Gaza", "US"))
OPINION = article("why-sanctions-failed", section="articles/opinion", category="Opinion", days_ago=3,
                  title="Why the sanctions failed", authors=("Jane Doe",), tags=("US",))
TEHRAN = article("tehran-statement", days_ago=10, title="Tehran issues a statement",
                 description="It calls for a CEASEFIRE (now).", tags=("Iran",))
EXPLAINER = article("how-the-grid-works", section="videos/explainers", category="Explainers", days_ago=20,
                    title="How the grid works", tags=("Gaza",))
ALL = [CAIRO, OPINION, TEHRAN, EXPLAINER]


@pytest.fixture
def seeded(mongo_uri, mongo_db, mongo_db_name):
    mongo_db.articles.insert_many([dict(doc) for doc in ALL])
    return mongo_uri, mongo_db_name


def listed(seeded, *args: str) -> list[str]:
    """The URLs `newscrawl articles --json` prints, in order."""
    uri, db = seeded
    result = run_cli("articles", "--json", *args, uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["url"] for line in result.stdout.splitlines()]


def urls(*docs) -> list[str]:
    return [doc["url"] for doc in docs]


def day(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def test_table_lists_every_article_newest_first(seeded):
    uri, db = seeded
    result = run_cli("articles", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["published", "(UTC)", "section"]
    positions = [result.stdout.index(doc["url"]) for doc in ALL]
    assert positions == sorted(positions)
    cairo_line = next(line for line in lines if CAIRO["url"] in line)
    assert CAIRO["published_at"].strftime("%Y-%m-%d %H:%M") in cairo_line
    assert "news/politics" in cairo_line and CAIRO["title"] in cairo_line


def test_json_lines_are_whole_documents_with_iso_dates(seeded):
    uri, db = seeded
    result = run_cli("articles", "--json", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first["url"] == CAIRO["url"]
    assert first["published_at"] == CAIRO["published_at"].isoformat().replace("+00:00", "Z")
    assert first["tags"] == ["Gaza", "US"] and first["body"] == CAIRO["body"]
    assert "_id" not in first


def test_since_and_until_narrow_by_publication(seeded):
    assert listed(seeded, "--since", day(5)) == urls(CAIRO, OPINION)
    assert listed(seeded, "--until", day(5)) == urls(TEHRAN, EXPLAINER)
    # a day given to --until includes that whole day
    assert listed(seeded, "--until", day(10)) == urls(TEHRAN, EXPLAINER)
    since = (NOW - timedelta(days=2)).isoformat()
    assert listed(seeded, "--since", since) == urls(CAIRO)
    assert listed(seeded, "--since", day(15), "--until", day(2)) == urls(OPINION, TEHRAN)


def test_section_matches_path_group_or_label_in_any_case(seeded):
    assert listed(seeded, "--section", "news/politics") == urls(CAIRO, TEHRAN)
    assert listed(seeded, "--section", "OPINION") == urls(OPINION)
    assert listed(seeded, "--section", "news") == []


def test_tag_and_author_filters(seeded):
    assert listed(seeded, "--tag", "gaza") == urls(CAIRO, EXPLAINER)
    assert listed(seeded, "--author", "jane doe") == urls(OPINION)
    assert listed(seeded, "--tag", "US", "--section", "Politics") == urls(CAIRO)


def test_search_falls_back_to_a_regex_on_title_and_description(seeded):
    uri, db = seeded
    result = run_cli("articles", "--json", "--search", "ceasefire", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["url"] for line in result.stdout.splitlines()] == urls(CAIRO, TEHRAN)
    assert "search: case-insensitive match on title and description (no text index on this server)" in result.stderr
    # the text is matched literally, not as a pattern
    assert listed(seeded, "--search", "ceasefire (now)") == urls(TEHRAN)
    assert listed(seeded, "--search", "grid.works") == []


def test_limit(seeded):
    assert listed(seeded, "--limit", "2") == urls(CAIRO, OPINION)
    assert listed(seeded, "--limit", "0") == urls(*ALL)


def test_default_limit_is_twenty(mongo_uri, mongo_db, mongo_db_name):
    mongo_db.articles.insert_many([article(f"story-{i}", days_ago=i) for i in range(25)])
    result = run_cli("articles", "--json", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 20


def test_nothing_matching_says_so(seeded):
    uri, db = seeded
    result = run_cli("articles", "--tag", "nonexistent", uri=uri, db=db)
    assert result.returncode == 0
    assert result.stdout.strip() == "no articles match"


@pytest.mark.parametrize("flag,value", [("--since", "10/11/2025"), ("--until", "2025-13-40"), ("--since", "yesterday")])
def test_bad_date_is_a_clear_error(seeded, flag, value):
    uri, db = seeded
    result = run_cli("articles", flag, value, uri=uri, db=db)
    assert result.returncode == 2
    assert f"invalid date '{value}' for {flag}" in result.stderr
    assert "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_fails_fast_with_masked_uri():
    port = free_port()
    started = time.monotonic()
    result = run_cli("articles", uri=f"mongodb://reader:s3cret@127.0.0.1:{port}/", timeout=30)
    assert result.returncode != 0
    assert time.monotonic() - started < 15
    assert f"cannot reach MongoDB at mongodb://reader:***@127.0.0.1:{port}/" in result.stderr
    assert "s3cret" not in result.stderr
    assert "Traceback" not in result.stderr


ARABIC = {**article("x", days_ago=2), "url": "https://www.almayadeen.net/news/politics/%D8%AE%D8%A8%D8%B1",
          "site": "www.almayadeen.net", "lang": "ar", "title": "خبر عاجل", "category": "سياسة"}


def test_site_keeps_each_editions_documents_apart(mongo_uri, mongo_db, mongo_db_name):
    mongo_db.articles.insert_many([dict(doc) for doc in (*ALL, ARABIC)])
    seeded = (mongo_uri, mongo_db_name)
    assert listed(seeded, "--site", "ar") == [ARABIC["url"]]
    assert listed(seeded, "--site", "www.almayadeen.net") == [ARABIC["url"]]
    assert listed(seeded, "--site", "en", "--limit", "0") == urls(*ALL)
    assert sorted(listed(seeded, "--limit", "0")) == sorted(urls(*ALL, ARABIC))
    result = run_cli("articles", "--site", "fr", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 2 and "unknown edition or site 'fr'" in result.stderr
    stats = run_cli("stats", "--json", "--site", "ar", uri=mongo_uri, db=mongo_db_name)
    figures = json.loads(stats.stdout)
    assert figures["articles"] == 1 and figures["site"] == "www.almayadeen.net"
    assert {row["key"]: row["count"] for row in figures["per_site"]} == {"english.almayadeen.net": 4,
                                                                          "www.almayadeen.net": 1}

"""`newscrawl breaking` in a subprocess against a real SecantusDB."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.integration.test_cli_support import NOW, breaking_line, run_cli

LINES = [
    breaking_line("Older line about the border", minutes_ago=300, seen_count=7),
    breaking_line("Newest line: talks in Cairo", minutes_ago=5, seen_count=2,
                  url="https://english.almayadeen.net/news/politics/talks-in-cairo"),
    breaking_line("Middle line about a storm", minutes_ago=60, seen_count=3),
]


@pytest.fixture
def seeded(mongo_uri, mongo_db, mongo_db_name):
    mongo_db.breaking.insert_many([dict(line) for line in LINES])
    return mongo_uri, mongo_db_name


def test_latest_first_table(seeded):
    uri, db = seeded
    result = run_cli("breaking", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    body = result.stdout.splitlines()[2:]
    assert [line for line in body if "line" in line] == body
    assert ["Newest" in body[0], "Middle" in body[1], "Older" in body[2]] == [True, True, True]
    assert "talks-in-cairo" in body[0]
    assert LINES[1]["last_seen_at"].strftime("%Y-%m-%d %H:%M") in body[0]
    assert body[2].split()[2] == "7"  # seen_count column


def test_limit_since_and_json(seeded):
    uri, db = seeded
    result = run_cli("breaking", "--json", "--limit", "2", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == [LINES[1]["text"], LINES[2]["text"]]
    assert lines[0]["seen_count"] == 2 and lines[0]["url"].endswith("talks-in-cairo")
    assert lines[0]["last_seen_at"].endswith("Z")
    since = (NOW - timedelta(minutes=120)).isoformat()
    result = run_cli("breaking", "--json", "--since", since, uri=uri, db=db)
    assert [json.loads(line)["text"] for line in result.stdout.splitlines()] == [LINES[1]["text"], LINES[2]["text"]]


def test_empty_and_bad_date(mongo_uri, mongo_db_name):
    result = run_cli("breaking", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 0
    assert result.stdout.strip() == "no breaking lines"
    result = run_cli("breaking", "--since", "soon", uri=mongo_uri, db=mongo_db_name)
    assert result.returncode == 2 and "invalid date 'soon' for --since" in result.stderr

"""`newscrawl export` (jsonl and csv) in a subprocess against a real SecantusDB."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.integration.test_cli_support import article, run_cli

IMAGE = {"url": "https://english.almayadeen.net/Content/EnImages/2025/11/10/a.jpg", "caption": "A crowd",
         "credit": "AP Photo/Someone"}
DOCS = [article(f"story-{i}", days_ago=i, tags=("Gaza", "US") if i % 2 else ("Iran",),
                section="news/politics" if i < 30 else "articles/opinion", category="Politics" if i < 30 else "Opinion",
                images=[IMAGE] if i == 0 else [])
        for i in range(45)]


@pytest.fixture
def seeded(mongo_uri, mongo_db, mongo_db_name):
    mongo_db.articles.insert_many([dict(doc) for doc in DOCS])
    return mongo_uri, mongo_db_name


def test_jsonl_to_a_file(seeded, tmp_path):
    uri, db = seeded
    out = tmp_path / "articles.jsonl"
    result = run_cli("export", "--format", "jsonl", "--output", str(out), uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"exported 45 articles to {out}"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [d["url"] for d in lines] == [d["url"] for d in DOCS]  # newest first
    assert lines[0]["images"] == [IMAGE]
    assert lines[3]["published_at"] == DOCS[3]["published_at"].isoformat().replace("+00:00", "Z")
    assert lines[3]["body"] == DOCS[3]["body"]
    assert not (tmp_path / "articles.jsonl.part").exists()


def test_csv_to_stdout_with_filters(seeded):
    uri, db = seeded
    result = run_cli("export", "--format", "csv", "--section", "opinion", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert {row["section"] for row in rows} == {"articles/opinion"}
    assert "exported 15 articles to stdout" in result.stderr
    by_url = {row["url"]: row for row in rows}
    doc = DOCS[31]
    row = by_url[doc["url"]]
    assert row["tags"] == "Gaza|US"
    assert row["authors"] == "Al Mayadeen English"
    assert row["published_at"] == doc["published_at"].isoformat().replace("+00:00", "Z")
    assert row["modified_at"] == "" and row["images"] == "[]"
    assert row["body"] == doc["body"]  # newlines survive CSV quoting
    assert row["word_count"] == str(doc["word_count"]) and row["revision"] == "1"


def test_csv_images_are_json(seeded, tmp_path):
    uri, db = seeded
    out = tmp_path / "a.csv"
    result = run_cli("export", "--format", "csv", "-o", str(out), "--limit", "1", uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(out.open(newline="")))
    assert len(rows) == 1
    assert json.loads(rows[0]["images"]) == [IMAGE]
    assert f"exported 1 articles to {out}" in result.stderr


def test_filters_and_progress_bar(seeded):
    uri, db = seeded
    result = run_cli("export", "--tag", "iran", "--since", DOCS[20]["published_at"].isoformat(), "--progress",
                     uri=uri, db=db)
    assert result.returncode == 0, result.stderr
    urls = [json.loads(line)["url"] for line in result.stdout.splitlines()]
    assert urls == [d["url"] for d in DOCS[:21] if "Iran" in d["tags"]]
    assert f"{len(urls)}/{len(urls)} 100%" in result.stderr
    assert f"exported {len(urls)} articles to stdout" in result.stderr


def test_bad_date_and_unwritable_output(seeded, tmp_path):
    uri, db = seeded
    result = run_cli("export", "--until", "2025-02-30", uri=uri, db=db)
    assert result.returncode == 2
    assert "invalid date '2025-02-30' for --until" in result.stderr
    result = run_cli("export", "-o", str(tmp_path / "missing-dir" / "x.jsonl"), uri=uri, db=db)
    assert result.returncode == 2
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr

"""The Arabic edition end to end, and both editions in one database (real HTTP, SecantusDB, Chromium).

The replica's Arabic edition (`--edition ar`) follows SITE.md's section on www.almayadeen.net:
right-to-left pages, percent-encoded Arabic slugs, Levantine month names in Western or
Arabic-Indic digits, "load more" listings that ignore ?page=, the ticker in #ticker-box.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

import pymongo
import pytest

from tests.e2e.crawl import run_crawl
from tests.e2e.truth import check_all_stored_exactly, valid_truth
from tests.integration.test_cli_support import run_cli
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e

ARTICLES = 300
AR_HOST, EN_HOST = "www.almayadeen.net", "english.almayadeen.net"


def stored(mongo_uri: str, db: str, site: str | None = None) -> dict[str, dict]:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    try:
        return {d["url"]: d for d in client[db].articles.find({"site": site} if site else {}, {"_id": 0})}
    finally:
        client.close()


def test_arabic_edition_stored_exactly_with_its_ticker(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, edition="ar")
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    result = run_crawl("almayadeen", tmp_path, settings, args={"edition": "ar"})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, edition="ar")
    docs = stored(mongo_uri, mongo_db_name)
    check_all_stored_exactly(docs, valid_truth(model))
    assert {d["lang"] for d in docs.values()} == {"ar"} and {d["site"] for d in docs.values()} == {AR_HOST}
    assert all(url.startswith(f"https://{AR_HOST}/") and "%D8" in url for url in docs)  # percent-encoded slugs
    # the Arabic-Indic dates were read as well as the Western ones
    indic = set(model.variants["arabic_indic_digits"]) & set(docs)
    assert indic and all(docs[u]["published_at"] is not None for u in indic)
    # listings ignore ?page=: each is asked for its first page only (the profile knows: no paging)
    log = replica.requests()
    assert not any("page=" in e["path"] for e in log)
    twice = {p: n for p, n in Counter(e["path"] for e in log if e["status"] == 200).items() if n > 1}
    assert not twice

    ticker = run_crawl("breaking", tmp_path, {**settings, "BREAKING_WAIT_MS": "10000"},
                       args={"edition": "ar"}, timeout=300)
    assert ticker.returncode == 0, ticker.log[-3000:]
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    lines = {d["text"]: d for d in client[mongo_db_name].breaking.find({}, {"_id": 0})}
    client.close()
    assert {text: d["url"] for text, d in lines.items()} == {l["text"]: l["url"] for l in model.ticker()}
    assert {d["site"] for d in lines.values()} == {AR_HOST}


def test_both_editions_in_one_database_queried_apart(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    english = replica_factory(articles=60, seed=3, epoch=1)
    arabic = replica_factory(articles=60, seed=3, epoch=1, edition="ar")
    store = {"MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    for replica, edition in ((english, "en"), (arabic, "ar")):
        result = run_crawl("almayadeen", tmp_path / edition, {"BASE_URL": replica.url, **store},
                           args={"edition": edition, "discover": "sitemaps"})
        assert result.returncode == 0, result.log[-3000:]
    expected = {}
    for edition, host in (("en", EN_HOST), ("ar", AR_HOST)):
        model = SiteModel(seed=3, articles=60, epoch=1, edition=edition)
        reachable = model.reachable("sitemaps")  # tag-only articles are in no sitemap
        truths = {url: doc for url, doc in valid_truth(model).items() if url in reachable}
        docs = stored(mongo_uri, mongo_db_name, host)
        check_all_stored_exactly(docs, truths)
        expected[edition] = set(docs)

    for edition, host in (("en", EN_HOST), ("ar", AR_HOST)):
        listed = run_cli("articles", "--json", "--limit", "0", "--site", edition, uri=mongo_uri, db=mongo_db_name)
        assert listed.returncode == 0, listed.stderr
        assert {json.loads(line)["url"] for line in listed.stdout.splitlines()} == expected[edition]
        out = tmp_path / f"export-{edition}.jsonl"
        exported = run_cli("export", "--format", "jsonl", "-o", str(out), "--site", host, uri=mongo_uri,
                           db=mongo_db_name)
        assert exported.returncode == 0, exported.stderr
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert {r["url"] for r in rows} == expected[edition] and {r["site"] for r in rows} == {host}
    assert all(urlsplit(u).hostname == AR_HOST for u in expected["ar"])

"""Raw-page keeping and re-extraction: a parser fix needs no new crawl."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pymongo
import pytest

from tests.e2e.crawl import ROOT, run_crawl
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e
NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
BROKEN = "what an old parser kept of the text, cut short"


def test_kept_pages_let_reextract_repair_articles(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=40, seed=2, epoch=1)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri,
                                                "MONGODB_DATABASE": mongo_db_name, "NEWSCRAWL_KEEP_PAGES": "True",
                                                "NEWSCRAWL_MONITOR_EMPTY_LISTINGS_SHARE": "1.01"})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=2, articles=40, epoch=1)
    truth = {d["url"]: d for d in model.truth()}
    db = pymongo.MongoClient(mongo_uri, tz_aware=True)[mongo_db_name]
    pages = list(db.pages.find())
    assert {p["url"] for p in pages} == set(truth)  # every article page, the invalid ones too
    sample = pages[0]
    assert b"</html>" in zlib.decompress(sample["html"]) and sample["status"] == 200
    assert result.stats["mongo/pages/kept"] == len(pages)

    # an old parser had stored a broken body: re-extraction from the kept page repairs it
    url = next(u for u in truth if u not in model.invalid and u not in model.duplicates
               and db.articles.find_one({"url": u}))
    db.articles.update_one({"url": url}, {"$set": {"body": BROKEN, "content_hash": "0" * 64}})
    proc = subprocess.run([NEWSCRAWL, "reextract", "--url", url], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name},
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    repaired = db.articles.find_one({"url": url})
    assert repaired["body"] == truth[url]["body"] and repaired["revision"] == 2
    assert db.article_revisions.find_one({"url": url})["body"] == BROKEN
    db.client.close()

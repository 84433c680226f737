"""The site's word over the profile's guesses (real HTTP, real SecantusDB, `scrapy crawl` as a user runs it).

The replica shows what the crawler's profiles do not know (docs/CONTRACTS.md, "What a profile does not
know"): article URLs of shapes no profile pattern names, listed in the sitemaps (`--unknown-shapes`);
region listings the nav links at paths the Arabic profile has no pattern for, some articles listed
nowhere else (`--unknown-listings`); section labels that differ from the profile's table (`--labels
site`); an empty section; pages dated nowhere on themselves (`--undated`). Expected values come from
the replica's own model and facts, never from newscrawl.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlsplit

import pymongo
import pytest

from tests.e2e.crawl import run_crawl
from tests.e2e.test_distributed_crawl import fetched_twice
from tests.e2e.truth import check_all_stored_exactly, valid_truth
from tests.integration.test_cli_support import run_cli
from tests.replica import facts
from tests.replica.model import SiteModel

pytestmark = pytest.mark.e2e

ARTICLES = 300
UNKNOWN = {"edition": "ar", "unknown_shapes": True, "unknown_listings": True, "labels": "site"}


def stored(mongo_uri: str, db: str, collection: str = "articles") -> dict[str, dict]:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    try:
        return {d["url"]: d for d in client[db][collection].find({}, {"_id": 0})}
    finally:
        client.close()


def crawl_record(mongo_uri: str, db: str) -> dict:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    try:
        return client[db].crawls.find_one({"end": {"$exists": True}}, sort=[("end", -1)])
    finally:
        client.close()


def label_disagreements(model: SiteModel, table: dict[str, str]) -> int:
    """Article pages whose own label for their section differs from SITE.md's table (the profile's source)."""
    return sum(1 for doc in model.truth() if doc["section"] in table and table[doc["section"]] != doc["category"])


def test_arabic_unknown_shapes_unknown_listings_and_the_sites_labels_all_stored_exactly(
        replica_factory, mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, **UNKNOWN)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    result = run_crawl("almayadeen", tmp_path, settings, args={"edition": "ar"})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, **UNKNOWN)
    docs = stored(mongo_uri, mongo_db_name)
    check_all_stored_exactly(docs, valid_truth(model))
    assert not fetched_twice(replica)

    # every article of a shape the profile does not know is there, through the sitemaps, and its shape told
    unknown = model.variants["unknown_shape"]
    assert len(unknown) >= 12 and set(unknown) <= set(docs)
    shape_of_kind = {"videos": "/videos/*/*", "infographs": "/infographs/*", "in-pictures": "/in-pictures/*"}
    shapes = Counter(shape_of_kind[urlsplit(url).path.split("/")[1]] for url in unknown)
    assert shapes == Counter({"/videos/*/*": 18, "/infographs/*": 18, "/in-pictures/*": 18})
    for shape, n in shapes.items():
        assert result.stats[f"discovery/unknown_shape/{shape.strip('/')}"] == n
        assert result.log.count(f"the sitemaps list article URLs of shape {shape} ") == 1  # named once
    record = crawl_record(mongo_uri, mongo_db_name)
    assert {s["shape"]: s["urls"] for s in record["unknown_shapes"]} == dict(shapes)
    assert record["status"] == "passed"

    # the articles listed only on the region pages the nav links, at a path no Arabic pattern names
    region_only = model.variants["region_only"]
    assert len(region_only) >= 8 and set(region_only) <= set(docs)
    assert result.stats["listing/learned/region/*"] == len(facts.REGIONS_AR)
    assert {s["shape"]: s["listings"] for s in record["learned_listings"]}["/region/*"] == len(facts.REGIONS_AR)

    # the page's labels, counted where the profile's (assumed) table says otherwise
    assert result.stats["extract/disagreement/category"] == label_disagreements(model, facts.SECTIONS_AR) > 100
    assert {d["category"] for d in docs.values()} >= set(facts.SITE_LABELS_AR.values()) - {"مقالات"}

    # `newscrawl doctor` names the shapes the last crawl met, and the labels the page gives
    doctor = run_cli("doctor", "--edition", "ar", "--base-url", replica.url, "--delay", "0", "--json",
                     uri=mongo_uri, db=mongo_db_name, timeout=120)
    assert doctor.returncode == 0, doctor.stderr
    report = json.loads(doctor.stdout)
    assert {s["shape"] for s in report["last_crawl"]["unknown_shapes"]} == set(shapes)
    assert report["last_crawl"]["disagreements"]["category"] == result.stats["extract/disagreement/category"]
    verdicts = {v["fact"]: v for v in report["verdicts"]}
    assert verdicts["sections"]["status"] == "fell back" and "أخبار سياسية" in verdicts["sections"]["detail"]
    text = run_cli("doctor", "--edition", "ar", "--base-url", replica.url, "--delay", "0", uri=mongo_uri,
                   db=mongo_db_name, timeout=120)
    assert "article URL shapes its sitemaps list that article_path_re does not match: /in-pictures/* (18" in text.stdout


def test_english_site_labels_are_stored_and_the_disagreement_counted(replica_factory, mongo_uri, mongo_db_name,
                                                                    tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, labels="site")
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    result = run_crawl("almayadeen", tmp_path, settings)
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, labels="site")
    docs = stored(mongo_uri, mongo_db_name)
    check_all_stored_exactly(docs, valid_truth(model))
    assert {doc["category"] for doc in docs.values()} <= set(facts.SITE_LABELS_EN.values())
    assert "Politics News" in {doc["category"] for doc in docs.values()}
    assert result.stats["extract/disagreement/category"] == label_disagreements(model, facts.SECTIONS_EN)


def test_an_empty_section_without_the_metadata_block_is_a_warning_naming_it(replica_factory, mongo_uri,
                                                                           mongo_db_name, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, empty_section="news/environment", no_tawsiyat=True)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name}
    result = run_crawl("almayadeen", tmp_path, settings)
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, empty_section="news/environment", no_tawsiyat=True)
    check_all_stored_exactly(stored(mongo_uri, mongo_db_name), valid_truth(model))
    warning = result.stats["health/warned/listings"]
    assert warning.startswith("listings: /news/environment gave no article link on its first page (")
    assert result.stats["health/status"] == "passed" and "health/failed/listings" not in result.stats
    record = crawl_record(mongo_uri, mongo_db_name)
    assert {m["name"]: m["level"] for m in record["monitors"]}["listings"] == "warn"
    assert {e["path"]: e["articles"] for e in record["listings"]}["/news/environment"] == 0


def test_listing_markup_that_really_changed_still_fails_the_crawl(replica_factory, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, markup_change="listings")
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False"})
    assert result.returncode == 3, result.log[-3000:]
    sections = len(facts.SECTIONS_EN) + len(facts.REGIONS_EN)
    assert result.stats["listing/empty/first_page"] >= sections
    assert result.stats["health/failed/listings"].startswith(f"listings: {sections} of {sections} listings gave no "
                                                             "article link on their first page")


@pytest.mark.parametrize("sitemap_news", [False, True])
def test_a_page_dated_nowhere_on_itself_takes_the_date_the_site_gave_on_the_way(
        replica_factory, mongo_uri, mongo_db_name, tmp_path, sitemap_news):
    """Unknown-template pages without any date on them (10%, faults on): dated by their listing card (a day)
    or by the sitemap's publication date; rejected, with the reason, when the site dated them nowhere.
    With the sitemap's dates, the sitemaps answer last (slow): a page read after its card's day and before
    its sitemap's exact time still takes the exact time, whichever the site gave first."""
    options = {"unknown_template_rate": 0.1, "undated": True, "sitemap_news": sitemap_news}
    if sitemap_news:
        options.update(slow_prefix="/sitemaps/", slow_ms=800)
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, error_rate=0.05, **options)
    settings = {"BASE_URL": replica.url, "MONGODB_URI": mongo_uri, "MONGODB_DATABASE": mongo_db_name,
                "NEWSCRAWL_MONITOR_RETRY_RATE": "0.95"}
    result = run_crawl("almayadeen", tmp_path, settings)
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, unknown_template=0.1, undated=True, sitemap_news=sitemap_news)
    docs = stored(mongo_uri, mongo_db_name)
    check_all_stored_exactly(docs, valid_truth(model))
    nowhere = {url for url, why in model.invalid.items() if why == "published date nowhere on the site"}
    rejects = stored(mongo_uri, mongo_db_name, "rejects")
    # each article page read counts where its date came from once: on itself, on the way there, or nowhere
    sources = sum(v for k, v in result.stats.items() if k.startswith("extract/source/published_at/"))
    assert sources == sum(v for k, v in result.stats.items() if k.startswith("extract/method/"))
    if sitemap_news:
        assert not nowhere and result.stats["extract/source/published_at/sitemap"] > 0
    else:
        assert len(nowhere) >= 3 and nowhere <= set(rejects)
        assert all(any(e["field"] == "published_at" for e in rejects[url]["errors"]) for url in nowhere)
        assert result.stats["extract/source/published_at/card"] > 0

"""The `almayadeen` spider against the replica (300 articles, real HTTP, real SecantusDB)."""

from __future__ import annotations

from collections import Counter
from urllib.parse import unquote, urlsplit

import pymongo
import pytest

from newscrawl.extract.workers import default_processes
from newscrawl.sites import get_profile
from tests.e2e.crawl import run_crawl
from tests.e2e.truth import field_accuracy, valid_truth, worst_body_f1
from tests.replica.model import PAGE_SIZE, SiteModel

pytestmark = pytest.mark.e2e

ARTICLES = 300
EN = get_profile("en")


def article_paths(log: list[dict], statuses=(200,)) -> Counter:
    return Counter(entry["path"] for entry in log
                   if entry["status"] in statuses and EN.is_article_path(urlsplit(entry["path"]).path))


def stored(mongo_uri: str, db: str) -> dict[str, dict]:
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    try:
        return {doc["url"]: doc for doc in client[db].articles.find({}, {"_id": 0})}
    finally:
        client.close()


def store_settings(mongo_uri: str, db: str) -> dict:
    return {"MONGODB_URI": mongo_uri, "MONGODB_DATABASE": db}


@pytest.mark.parametrize("markup", [1, 2])
def test_full_crawl_finds_and_extracts_every_article(replica_factory, mongo_uri, mongo_db_name, tmp_path, markup):
    """Markup 2 changes every class name, element and paging style SITE.md marks assumed; sections and
    regions ignore ?page= there, tag pages page by rel=next links with another parameter."""
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, markup=markup)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, **store_settings(mongo_uri, mongo_db_name)})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, markup=markup)
    truths = valid_truth(model)
    docs = stored(mongo_uri, mongo_db_name)

    # every article is stored, or stored as an alias of its twin text
    aliases = {alias: url for url, doc in docs.items() for alias in doc.get("aliases", [])}
    assert set(truths) == set(docs) | set(aliases)
    for dup, original in model.duplicates.items():
        pair = {dup, original}
        assert len(pair & set(docs)) == 1 and len(pair & set(aliases)) == 1

    # field by field against the truth: every field of every article; bodies exact
    comparable = {url: truth for url, truth in truths.items() if url in docs}
    accuracy, misses = field_accuracy(docs, comparable)
    assert min(accuracy.values()) == 1.0, misses.most_common()
    worst, worst_url = worst_body_f1(docs, comparable)
    assert worst == 1.0, (worst, worst_url)

    # no URL downloaded twice; every listing ended, one that ignores ?page= after one extra page
    log = replica.requests()
    twice = {path: n for path, n in Counter(e["path"] for e in log if e["status"] == 200).items() if n > 1}
    assert not twice
    pages_per_listing = Counter(urlsplit(e["path"]).path for e in log
                                if EN.is_listing_path(urlsplit(e["path"]).path))
    shown = {key: len(model.visible_listing(key)) for key in model.listing_keys}
    for path, fetched in pages_per_listing.items():
        key = unquote(path)
        shown_pages = max(1, -(-shown.get(key, 0) // PAGE_SIZE)) if markup == 1 else 1
        assert shown_pages <= fetched <= shown_pages + 1, (path, fetched, shown_pages)
    if markup == 2:
        assert result.stats["listing/stopped/nothing_new"] >= len(EN.sections)  # the extra page brought nothing
    assert result.stats.get("extract/disagreement/title", 0) >= len(model.variants["disagreement"])
    assert result.stats["extract/method/site"] == len(model.present()) and "extract/method/generic" not in result.stats
    # where the pages were extracted: worker processes on a machine with a core to spare, else the crawler
    where = {k: v for k, v in result.stats.items() if k.startswith("extract/pages/")}
    if default_processes():
        assert where == {"extract/pages/worker": sum(where.values())} and result.stats["extract/workers/cpu_seconds"] > 0
    else:
        assert set(where) == {"extract/pages/inline"}
    assert sum(where.values()) == result.stats["extract/method/site"]


@pytest.mark.parametrize("path, markup", [("listings", 1), ("tags", 1), ("sitemaps", 1), ("listings", 2), ("tags", 2)])
def test_each_discovery_path_finds_exactly_what_it_reaches(replica_factory, tmp_path, path, markup):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, markup=markup)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                "ITEM_PIPELINES": "{}"}, args={"discover": path}, feed=True)
    assert result.returncode == 0, result.log[-3000:]
    found = {item["url"] for item in result.items}
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, markup=markup)
    assert found == model.reachable(path)
    assert len(result.items) == len(found)


def test_faults_lose_nothing_and_never_extract_a_truncated_body(replica_factory, mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, error_rate=0.1, rate_limit=40,
                              truncate_rate=0.02)
    # the injected faults make the retry rate monitor fail on purpose; here only losses matter
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_MONITOR_RETRY_RATE": "0.95",
                                                **store_settings(mongo_uri, mongo_db_name)})
    assert result.returncode == 0, result.log[-3000:]
    log = replica.requests()
    statuses = Counter(e["status"] for e in log)
    assert statuses[429] > 0 and sum(statuses[s] for s in (500, 502, 503)) > 0  # the faults did happen
    assert result.stats.get("download/incomplete/count", 0) > 0

    model = SiteModel(seed=1, articles=ARTICLES, epoch=1)
    truths = valid_truth(model)
    docs = stored(mongo_uri, mongo_db_name)
    aliases = {alias for doc in docs.values() for alias in doc.get("aliases", [])}
    assert set(truths) == set(docs) | aliases
    # a truncated body would show as a shorter body: every stored body is the whole truth
    worst, worst_url = worst_body_f1(docs, {u: t for u, t in truths.items() if u in docs})
    assert worst == 1.0, (worst, worst_url)


def test_second_run_downloads_only_new_and_changed(replica, mongo_uri, mongo_db_name, tmp_path):
    settings = {"BASE_URL": replica.url, **store_settings(mongo_uri, mongo_db_name)}
    first = run_crawl("almayadeen", tmp_path, settings)
    assert first.returncode == 0, first.log[-3000:]
    replica.control(epoch=2)
    replica.clear_log()
    second = run_crawl("almayadeen", tmp_path, settings)
    assert second.returncode == 0, second.log[-3000:]

    model = SiteModel(seed=1, articles=ARTICLES, epoch=2)
    fetched = article_paths(replica.requests())
    wanted = model.changed(2) | model.added(2)
    assert {EN.url + path for path in fetched} == wanted
    assert all(n == 1 for n in fetched.values())

    docs = stored(mongo_uri, mongo_db_name)
    truths = {doc["url"]: doc for doc in model.truth()}
    # revisions exactly for the articles the replica changed, each with its earlier text kept
    assert {url for url, doc in docs.items() if doc["revision"] == 2} == model.changed(2)
    for url in model.changed(2):
        assert docs[url]["body"] == truths[url]["body"]
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    revisions = list(client[mongo_db_name].article_revisions.find())
    assert {r["url"] for r in revisions} == model.changed(2) and len(revisions) == len(model.changed(2))
    assert all(r["revision"] == 1 and r["body"] != truths[r["url"]]["body"] for r in revisions)
    # aliases for the duplicated text, rejects exactly for the pages invalid on purpose, with reasons
    for dup, original in model.duplicates.items():  # whichever URL came first holds the other as alias
        kept, other = (original, dup) if original in docs else (dup, original)
        assert other in docs[kept]["aliases"] and other not in docs
    rejects = {r["url"]: r for r in client[mongo_db_name].rejects.find()}
    client.close()
    assert set(rejects) == set(model.invalid)
    reasons = {url: {(e["field"], e["rule"]) for e in r["errors"]} for url, r in rejects.items()}
    expected_field = {"future": "published_at", "title": "title", "body": "body"}
    for url, why in model.invalid.items():
        field = next(f for key, f in expected_field.items() if key in why)
        assert field in {f for f, _ in reasons[url]}, (why, reasons[url])
    for url in model.added(2) - set(model.invalid):
        assert url in docs or any(url in d.get("aliases", []) for d in docs.values())
    # the stats show, per pipeline, items in, out, dropped and why
    stats = first.stats
    assert stats["clean/items/in"] == stats["clean/items/out"] == stats["validate/items/in"]
    assert stats["validate/items/dropped"] == len(model.invalid) == sum(
        v for k, v in stats.items() if k.startswith("validate/rejects/"))
    assert stats["dedupe/items/in"] == stats["validate/items/out"]
    assert stats["mongo/articles/aliased"] == len(model.duplicates)
    for area in ("clean: in ", "validate: in ", "dedupe: in ", "mongo: "):  # one summary line each
        assert first.log.count(area) == 1, area


def test_window_sections_and_limits(replica, tmp_path):
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                "ITEM_PIPELINES": "{}"},
                       args={"since": "2024-03-01", "until": "2024-08-31"}, feed=True)
    assert result.returncode == 0, result.log[-3000:]
    from tests.e2e.truth import as_utc
    from newscrawl.spiders.arguments import parse_day
    since, until = parse_day("since", "2024-03-01"), parse_day("until", "2024-08-31", end=True)
    in_window = {d["url"] for d in model.truth() if since <= d["published_at"] <= until}
    found = {item["url"] for item in result.items}
    assert found == in_window
    assert all(since <= as_utc(item["published_at"]) <= until for item in result.items)
    months = {e["path"] for e in replica.requests() if e["path"].startswith("/sitemaps/all/")}
    assert months and all(EN.sitemap_month_re.search(p).group(1) == "2024" for p in months)
    assert result.stats.get("listing/stopped/since", 0) > 0

    replica.clear_log()
    limited = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                 "ITEM_PIPELINES": "{}"},
                        args={"sections": "news/politics", "discover": "listings", "max_articles": "5"}, feed=True)
    assert limited.returncode == 0, limited.log[-3000:]
    assert 1 <= len(limited.items) <= 5
    assert {item["section"] for item in limited.items} == {"news/politics"}


def test_polite_by_default_and_clear_when_blocked(replica_factory, tmp_path):
    replica = replica_factory(articles=50, seed=1, epoch=1, block_bots=True)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                "ITEM_PIPELINES": "{}", "NEWSCRAWL_MONITOR_EMPTY_LISTINGS_SHARE": "1.01"}, args={"max_articles": "10"}, feed=True)
    log = replica.requests()
    assert result.returncode == 0 and result.items, result.log[-3000:]
    assert log[0]["path"] == "/robots.txt"
    assert not any(e["path"].startswith(("/live", "/search")) for e in log)
    assert all(e["ua"].startswith("newscrawl/") for e in log)

    replica.clear_log()
    blocked = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False",
                                                 "ITEM_PIPELINES": "{}", "USER_AGENT": "curl/8.0",
                                                 "ROBOTSTXT_OBEY": "False"})
    assert blocked.stats.get("blocked/403/count", 0) >= 1
    assert blocked.log.count("blocked by the site: ") == 1  # once per host, however many 403s
    assert blocked.returncode != 0  # the health monitors fail a blocked run
    paths = Counter(e["path"] for e in replica.requests())
    assert max(paths.values()) == 1  # a 403 is never retried


def test_scrapy_check_contracts_pass_against_the_replica(replica):
    import subprocess
    from tests.e2e.crawl import ROOT, SCRAPY

    proc = subprocess.run([SCRAPY, "check", "almayadeen", "-s", f"BASE_URL={replica.url}",
                           "-s", "NEWSCRAWL_STORE_ENABLED=False", "-s", "ITEM_PIPELINES={}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK" in proc.stderr or "OK" in proc.stdout


def test_listings_that_ignore_the_page_parameter_end_with_since_and_max_articles(replica_factory, tmp_path):
    """A listing serving the same cards for every ?page=N costs one extra page, never a loop."""
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, markup=2)
    base = {"BASE_URL": replica.url, "NEWSCRAWL_STORE_ENABLED": "False", "ITEM_PIPELINES": "{}",
            "NEWSCRAWL_HEALTH_ENABLED": "False"}
    for args in ({"discover": "listings", "since": "2025-06-01"}, {"discover": "listings,tags", "max_articles": "30"}):
        replica.clear_log()
        result = run_crawl("almayadeen", tmp_path, base, args=args, feed=True, timeout=300)
        assert result.returncode == 0, result.log[-3000:]
        pages = Counter(urlsplit(e["path"]).path for e in replica.requests()
                        if EN.section_listing_re.match(urlsplit(e["path"]).path))
        assert pages and max(pages.values()) <= 2, pages
        if "max_articles" in args:  # distinct articles, however many listings showed them
            assert len({item["url"] for item in result.items}) == len(result.items) == 30
            assert sum(v for k, v in result.stats.items() if k.startswith("discovery/articles/")) == 30


def test_an_unknown_article_template_is_stored_through_the_generic_fallback_marked_and_reported(
        replica_factory, mongo_uri, mongo_db_name, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, unknown_template=True)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, **store_settings(mongo_uri, mongo_db_name)})
    assert result.returncode == 0, result.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, unknown_template=True)
    unknown = set(model.variants["unknown_template"])
    assert len(unknown) >= 3
    docs = stored(mongo_uri, mongo_db_name)
    assert {url for url, doc in docs.items() if doc["extraction"] == "generic"} == unknown
    truths = valid_truth(model)
    accuracy, misses = field_accuracy(docs, {url: t for url, t in truths.items() if url in docs})
    assert min(accuracy.values()) == 1.0, misses.most_common()  # the truth says "generic" for those too
    assert result.stats["extract/method/generic"] == result.stats["extract/generic/body"] == len(unknown)
    client = pymongo.MongoClient(mongo_uri, tz_aware=True)
    record = client[mongo_db_name].crawls.find_one({})
    client.close()
    assert record["counts"]["generic"] == len(unknown)
    generic = next(m for m in record["monitors"] if m["name"] == "generic")
    assert generic["level"] == "pass" and f"generic fallback used for {len(unknown)} of " in generic["message"]


def test_sitemaps_stamped_with_their_build_time_are_rechecked_conditionally(
        replica_factory, mongo_uri, mongo_db_name, tmp_path):
    """A site that stamps every sitemap entry with the sitemap's build time: the next full backfill fetches
    only the monthly sitemaps whose lastmod in the index moved, downloads no unchanged article of them (304s
    only), and the changed ones still get their new revision."""
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, sitemap_lastmod="build")
    settings = {"BASE_URL": replica.url, **store_settings(mongo_uri, mongo_db_name)}
    first = run_crawl("almayadeen", tmp_path, settings, args={"discover": "sitemaps"})
    assert first.returncode == 0, first.log[-3000:]
    # every monthly sitemap but one: the 2099 month of the page invalid on purpose lists one entry, stamped
    # with a build time older than the sitemap's own lastmod (its future article): nothing to doubt there
    assert first.stats["sitemap/lastmod/untrusted"] == first.stats["sitemap/index/sitemaps"] - 1
    assert first.log.count("its lastmod values cannot be trusted") == 1  # said once
    before = stored(mongo_uri, mongo_db_name)

    replica.control(epoch=2)
    replica.clear_log()
    second = run_crawl("almayadeen", tmp_path, settings, args={"discover": "sitemaps"})
    assert second.returncode == 0, second.log[-3000:]
    model = SiteModel(seed=1, articles=ARTICLES, epoch=2, sitemap_lastmod="build")
    old = model.sitemap_file_lastmods(1)
    moved = {month for month, lastmod in model.sitemap_file_lastmods(2).items() if old.get(month) != lastmod}
    in_moved = {h.url for month in moved for h in model.sitemap_months(2)[month]}
    log = replica.requests()
    assert len([e for e in log if "/sitemaps/all/" in e["path"]]) == len(moved) < len(old)  # the others unchanged
    assert second.stats["sitemap/months/unchanged"] == len(model.sitemap_file_lastmods(2)) - len(moved)
    bodies = {EN.url + p for p in article_paths(log, statuses=(200,))}
    not_modified = {EN.url + p for p in article_paths(log, statuses=(304,))}
    changed, added = model.changed(2) & in_moved, model.added(2) & in_moved
    assert changed == model.changed(2) & model.reachable("sitemaps")  # a change moves its month's lastmod
    assert bodies == changed | added  # no unchanged body downloaded
    aliases = {alias for doc in before.values() for alias in doc["aliases"]}
    unchanged = ((set(before) | aliases) - changed) & in_moved  # an alias is asked whether it changed since
    assert aliases & in_moved and not_modified == unchanged
    assert second.stats["incremental/not_modified"] == second.stats["mongo/articles/not_modified"] == len(unchanged)
    after = stored(mongo_uri, mongo_db_name)
    assert {url for url, doc in after.items() if doc["revision"] == 2} == changed
    assert all(after[url]["last_seen_at"] > before[url]["last_seen_at"]  # a 304 is a sighting
               for url in (set(before) - changed) & in_moved)
    assert all(after[url]["http_etag"] and after[url]["http_last_modified"] for url in after)


def test_a_site_without_the_metadata_block_is_stored_exactly_and_passes(replica_factory, mongo_uri, mongo_db_name,
                                                                        tmp_path):
    """The tawsiyat block is evidenced on the Arabic edition only: without it every field still comes right."""
    replica = replica_factory(articles=ARTICLES, seed=1, epoch=1, no_tawsiyat=True)
    result = run_crawl("almayadeen", tmp_path, {"BASE_URL": replica.url, **store_settings(mongo_uri, mongo_db_name)})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["health/status"] == "passed"
    model = SiteModel(seed=1, articles=ARTICLES, epoch=1, no_tawsiyat=True)
    truths = valid_truth(model)
    docs = stored(mongo_uri, mongo_db_name)
    aliases = {alias for doc in docs.values() for alias in doc.get("aliases", [])}
    assert set(truths) == set(docs) | aliases
    accuracy, misses = field_accuracy(docs, {url: t for url, t in truths.items() if url in docs})
    assert min(accuracy.values()) == 1.0, misses.most_common()
    assert "extract/source/title/metadata" not in result.stats and result.stats["extract/source/title/meta"] > 0

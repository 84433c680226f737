"""Coverage, monitors and progress arithmetic (pure), with literal inputs and expectations."""

import pytest
from scrapy.settings import Settings

from newscrawl.commands.crawl import exit_code
from newscrawl.health.actions import summary_text
from newscrawl.health.coverage import Coverage, fallback_share, source_shares
from newscrawl.health.extension import progress_line, site_of
from newscrawl.health.monitors import Thresholds, check_captures, evaluate

GOOD = {"title": 1.0, "body": 1.0, "published_at": 1.0, "authors": 0.99, "source": 0.8}
HEALTHY_STATS = {
    "downloader/request_count": 1000, "downloader/response_count": 1000,
    "discovery/found/listings": 60, "discovery/found/sitemaps": 300, "discovery/articles/sitemaps": 100,
    "incremental/skipped/sitemaps": 200, "home/fetched": 1, "home/links/sections": 30, "home/links/articles": 12,
    "sitemap/index/fetched": 1, "sitemap/index/sitemaps": 40, "sitemap/urls": 300, "listing/pages/listings": 40,
    "validate/items/in": 100, "validate/items/dropped": 1, "extract/method/site": 100, "articles/extracted": 100,
}


def run_with(articles=100, coverage=None, stats=None, fallback=0.0, replace=False):
    base = {} if replace else dict(HEALTHY_STATS)
    return {"articles": articles, "coverage": coverage or dict(GOOD), "fallback_share": fallback,
            "stats": {**base, **(stats or {})}}


def levels(results):
    return {r.name: r.level for r in results}


def failed(results):
    return {r.name: r.message for r in results if r.level == "fail"}


def warned(results):
    return {r.name: r.message for r in results if r.level == "warn"}


def test_coverage_counts_present_fields_only():
    cov = Coverage()
    cov.add({"authors": ["A"], "body": "x", "source": None, "tags": []})
    cov.add({"authors": [], "body": "y", "source": "Agencies", "tags": ["t"]})
    shares = cov.shares()
    assert shares["authors"] == 0.5 and shares["body"] == 1.0 and shares["source"] == 0.5
    assert shares["images"] == 0.0


def test_source_shares_and_fallback_share_from_stats():
    stats = {"extract/source/title/metadata": 90, "extract/source/title/visible": 10,
             "extract/source/authors/meta": 50, "extract/source/authors/metadata": 50, "other/key": 3}
    shares = source_shares(stats)
    assert shares["title"] == {"metadata": 0.9, "visible": 0.1}
    assert fallback_share(shares) == 0.3


def test_a_healthy_run_passes_every_monitor_with_and_without_history():
    history = [run_with() for _ in range(3)]
    for past in (history, []):
        results = evaluate(run_with(), past)
        assert set(levels(results).values()) == {"pass"}, failed(results) | warned(results)
    names = [r.name for r in evaluate(run_with(), history)]
    assert names == ["discovery", "home", "listings", "articles", "rejects", "generic", "coverage", "fallbacks",
                     "errors", "blocked", "retries"]


def test_a_run_that_discovers_nothing_fails_naming_what_was_fetched():
    nothing = {"home/fetched": 1, "home/links/sections": 0, "home/links/articles": 0,
               "sitemap/index/fetched": 1, "sitemap/index/sitemaps": 0, "downloader/request_count": 3,
               "downloader/response_count": 3}
    results = evaluate(run_with(articles=0, stats=nothing, replace=True), [])
    assert failed(results)["discovery"] == (
        "discovered no article: the home page gave 0 article and 0 section links, the sitemap index listed "
        "0 sitemaps — the site's URL patterns or sitemap paths changed")
    assert failed(results)["home"] == ("home page: fetched, but it gave no section links and no article links "
                                       "— its navigation menu and article cards changed")


def test_discovery_names_listings_and_sitemap_entries_that_held_no_article():
    stats = {"home/fetched": 1, "home/links/sections": 25, "home/links/articles": 0,
             "listing/pages/listings": 25, "sitemap/index/fetched": 1, "sitemap/index/sitemaps": 12,
             "sitemap/urls": 480}
    results = evaluate(run_with(articles=0, stats=stats, replace=True), [])
    assert failed(results)["discovery"] == (
        "discovered no article: the home page gave 0 article and 25 section links, 25 listing pages gave no "
        "article link, the sitemap index listed 12 sitemaps holding 480 entries, none an article URL — the "
        "site's URL patterns or sitemap paths changed")
    assert "home" not in failed(results)  # section links came: the home page itself is fine


def test_discovery_when_nothing_was_fetched_and_when_the_window_excluded_every_month():
    results = evaluate(run_with(articles=0, stats={}, replace=True), [])
    assert failed(results)["discovery"].startswith("discovered no article: no page was fetched")
    results = evaluate(run_with(articles=0, stats={"downloader/response_count": 3}, replace=True), [])
    assert failed(results)["discovery"] == ("discovered no article: 3 pages were fetched and none linked to an "
                                            "article — the site's URL patterns or sitemap paths changed")
    window = {"sitemap/index/fetched": 1, "sitemap/index/sitemaps": 30, "sitemap/months/skipped": 30}
    results = evaluate(run_with(articles=0, stats=window, replace=True), [])
    assert "discovery" not in failed(results)
    assert warned(results)["discovery"] == ("discovered no article inside the date window: the sitemap index "
                                            "listed 30 sitemaps, all 30 outside the date window")


def test_discovery_of_a_worker_handed_only_articles_by_the_shared_frontier():
    # a distributed crawl: another worker read every sitemap, this one only extracted the articles
    stats = {"frontier/dequeued/redis": 998, "extract/method/site": 997, "extract/method/generic": 1,
             "downloader/response_count": 999}
    result = evaluate(run_with(articles=997, stats=stats, replace=True), [])[0]
    assert (result.name, result.level, result.message) == (
        "discovery", "pass", "no article URL found by this worker; 998 article pages taken from the shared frontier")
    # taking requests from the frontier without extracting any article is no discovery
    stats = {"frontier/dequeued/redis": 3, "downloader/response_count": 3}
    results = evaluate(run_with(articles=0, stats=stats, replace=True), [])
    assert failed(results)["discovery"] == ("discovered no article: 3 pages were fetched and none linked to an "
                                            "article — the site's URL patterns or sitemap paths changed")


def test_discovery_without_found_stats_counts_what_was_scheduled_or_skipped():
    # a spider that does not count discovery/found yet: scheduled plus skipped were found
    stats = {"discovery/articles/listings": 3, "incremental/skipped/listings": 4}
    result = evaluate(run_with(articles=3, stats=stats, replace=True), [])[0]
    assert (result.name, result.level, result.detail["found"]) == ("discovery", "pass", 7)


def test_home_page_not_fetched_is_not_judged():
    stats = {k: v for k, v in HEALTHY_STATS.items() if not k.startswith("home/")}
    assert levels(evaluate(run_with(stats=stats, replace=True), []))["home"] == "pass"


def listings(**yields) -> list[dict]:
    return [{"path": "/" + path.replace("__", "/"), "articles": n} for path, n in yields.items()]


def test_one_empty_listing_among_productive_ones_is_a_warning_naming_it():
    run = {**run_with(stats={"listing/empty/first_page": 1}),
           "listings": listings(news__politics=20, news__economy=20, news__environment=0)}
    results = evaluate(run, [])
    assert levels(results)["listings"] == "warn"
    assert warned(results)["listings"] == ("listings: /news/environment gave no article link on its first page "
                                           "(2 of 3 listings did): a section with nothing in it yet, or one to look at")


def test_half_the_listings_empty_fails_naming_the_listing_markup():
    run = {**run_with(), "listings": listings(news__politics=20, news__economy=0, news__sports=0, news__health=3)}
    assert failed(evaluate(run, []))["listings"] == (
        "listings: 2 of 4 listings gave no article link on their first page (/news/economy, /news/sports) "
        "— the listing page markup (its article cards and links) changed")
    assert "listings" not in failed(evaluate(run, [], Thresholds(empty_listings_share=0.75)))


def test_a_listing_that_gave_articles_in_the_last_healthy_run_and_none_now_fails():
    run = {**run_with(), "listings": listings(news__politics=20, news__economy=20, news__sports=0)}
    history = [{"articles": 100, "listings": listings(news__politics=20, news__economy=18, news__sports=4)},
               {"articles": 100, "listings": listings(news__sports=0)}]
    assert failed(evaluate(run, history))["listings"] == (
        "listings: /news/sports gave articles in the last healthy run and none now — its markup or its address changed")
    # empty then too (a section with nothing in it yet): a warning, as on a first run
    assert levels(evaluate(run, history[1:]))["listings"] == "warn"


def test_every_listing_productive_passes():
    run = {**run_with(), "listings": listings(news__politics=20, news__economy=1)}
    assert levels(evaluate(run, []))["listings"] == "pass"


def test_rejects_above_their_share_fail_naming_the_top_reasons():
    stats = {"validate/items/in": 200, "validate/items/dropped": 90, "validate/rejected/body/body_words": 70,
             "validate/rejected/title/minLength": 15, "validate/rejected/published_at/not_in_future": 5,
             "validate/rejected/section/matches_url": 1}
    assert failed(evaluate(run_with(stats=stats), []))["rejects"] == (
        "rejects: 45% of 200 validated items were rejected (limit 10%); top reasons: body/body_words 70, "
        "title/minLength 15, published_at/not_in_future 5")
    few = {"validate/items/in": 5, "validate/items/dropped": 2}  # too few to judge a share
    assert "rejects" not in failed(evaluate(run_with(stats=few), []))
    one = {"validate/items/in": 1, "validate/items/dropped": 1, "validate/rejected/body/body_words": 1}
    assert "rejects" not in failed(evaluate(run_with(stats=one), []))  # one bad page of an incremental run
    every = {"validate/items/in": 4, "validate/items/dropped": 4, "validate/rejected/body/body_words": 4}
    assert failed(evaluate(run_with(stats=every), []))["rejects"] == (
        "rejects: 100% of 4 validated items were rejected (limit 10%); top reasons: body/body_words 4")


def test_generic_fallback_above_its_share_fails_naming_the_article_template_and_fields():
    stats = {"extract/method/site": 60, "extract/method/generic": 40, "extract/generic/body": 40,
             "extract/generic/title": 12, "extract/generic/published_at": 3}
    assert failed(evaluate(run_with(stats=stats), []))["generic"] == (
        "generic fallback: 40% of 100 article pages were extracted by the generic extractor, not the site's "
        "rules (fields: body 40, title 12, published_at 3) — the article template changed")
    some = {"extract/method/site": 95, "extract/method/generic": 5, "extract/generic/body": 5}
    assert levels(evaluate(run_with(stats=some), []))["generic"] == "pass"


def test_first_run_is_judged_against_fixed_floors():
    low = dict(GOOD, authors=0.4, published_at=0.95)
    results = failed(evaluate(run_with(coverage=low), []))
    assert results["coverage/authors"] == (
        "field authors: present in 40% of articles, below the first-run floor of 90% (no earlier passed run "
        "of this spider on this site to compare with)")
    assert results["coverage/published_at"].startswith("field published_at: present in 95% of articles, below "
                                                       "the first-run floor of 99%")
    # with history, the same run is judged by its drop instead: 40% against 45% is no drop
    history = [run_with(coverage=dict(GOOD, authors=0.45, published_at=0.95)) for _ in range(3)]
    assert not {"coverage/authors", "coverage/published_at"} & set(failed(evaluate(run_with(coverage=low), history)))
    # too few articles to judge coverage at all
    assert "coverage/authors" not in failed(evaluate(run_with(articles=5, coverage=low), []))


def test_coverage_drop_names_the_field_and_the_drop():
    history = [run_with(coverage=dict(GOOD, authors=0.99)) for _ in range(5)]
    results = failed(evaluate(run_with(coverage=dict(GOOD, authors=0.40)), history))
    assert results == {"coverage/authors": "field authors: present in 40% of articles, against 99% in the last 5 "
                                           "runs (a drop of 59%)"}


def test_metadata_absent_while_fields_are_filled_is_a_warning_not_a_failure():
    # issue 14: no page carries the tawsiyat block, every field still filled from meta tags or the page
    stats = {"extract/problem/tawsiyat_metadata_missing": 294, "extract/problem/body": 1}
    results = evaluate(run_with(coverage=dict(GOOD, authors=1.0), fallback=0.98, stats=stats), [])
    assert failed(results) == {}
    assert warned(results)["fallbacks"] == (
        "metadata source absent on most pages: 98% of key fields came from meta tags or the visible page; every "
        "key field still filled (title 100%, published_at 100%, authors 100%); tawsiyat_metadata_missing 294 pages")
    # the same against a history where the metadata block was there
    past = [run_with(fallback=0.02) for _ in range(3)]
    assert warned(evaluate(run_with(fallback=0.98, stats=stats), past))["fallbacks"].startswith(
        "metadata source absent on most pages: 98% of key fields came from meta tags or the visible page, "
        "against 2% recently; every key field still filled")


def test_fallbacks_fail_when_coverage_actually_drops():
    history = [run_with(fallback=0.02) for _ in range(3)]
    results = failed(evaluate(run_with(fallback=0.9, coverage=dict(GOOD, authors=0.3)), history))
    assert results["fallbacks"] == ("fallbacks dominate: 90% of key fields came from meta tags or the visible "
                                    "page, against 2% recently, and coverage fell (authors 30%)")
    first = failed(evaluate(run_with(fallback=0.9, coverage=dict(GOOD, authors=0.3)), []))
    assert first["fallbacks"] == ("fallbacks dominate: 90% of key fields came from meta tags or the visible page, "
                                  "and coverage fell (authors 30%)")


def test_rates_never_exceed_100_percent():
    # issue 17: three start URLs, each tried 6 times, every try failed
    dns = {"downloader/request_count": 18, "downloader/exception_count": 18, "retry/count": 15,
           "errors/seed": 2, "errors/other": 5}
    results = {r.name: r for r in evaluate(run_with(articles=0, stats=dns, replace=True), [])}
    assert results["errors"].message == "failed requests: 100.0% of requests (limit 5%)"
    assert results["retries"].message == "retries: 83.3% of downloads (limit 50%)"
    assert all(r.detail.get("rate", 0) <= 1 for r in results.values())


def test_error_blocked_and_retry_rates_with_thresholds_from_settings():
    bad = {"blocked/403/count": 300, "blocked/challenge/count": 20, "errors/article": 80, "retry/count": 600}
    results = failed(evaluate(run_with(stats=bad), []))
    assert results["blocked"] == "403 answers and challenge pages (blocked by the site): 32.0% of responses (limit 10%)"
    assert results["errors"] == "failed requests: 20.0% of requests (limit 5%)"  # 80 of 1000 - 600
    lenient = Thresholds.from_settings(Settings({"NEWSCRAWL_MONITOR_ERROR_RATE": "0.5",
                                                 "NEWSCRAWL_MONITOR_BLOCKED_RATE": "0.5",
                                                 "NEWSCRAWL_MONITOR_RETRY_RATE": "0.9",
                                                 "NEWSCRAWL_MONITOR_FLOORS": '{"authors": 0.5}',
                                                 "NEWSCRAWL_MONITOR_MIN_ARTICLES": "7"}))
    assert (lenient.error_rate, lenient.min_articles, lenient.floors) == (0.5, 7, {"authors": 0.5})
    assert not {"blocked", "errors", "retries"} & set(failed(evaluate(run_with(stats=bad), [], lenient)))


def test_breaking_captures():
    none = check_captures({"breaking/capture/failed": 2, "breaking/error/no_ticker": 2})
    assert (none.level, none.message) == ("fail", "breaking: no capture succeeded: 0 of 2 captures showed ticker "
                                                  "lines (errors: no_ticker 2) — the ticker markup or its script changed")
    crashed = check_captures({"breaking/capture/failed": 1, "breaking/error/timeout": 1})
    assert crashed.message.endswith("(errors: timeout 1) — the pages could not be rendered")
    ok = check_captures({"breaking/capture/succeeded": 1, "breaking/capture/failed": 1, "breaking/lines/seen": 8})
    assert (ok.level, ok.message) == ("pass", "1 of 2 captures showed ticker lines (8 lines)")


def test_summary_text_lists_failures_then_warnings():
    report = {"spider": "almayadeen", "site": "english.almayadeen.net", "articles": 40,
              "finish_reason": "monitors_failed", "counts": {},
              "monitors": [{"name": "a", "level": "fail", "ok": False, "message": "first problem"},
                           {"name": "b", "level": "warn", "ok": True, "message": "a note"},
                           {"name": "c", "level": "pass", "ok": True, "message": "fine"}]}
    assert summary_text(report) == (
        "newscrawl: crawl of almayadeen on english.almayadeen.net FAILED its monitors (40 articles, finish reason "
        "monitors_failed, 1 warning(s))\n- first problem\n- warning: a note")


def test_exit_codes_per_finish_reason():
    assert exit_code({"finish_reason": "finished", "health/status": "passed"}) == 0
    assert exit_code({"finish_reason": "finished", "health/status": "failed"}) == 3
    assert exit_code({"finish_reason": "unreachable_dns", "health/status": "failed"}) == 4
    assert exit_code({"finish_reason": "unreachable_refused"}) == 5
    assert exit_code({"finish_reason": "unreachable_tls"}) == 6
    assert exit_code({"finish_reason": "unreachable_timeout"}) == 7
    assert exit_code({"finish_reason": "blocked"}) == 8
    assert exit_code({"finish_reason": "unreachable_network"}) == 9
    assert exit_code({}, bootstrap_failed=True) == 1


class _Profile:
    host = "www.almayadeen.net"


class _Spider:
    pass


@pytest.mark.parametrize("profile,base_url,expected", [
    (_Profile(), "http://127.0.0.1:8000", "www.almayadeen.net"),
    (None, "http://127.0.0.1:8000", "127.0.0.1"),
    (None, "https://English.Almayadeen.net/", "english.almayadeen.net"),
])
def test_site_is_the_profile_host_else_the_base_url_host(profile, base_url, expected):
    spider = _Spider()
    if profile is not None:
        spider.profile = profile
    assert site_of(spider, Settings({"BASE_URL": base_url})) == expected


def test_progress_line_has_total_rate_and_time_left():
    text, figures = progress_line(known=300, done=120, elapsed=10.0)
    assert text == "progress: 120/300 articles (40%), 12.0 articles/s, about 15 s left"
    assert figures["eta_seconds"] == 15.0
    assert progress_line(0, 0, 0.0)[1]["eta_seconds"] is None


def test_a_worker_of_a_shared_frontier_gives_no_time_left_but_what_the_frontier_holds():
    text, figures = progress_line(known=70981, done=70981, elapsed=1000.0, frontier_queued=52310)
    assert text == ("progress (this worker): 70981/70981 articles it met (100%), 71.0 articles/s; "
                    "shared frontier: 52310 requests queued")
    assert figures["eta_seconds"] is None and figures["frontier_queued"] == 52310


def test_no_article_stored_fails_only_when_a_few_were_downloaded():
    one = {"discovery/articles/sitemaps": 1}  # an incremental run that met one page, invalid on purpose
    assert levels(evaluate(run_with(articles=0, stats=one, replace=True), []))["articles"] == "pass"
    three = {"discovery/articles/sitemaps": 3}
    assert failed(evaluate(run_with(articles=0, stats=three, replace=True), []))["articles"] == (
        "no articles stored although 3 were downloaded")

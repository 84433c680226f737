"""Coverage, monitors and progress arithmetic (pure)."""

from newscrawl.health.coverage import Coverage, fallback_share, source_shares
from newscrawl.health.extension import progress_line
from newscrawl.health.monitors import Thresholds, evaluate


def run_with(articles=100, coverage=None, stats=None, fallback=0.0):
    return {"articles": articles, "coverage": coverage or {"authors": 0.99, "body": 1.0},
            "fallback_share": fallback, "stats": {"downloader/request_count": 1000,
                                                  "downloader/response_count": 1000,
                                                  "discovery/articles/sitemaps": articles, **(stats or {})}}


def failed(results):
    return {r.name: r.message for r in results if not r.ok}


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


def test_a_healthy_run_passes_every_monitor():
    history = [run_with() for _ in range(3)]
    assert failed(evaluate(run_with(), history)) == {}


def test_coverage_drop_names_the_field_and_the_drop():
    history = [run_with(coverage={"authors": 0.99, "body": 1.0}) for _ in range(5)]
    results = failed(evaluate(run_with(coverage={"authors": 0.40, "body": 1.0}), history))
    assert list(results) == ["coverage/authors"]
    assert "authors" in results["coverage/authors"] and "40%" in results["coverage/authors"]
    assert "99%" in results["coverage/authors"]


def test_no_articles_when_some_were_downloaded_fails():
    assert "articles" in failed(evaluate(run_with(articles=0, stats={"discovery/articles/sitemaps": 50}), []))
    quiet = run_with(articles=0, stats={"discovery/articles/sitemaps": 0})
    assert "articles" not in failed(evaluate(quiet, []))


def test_fallbacks_rates_and_empty_listings():
    assert "fallbacks" in failed(evaluate(run_with(fallback=0.8), [run_with(fallback=0.05)] * 3))
    assert "fallbacks" in failed(evaluate(run_with(fallback=0.8), []))
    bad = run_with(stats={"blocked/403/count": 300, "errors/article": 80, "retry/count": 600,
                          "listing/empty/first_page": 2})
    assert {"blocked", "errors", "retries", "listings"} <= set(failed(evaluate(bad, [])))
    lenient = Thresholds(error_rate=0.5, blocked_rate=0.5, retry_rate=0.9)
    assert not {"blocked", "errors", "retries"} & set(failed(evaluate(bad, [], lenient)))


def test_progress_line_has_total_rate_and_time_left():
    text, figures = progress_line(known=300, done=120, elapsed=10.0)
    assert text == "progress: 120/300 articles (40%), 12.0 articles/s, about 15 s left"
    assert figures["eta_seconds"] == 15.0
    assert progress_line(0, 0, 0.0)[1]["eta_seconds"] is None

"""`newscrawl doctor` against the replica's markups, over real HTTP: which facts held, and its exit code."""

from __future__ import annotations

import json

from tests.e2e.rewrite import RewritingSite, redesigned
from tests.integration.test_cli_support import run_cli

# the facts SITE.md marks assumed that markup 2 changes (class names, elements, paging)
MARKUP_2_DIFFERS = ["page_param", "card_selectors", "card_date_selectors", "nav_selectors", "tag_list_selectors",
                    "byline_selectors"]


def doctor(base_url: str, *extra: str):
    result = run_cli("doctor", "--base-url", base_url, "--delay", "0", *extra, uri=None, timeout=120)
    verdicts = {}
    if "--json" in extra and result.stdout.strip():
        verdicts = {v["fact"]: v for v in json.loads(result.stdout)["verdicts"]}
    return result, verdicts


def not_held(verdicts: dict) -> list[str]:
    return [fact for fact, v in verdicts.items() if v["status"] in ("fell back", "failed")]


def test_markup_1_holds_every_fact_politely(replica_factory):
    replica = replica_factory(articles=150, seed=1, epoch=1)  # enough for a second page of politics
    result, verdicts = doctor(replica.url, "--json")
    assert result.returncode == 0, result.stderr
    assert not_held(verdicts) == []
    assert verdicts["card_selectors"]["status"] == "held" and verdicts["page_param"]["status"] == "held"
    assert verdicts["body_container"]["required"] and verdicts["card_selectors"]["evidence"] == "assumed"
    log = replica.requests()
    assert log[0]["path"] == "/robots.txt" and all(e["ua"].startswith("newscrawl/") for e in log)
    assert len(log) == 8  # robots, home, a listing and its page 2, the sitemap index, a month, an article, a tag


def test_markup_2_names_exactly_the_assumed_facts_that_differ(replica_factory):
    replica = replica_factory(articles=60, seed=1, epoch=1, markup=2)
    result, verdicts = doctor(replica.url, "--json")
    assert result.returncode == 0, result.stderr  # every required fact held: the crawler still works
    assert not_held(verdicts) == MARKUP_2_DIFFERS
    assert verdicts["page_param"]["detail"].startswith("?page=2 shows no new article")
    text, _ = doctor(replica.url)
    assert text.returncode == 0
    assert f"facts that did not hold: {', '.join(MARKUP_2_DIFFERS)}" in text.stdout
    line = next(line for line in text.stdout.splitlines() if " card_selectors " in line)
    assert line.startswith("  FELL card_selectors         [assumed] fell back: matched nothing; ")
    assert line.endswith(" cards found by the article pattern")


def test_the_arabic_profile_against_the_arabic_edition(replica_factory):
    replica = replica_factory(articles=60, seed=1, epoch=1, edition="ar")
    result, verdicts = doctor(replica.url, "--json", "--edition", "ar")
    assert result.returncode == 0, result.stderr
    assert verdicts["date_shapes"]["status"] == verdicts["author_prefixes"]["status"] == "held"
    assert verdicts["page_param"] == {**verdicts["page_param"], "status": "held",
                                      "detail": "listings are not paged by a parameter"}
    assert verdicts["direction"]["detail"] == '<html dir="rtl">'


def test_a_required_fact_that_fails_is_the_exit_code(replica_factory):
    replica = replica_factory(articles=40, seed=1, epoch=1, unknown_template_rate=1.0)
    result, verdicts = doctor(replica.url, "--json")
    assert result.returncode == 1
    assert [fact for fact, v in verdicts.items() if v["status"] == "failed"] == ["body_container"]
    assert verdicts["page_param"]["status"] == "absent"  # 40 articles: one page per listing
    assert "required facts failed: body_container" in result.stderr
    with RewritingSite(replica.url, redesigned) as site:
        redesign, verdicts = doctor(site.url, "--json")
    assert redesign.returncode == 1
    failed = {fact for fact, v in verdicts.items() if v["status"] == "failed" and v["required"]}
    assert {"article_path_re", "sitemap_index_path", "sitemap_month_re"} <= failed


def test_an_unreachable_site_is_exit_4_with_the_cause():
    result, _ = doctor("http://no-such-host.invalid")
    assert result.returncode == 4
    assert result.stderr.strip() == ("newscrawl doctor: cannot resolve no-such-host.invalid (DNS): check the network "
                                     "or proxy settings, or set BASE_URL to a mirror")

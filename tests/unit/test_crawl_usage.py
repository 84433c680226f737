"""Bad input is one message before anything starts; an interrupted crawl has its own exit code (issue #23)."""

from __future__ import annotations

import signal

import pytest
from scrapy.settings import Settings

from newscrawl.commands.crawl import exit_code
from newscrawl.spiders.almayadeen import AlmayadeenSpider
from newscrawl.spiders.arguments import AlmayadeenArguments
from newscrawl.spiders.breaking import BreakingSpider
from newscrawl.validation import check_settings, check_spider_arguments


def project_settings(**overrides) -> Settings:
    settings = Settings()
    settings.setmodule("newscrawl.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_the_project_defaults_are_all_of_their_type():
    assert check_settings(project_settings()) == []


@pytest.mark.parametrize("name, value, expected", [
    ("NEWSCRAWL_LISTING_MAX_PAGES", "abc", "expected a whole number (default 1000)"),
    ("MONGO_FLUSH_ITEMS", "2.5", "expected a whole number (default 100)"),
    ("MONGO_FLUSH_SECONDS", "soon", "expected a number (default 2.0)"),
    ("NEWSCRAWL_STORE_ENABLED", "maybe", "expected True or False"),
    ("NEWSCRAWL_MONITOR_FLOORS", "authors=0.8", "expected a JSON object"),
    ("MONGO_SERVER_SELECTION_TIMEOUT_MS", "5s", "expected a whole number (default 5000)"),
])
def test_a_project_setting_of_the_wrong_type_is_named_with_what_it_takes(name, value, expected):
    problems = check_settings(project_settings(**{name: value}))
    assert len(problems) == 1 and problems[0].startswith(f"setting {name}={value!r}: {expected}")


@pytest.mark.parametrize("name, value", [("NEWSCRAWL_LISTING_MAX_PAGES", "20"), ("MONGO_FLUSH_SECONDS", "1"),
                                         ("NEWSCRAWL_STORE_ENABLED", "false"), ("CLEANING_ENABLED", "0"),
                                         ("NEWSCRAWL_MONITOR_FLOORS", '{"authors": 0.8}'), ("MONGO_FLUSH_ITEMS", 10)])
def test_good_values_pass(name, value):
    assert check_settings(project_settings(**{name: value})) == []


def test_the_revisit_ladder_is_checked_as_durations():
    assert check_settings(project_settings(NEWSCRAWL_REVISIT_AFTER="5m,2h")) == []
    assert check_settings(project_settings(NEWSCRAWL_REVISIT_AFTER="soon")) == [
        "setting NEWSCRAWL_REVISIT_AFTER='soon': expected durations after publication, e.g. 10m,1h,6h,1d,3d"]


@pytest.mark.parametrize("kwargs, first_line", [
    ({"bogus": "1"}, "almayadeen: unknown argument(s) bogus; accepted: discover, edition, follow, max_articles, "
                     "refresh, sections, since, tags, until"),
    ({"follow": "maybe"}, "almayadeen: follow='maybe': expected true or false"),
    ({"refresh": "listings,pages"}, "almayadeen: refresh=pages: expected any of listings,tags,sitemaps, or all"),
    ({"since": "2024-13-99"}, "almayadeen: since='2024-13-99': expected a date YYYY-MM-DD or an ISO datetime"),
    ({"edition": "xx"}, "almayadeen: edition: unknown edition or site 'xx'; known: en (english.almayadeen.net), "
                        "ar (www.almayadeen.net)"),
    ({"sections": "nope"}, "almayadeen: sections: nope is not a section path of english.almayadeen.net"),
])
def test_almayadeen_arguments_are_checked_without_a_crawler(kwargs, first_line):
    message = check_spider_arguments(AlmayadeenSpider, kwargs, project_settings())
    assert message.splitlines()[0].startswith(first_line)
    assert "arguments:\n  -a edition=..." in message  # what is accepted


def test_the_check_follows_the_arguments_class(monkeypatch):
    # a new argument in AlmayadeenArguments needs nothing in the crawl command
    original = AlmayadeenArguments.from_kwargs.__func__

    def accepting_newarg(cls, kwargs, default_edition=None):
        return original(cls, {k: v for k, v in kwargs.items() if k != "newarg"}, default_edition)

    assert check_spider_arguments(AlmayadeenSpider, {"newarg": "1"}, project_settings()) is not None
    monkeypatch.setattr(AlmayadeenArguments, "from_kwargs", classmethod(accepting_newarg))
    assert check_spider_arguments(AlmayadeenSpider, {"newarg": "1"}, project_settings()) is None


def test_the_edition_setting_is_checked_as_the_default_edition():
    assert "edition: unknown edition or site 'xx'" in check_spider_arguments(
        AlmayadeenSpider, {}, project_settings(NEWSCRAWL_EDITION="xx"))
    assert check_spider_arguments(AlmayadeenSpider, {"_job": "abc", "since": "2025-01-01"}, project_settings()) is None


@pytest.mark.parametrize("kwargs, first_line", [
    ({"bogus": "1"}, "breaking: unknown argument(s) bogus; accepted: edition, interval, pages, repeat"),
    ({"repeat": "x"}, "breaking: repeat must be a whole number (0 = until stopped); got 'x'"),
    ({"interval": "-1"}, "breaking: interval must be a finite number of seconds, 0 or more; got '-1'"),
    ({"pages": "news"}, "breaking: pages must be site paths starting with '/'"),
    ({"edition": "xx"}, "breaking: edition: unknown edition or site 'xx'"),
])
def test_breaking_arguments_are_checked_without_a_crawler(kwargs, first_line):
    message = check_spider_arguments(BreakingSpider, kwargs, project_settings())
    assert message.splitlines()[0].startswith(first_line)
    assert "arguments:\n  -a pages=..." in message


def test_good_breaking_arguments_pass():
    assert check_spider_arguments(BreakingSpider, {"pages": "/,/news", "repeat": "0", "interval": "30",
                                                   "edition": "ar", "_job": "x"}, project_settings()) is None


def test_exit_codes_of_an_interrupted_crawl():
    assert exit_code({"finish_reason": "shutdown"}, interrupted_by=signal.SIGTERM) == 143
    assert exit_code({"finish_reason": "shutdown"}, interrupted_by=signal.SIGINT) == 130
    assert exit_code({}, interrupted_by=signal.SIGTERM) == 143  # a second signal: the stats were never closed
    # a signal that came as the run was ending another way does not hide how it ended
    assert exit_code({"finish_reason": "unreachable_dns"}, interrupted_by=signal.SIGTERM) == 4
    assert exit_code({"finish_reason": "finished", "health/status": "failed"}, interrupted_by=signal.SIGINT) == 3
    assert exit_code({"finish_reason": "finished"}) == 0
    assert exit_code({}, bootstrap_failed=True, interrupted_by=signal.SIGTERM) == 1
    # following ends with a signal: that is how it stops, not a failure
    assert exit_code({"finish_reason": "shutdown", "follow/mode": 1}, interrupted_by=signal.SIGTERM) == 0
    assert exit_code({"finish_reason": "shutdown", "follow/mode": 1}, interrupted_by=signal.SIGINT) == 0

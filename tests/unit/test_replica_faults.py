"""The replica's fault decisions as pure functions."""

from __future__ import annotations

import pytest

from tests.replica.faults import Faults, looks_like_bot, unit_hash


@pytest.mark.parametrize("ua", ["", None, "  ", "curl/8.0", "python-requests/2.31", "Scrapy/2.13 (+https://scrapy.org)",
                                "Wget/1.21.4", "Python-urllib/3.11", "Go-http-client/2.0"])
def test_bot_user_agents(ua):
    assert looks_like_bot(ua)


@pytest.mark.parametrize("ua", ["Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0", "newscrawl/0.1.0 (+https://x.org)"])
def test_browser_and_honest_crawler_user_agents(ua):
    assert not looks_like_bot(ua)


def test_unit_hash_is_stable_and_spread():
    values = [unit_hash(1, "error", f"/p/{i}") for i in range(2000)]
    assert values == [unit_hash(1, "error", f"/p/{i}") for i in range(2000)]
    assert all(0 <= v < 1 for v in values) and 0.45 < sum(v < 0.5 for v in values) / 2000 < 0.55


def test_errors_stop_after_one_or_two_attempts_and_follow_the_rate():
    faults = Faults(seed=1, options={"error_rate": 0.3})
    paths = [f"/news/politics/a-{i}" for i in range(1000)]
    first = [faults.error_status(p) for p in paths]
    assert 0.25 < sum(s is not None for s in first) / 1000 < 0.35
    second = [faults.error_status(p) for p in paths]
    third = [faults.error_status(p) for p in paths]
    assert any(second) and not any(third)
    assert all(s is None for f, s in zip(first, second) if f is None)


def test_truncation_modes_split_roughly_in_half():
    faults = Faults(seed=2, options={"truncate_rate": 1.0})
    modes = [faults.truncation(f"/x/{i}") for i in range(400)]
    assert 150 < modes.count("short_length") < 250 and modes.count(None) == 0
    assert 0.3 * 1000 <= faults.cut_point("/x/1", 1000) < 0.7 * 1000


def test_rate_limit_window():
    faults = Faults(seed=1, options={"rate_limit": 3})
    assert [faults.rate_limited() for _ in range(5)] == [False, False, False, True, True]


def test_unknown_option_is_refused():
    with pytest.raises(ValueError):
        Faults(seed=1, options={"latency": 5})


def test_slow_paths_wait_longer_than_the_rest(monkeypatch):
    import tests.replica.faults as faults_module

    waits = []
    monkeypatch.setattr(faults_module.time, "sleep", waits.append)
    faults = Faults(seed=1, options={"latency_ms": 10, "slow_prefix": "/sitemaps/", "slow_ms": 800})
    faults.delay("/sitemaps/all.xml")
    faults.delay("/news/politics/x")
    assert waits == [0.81, 0.01]


def test_the_slow_path_is_that_path_alone(monkeypatch):
    import tests.replica.faults as faults_module

    waits = []
    monkeypatch.setattr(faults_module.time, "sleep", waits.append)
    faults = Faults(seed=1, options={"slow_path": "/", "slow_ms": 500})
    for path in ("/", "/?page=2", "/news/politics", "/sitemaps/all.xml"):
        faults.delay(path)
    assert waits == [0.5, 0.5]

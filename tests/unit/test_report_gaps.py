"""Gaps in the archive: runs of empty days amid busy days (pure), with literal series."""

from datetime import date, timedelta

from newscrawl.cli.report import fill_days, find_gaps


def series(counts: list[int], first: date = date(2025, 1, 1)) -> list[tuple[date, int]]:
    return [(first + timedelta(i), n) for i, n in enumerate(counts)]


def test_a_week_of_silence_in_a_busy_archive_is_a_gap():
    days = series([5, 6, 4, 5, 7, 5, 6, 0, 0, 0, 0, 0, 4, 5, 6, 5, 5, 4, 6])
    assert find_gaps(days, min_days=3) == [
        {"start": date(2025, 1, 8), "end": date(2025, 1, 12), "days": 5, "before": 5.43, "after": 5.0}]
    assert find_gaps(days, min_days=5)[0]["days"] == 5
    assert find_gaps(days, min_days=6) == []
    assert find_gaps(days, min_days=0) == []


def test_short_runs_and_runs_at_the_edges_are_not_gaps():
    assert find_gaps(series([5, 5, 5, 0, 0, 5, 5, 5]), min_days=3) == []  # two days only
    assert find_gaps(series([0, 0, 0, 0, 5, 5, 5, 5, 5]), min_days=3) == []  # before the archive starts
    assert find_gaps(series([5, 5, 5, 5, 5, 0, 0, 0, 0]), min_days=3) == []  # after it ends (so far)


def test_quiet_days_around_an_empty_run_make_no_gap():
    # busy on the whole, but the week before the run is nearly silent: the site slowed down, no outage
    days = series([8, 9, 8, 9, 8, 9, 8, 9, 8, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 8, 9, 8, 9, 8, 9, 8])
    assert find_gaps(days, min_days=3) == []


def test_a_sparse_archive_has_quiet_days_not_gaps():
    # most days have no article: an empty week is the usual
    days = series([0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 3, 0, 0, 0, 0, 1, 0])
    assert find_gaps(days, min_days=3) == []
    assert find_gaps([], min_days=3) == []


def test_two_gaps_are_both_found():
    busy = [3] * 7
    days = series(busy + [0] * 4 + busy + [0] * 6 + busy)
    assert [(g["start"], g["days"]) for g in find_gaps(days, min_days=3)] == [
        (date(2025, 1, 8), 4), (date(2025, 1, 19), 6)]


def test_fill_days_adds_the_empty_days():
    assert fill_days({"2025-03-01": 2, "2025-03-04": 1}) == [
        (date(2025, 3, 1), 2), (date(2025, 3, 2), 0), (date(2025, 3, 3), 0), (date(2025, 3, 4), 1)]
    assert fill_days({}) == []

"""Date, time and duration parsing."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from zoneinfo import ZoneInfo

from newscrawl.extract.dates import parse_card_date, parse_duration, parse_iso_datetime, parse_visible_datetime


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    ("2024-05-30T23:49:00+03:00", utc(2024, 5, 30, 20, 49)),
    ("2024-05-30T23:49:00Z", utc(2024, 5, 30, 23, 49)),
    ("2024-01-10T12:00:00", utc(2024, 1, 10, 10, 0)),  # no offset: Beirut time, winter
    ("2024-07-10T12:00:00", utc(2024, 7, 10, 9, 0)),   # no offset: Beirut time, summer
    ("", None), ("soon", None), (None, None), (20240101, None),
])
def test_iso_datetime(value, expected):
    assert parse_iso_datetime(value, naive_tz=ZoneInfo("Asia/Beirut")) == expected


def test_iso_datetime_without_offset_is_utc_unless_told():
    assert parse_iso_datetime("2024-01-10T12:00:00") == utc(2024, 1, 10, 12, 0)


def test_visible_datetime_across_dst_change():
    # Lebanon moved to summer time on 26 Mar 2023 (00:00 -> 01:00)
    assert parse_visible_datetime("25 Mar 2023 12:00") == utc(2023, 3, 25, 10, 0)
    assert parse_visible_datetime("27 Mar 2023 12:00") == utc(2023, 3, 27, 9, 0)
    assert parse_visible_datetime("32 Mar 2023 12:00") is None


def test_card_date():
    assert parse_card_date(" 06 Nov 2025 ") == date(2025, 11, 6)
    assert parse_card_date("Nov 2025") is None


@pytest.mark.parametrize("value, seconds", [
    ("185", 185), ("185.0", 185), ("185.6", 186), ("PT3M5S", 185), ("PT1H2M", 3720), ("P1DT1S", 86401),
    (90, 90), (" 12 ", 12), ("", None), ("PT", None), ("-5", None), ("nan", None), ("inf", None),
    ("3 minutes", None), (True, None), (None, None),
])
def test_duration(value, seconds):
    assert parse_duration(value) == seconds

"""The spider's incremental decision: download only what the store lacks or holds in an older version."""

from datetime import date, datetime, timezone
from functools import partial
from zoneinfo import ZoneInfo

from newscrawl.spiders.almayadeen import is_newer as is_newer_in

is_newer = partial(is_newer_in, tz=ZoneInfo("Asia/Beirut"))
T = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_unknown_articles_are_always_new():
    assert is_newer(None, None) and is_newer(T, {}) and is_newer(date(2024, 5, 1), None)


def test_sitemap_lastmod_against_the_stored_version():
    stored = {"modified_at": T, "published_at": datetime(2024, 4, 1, tzinfo=timezone.utc)}
    assert not is_newer(T, stored)
    assert is_newer(datetime(2024, 5, 1, 12, 1, tzinfo=timezone.utc), stored)
    assert not is_newer(datetime(2024, 4, 30, tzinfo=timezone.utc), stored)
    assert is_newer(datetime(2024, 4, 2, tzinfo=timezone.utc), {"modified_at": None, "published_at": stored["published_at"]})


def test_listing_dates_compare_by_beirut_day_and_no_hint_means_unchanged():
    stored = {"modified_at": None, "published_at": datetime(2024, 5, 1, 22, 30, tzinfo=timezone.utc)}  # 2 May in Beirut
    assert not is_newer(date(2024, 5, 2), stored)
    assert is_newer(date(2024, 5, 3), stored)
    assert not is_newer(None, stored)


def test_an_alias_is_judged_by_when_its_text_was_last_seen():
    alias = {"modified_at": datetime(2020, 1, 1, tzinfo=timezone.utc), "last_seen_at": T, "alias_of": "https://x/a"}
    assert not is_newer(datetime(2024, 1, 1, tzinfo=timezone.utc), alias)
    assert is_newer(datetime(2024, 6, 1, tzinfo=timezone.utc), alias)

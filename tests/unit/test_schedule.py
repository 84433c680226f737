"""The schedule's rules (newscrawl.schedule): adaptive intervals, revisit ladders, what is due. Literal expectations."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from newscrawl.schedule.policy import (
    adapt, interval_from_cards, jittered, ladder, median, next_revisit, percentile, seconds_of, usual_gap,
)
from newscrawl.schedule.sources import HOME, INDEX, LISTING, SITEMAP, TAG, Bounds, Sources

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize("text, seconds", [("90", 90), ("90s", 90), ("10m", 600), ("6h", 21600), ("3d", 259200),
                                           ("1.5h", 5400)])
def test_durations(text, seconds):
    assert seconds_of(text) == seconds


@pytest.mark.parametrize("bad", ["", "soon", "10 minutes", "-5m", "m"])
def test_bad_durations_say_what_is_accepted(bad):
    with pytest.raises(ValueError, match="expected a duration such as 90s, 10m, 6h or 3d"):
        seconds_of(bad)


def test_the_default_ladder_and_its_order():
    assert ladder("10m,1h,6h,1d,3d") == (600, 3600, 21600, 86400, 259200)
    assert ladder("1h, 10m") == (600, 3600)  # sorted
    with pytest.raises(ValueError):
        ladder("")


def test_adapt_is_stormcrawlers_rule_within_the_bounds():
    # news: (1 - 0.5) * 100 + 0.5 * 30 = 65; none: 100 * 1.5 = 150
    assert adapt(100, True, 30, 3600) == 65
    assert adapt(100, False, 30, 3600) == 150
    assert adapt(3000, False, 30, 3600) == 3600  # capped
    assert adapt(30, True, 30, 3600) == 30  # floored
    assert adapt(100, True, 30, 3600, shrink=1.0) == 30


def test_jitter_stays_within_its_share():
    rng = random.Random(7)
    values = [jittered(100, rng) for _ in range(200)]
    assert min(values) >= 90 and max(values) <= 110 and len(set(values)) > 100


def test_a_listing_starts_from_its_own_cards():
    cards = [at(-3600 * k) for k in range(5)]  # one an hour: a poll every half hour finds about one
    assert interval_from_cards(cards, 30, 3600 * 6) == 1800
    assert interval_from_cards(cards[:1], 30, 3600) == 3600  # one date says nothing: the longest
    assert interval_from_cards([at(0), at(-1)], 30, 3600) == 30


def test_revisits_follow_the_ladder_and_skip_rungs_missed_while_nobody_followed():
    steps = (600, 3600, 21600)
    assert next_revisit(T0, at(20), steps) == (1, at(600))
    assert next_revisit(T0, at(601), steps, done=1) == (2, at(3600))
    assert next_revisit(T0, at(7200), steps, done=1) == (3, at(21600))  # rung 2 passed unseen
    assert next_revisit(T0, at(21601), steps, done=3) is None
    assert next_revisit(T0, at(30000), steps) is None  # the ladder is over


def test_usual_gap_median_and_percentile():
    times = [at(0), at(60), at(120), at(300)]
    assert usual_gap(times) == 60  # gaps 60, 60, 180
    assert usual_gap(times[:2]) is None
    assert median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5 and median([]) is None
    assert percentile(list(range(1, 101)), 0.95) == 95 and percentile([], 0.5) is None


# --- the book of sources ----------------------------------------------------------------------

SITE = "https://english.almayadeen.net"
MONTH = SITE + "/sitemaps/all/sitemap-2026-11.xml"


def book(docs=None, **bounds) -> Sources:
    return Sources("english.almayadeen.net", docs or {}, Bounds(**bounds), random.Random(1))


def test_a_monthly_sitemap_is_fetched_only_when_its_lastmod_moved_or_it_is_the_current_month():
    stored = book({(SITEMAP, MONTH): {"kind": SITEMAP, "url": MONTH, "lastmod": at(0), "etag": '"abc"',
                                      "stored_at": at(5)}})
    assert stored.sitemap_wanted(MONTH, at(0), current=False) == (False, {})
    assert stored.sitemap_wanted(MONTH, at(60), current=False) == (True, {})
    assert stored.sitemap_wanted(MONTH, at(0), current=True) == (True, {"If-None-Match": '"abc"'})
    assert stored.sitemap_wanted(MONTH, None, current=False) == (True, {"If-None-Match": '"abc"'})  # no lastmod
    assert book().sitemap_wanted(MONTH, at(0), current=False) == (True, {})  # never stored whole
    # fetched by a run cut short (its validators kept) but never stored whole: fetched whole, never a 304
    cut = book({(SITEMAP, MONTH): {"kind": SITEMAP, "url": MONTH, "etag": '"abc"', "checked_at": at(0)}})
    assert cut.sitemap_wanted(MONTH, at(0), current=True) == (True, {})


def test_a_sitemap_is_complete_once_every_article_it_requested_came_through():
    sources = book()
    other = SITE + "/sitemaps/all/sitemap-2026-10.xml"
    sources.sitemap_read(MONTH, at(0), [11, 12])
    sources.sitemap_read(other, at(0), [])  # nothing new in it
    assert sources.sitemaps_complete() == [(other, at(0))]
    sources.resolved(11)
    sources.resolved(99)  # an article of no sitemap
    assert sources.sitemaps_complete() == [(other, at(0))]
    sources.resolved(12)
    assert sources.sitemaps_complete() == [(MONTH, at(0)), (other, at(0))]


def test_a_sitemap_is_stored_whole_only_when_said_so():
    sources = book()
    sources.sitemap_read(MONTH, at(0), [1])
    assert sources.sitemap_wanted(MONTH, at(0), current=False)[0]  # read is not stored
    sources.sitemap_stored(MONTH, at(0), at(1))
    assert not sources.sitemap_wanted(MONTH, at(0), current=False)[0]
    assert [d["url"] for d in sources.dirty()] == [MONTH] and sources.dirty() == []


def test_listings_and_tags_are_due_when_new_or_when_their_time_came():
    sources = book(minimum=30, maximum=3600, tag_days=7)
    url = SITE + "/news/politics"
    assert sources.listing_due(url, at(0))
    sources.walked(LISTING, url, at(0), cards=20, news=20, moments=[at(-600 * k) for k in range(20)])
    source = sources.peek(LISTING, url)
    assert source.interval == 300 and source.walked_at == at(0) and source.news == 20  # half the 600 s gap
    assert not sources.listing_due(url, at(200)) and sources.listing_due(url, at(400))
    tag = SITE + "/tags/Gaza"
    assert sources.tag_due(tag, at(0))
    sources.walked(TAG, tag, at(0), cards=3, news=0, moments=[])
    assert not sources.tag_due(tag, at(6 * 86400)) and sources.tag_due(tag, at(7 * 86400))
    assert sources.tags_due(at(8 * 86400), 10) == [tag] and sources.tags_due(at(8 * 86400), 0) == []


def test_the_front_starts_at_the_shortest_interval_and_stretches_while_it_brings_nothing():
    sources = book(minimum=30, maximum=3600)
    home = sources.get(HOME, SITE + "/")
    sources.polled(home, at(0), news=1)
    assert home.interval == 30
    sources.polled(home, at(30), news=0)
    sources.polled(home, at(75), news=0)
    assert home.interval == 67.5  # 30 * 1.5 * 1.5
    sources.polled(home, at(150), news=2)
    assert home.interval == 48.75 and home.news_at == at(150) and home.news == 3
    index = sources.get(INDEX, SITE + "/sitemaps/all.xml")
    sources.polled(index, at(0), news=0)
    assert index.interval == 3600


def test_a_probed_page_is_judged_once_for_a_while():
    sources = book(probe_days=30)
    page = SITE + "/about-us"
    assert sources.probe_due(page, at(0))
    sources.judged(page, "not_listing", at(0))
    assert not sources.probe_due(page, at(86400)) and sources.probe_due(page, at(31 * 86400))
    sources.judged(SITE + "/region/levant", "listing", at(0))
    assert not sources.probe_due(SITE + "/region/levant", at(365 * 86400))  # a listing stays one


def test_a_run_cut_short_leaves_its_walks_due_again():
    sources = book()
    listing, tag = SITE + "/news/politics", SITE + "/tags/Gaza"
    sources.walked(LISTING, listing, at(0), cards=20, news=0, moments=[])
    sources.walked(TAG, tag, at(0), cards=3, news=0, moments=[])
    sources.judged(SITE + "/about-us", "not_listing", at(0))
    sources.forget_walks()
    assert [d["url"] for d in sources.dirty()] == [SITE + "/about-us"]


def test_validators_become_conditional_headers():
    sources = book()
    source = sources.get(HOME, SITE + "/")
    sources.fetched(source, at(0), 200, {"http_etag": '"e1"', "http_last_modified": "Sun, 06 Dec 2026 12:00:00 GMT"})
    assert source.validators == {"If-None-Match": '"e1"', "If-Modified-Since": "Sun, 06 Dec 2026 12:00:00 GMT"}
    sources.fetched(source, at(10), 304, {})  # a 304 keeps them
    assert source.validators["If-None-Match"] == '"e1"' and source.checked_at == at(10)

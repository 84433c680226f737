"""The model's options on their own: markup 2, no tawsiyat, unknown template, span days, validation."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.replica.model import SiteModel

BEIRUT = ZoneInfo("Asia/Beirut")
EPOCH1_LAST_DAY = date(2025, 11, 30)  # the replica's epoch 1 ends on 30 Nov 2025 (Beirut)


@pytest.fixture(scope="module")
def default():
    return SiteModel(seed=1, articles=300, epoch=1)


def test_markup_two_has_the_same_truth_and_sitemaps_but_fewer_listed(default):
    two = SiteModel(seed=1, articles=300, epoch=1, markup=2)
    assert two.truth() == default.truth()
    assert two.reachable("sitemaps") == default.reachable("sitemaps")
    assert two.reachable("listings") < default.reachable("listings")
    # tag listings still page (by rel=next links), so the tag path reaches as much as before
    assert two.reachable("tags") == default.reachable("tags")
    # under markup 2 a section listing shows 20 cards at most: home (24) + 19 sections + 3 groups + 8 regions
    assert len(two.reachable("listings")) <= 24 + (19 + 3 + 8) * 20


def test_markup_two_epoch_two_same_truth():
    one = SiteModel(seed=3, articles=120, epoch=2)
    two = SiteModel(seed=3, articles=120, epoch=2, markup=2)
    assert one.truth() == two.truth()


def test_no_tawsiyat_empties_countries_and_nothing_else(default):
    bare = SiteModel(seed=1, articles=300, epoch=1, no_tawsiyat=True)
    with_block = {d["url"]: d for d in default.truth()}
    docs = bare.truth()
    assert all(d["countries"] == [] for d in docs)
    assert sum(bool(d["countries"]) for d in with_block.values()) > 100
    for doc in docs:
        assert {**with_block[doc["url"]], "countries": []} == doc


def test_unknown_template_marks_at_least_three_and_says_generic(default):
    model = SiteModel(seed=1, articles=300, epoch=1, unknown_template=True)
    docs = {d["url"]: d for d in model.truth()}
    generic = {u for u, d in docs.items() if d["extraction"] == "generic"}
    assert len(generic) == 3  # 1 % of 300, at least 3
    assert set(model.variants["unknown_template"]) == generic
    assert not generic & (set(model.invalid) | set(model.duplicates) | set(model.duplicates.values()))
    plain = {d["url"]: d for d in default.truth()}
    for url, doc in docs.items():  # the text is the same; only how it is found changes
        assert {**doc, "extraction": "site"} == plain[url]
    assert "unknown_template" not in default.variants


def test_unknown_template_rate():
    model = SiteModel(seed=2, articles=400, epoch=1, unknown_template=0.05)
    assert len(model.variants["unknown_template"]) == 20
    again = SiteModel(seed=2, articles=400, epoch=1, unknown_template=0.05)
    assert model.variants["unknown_template"] == again.variants["unknown_template"]


def beirut_day(doc: dict) -> date:
    return doc["published_at"].astimezone(BEIRUT).date()


@pytest.mark.parametrize("days, articles", [(30, 300), (9, 60), (120, 500)])
def test_span_days_puts_epoch_one_in_the_span_with_a_gap(days, articles):
    model = SiteModel(seed=4, articles=articles, epoch=1, span_days=days)
    first_day = EPOCH1_LAST_DAY - timedelta(days=days - 1)
    gap_first, gap_last = model.gap
    assert first_day < gap_first and gap_last < EPOCH1_LAST_DAY
    assert (gap_last - gap_first).days + 1 >= 5
    per_day = Counter(beirut_day(d) for d in model.truth() if d["url"] not in model.invalid)
    assert min(per_day) >= first_day and max(per_day) <= EPOCH1_LAST_DAY
    gap_days = [gap_first + timedelta(days=k) for k in range((gap_last - gap_first).days + 1)]
    assert all(per_day[d] == 0 for d in gap_days)
    assert per_day[gap_first - timedelta(days=1)] >= 3 and per_day[gap_last + timedelta(days=1)] >= 3
    assert sum(per_day.values()) == articles - len(model.invalid)


def test_span_days_leaves_epoch_two_and_the_default_alone(default):
    model = SiteModel(seed=1, articles=300, epoch=2, span_days=30)
    added = [d for d in model.truth() if d["url"] in model.added(2)]
    assert added and all(beirut_day(d) >= date(2025, 12, 1) for d in added)
    assert default.gap is None
    assert min(beirut_day(d) for d in default.truth()) < date(2022, 3, 1)


@pytest.mark.parametrize("options", [
    {"markup": 3}, {"edition": "ar", "markup": 2}, {"edition": "fr"}, {"span_days": 5},
    {"sitemap_lastmod": "sometimes"}, {"epoch": 3},
])
def test_options_out_of_range_are_refused(options):
    with pytest.raises(ValueError):
        SiteModel(seed=1, articles=30, **options)

"""Site profiles: every fact says its evidence; the registry finds profiles by edition or host."""

from __future__ import annotations

import dataclasses
import re

import pytest

from newscrawl.site import ASSUMED, EVIDENCE_LEVELS, SEEN, SISTER, Fact, SiteProfile, assumed, seen
from newscrawl.sites import PROFILES, UnknownSite, get_profile, profile_for_host, profile_for_url

EN, AR = get_profile("en"), get_profile("ar")
FACT_NAMES = [f.name for f in dataclasses.fields(SiteProfile) if f.name not in ("key", "facts")]


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))
def test_every_fact_of_every_profile_carries_its_evidence(profile):
    assert set(profile.facts) == set(FACT_NAMES)
    for name, fact in profile.facts.items():
        assert isinstance(fact, Fact) and fact.evidence in EVIDENCE_LEVELS, name
        assert getattr(profile, name) is fact.value


def test_evidence_levels_as_site_md_gives_them():
    # seen on the English site (the seed page), sister (the Arabic edition), assumed (a guess)
    assert EN.evidence("host") == EN.evidence("date_shapes") == EN.evidence("ticker_item") == SEEN
    assert EN.evidence("details_box") == EN.evidence("sitemap_index_path") == EN.evidence("tawsiyat_selector") == SISTER
    assert EN.evidence("card_selectors") == EN.evidence("page_param") == EN.evidence("tag_path") == ASSUMED
    assert AR.evidence("details_box") == AR.evidence("sitemap_index_path") == SEEN  # where the sister facts come from
    assert AR.evidence("date_shapes") == AR.evidence("author_prefixes") == ASSUMED


def test_a_profile_refuses_a_fact_without_evidence_or_a_missing_one():
    facts = dict(EN.facts)
    with pytest.raises(TypeError, match="without evidence \\['host'\\]"):
        SiteProfile.define("x", **{**facts, "host": "example.org"})
    del facts["ticker_item"]
    with pytest.raises(TypeError, match="missing facts \\['ticker_item'\\]"):
        SiteProfile.define("x", **facts)
    with pytest.raises(ValueError):
        Fact("x", "guessed")


def test_an_observed_fact_is_a_one_line_change():
    observed = EN.replace(page_param=seen(None, "the live listings page by a script"))
    assert observed.page_param is None and observed.evidence("page_param") == SEEN
    assert observed.host == EN.host and EN.page_param == "page"  # the original is untouched


def test_the_registry_finds_profiles_by_edition_host_and_url():
    assert get_profile() is EN and get_profile("AR") is AR and get_profile("www.almayadeen.net") is AR
    assert profile_for_host("English.AlMayadeen.net:443") is EN and profile_for_host("example.org") is None
    assert profile_for_url("http://127.0.0.1:8000/x") is EN  # a mirror: the default edition
    assert profile_for_url("http://127.0.0.1:8000/x", default=AR) is AR
    with pytest.raises(UnknownSite, match="unknown edition or site 'fr'; known: en \\(english.almayadeen.net\\), "
                                          "ar \\(www.almayadeen.net\\)"):
        get_profile("fr")


@pytest.mark.parametrize("path, section", [
    ("/news/politics/blinken-calls-for-immediate-halt", "news/politics"),
    ("/articles/opinion/the-ukrainian-crisis:-a-second-look", "articles/opinion"),
    ("/infographs/a-chart", "infographs"),
    ("/news/politics", None), ("/tags/Gaza", None), ("/region/mena", None), ("/news/politics/a/b", None),
])
def test_english_article_paths(path, section):
    assert EN.section_of_path(path) == section


def test_arabic_patterns():
    assert AR.section_of_path("/news/politics/%D8%AD%D9%85%D8%AF--%D9%86") == "news/politics"
    assert AR.is_listing_path("/news/palestine") and not AR.is_listing_path("/region/mena")
    assert AR.page_param is None
    assert [m.group(0) for m in AR.date_shapes[0].finditer("نشر في ٣ تشرين الأول ٢٠٢٣ ٠٩:٠٥ اليوم")] == \
        ["٣ تشرين الأول ٢٠٢٣ ٠٩:٠٥"]
    assert AR.month_names["تشرين الأول"] == 10 and AR.month_names["آب"] == 8


def test_assumed_and_seen_helpers_make_facts():
    assert assumed(re.compile("x")).evidence == ASSUMED and seen(1, "note").note == "note"

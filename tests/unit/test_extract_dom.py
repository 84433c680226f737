"""The lxml helpers under extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from newscrawl.extract.dom import (
    asset_url, inside_any, link_url, parse_html, select, select_all, select_outside, select_within,
)

SEED = (Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.html").read_text(encoding="utf-8")
SITE = "https://english.almayadeen.net"
# selectors written out, as the English profile has them (the test is of the helpers, not the profile)
DETAILS_BOX, BODY_CONTAINER = "div.details-white-box", "div.p-content"


@pytest.mark.parametrize("css, excluded", [
    ("main figure", ("div.dual-related", "section.most-read", "section.read-next", "div.card", "div.video-player")),
    ("div.p-content p", ("div.dual-related", "blockquote.twitter-tweet", "figure")),
    ("a[href]", ("nav.main-nav", "ul.regions-list", "div.card")),
])
def test_select_outside_agrees_with_scanning_for_ancestors(css, excluded):
    root = parse_html(SEED)
    outside = select_all(root, excluded)
    expected = [e for e in select(root, css) if not inside_any(e, outside)]
    found = select_outside(root, css, excluded)
    assert found == expected
    assert 0 < len(found) < len(select(root, css))


def test_select_outside_with_a_combinator_falls_back_to_scanning():
    root = parse_html(SEED)
    found = select_outside(root, "main figure", ("section.most-read div.card", "div.article-media"))
    assert len(found) == 0  # the article figure and the most-read card figure are both excluded
    assert len(select_outside(root, "main figure", ("section.most-read div.card",))) == 1


def test_link_url():
    page = "http://127.0.0.1:8000/news/politics/x"
    assert link_url("/tags/A b/?utm_source=1", page) == SITE + "/tags/A%20b"
    assert link_url("https://twitter.com/x?s=1", page) == "https://twitter.com/x"
    assert [link_url(h, page) for h in ("", "#top", "mailto:a@b.c", "javascript:void(0)", None)] == [None] * 5


def test_asset_url_maps_only_the_mirror_host():
    page = "http://127.0.0.1:8000/news/politics/x"
    assert asset_url("/img/a.jpg?w=1", page, "english.almayadeen.net") == SITE + "/img/a.jpg?w=1"
    assert asset_url("/img/a.jpg", page) == "http://127.0.0.1:8000/img/a.jpg"  # no site named: kept
    assert asset_url("http://cdn.example.org/a.jpg", page) == "http://cdn.example.org/a.jpg"


def test_parse_html_of_nothing_is_none():
    assert parse_html("") is None and parse_html(b"  \n") is None and parse_html(None) is None


@pytest.mark.parametrize("scope_css, css", [
    (DETAILS_BOX, "div.details-white-box ul.byline li"),
    (DETAILS_BOX, "div.details-white-box h1"),
    (BODY_CONTAINER, "div.p-content div.dual-related a[href]"),
    (BODY_CONTAINER, "div.p-content p"),
    ("div.p-content", "div.tags-list a[href]"),  # not under the scope: searched in the whole page
])
def test_select_within_agrees_with_select(scope_css, css):
    root = parse_html(SEED)
    scopes = select(root, scope_css)
    assert select_within(root, css, scopes, scope_css) == select(root, css) != []


def test_select_within_does_not_match_the_scope_itself():
    root = parse_html('<div class="box"><div class="box"><p>x</p></div></div>')
    scopes = select(root, "div.box")
    assert select_within(root, "div.box div", scopes, "div.box") == select(root, "div.box div")
    assert len(select(root, "div.box div")) == 1


def test_body_in_nested_containers_is_read_once():
    from newscrawl.extract.body import read_body
    from newscrawl.sites import get_profile

    root = parse_html('<main><div class="p-content"><p>a</p><div class="p-content"><p>b</p></div></div></main>')
    assert read_body(root, SITE + "/news/politics/x", set(), get_profile("en")) == ("a\n\nb", [], True)

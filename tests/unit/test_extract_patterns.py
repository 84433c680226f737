"""Extraction by what things are, on markup no profile names: hand-written pages, literal expectations.

Every page here uses class names and elements the English profile does not know (SITE.md marks the
listing, nav, byline and pagination markup "assumed"): cards, dates, next links, nav links, the byline,
tags and figures must still be found by URL patterns, text prefixes and date shapes.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from newscrawl.extract.article import extract_article
from newscrawl.extract.listing import read_listing
from newscrawl.sites import get_profile

SITE = "https://english.almayadeen.net"
MIRROR = "http://127.0.0.1:8765"
EN, AR = get_profile("en"), get_profile("ar")


def page(main: str, head: str = "", chrome: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{head}</head><body>"
            f"<div class='top-bar'>{chrome}</div><div id='content'>{main}</div></body></html>")


TEASERS = """
<section class="grid">
  <article class="teaser">
    <a href="/news/politics/first-story?utm_source=grid"><img src="/x.png"></a>
    <h3><a href="/news/politics/first-story">Lebanon marks 13 April 1975 anniversary</a></h3>
    <time datetime="2025-11-10T01:05:00+02:00">10 November 2025</time>
  </article>
  <article class="teaser">
    <h3><a href="/articles/opinion/second-story/">Second</a></h3>
    <p class="when">Posted November 6, 2025</p>
  </article>
  <article class="teaser">
    <h3><a href="https://english.almayadeen.net/videos/tv/third-story">Third</a></h3>
  </article>
  <article class="teaser"><a href="/tags/Gaza">Gaza</a><a href="/news/politics">Politics</a></article>
</section>
"""


def test_cards_of_unknown_markup_by_article_url_pattern_with_their_dates():
    listing = read_listing(page(TEASERS), MIRROR + "/news/politics", EN)
    assert [(c.url, c.date) for c in listing.cards] == [
        (SITE + "/news/politics/first-story", date(2025, 11, 10)),  # the <time>, in Beirut; not the title's 1975
        (SITE + "/articles/opinion/second-story", date(2025, 11, 6)),  # month-first text
        (SITE + "/videos/tv/third-story", None),
    ]
    assert listing.sharpened_cards == 0  # no card was found by the profile's (assumed) class names
    assert listing.tags == [SITE + "/tags/Gaza"] and listing.listings == [SITE + "/news/politics"]


def test_a_date_in_one_card_is_never_taken_for_its_neighbour():
    html = page('<ul><li><a href="/news/politics/a">A</a></li>'
                '<li><a href="/news/politics/b">B</a><span>3 Jan 2024</span></li></ul>')
    assert [(c.url, c.date) for c in read_listing(html, SITE + "/", EN).cards] == [
        (SITE + "/news/politics/a", None), (SITE + "/news/politics/b", date(2024, 1, 3))]


def test_nav_without_a_nav_element_still_gives_every_listing():
    chrome = ('<div class="menu"><ul><li><a href="/news/politics">Politics</a></li><li><a href="/region/mena">MENA'
              '</a></li><li><a href="/live">LIVE</a></li><li><a href="/news">News</a></li></ul></div>')
    listing = read_listing(page("", chrome=chrome), MIRROR + "/", EN)
    assert listing.listings == [SITE + "/news/politics", SITE + "/region/mena"]
    assert listing.cards == []


@pytest.mark.parametrize("head, main, expected", [
    ('<link rel="next" href="/tags/Gaza?pg=2">', "", SITE + "/tags/Gaza?pg=2"),
    ("", '<a rel="next" href="?pg=3">›</a>', SITE + "/tags/Gaza?pg=3"),
    ("", '<div class="pager"><a href="/tags/Gaza?page=2"> Next </a></div>', SITE + "/tags/Gaza?page=2"),
    ("", '<button class="loadmorebtn" data-page="2">Load more</button>', None),  # script-driven: no address
    ("", '<a href="/tags/Other?page=2">Next</a>', None),  # another listing's next page
    ("", '<a href="/tags/Gaza">Next</a>', None),  # this very page
])
def test_explicit_next_page(head, main, expected):
    assert read_listing(page(main, head), MIRROR + "/tags/Gaza", EN).next_url == expected


ARTICLE_URL = SITE + "/news/politics/blinken-calls-for-immediate-halt"


def article(byline: str, extra: str = "") -> str:
    return page(f"""
<article>
  <div class="details-white-box">
    <h1>Blinken calls for immediate halt</h1>
    {byline}
  </div>
  <p class="lg_para summary">The lead.</p>
  <div class="hero"><figure><img src="/p.png" data-src="/Content/a.jpg"><figcaption>Blinken speaks (AP Photo/X)
  </figcaption></figure></div>
  <div class="p-content"><p>The first paragraph of the body has words.</p><p>The second one too.</p></div>
  <ul class="keywords"><li><a href="/tags/Armenia">Armenia</a></li><li><a href="/tags/US">US</a></li></ul>
  <div class="popular"><div><a href="/news/politics/other"><figure><img data-src="/Content/card.jpg">
  <figcaption>Other (AMN)</figcaption></figure>Other story</a><a href="/tags/Card%20Tag">Card Tag</a></div></div>
  {extra}
</article>""")


@pytest.mark.parametrize("byline", [
    '<div class="post-meta"><p class="writer">By <a href="/author/jd">Jane Doe</a> and John Roe</p>'
    '<p>Source: Agencies</p><time>13 Sep 2022 19:36</time></div><div class="reading">3 Min Read</div>',
    '<p class="meta">By Jane Doe and John Roe | Source: Agencies | 13 Sep 2022 19:36</p><span>3 Min Read</span>',
    '<ul class="byline"><li>By Jane Doe, John Roe</li><li>Source: Agencies</li><li>13 Sep 2022 19:36</li></ul>'
    '<span class="read-time">3 Min Read</span>',
])
def test_byline_by_its_text_in_any_markup(byline):
    fields = extract_article(article(byline), ARTICLE_URL, EN).fields
    assert fields["authors"] == ["Jane Doe", "John Roe"]
    assert fields["source"] == "Agencies"
    assert fields["published_at"] == datetime(2022, 9, 13, 16, 36, tzinfo=timezone.utc)  # 19:36 Beirut (UTC+3)
    assert fields["reading_minutes"] == 3
    assert fields["extraction"] == "site"


def test_tags_and_figures_of_unknown_markup_leave_other_articles_cards_out():
    fields = extract_article(article("<p>By Jane Doe</p><p>13 Sep 2022 19:36</p>"), MIRROR + "/news/politics/x", EN).fields
    assert fields["tags"] == ["Armenia", "US"]
    assert fields["images"] == [{"url": SITE + "/Content/a.jpg", "caption": "Blinken speaks", "credit": "AP Photo/X"}]
    assert fields["source"] is None and fields["body"] == "The first paragraph of the body has words.\n\nThe second one too."


def test_a_body_in_an_unknown_container_comes_from_the_generic_fallback_marked():
    html = article("<p>By Jane Doe</p><p>13 Sep 2022 19:36</p>").replace(
        '<div class="p-content">', '<div class="article-text">')
    extraction = extract_article(html, ARTICLE_URL, EN)
    assert extraction.fields["extraction"] == "generic" and extraction.generic == ["body"]
    assert "The first paragraph of the body has words." in extraction.fields["body"]
    assert "The lead." not in extraction.fields["body"]
    assert extraction.fields["title"] == "Blinken calls for immediate halt"  # the site's rules still serve the rest


def test_an_empty_body_container_is_an_empty_body_not_a_fallback():
    html = article("<p>By Jane Doe</p><p>13 Sep 2022 19:36</p>").replace(
        "<p>The first paragraph of the body has words.</p><p>The second one too.</p>", "<p>Read more: x</p>")
    extraction = extract_article(html, ARTICLE_URL, EN)
    assert extraction.fields["body"] == "" and extraction.fields["extraction"] == "site"


AR_URL = "https://www.almayadeen.net/news/politics/%D8%AD%D9%85%D8%AF-%D9%84%D9%84"


def test_arabic_visible_page():
    html = page("""
<div class="details-white-box"><h2>عنوان الخبر</h2>
<ul><li>بقلم علي حسن، سارة أحمد</li><li>المصدر: وكالات</li><li>١٣ أيلول ٢٠٢٢ ١٩:٣٦</li></ul>
<span>٤ دقائق قراءة</span></div>
<div class="p-content"><p>الفقرة الأولى من النص، مع علامات الترقيم؟</p><p>اقرأ أيضاً: <a href="/news/politics/x">خبر</a></p></div>
""").replace("lang='en'", "lang='ar' dir='rtl'")
    fields = extract_article(html, AR_URL, AR).fields
    assert fields["site"] == "www.almayadeen.net" and fields["lang"] == "ar"
    assert fields["title"] == "عنوان الخبر"
    assert fields["authors"] == ["علي حسن", "سارة أحمد"] and fields["source"] == "وكالات"
    assert fields["published_at"] == datetime(2022, 9, 13, 16, 36, tzinfo=timezone.utc)
    assert fields["reading_minutes"] == 4
    assert fields["body"] == "الفقرة الأولى من النص، مع علامات الترقيم؟"
    assert fields["related_urls"] == ["https://www.almayadeen.net/news/politics/x"]
    assert fields["section"] == "news/politics" and fields["category"] == "سياسة"

"""extract.ticker: rendered HTML -> ticker lines, normalised and canonical."""

from __future__ import annotations

from newscrawl.extract.ticker import extract_ticker

PAGE = "http://127.0.0.1:8123/news/politics"


def rendered(*items: str) -> str:
    return (
        '<html><body><div id="ticker" data-source="/api/breaking.json">'
        + "".join(items)
        + "</div></body></html>"
    )


def test_empty_container_as_served_yields_nothing():
    assert extract_ticker(rendered(), PAGE) == []


def test_linked_line_maps_the_mirror_host_to_the_site_and_drops_query():
    html = rendered('<div class="ticker__item"><a href="/news/politics/some-story/?utm_source=ticker">'
                    "Berri:&nbsp;The  talks\n  resume</a></div>")
    assert extract_ticker(html, PAGE) == [{
        "text": "Berri: The talks resume",
        "url": "https://english.almayadeen.net/news/politics/some-story",
    }]


def test_absolute_site_link_stays_canonical():
    html = rendered('<div class="ticker__item"><a href="https://English.Almayadeen.net/news/x/">X</a></div>')
    assert extract_ticker(html, PAGE)[0]["url"] == "https://english.almayadeen.net/news/x"


def test_line_without_link_has_no_url():
    html = rendered('<div class="ticker__item"><span>UN envoy: &quot;Israel&quot; &amp; the talks</span></div>')
    assert extract_ticker(html, PAGE) == [{"text": 'UN envoy: "Israel" & the talks', "url": None}]


def test_placeholder_hrefs_are_not_links():
    html = rendered('<div class="ticker__item"><a href="#">A</a></div>',
                    '<div class="ticker__item"><a href="javascript:void(0)">B</a></div>')
    assert [line["url"] for line in extract_ticker(html, PAGE)] == [None, None]


def test_order_kept_and_repeated_or_blank_lines_dropped():
    html = rendered('<div class="ticker__item"><span>First</span></div>',
                    '<div class="ticker__item"><span> </span></div>',
                    '<div class="ticker__item"><span>Second</span></div>',
                    '<div class="ticker__item"><span>First </span></div>')
    assert [line["text"] for line in extract_ticker(html, PAGE)] == ["First", "Second"]


def test_bytes_input_and_non_latin_text():
    text = "صنعاء: غارات  جديدة"
    html = rendered(f'<div class="ticker__item"><span>{text}</span></div>').encode("utf-8")
    assert extract_ticker(html, PAGE) == [{"text": "صنعاء: غارات جديدة", "url": None}]


def test_text_split_across_inline_elements_reads_as_the_browser_shows_it():
    html = rendered('<div class="ticker__item"><a href="/a"><b>US</b>-led strikes <i>on</i> Sanaa</a></div>')
    assert extract_ticker(html, PAGE)[0]["text"] == "US-led strikes on Sanaa"


def test_arabic_ticker_lines_by_the_arabic_selector_with_the_link_around_them():
    from newscrawl.sites import get_profile

    html = ('<html><body><div id="ticker-box"><ul>'
            '<li><a href="/news/politics/%D8%AE%D8%A8%D8%B1?utm_source=t"><div class="ticker-item">'
            '<span class="ticker-text">\u200fعاجل: غارات على صنعاء</span></div></a></li>'
            '<li><div class="ticker-item"><span class="ticker-text">بري: لا حل إلا بالوحدة</span></div></li>'
            '</ul></div><div class="ticker__item">an English line, not this edition\'s</div></body></html>')
    assert extract_ticker(html, "http://127.0.0.1:8123/", get_profile("ar")) == [
        {"text": "عاجل: غارات على صنعاء", "url": "https://www.almayadeen.net/news/politics/%D8%AE%D8%A8%D8%B1"},
        {"text": "بري: لا حل إلا بالوحدة", "url": None},
    ]

"""Home, section, region and tag listing pages, newest first, in each markup's card shape and paging.

English markup 1: div.listing > div.card, ?page=N with a Next link, an empty page past the end.
English markup 2: section.grid > article.teaser (an image link with a tracking query and a title link);
section and region listings show their first page and a script-driven "load more" button; tag listings
page by ?pg=N behind rel="next" links. Arabic: .news-item cards (h3 inside the link) and "load more".
"""

from __future__ import annotations

import zlib
from urllib.parse import quote

from tests.replica import clock
from tests.replica.facts import ENGLISH, NEXT_PAGE_PARAM_MARKUP2, PLACEHOLDER_PATH, REGION_PREFIX, TAG_PREFIX, Edition
from tests.replica.heads import Head
from tests.replica.markup import attr, chrome, tawsiyat, text
from tests.replica.render_article import card_date, card_image


def card_href(head: Head, key: str, seed: int) -> str:
    """Mostly relative; some absolute, some with tracking or a trailing slash (same article);
    Arabic links also with the slug's letters unencoded."""
    style = zlib.crc32(f"{seed}|{key}|{head.index}".encode()) % 20
    if style == 0:
        return head.url
    if style == 1:
        return head.path + "?utm_source=listing&utm_campaign=home"
    if style == 2:
        return head.path + "/"
    if head.edition.code == "ar" and style < 11:
        return head.raw_path
    return head.path


def card(head: Head, key: str, seed: int) -> str:
    return (f'    <div class="card"><a class="card__link" href="{attr(card_href(head, key, seed))}">'
            f'<h3 class="card__title">{text(head.title)}</h3></a>'
            f'<span class="card__section">{text(head.edition.sections[head.section])}</span>'
            f'<span class="card__date">{clock.card(head.published)}</span></div>\n')


def linkless_card(head: Head, key: str, seed: int) -> str:
    """--markup-change listings: the card without any <a href>; a script navigates to its data-href."""
    return (f'    <div class="card" data-href="{attr(card_href(head, key, seed))}" role="link" tabindex="0">'
            f'<span class="card__title">{text(head.title)}</span>'
            f'<span class="card__section">{text(head.edition.sections[head.section])}</span>'
            f'<span class="card__date">{clock.card(head.published)}</span></div>\n')


CARD_SCRIPT = ("  <script>document.querySelectorAll('.card[data-href]').forEach(function (card) {\n"
               "    card.addEventListener('click', function () { window.location.href = card.getAttribute('data-href'); });\n"
               "  });</script>\n")


def empty_notice(edition: Edition) -> str:
    """What a section listing without any article says (--empty-section)."""
    return f'  <p class="listing-empty">{text(edition.empty_listing)}</p>\n'


def teaser(head: Head, key: str, seed: int) -> str:
    """Markup 2's card: two anchors to the same article, the image one with a tracking query."""
    return (f'    <article class="teaser">\n'
            f'      <a class="teaser__media" href="{attr(head.path)}?utm_source=grid&amp;utm_medium=image">'
            f'<img src="{PLACEHOLDER_PATH}" data-src="{card_image(head)}" alt=""></a>\n'
            f'      <div class="teaser__body"><span class="teaser__cat">{text(head.edition.sections[head.section])}</span>'
            f'<h2 class="teaser__title"><a href="{attr(card_href(head, key, seed))}">{text(head.title)}</a></h2>'
            f'<time datetime="{clock.iso(head.published)}">{clock.long_date(head.published)}</time></div>\n'
            f"    </article>\n")


def news_item(head: Head, key: str, seed: int) -> str:
    """The Arabic edition's card (sister): .news-item, the h3 title inside the link."""
    return (f'    <div class="news-item"><a href="{attr(card_href(head, key, seed))}">'
            f'<img src="{PLACEHOLDER_PATH}" data-src="{card_image(head)}" alt=""><h3>{text(head.title)}</h3></a>'
            f'<span class="news-item__date">{card_date(head)}</span></div>\n')


def label_of(key: str, edition: Edition) -> str:
    if key == "/":
        return edition.name
    if key.startswith("tag:"):
        return key[4:]
    if key.startswith(REGION_PREFIX):
        return edition.regions[key[len(REGION_PREFIX):]]
    return edition.sections.get(key[1:]) or edition.nav_groups[key[1:]]


def path_of(key: str) -> str:
    return TAG_PREFIX + quote(key[4:]) if key.startswith("tag:") else key


def page_metadata(key: str, edition: Edition, no_tawsiyat: bool) -> str:
    if no_tawsiyat:
        return ""
    label = edition.name if key == "/" else label_of(key, edition)
    return tawsiyat({"type": "page", "postid": "", "title": label, "url": edition.url + path_of(key),
                     "lang": edition.lang, "html": "", "lite_url": ""}) + "\n"


def render_listing(key: str, heads: list[Head], page_no: int, page_size: int, seed: int,
                   edition: Edition | None = None, no_tawsiyat: bool = False, *, empty: bool = False,
                   linkless: bool = False) -> str:
    """Markup 1: ?page=N, a Next link while more remain, an empty page past the end. ``empty``: the section
    has no article at all (a notice says so); ``linkless``: cards without links (--markup-change listings)."""
    edition = edition or ENGLISH
    label = label_of(key, edition)
    chunk = heads[(page_no - 1) * page_size: page_no * page_size]
    draw = linkless_card if linkless else card
    main = [f'  <h1 class="listing-title">{text(label)}</h1>\n', empty_notice(edition) if empty else "",
            '  <div class="listing">\n', *(draw(h, key, seed) for h in chunk), "  </div>\n"]
    if linkless and chunk:
        main.append(CARD_SCRIPT)
    if page_no * page_size < len(heads):
        main.append(f'  <nav class="pagination"><a class="pagination__next" '
                    f'href="{attr(path_of(key))}?page={page_no + 1}">Next</a></nav>\n')
    return chrome(edition, 1).page(f"{label} | {edition.name}", "".join(main),
                                   page_metadata(key, edition, no_tawsiyat))


def load_more(edition: Edition, more: bool) -> str:
    return f'  <button class="loadmorebtn" data-page="2">{text(edition.load_more)}</button>\n' if more else ""


def render_listing_markup2(key: str, heads: list[Head], page_no: int, page_size: int, seed: int,
                           edition: Edition, no_tawsiyat: bool = False, paged: bool = False, *,
                           empty: bool = False) -> str:
    """Markup 2: ``paged`` (tag listings) by ?pg=N behind rel=next links; the others page 1 and "load more"."""
    label = label_of(key, edition)
    page_no = page_no if paged else 1
    chunk = heads[(page_no - 1) * page_size: page_no * page_size]
    more = page_no * page_size < len(heads)
    main = [f'  <h1 class="page-heading">{text(label)}</h1>\n', empty_notice(edition) if empty else "",
            '  <section class="grid">\n',
            *(teaser(h, key, seed) for h in chunk), "  </section>\n"]
    head = page_metadata(key, edition, no_tawsiyat)
    if paged:
        param = NEXT_PAGE_PARAM_MARKUP2
        links = []
        if page_no > 1:
            links.append(f'<a rel="prev" href="{attr(path_of(key))}?{param}={page_no - 1}">Previous</a>')
        if more:
            links.append(f'<a rel="next" href="{attr(path_of(key))}?{param}={page_no + 1}">Next</a>')
            head += f'<link rel="next" href="{attr(edition.url + path_of(key))}?{param}={page_no + 1}">\n'
        if links:
            main.append(f'  <div class="pager">{" ".join(links)}</div>\n')
    else:
        main.append(load_more(edition, more))
    return chrome(edition, 2).page(f"{label} | {edition.name}", "".join(main), head)


def render_listing_arabic(key: str, heads: list[Head], page_size: int, seed: int, edition: Edition,
                          no_tawsiyat: bool = False, *, empty: bool = False) -> str:
    """Arabic: the first page of .news-item cards and a "load more" button; ?page= is ignored."""
    label = label_of(key, edition)
    main = [f'  <h1 class="section-title">{text(label)}</h1>\n', empty_notice(edition) if empty else "",
            '  <div class="news-list">\n',
            *(news_item(h, key, seed) for h in heads[:page_size]), "  </div>\n",
            load_more(edition, len(heads) > page_size)]
    return chrome(edition, 1).page(f"{label} | {edition.name}", "".join(main),
                                   page_metadata(key, edition, no_tawsiyat))


def render_home(heads: list[Head], seed: int, edition: Edition | None = None, markup: int = 1,
                no_tawsiyat: bool = False) -> str:
    edition = edition or ENGLISH
    if edition.code == "ar":
        main = ['  <div class="news-list">\n', *(news_item(h, "/", seed) for h in heads), "  </div>\n"]
    elif markup == 2:
        main = ['  <section class="grid">\n', *(teaser(h, "/", seed) for h in heads), "  </section>\n"]
    else:
        main = ['  <div class="listing">\n', *(card(h, "/", seed) for h in heads), "  </div>\n"]
    return chrome(edition, markup).page(edition.name, "".join(main), page_metadata("/", edition, no_tawsiyat))

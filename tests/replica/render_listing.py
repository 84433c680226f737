"""Home, section, region and tag listing pages (newest first, ?page=N)."""

from __future__ import annotations

import zlib
from urllib.parse import quote

from tests.replica import clock
from tests.replica.facts import ENGLISH
from tests.replica.heads import Head
from tests.replica.markup import attr, page, tawsiyat, text


def card_href(head: Head, key: str, seed: int) -> str:
    """Mostly relative; some absolute, some with tracking or a trailing slash (same article)."""
    style = zlib.crc32(f"{seed}|{key}|{head.index}".encode()) % 20
    if style == 0:
        return head.url
    if style == 1:
        return head.path + "?utm_source=listing&utm_campaign=home"
    if style == 2:
        return head.path + "/"
    return head.path


def card(head: Head, key: str, seed: int) -> str:
    return (f'    <div class="card"><a class="card__link" href="{attr(card_href(head, key, seed))}">'
            f'<h3 class="card__title">{text(head.title)}</h3></a>'
            f'<span class="card__section">{text(ENGLISH.sections[head.section])}</span>'
            f'<span class="card__date">{clock.card(head.published)}</span></div>\n')


def label_of(key: str) -> str:
    if key == "/":
        return ENGLISH.name
    if key.startswith("tag:"):
        return key[4:]
    if key.startswith("/region/"):
        return ENGLISH.regions[key[len("/region/"):]]
    return ENGLISH.sections.get(key[1:]) or ENGLISH.nav_groups[key[1:]]


def path_of(key: str) -> str:
    return "/tags/" + quote(key[4:]) if key.startswith("tag:") else key


def render_listing(key: str, heads: list[Head], page_no: int, page_size: int, seed: int) -> str:
    label = label_of(key)
    chunk = heads[(page_no - 1) * page_size: page_no * page_size]
    main = [f'  <h1 class="listing-title">{text(label)}</h1>\n', '  <div class="listing">\n',
            *(card(h, key, seed) for h in chunk), "  </div>\n"]
    if page_no * page_size < len(heads):
        main.append(f'  <nav class="pagination"><a class="pagination__next" '
                    f'href="{attr(path_of(key))}?page={page_no + 1}">Next</a></nav>\n')
    meta = tawsiyat({"type": "page", "postid": "", "title": label, "url": ENGLISH.url + path_of(key),
                     "lang": ENGLISH.lang, "html": "", "lite_url": ""})
    return page(f"{label} | {ENGLISH.name}", "".join(main), meta + "\n")


def render_home(heads: list[Head], seed: int) -> str:
    main = ['  <div class="listing">\n', *(card(h, "/", seed) for h in heads), "  </div>\n"]
    meta = tawsiyat({"type": "page", "postid": "", "title": ENGLISH.name, "url": ENGLISH.url + "/",
                     "lang": ENGLISH.lang, "html": "", "lite_url": ""})
    return page(ENGLISH.name, "".join(main), meta + "\n")

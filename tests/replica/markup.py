"""HTML pieces shared by every page: the shell, the chrome, escaping.

English markup 1's chrome is copied from the seed page; markup 2's (a redesign) and the Arabic
edition's are written here from the same facts, with links to the same paths.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from tests.replica.facts import ENGLISH, REGION_PREFIX, SECTIONS_EN, TICKER_API_PATH, TICKER_SCRIPT_PATH, Edition

SEED_PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.html"
_seed = SEED_PAGE.read_text(encoding="utf-8")
HEADER = re.search(r'<header class="site-header">.*?</header>', _seed, re.S).group(0)
FOOTER = re.search(r'<footer class="site-footer">.*?</footer>', _seed, re.S).group(0)
CRLF = "\r\n"


def attr(value: str) -> str:
    return html.escape(value or "", quote=True)


def text(value: str, style: int = 0) -> str:
    """Text as the CMS writes it: always &amp; &lt; &gt;; by style, quotes and spaces as entities too."""
    out = (value or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = out.replace("\u00a0", "&nbsp;")
    if style % 2:
        out = out.replace('"', "&quot;")
    if style % 3 == 1:
        out = out.replace("’", "&rsquo;").replace("“", "&ldquo;").replace("”", "&rdquo;")
    return out


def tawsiyat(metadata: dict, broken: bool = False) -> str:
    body = json.dumps(metadata, indent=4, ensure_ascii=False).replace("\n", CRLF)
    if broken:  # cut before the closing brace, leaving a dangling comma: not JSON any more
        body = body.rstrip("}").rstrip() + ","
    return f'<script id="tawsiyat-metadata" type="text/tawsiyat">{CRLF}{body}{CRLF}</script>'


def li_links(links: list[tuple[str, str]], pad: str) -> str:
    return "".join(f'{pad}<li><a href="{attr(href)}">{text(label)}</a></li>\n' for href, label in links)


def header_markup2(edition: Edition) -> str:
    """The redesign's chrome: no <nav>, no main-nav, no regions-list; the same paths."""
    groups = []
    for group, label in edition.nav_groups.items():
        subs = [(f"/{s}", name) for s, name in edition.sections.items() if s.startswith(group + "/")]
        groups.append(f'      <li class="has-sub"><a href="/{group}">{text(label)}</a>\n        <ul class="sub-menu">\n'
                      f'{li_links(subs, "          ")}        </ul>\n      </li>\n')
    flat = [(f"/{s}", name) for s, name in edition.sections.items() if "/" not in s]
    regions = [(f"{REGION_PREFIX}{r}", name) for r, name in edition.regions.items()]
    return (
        '<div class="top-bar">\n'
        f'  <a class="brand" href="/">{text(edition.name)}</a>\n'
        '  <div class="langs"><a href="https://www.almayadeen.net/">Ar</a> <a href="https://espanol.almayadeen.net/">Es</a></div>\n'
        '  <div class="menu-wrapper">\n    <ul class="menu">\n' + "".join(groups) + li_links(flat, "      ")
        + '      <li class="live-link"><a href="/live">&bull; LIVE</a></li>\n    </ul>\n  </div>\n'
        '  <div class="region-menu"><span class="region-menu__title">Regions</span>\n    <ul class="areas">\n'
        + li_links(regions, "      ") + "    </ul>\n  </div>\n"
        # the ticker box is kept as in markup 1: its items (.ticker__item) are seen, and the script fills it
        f'  <div class="breaking-ticker"><span class="breaking-label">BREAKING</span><div id="ticker" class="ticker" '
        f'data-source="{TICKER_API_PATH}"></div></div>\n</div>'
    )


FOOTER_MARKUP2 = ('<div class="footer">\n  <p>Al Mayadeen is an Arab Independent Media Satellite Channel.</p>\n'
                  '  <div class="footer-links"><a href="/privacy-policy">Privacy Policy</a> <a href="/about-us">About Us</a> '
                  '<a href="/contact-us">Contact Us</a> <a href="/authors">Authors</a></div>\n</div>')


def relabel_header(header: str, sections: dict[str, str]) -> str:
    """Markup 1's chrome (the seed page's) with the nav's section links saying ``sections``' labels."""
    for path, label in SECTIONS_EN.items():
        link = f'<a href="/{path}">{text(label)}</a>'
        if link not in header:
            raise ValueError(f"the seed page's nav has no link {link}")
        header = header.replace(link, f'<a href="/{path}">{text(sections[path])}</a>')
    return header


def header_arabic(edition: Edition) -> str:
    """The Arabic edition's chrome: language links, the section nav, the ticker box (#ticker-box, sister).
    With regions (--unknown-listings), the nav also links the region listings, in a list of its own."""
    sections = [("/", edition.home_label)] + [(f"/{s}", name) for s, name in edition.sections.items()]
    regions = ""
    if edition.regions:
        links = [(f"{REGION_PREFIX}{r}", name) for r, name in edition.regions.items()]
        regions = '    <ul class="regions-menu">\n' + li_links(links, "      ") + "    </ul>\n"
    return (
        '<header class="site-header">\n'
        f'  <a class="logo" href="/">{text(edition.name)}</a>\n'
        '  <ul class="lang-links"><li><a href="https://english.almayadeen.net/">En</a></li>'
        '<li><a href="https://espanol.almayadeen.net/">Es</a></li></ul>\n'
        '  <nav class="main-nav">\n    <ul>\n' + li_links(sections, "      ") + "    </ul>\n" + regions + "  </nav>\n"
        f'  <div id="ticker-box" data-source="{TICKER_API_PATH}"><span class="ticker-title">عاجل</span><ul></ul></div>\n'
        "</header>"
    )


FOOTER_ARABIC = ('<footer class="site-footer">\n  <p>الميادين قناة فضائية عربية إعلامية مستقلة.</p>\n'
                 '  <p>جميع الحقوق محفوظة</p>\n</footer>')


class Chrome:
    """The shell of every page of one edition and markup."""

    def __init__(self, edition: Edition, markup: int):
        self.edition = edition
        lang = f'lang="{edition.lang}"' + (f' dir="{edition.direction}"' if edition.code == "ar" else "")
        self.html_open = f"<html {lang}>"
        if edition.code == "ar":
            self.header, self.footer, self.main = header_arabic(edition), FOOTER_ARABIC, ("<main>", "</main>")
        elif markup == 2:
            self.header, self.footer = header_markup2(edition), FOOTER_MARKUP2
            self.main = ('<div class="page-body">', "</div>")
        else:
            header = HEADER if edition.sections == SECTIONS_EN else relabel_header(HEADER, edition.sections)
            self.header, self.footer, self.main = header, FOOTER, ("<main>", "</main>")

    def page(self, title: str, main: str, head: str = "") -> str:
        return (
            "<!DOCTYPE html>\n"
            f'{self.html_open}\n<head>\n<meta charset="utf-8">\n'
            f"<title>{text(title)}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{head}</head>\n<body>\n{self.header}\n{self.main[0]}\n{main}{self.main[1]}\n{self.footer}\n"
            f'<script src="{TICKER_SCRIPT_PATH}"></script>\n</body>\n</html>\n'
        )

    def not_found(self) -> str:
        e = self.edition
        return self.page(f"{e.not_found_title} | {e.name}",
                         f'  <div class="not-found"><h1>{text(e.not_found_title)}</h1><p>{text(e.not_found_text)}</p>'
                         f'<p><a href="/">{text(e.back_home)}</a></p></div>\n')


_CHROMES: dict[tuple[str, int], Chrome] = {}


def chrome(edition: Edition = ENGLISH, markup: int = 1) -> Chrome:
    key = (edition.code, markup, edition.variant)
    if key not in _CHROMES:
        _CHROMES[key] = Chrome(edition, markup)
    return _CHROMES[key]


def page(title: str, main: str, head: str = "") -> str:
    """English markup 1's page (the seed page's shell)."""
    return chrome().page(title, main, head)


def not_found() -> str:
    return chrome().not_found()


CLOUDFLARE_BLOCK = """<!DOCTYPE html>
<html lang="en-US">
<head>
<title>Attention Required! | Cloudflare</title>
<meta charset="UTF-8">
<meta name="robots" content="noindex, nofollow">
</head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="cf-error-details-wrapper">
    <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
    <h2 class="cf-subheadline">You are unable to access english.almayadeen.net</h2>
    <p>This website is using a security service to protect itself from online attacks.</p>
    <p>Cloudflare Ray ID: <strong class="font-semibold">8f1c2d3e4a5b6c7d</strong></p>
  </div>
</div>
</body>
</html>
"""

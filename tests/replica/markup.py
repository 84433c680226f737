"""HTML pieces shared by every page: the shell, the chrome (copied from the seed page), escaping."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from tests.replica.facts import ENGLISH

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


def page(title: str, main: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{ENGLISH.lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{head}</head>\n<body>\n{HEADER}\n<main>\n{main}</main>\n{FOOTER}\n"
        '<script src="/static/ticker.js"></script>\n</body>\n</html>\n'
    )


def not_found() -> str:
    return page(f"Page not found | {ENGLISH.name}",
                '  <div class="not-found"><h1>Page not found</h1><p>The page you requested does not exist.</p>'
                '<p><a href="/">Back to the home page</a></p></div>\n')


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

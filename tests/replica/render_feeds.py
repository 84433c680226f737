"""Sitemaps, robots.txt, the ticker's JSON and script, the placeholder image."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from xml.sax.saxutils import escape

from tests.replica import clock
from tests.replica.facts import ENGLISH, SITEMAP_INDEX_PATH, SITEMAP_MONTH_PATH, Edition
from tests.replica.heads import Head

XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XMLNS_NEWS = "http://www.google.com/schemas/sitemap-news/0.9"  # Google News sitemaps (--sitemap-news)


def sitemap_index(months: dict[tuple[int, int], list[Head]], epoch: int, edition: Edition = ENGLISH,
                  lastmods: dict[tuple[int, int], datetime] | None = None) -> str:
    """Each month's file with the newest lastmod of its articles (``lastmods`` when already known)."""
    rows = []
    for (year, month), heads in months.items():
        loc = edition.url + SITEMAP_MONTH_PATH.format(year=year, month=month)
        lastmod = lastmods[(year, month)] if lastmods else max(h.lastmod(epoch) for h in heads)
        rows.append(f"  <sitemap><loc>{escape(loc)}</loc><lastmod>{clock.iso(lastmod)}</lastmod></sitemap>\n")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{XMLNS}">\n'
            + "".join(rows) + "</sitemapindex>\n")


def sitemap_month(heads: list[Head], epoch: int, built: datetime | None = None, news: bool = False,
                  lastmod=None) -> str:
    """Each article with its own lastmod; with ``built``, every entry stamped with that one instant
    (as CMSs that write the file's build time do), so an entry can be newer than its file's lastmod.
    ``news``: each entry also carries Google News' <news:publication_date>; ``lastmod(head)``, when given,
    is an entry's own lastmod (released articles)."""
    if news:
        rows = [f"  <url><loc>{escape(h.url)}</loc><lastmod>{clock.iso(built or (lastmod or entry_lastmod(epoch))(h))}"
                f"</lastmod><news:news><news:publication_date>{clock.iso(h.published)}</news:publication_date>"
                f"</news:news></url>\n" for h in heads]
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}" xmlns:news="{XMLNS_NEWS}">\n'
                + "".join(rows) + "</urlset>\n")
    if lastmod is not None:
        rows = [f"  <url><loc>{escape(h.url)}</loc><lastmod>{clock.iso(built or lastmod(h))}</lastmod></url>\n"
                for h in heads]
    else:
        rows = [f"  <url><loc>{escape(h.url)}</loc><lastmod>{clock.iso(built or h.lastmod(epoch))}</lastmod></url>\n"
                for h in heads]
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{XMLNS}">\n' + "".join(rows) + "</urlset>\n"


def entry_lastmod(epoch: int):
    return lambda h: h.lastmod(epoch)


def robots(edition: Edition = ENGLISH) -> str:
    return f"""User-agent: *
Allow: /
Disallow: /search
Disallow: /live

Sitemap: {edition.url}{SITEMAP_INDEX_PATH}
"""


ROBOTS = robots()


def breaking_json(lines: list[dict]) -> str:
    return json.dumps({"items": [{"text": line["raw"], "url": line["href"]} for line in lines]}, ensure_ascii=False)


TICKER_JS = """(function () {
  // fills the BREAKING ticker after load; the HTML itself carries no items
  var box = document.querySelector('#ticker[data-source]');
  if (!box) { return; }
  fetch(box.getAttribute('data-source'), {headers: {'Accept': 'application/json'}})
    .then(function (resp) { return resp.json(); })
    .then(function (data) {
      (data.items || []).forEach(function (item) {
        var div = document.createElement('div');
        div.className = 'ticker__item';
        if (item.url) {
          var a = document.createElement('a');
          a.setAttribute('href', item.url);
          a.innerHTML = item.text;
          div.appendChild(a);
        } else {
          var span = document.createElement('span');
          span.innerHTML = item.text;
          div.appendChild(span);
        }
        box.appendChild(div);
      });
      box.setAttribute('data-loaded', 'true');
    });
})();
"""

# the Arabic edition's ticker: #ticker-box ul li .ticker-item .ticker-text (sister), filled the same way
TICKER_JS_ARABIC = """(function () {
  // fills the breaking ticker after load; the HTML itself carries no items
  var box = document.querySelector('#ticker-box[data-source]');
  if (!box) { return; }
  var list = box.querySelector('ul');
  fetch(box.getAttribute('data-source'), {headers: {'Accept': 'application/json'}})
    .then(function (resp) { return resp.json(); })
    .then(function (data) {
      (data.items || []).forEach(function (item) {
        var li = document.createElement('li');
        var div = document.createElement('div');
        div.className = 'ticker-item';
        var node = document.createElement(item.url ? 'a' : 'span');
        if (item.url) { node.setAttribute('href', item.url); }
        node.className = 'ticker-text';
        node.innerHTML = item.text;
        div.appendChild(node);
        li.appendChild(div);
        list.appendChild(li);
      });
      box.setAttribute('data-loaded', 'true');
    });
})();
"""

PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

"""An article page, built like tests/fixtures/seed-article.html."""

from __future__ import annotations

import random
from urllib.parse import quote

from tests.replica import clock
from tests.replica.facts import ENGLISH, PLACEHOLDER_PATH
from tests.replica.bodies import Block, Body, Figure
from tests.replica.heads import Head
from tests.replica.markup import attr, page, tawsiyat, text

PLACEHOLDER = PLACEHOLDER_PATH


def author_line(authors: list[str]) -> str:
    if len(authors) <= 1:
        return "".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def metadata(head: Head, doc: dict, body: Body) -> dict:
    f = head.features
    images = body.images()
    classes = [{"key": "class2", "mapping": "category", "value": doc["category"]}]
    classes += [{"key": "class5", "mapping": "country", "value": c} for c in head.countries]
    classes += [{"key": "class9", "mapping": "author", "value": a} for a in head.authors]
    return {
        "type": "videoobject" if "video" in f else "article",
        "postid": head.postid,
        "title": head.title,
        "url": head.url,
        "keywords": ",".join(head.tags),
        "thumbnail": body.poster or (images[0].url if images else ""),
        "video_duration": str(head.video_duration) if head.video_duration else "",
        "word_count": str(doc["word_count"]),
        "lang": ENGLISH.lang,
        "published_time": "" if "date_visible_only" in f else clock.iso(head.published),
        "last_updated": clock.iso(doc["modified_at"] and doc["modified_at"].astimezone(clock.TZ)),
        "description": doc["description"] or "",
        "author": author_line(head.authors),
        "classes": classes,
        "html": "",
        "lite_url": "",
    }


def head_tags(head: Head, doc: dict, meta: dict) -> str:
    f = head.features
    tags = [("name", "postid", head.postid), ("name", "keywords", meta["keywords"]),
            ("name", "author", meta["author"]), ("name", "description", meta["description"]),
            ("property", "og:title", head.title), ("property", "og:description", meta["description"])]
    if meta["thumbnail"]:
        tags.append(("property", "og:image", meta["thumbnail"]))
    tags.append(("property", "og:url", head.url))
    if meta["published_time"]:
        tags.append(("property", "article:published_time", meta["published_time"]))
    if meta["last_updated"]:
        tags.append(("property", "article:modified_time", meta["last_updated"]))
    if head.video_duration:
        tags.append(("property", "og:video_duration", str(head.video_duration)))
    out = "".join(f'<meta {k}="{n}" content="{attr(v)}">\n' for k, n, v in tags)
    out += f'<link rel="canonical" href="{attr(head.url)}">\n'
    if "no_metadata" not in f:
        out += tawsiyat(meta, broken="broken_metadata" in f) + "\n"
    return out


def figure_html(fig: Figure, indent: str) -> str:
    cap = f"\n{indent}  <figcaption>{text(fig.figcaption)}</figcaption>" if fig.figcaption is not None else ""
    return (f'{indent}<figure>\n{indent}  <img src="{PLACEHOLDER}" data-src="{attr(fig.url)}" alt="">'
            f"{cap}\n{indent}</figure>\n")


def block_html(block: Block, style: int) -> str:
    pad = "      "
    if block.kind in ("p", "lead", "empty"):
        return f"{pad}<p>{text(block.text, style)}</p>\n"
    if block.kind == "readmore":
        link = block.links[0]
        return f'{pad}<p><strong>Read more: </strong><a href="{attr(link.href)}">{text(link.title)}</a></p>\n'
    if block.kind == "related":
        items = "".join(f'{pad}  <div class="related-item"><a href="{attr(link.href)}"><span>{text(link.title)}</span></a></div>\n'
                        for link in block.links)
        return f'{pad}<div class="dual-related">\n{pad}  <h4>Related News</h4>\n{items}{pad}</div>\n'
    if block.kind == "tweet":
        link = block.links[0]
        return (f'{pad}<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text(block.text)}</p>&mdash; '
                f'{text(link.title)} <a href="{attr(link.href)}">Tweet</a></blockquote>\n')
    if block.kind == "figure":
        return figure_html(block.figure, pad)
    raise ValueError(block.kind)


def card_html(target: Head, with_figure: bool, rng: random.Random) -> str:
    img = ""
    if with_figure:
        img = (f'<figure><img src="{PLACEHOLDER}" data-src="{ENGLISH.url}/Content/EnImages/cards/{target.index}.jpg" alt="">'
               f"<figcaption>{text(target.title)} (Al Mayadeen English)</figcaption></figure>")
    elif rng.random() < 0.5:
        img = f'<img src="{PLACEHOLDER}" data-src="{ENGLISH.url}/Content/EnImages/cards/{target.index}.jpg" alt="">'
    return (f'      <div class="card"><a class="card__link" href="{attr(target.path)}">{img}<h3 class="card__title">'
            f'{text(target.title)}</h3></a><span class="card__section">{text(ENGLISH.sections[target.section])}</span>'
            f'<span class="card__date">{clock.card(target.published)}</span></div>\n')


def render_article(head: Head, doc: dict, body: Body, targets: list[Head], seed: int, markup_change: str = "") -> str:
    f = head.features
    meta = metadata(head, doc, body)
    heading = "h2" if "title_h2" in f else "h1"
    byline_author = f"By {text(author_line(head.authors))}"
    items = [f'        <li class="author">{byline_author}</li>\n']
    if head.source:
        items.append(f'        <li class="source">Source: {text(head.source)}</li>\n')
    items.append(f'        <li class="date">{clock.visible(head.published)}</li>\n')
    byline = ['      <ul class="byline">\n', *items, "      </ul>\n"]
    if markup_change == "byline":  # a redesign: the byline moves out of ul.byline into div.writer
        byline = ['      <div class="writer">\n', *(i.replace("<li ", "<span ").replace("</li>", "</span>")
                                                    for i in items), "      </div>\n"]
    read_time = f'      <span class="read-time">{doc["reading_minutes"]} Min Read</span>\n' if doc["reading_minutes"] else ""
    out = ['  <article class="article-page">\n    <div class="details-white-box">\n',
           f'      <{heading} class="article-title">{text(head.visible_title)}</{heading}>\n',
           *byline, read_time, "    </div>\n",
           f'    <p class="lg_para summary">{text(body.lead, 1)}</p>\n',
           '    <ul class="share-links"><li><a href="#">x</a></li></ul>\n']
    if body.poster:
        out.append(f'    <div class="video-player" data-duration="{head.video_duration}"><img class="video-poster" '
                   f'src="{PLACEHOLDER}" data-src="{attr(body.poster)}" alt=""><video controls preload="none" '
                   f'poster="{attr(body.poster)}"><source src="{ENGLISH.url}/Content/videos/{head.postid}.mp4" '
                   'type="video/mp4"></video></div>\n')
    if body.media:
        out += ['    <div class="article-media">\n', *(figure_html(fig, "      ") for fig in body.media), "    </div>\n"]
    out.append('    <div class="p-content">\n')
    out += [block_html(b, i + head.index) for i, b in enumerate(body.blocks)]
    out.append("    </div>\n")
    out.append('    <div class="tags-list">\n      <ul>\n')
    out += [f'        <li><a href="/tags/{quote(tag)}">{text(tag)}</a></li>\n' for tag in head.tags]
    out.append("      </ul>\n    </div>\n")
    rng = random.Random(f"{seed}/cards/{head.index}")
    picks = rng.sample(targets, min(3, len(targets)))
    out.append('    <section class="most-read">\n      <h3>Most Read</h3>\n')
    out += [card_html(t, k == 0, rng) for k, t in enumerate(picks[:2])]
    out.append('    </section>\n    <section class="read-next">\n      <h3>Read Next</h3>\n')
    out += [card_html(t, False, rng) for t in picks[2:]]
    out.append("    </section>\n  </article>\n")
    title = f"{head.title} | {ENGLISH.name}" if head.title else ""
    return page(title, "".join(out), head_tags(head, doc, meta))

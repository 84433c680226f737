"""An article page: markup 1 built like tests/fixtures/seed-article.html, markup 2 a redesign of it.

Both markups keep what is seen or sister on the real site exactly (the tawsiyat block, the meta tags,
div.details-white-box with the title h1/h2, p.lg_para.summary, div.p-content, figure img[data-src]
figcaption, div.dual-related, the Read more paragraphs, blockquote.twitter-tweet); markup 2 changes
every assumed element and class around them. The Arabic edition uses markup 1 with Arabic labels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import quote

from tests.replica import clock
from tests.replica.bodies import Block, Body, Figure
from tests.replica.facts import PLACEHOLDER_PATH, TAG_PREFIX, Edition
from tests.replica.heads import Head
from tests.replica.markup import attr, chrome, tawsiyat, text
from tests.replica.slugs import full_slug

PLACEHOLDER = PLACEHOLDER_PATH


@dataclass(frozen=True)
class Look:
    """How one page is drawn: the markup, the byline redesign switch, the options that drop pieces."""
    markup: int = 1
    markup_change: str = ""  # "byline": markup 1's byline moves into div.writer
    no_tawsiyat: bool = False
    unknown_template: bool = False  # body paragraphs in div.article-text, not div.p-content


def author_line(authors: list[str], edition: Edition | None = None) -> str:
    sep, last = (edition.author_separator, edition.author_last_separator) if edition else (", ", " and ")
    if len(authors) <= 1:
        return "".join(authors)
    return sep.join(authors[:-1]) + last + authors[-1]


def digits(head: Head, value: str) -> str:
    return clock.arabic_digits(value, head.indic_digits)


def visible_date(head: Head) -> str:
    if head.edition.code == "ar":
        return clock.visible_ar(head.published, head.indic_digits)
    return clock.visible(head.published)


def card_date(head: Head) -> str:
    if head.edition.code == "ar":
        return clock.card_ar(head.published, head.indic_digits)
    return clock.card(head.published)


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
        "lang": head.edition.lang,
        "published_time": "" if f & {"date_visible_only", "undated"} else clock.iso(head.published),
        "last_updated": clock.iso(doc["modified_at"] and doc["modified_at"].astimezone(clock.TZ)),
        "description": doc["description"] or "",
        "author": author_line(head.authors, head.edition),
        "classes": classes,
        "html": "",
        "lite_url": "",
    }


def head_tags(head: Head, doc: dict, meta: dict, look: Look) -> str:
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
    if "no_metadata" not in f and not look.no_tawsiyat:
        out += tawsiyat(meta, broken="broken_metadata" in f) + "\n"
    return out


def figure_html(fig: Figure, indent: str) -> str:
    cap = f"\n{indent}  <figcaption>{text(fig.figcaption)}</figcaption>" if fig.figcaption is not None else ""
    return (f'{indent}<figure>\n{indent}  <img src="{PLACEHOLDER}" data-src="{attr(fig.url)}" alt="">'
            f"{cap}\n{indent}</figure>\n")


def block_html(block: Block, style: int, edition: Edition) -> str:
    pad = "      "
    if block.kind in ("p", "lead", "empty"):
        return f"{pad}<p>{text(block.text, style)}</p>\n"
    if block.kind == "readmore":
        link = block.links[0]
        return (f'{pad}<p><strong>{text(edition.read_more_prefix)}</strong>'
                f'<a href="{attr(link.href)}">{text(link.title)}</a></p>\n')
    if block.kind == "related":
        items = "".join(f'{pad}  <div class="related-item"><a href="{attr(link.href)}"><span>{text(link.title)}</span></a></div>\n'
                        for link in block.links)
        return f'{pad}<div class="dual-related">\n{pad}  <h4>{text(edition.related_heading)}</h4>\n{items}{pad}</div>\n'
    if block.kind == "tweet":
        link = block.links[0]
        return (f'{pad}<blockquote class="twitter-tweet"><p lang="{edition.lang}" dir="{edition.direction}">'
                f'{text(block.text)}</p>&mdash; {text(link.title)} <a href="{attr(link.href)}">Tweet</a></blockquote>\n')
    if block.kind == "figure":
        return figure_html(block.figure, pad)
    raise ValueError(block.kind)


def card_image(target: Head) -> str:
    return f"{target.edition.url}/Content/{target.edition.image_dir}/cards/{target.index}.jpg"


def card_html(target: Head, with_figure: bool, rng: random.Random) -> str:
    """Markup 1's Most Read / Read Next card."""
    img = ""
    if with_figure:
        img = (f'<figure><img src="{PLACEHOLDER}" data-src="{card_image(target)}" alt="">'
               f"<figcaption>{text(target.title)} ({text(target.edition.name)})</figcaption></figure>")
    elif rng.random() < 0.5:
        img = f'<img src="{PLACEHOLDER}" data-src="{card_image(target)}" alt="">'
    href = target.raw_path if target.edition.code == "ar" and rng.random() < 0.5 else target.path
    return (f'      <div class="card"><a class="card__link" href="{attr(href)}">{img}<h3 class="card__title">'
            f'{text(target.title)}</h3></a><span class="card__section">{text(target.edition.sections[target.section])}</span>'
            f'<span class="card__date">{card_date(target)}</span></div>\n')


def video_html(head: Head, body: Body, markup: int) -> str:
    source = (f'<source src="{head.edition.url}/Content/videos/{head.postid}.mp4" type="video/mp4">')
    if markup == 2:  # the poster is not an article image in either markup
        return (f'    <div class="player-embed" data-length="{head.video_duration}"><img class="cover-frame" '
                f'src="{PLACEHOLDER}" data-src="{attr(body.poster)}" alt=""><video controls preload="none" '
                f'poster="{attr(body.poster)}">{source}</video></div>\n')
    return (f'    <div class="video-player" data-duration="{head.video_duration}"><img class="video-poster" '
            f'src="{PLACEHOLDER}" data-src="{attr(body.poster)}" alt=""><video controls preload="none" '
            f'poster="{attr(body.poster)}">{source}</video></div>\n')


def body_html(head: Head, body: Body, look: Look) -> list[str]:
    container = "article-text" if look.unknown_template else "p-content"
    return [f'    <div class="{container}">\n',
            *(block_html(b, i + head.index, head.edition) for i, b in enumerate(body.blocks)),
            "    </div>\n"]


def byline_markup1(head: Head, doc: dict, look: Look) -> list[str]:
    e = head.edition
    items = [f'        <li class="author">{text(e.author_prefix)}{text(author_line(head.authors, e))}</li>\n']
    if head.source:
        items.append(f'        <li class="source">{text(e.source_prefix)}{text(head.source)}</li>\n')
    if "undated" not in head.features:
        items.append(f'        <li class="date">{visible_date(head)}</li>\n')
    byline = ['      <ul class="byline">\n', *items, "      </ul>\n"]
    if look.markup_change == "byline":  # a redesign: the byline moves out of ul.byline into div.writer
        byline = ['      <div class="writer">\n', *(i.replace("<li ", "<span ").replace("</li>", "</span>")
                                                    for i in items), "      </div>\n"]
    if doc["reading_minutes"]:
        minutes = digits(head, str(doc["reading_minutes"]))
        byline.append(f'      <span class="read-time">{text(e.reading_time.format(n=minutes))}</span>\n')
    return byline


def breadcrumbs(head: Head) -> str:
    """The Arabic article's trail: the home page, then its section's listing with the section's label."""
    e = head.edition
    return (f'    <div class="breadcrumbs"><a href="/">{text(e.home_label)}</a> <span>/</span> '
            f'<a href="/{attr(head.section)}">{text(e.sections[head.section])}</a></div>\n')


def render_markup1(head: Head, doc: dict, body: Body, targets: list[Head], seed: int, look: Look) -> list[str]:
    e = head.edition
    heading = "h2" if "title_h2" in head.features else "h1"
    out = ['  <article class="article-page">\n', breadcrumbs(head) if e.code == "ar" else "",
           '    <div class="details-white-box">\n',
           f'      <{heading} class="article-title">{text(head.visible_title)}</{heading}>\n',
           *byline_markup1(head, doc, look), "    </div>\n",
           f'    <p class="lg_para summary">{text(body.lead, 1)}</p>\n',
           '    <ul class="share-links"><li><a href="#">x</a></li></ul>\n']
    if body.poster:
        out.append(video_html(head, body, 1))
    if body.media:
        out += ['    <div class="article-media">\n', *(figure_html(fig, "      ") for fig in body.media), "    </div>\n"]
    out += body_html(head, body, look)
    out.append('    <div class="tags-list">\n      <ul>\n')
    out += [f'        <li><a href="{TAG_PREFIX}{quote(tag)}">{text(tag)}</a></li>\n' for tag in head.tags]
    out.append("      </ul>\n    </div>\n")
    rng = random.Random(f"{seed}/cards/{head.index}")
    picks = rng.sample(targets, min(3, len(targets)))
    out.append(f'    <section class="most-read">\n      <h3>{text(e.most_read_heading)}</h3>\n')
    out += [card_html(t, k == 0, rng) for k, t in enumerate(picks[:2])]
    out.append(f'    </section>\n    <section class="read-next">\n      <h3>{text(e.read_next_heading)}</h3>\n')
    out += [card_html(t, False, rng) for t in picks[2:]]
    out.append("    </section>\n  </article>\n")
    return out


# --- markup 2 ------------------------------------------------------------------------
def author_link(name: str) -> str:
    return f'<a href="/author/{full_slug(name)}">{text(name)}</a>'


def byline_markup2(head: Head, doc: dict) -> list[str]:
    e = head.edition
    names = [author_link(a) for a in head.authors]
    writers = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    out = ['      <div class="post-meta">\n', f'        <p class="writer">{text(e.author_prefix)}{writers}</p>\n']
    if head.source:
        out.append(f"        <p>{text(e.source_prefix)}{text(head.source)}</p>\n")
    if "undated" not in head.features:
        out.append(f"        <time>{visible_date(head)}</time>\n")
    out.append("      </div>\n")
    if doc["reading_minutes"]:
        out.append(f'      <div class="article-stats"><span class="mins">'
                   f'{text(e.reading_time.format(n=doc["reading_minutes"]))}</span></div>\n')
    return out


def teaser_time(head: Head) -> str:
    return f'<time datetime="{clock.iso(head.published)}">{clock.long_date(head.published)}</time>'


def popular_item(target: Head, with_figure: bool) -> str:
    """Markup 2's Most Read entry: a figure (caption and all) on the first, an image link on the others."""
    if with_figure:
        media = (f'<a href="{attr(target.path)}"><figure><img src="{PLACEHOLDER}" data-src="{card_image(target)}" alt="">'
                 f"<figcaption>{text(target.title)} ({text(target.edition.name)})</figcaption></figure></a>")
    else:
        media = f'<a href="{attr(target.path)}"><img src="{PLACEHOLDER}" data-src="{card_image(target)}" alt=""></a>'
    return (f'        <li>{media}<a class="popular__title" href="{attr(target.path)}">{text(target.title)}</a>'
            f'<span class="popular__cat">{text(target.edition.sections[target.section])}</span>{teaser_time(target)}</li>\n')


def next_item(target: Head) -> str:
    return (f'      <div class="next-item"><a href="{attr(target.path)}?utm_source=read-next"><figure>'
            f'<img src="{PLACEHOLDER}" data-src="{card_image(target)}" alt=""></figure></a>'
            f'<h4><a href="{attr(target.path)}">{text(target.title)}</a></h4>{teaser_time(target)}</div>\n')


def render_markup2(head: Head, doc: dict, body: Body, targets: list[Head], seed: int, look: Look) -> list[str]:
    e = head.edition
    heading = "h2" if "title_h2" in head.features else "h1"
    out = ['  <div class="article-wrap">\n    <div class="details-white-box">\n',
           f'      <{heading} class="headline">{text(head.visible_title)}</{heading}>\n',
           *byline_markup2(head, doc), "    </div>\n",
           f'    <p class="lg_para summary">{text(body.lead, 1)}</p>\n',
           '    <div class="social-share"><a href="#">x</a></div>\n']
    if body.poster:
        out.append(video_html(head, body, 2))
    if body.media:
        out += ['    <div class="cover">\n', *(figure_html(fig, "      ") for fig in body.media), "    </div>\n"]
    out += body_html(head, body, look)
    out.append('    <ul class="keywords">\n')
    out += [f'      <li><a href="{TAG_PREFIX}{quote(tag)}">{text(tag)}</a></li>\n' for tag in head.tags]
    out.append("    </ul>\n")
    rng = random.Random(f"{seed}/cards/{head.index}")
    picks = rng.sample(targets, min(3, len(targets)))
    out.append(f'    <aside class="popular">\n      <h3>{text(e.most_read_heading)}</h3>\n      <ol>\n')
    out += [popular_item(t, k == 0) for k, t in enumerate(picks[:2])]
    out.append(f'      </ol>\n    </aside>\n    <div class="next-up">\n      <h3>{text(e.read_next_heading)}</h3>\n')
    out += [next_item(t) for t in picks[2:]]
    out.append("    </div>\n  </div>\n")
    return out


def render_article(head: Head, doc: dict, body: Body, targets: list[Head], seed: int, markup_change: str = "",
                   look: Look | None = None) -> str:
    look = look or Look(markup_change=markup_change)
    meta = metadata(head, doc, body)
    draw = render_markup2 if look.markup == 2 else render_markup1
    main = draw(head, doc, body, targets, seed, look)
    e = head.edition
    title = f"{head.title} | {e.name}" if head.title else ""
    return chrome(e, look.markup).page(title, "".join(main), head_tags(head, doc, meta, look))

"""Al Mayadeen English (https://english.almayadeen.net): the facts, with their evidence.

Levels as in ../shared/SITE.md: seen (on this site; the seed article page), sister (on
the Arabic edition, same CMS), assumed (our guess: a one-line change once observed).
Assumed class names only sharpen what the crawler finds by pattern; nothing requires them.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from newscrawl.site import SiteProfile, assumed, month_table, seen, sister

ENGLISH_MONTHS = month_table(
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"))

PROFILE = SiteProfile.define(
    "en",
    # --- identity
    name=seen("Al Mayadeen English", "the page title suffix and the logo"),
    host=seen("english.almayadeen.net"),
    lang=seen("en", "html lang of the seed page"),
    direction=seen("ltr"),
    timezone=seen(ZoneInfo("Asia/Beirut"), "visible dates are Beirut local time: the seed's 19:36 is "
                  "published_time 19:36+03:00"),
    founded=assumed("2012-06-11", "Al Mayadeen launched in June 2012; the English site later"),
    # --- URLs
    home_path=seen("/"),
    article_path_re=seen(re.compile(
        r"^/(?P<section>(?:news|articles|videos)/[a-z0-9-]+|infographs|in-pictures)/(?P<slug>[^/?#]+)$"),
        "/{kind}/{section}/{slug} seen for news, articles, videos; /infographs/{slug} and "
        "/in-pictures/{slug} assumed"),
    section_listing_re=assumed(re.compile(
        r"^/(?P<section>(?:news|articles|videos)/[a-z0-9-]+|infographs|in-pictures)$"),
        "section labels seen in the nav, their paths assumed"),
    region_listing_re=assumed(re.compile(r"^/region/(?P<region>[a-z0-9-]+)$"),
                              "region labels seen, paths assumed"),
    region_path=assumed("/region/{region}"),
    tag_listing_re=assumed(re.compile(r"^/tags/(?P<name>[^/]+)$"), "tag names seen, path assumed"),
    tag_path=assumed("/tags/{name}"),
    page_param=assumed("page", "?page=N, N from 1; a listing may ignore it (script-driven load more)"),
    sitemap_index_path=sister("/sitemaps/all.xml"),
    sitemap_month_re=sister(re.compile(r"/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$"),
                            "month not zero-padded"),
    sitemap_month_path=sister("/sitemaps/all/sitemap-{year}-{month}.xml", "month not zero-padded"),
    sections=seen({
        "news/politics": "Politics", "news/economy": "Economy", "news/sports": "Sports",
        "news/arts-culture": "Arts&Culture", "news/health": "Health", "news/miscellaneous": "Miscellaneous",
        "news/technology": "Technology", "news/environment": "Environment",
        "articles/opinion": "Opinion", "articles/analysis": "Analysis", "articles/blog": "Blog",
        "articles/features": "Features",
        "videos/newsfeed": "NewsFeed", "videos/video-features": "Video Features",
        "videos/explainers": "Explainers", "videos/tv": "TV", "videos/digital-series": "Digital Series",
        "infographs": "Infographs", "in-pictures": "In Pictures",
    }, "labels seen in the seed page's nav; the paths of the non-article kinds assumed"),
    regions=seen({
        "africa": "Africa", "asia": "Asia", "asia-pacific": "Asia-Pacific", "europe": "Europe",
        "latin-america": "Latin America", "mena": "MENA", "palestine": "Palestine", "us-canada": "US & Canada",
    }, "labels seen, slugs assumed"),
    # --- metadata, in order of trust
    tawsiyat_selector=sister("script#tawsiyat-metadata::text", "a JSON block; absent pages fall back"),
    tawsiyat_types=sister({"article": "article", "videoobject": "video"}, '"page" on listings'),
    class_mapping_category=sister("category"),
    class_mapping_country=sister("country"),
    class_mapping_author=sister("author"),
    # --- the visible page
    details_box=sister("div.details-white-box"),
    title_selectors=sister(("div.details-white-box h1", "div.details-white-box h2")),
    author_prefixes=seen(("By ",), "'By Al Mayadeen English' in the seed"),
    source_prefixes=seen(("Source:",), "'Source: Agencies' in the seed"),
    author_separators=assumed(re.compile(r",\s+|\s+and\s+"), "several authors joined by ', ' / ' and '"),
    author_conjunction=assumed(None, "English writes 'and' apart"),
    date_shapes=seen((
        re.compile(r"(?<!\d)(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3,9})\.?,?\s+(?P<year>\d{4})"
                   r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?(?!\d)"),
        re.compile(r"(?<![A-Za-z])(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
                   r"(?:,?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2}))?(?!\d)"),
    ), "'13 Sep 2022 19:36' in the seed; the month-first shape ('November 10, 2025') is assumed"),
    month_names=seen(ENGLISH_MONTHS),
    read_time_re=seen(re.compile(r"(\d+)\s*Min(?:ute)?s?\s+Read", re.I), "'3 Min Read' in the seed"),
    lead_selector=sister("p.lg_para.summary"),
    body_container=sister("div.p-content"),
    body_exclude=sister(("div.dual-related", "blockquote.twitter-tweet", "figure")),
    read_more_prefixes=seen(("Read more:",), "in the seed's body"),
    related_block=sister("div.dual-related"),
    image_src_attr=sister("data-src", "src holds a lazy-loading placeholder"),
    credit_re=seen(re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]*)\)\s*$", re.S),
                   "'... (AP Photo/Darron Cummings)' in the seed"),
    video_player=assumed("div.video-player"),
    # --- class names that only sharpen what patterns find
    card_selectors=assumed(("div.listing div.card",)),
    card_date_selectors=assumed(("span.card__date",)),
    nav_selectors=assumed(("nav.main-nav a[href]", "ul.regions-list a[href]")),
    tag_list_selectors=assumed(("div.tags-list a[href]",)),
    byline_selectors=assumed(("div.details-white-box ul.byline li",)),
    chrome_selectors=assumed(("#ticker", ".ticker__item")),
    next_link_texts=assumed(("next", "next page", "older", "older posts", "more", "›", "»")),
    # --- the breaking ticker
    ticker_item=seen(".ticker__item", "in a public scraper of the English site"),
)

"""Al Mayadeen, the Arabic edition (https://www.almayadeen.net): the facts, with their evidence.

Levels as in ../shared/SITE.md's section on this edition: seen (in public code that reads
this site: its scrapers and feed lists), assumed (our guess: a one-line change once
observed). Much of the English profile's "sister" evidence comes from here.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from newscrawl.site import SiteProfile, assumed, month_table, seen, unverified

# Levantine month names (assumed: the visible date's format has not been seen); the
# Egyptian/Gulf names are accepted too, as the CMS may use either.
ARABIC_MONTHS = month_table(
    ("كانون الثاني", "يناير"), ("شباط", "فبراير"), ("آذار", "مارس"), ("نيسان", "أبريل", "ابريل"),
    ("أيار", "مايو"), ("حزيران", "يونيو"), ("تموز", "يوليو"), ("آب", "أغسطس", "اغسطس"),
    ("أيلول", "سبتمبر"), ("تشرين الأول", "أكتوبر", "اكتوبر"), ("تشرين الثاني", "نوفمبر"),
    ("كانون الأول", "ديسمبر"))
_MONTH_ALTERNATIVES = "|".join(sorted((re.escape(m) for m in ARABIC_MONTHS), key=len, reverse=True))
_DIGIT = r"[0-9\u0660-\u0669\u06f0-\u06f9]"

PROFILE = SiteProfile.define(
    "ar",
    # --- identity
    name=seen("الميادين", "the site's name"),
    host=seen("www.almayadeen.net"),
    lang=seen("ar", "tawsiyat lang and html lang in public scrapers"),
    direction=seen("rtl"),
    timezone=assumed(ZoneInfo("Asia/Beirut"), "as the English edition (same newsroom)"),
    founded=assumed("2012-06-11", "Al Mayadeen launched on 11 June 2012"),
    # --- URLs
    home_path=seen("/"),
    article_path_re=seen(re.compile(
        r"^/(?P<section>(?:news|articles)/[a-z0-9-]+)/(?P<slug>[^/?#]+)$"),
        "/news/politics/{percent-encoded Arabic slug} in public scrapers; /articles/ assumed"),
    section_listing_re=seen(re.compile(r"^/(?P<section>(?:news|articles)/[a-z0-9-]+)$"),
                            "/news/politics, /news/palestine in public scrapers"),
    region_listing_re=assumed(None, "no region listing known on this edition"),
    region_path=assumed(None),
    tag_listing_re=assumed(re.compile(r"^/tags/(?P<name>[^/]+)$"), "as the English edition"),
    tag_path=assumed("/tags/{name}"),
    page_param=seen(None, "listings page by a script-driven 'load more' button (loadmorebtn): "
                          "only their first page is reachable, sitemaps are the backbone"),
    sitemap_index_path=seen("/sitemaps/all.xml"),
    sitemap_month_re=seen(re.compile(r"/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$")),
    sitemap_month_path=seen("/sitemaps/all/sitemap-{year}-{month}.xml", "month not zero-padded"),
    sections=assumed({
        "news/politics": "سياسة", "news/palestine": "فلسطين", "news/lebanon": "لبنان", "news/economy": "اقتصاد",
        "news/arts-culture": "ثقافة وفنون", "news/sports": "رياضة", "news/technology": "تكنولوجيا",
        "news/health": "صحة", "articles/opinion": "مقالات رأي",
    }, "/news/politics and /news/palestine seen; the labels and the other sections assumed"),
    regions=assumed({}, "none known"),
    # --- metadata, in order of trust
    tawsiyat_selector=seen("script#tawsiyat-metadata::text"),
    tawsiyat_types=seen({"article": "article", "videoobject": "video"}),
    class_mapping_category=seen("category"),
    class_mapping_country=seen("country"),
    class_mapping_author=seen("author"),
    # --- the visible page
    details_box=seen("div.details-white-box"),
    title_selectors=seen(("div.details-white-box h1", "div.details-white-box h2")),
    author_prefixes=assumed(("بقلم ", "بقلم: "), "the byline's text has not been seen"),
    source_prefixes=assumed(("المصدر:", "المصدر :"), "the byline's text has not been seen"),
    author_separators=assumed(re.compile(r"\s*[،,]\s*|\s+و\s+"), "several authors joined by '، '"),
    author_conjunction=assumed(re.compile(r"\s+و(?=\S)"), "the last author joined by 'و' written onto the name"),
    date_shapes=assumed((re.compile(
        rf"(?<![0-9\u0660-\u0669])(?P<day>{_DIGIT}{{1,2}})\s+(?P<month>{_MONTH_ALTERNATIVES})\s+"
        rf"(?P<year>{_DIGIT}{{4}})(?:\s+(?P<hour>{_DIGIT}{{1,2}}):(?P<minute>{_DIGIT}{{2}}))?"),),
        "day, Levantine month name, year, HH:MM; Western or Arabic-Indic digits"),
    month_names=assumed(ARABIC_MONTHS),
    read_time_re=assumed(re.compile(r"([0-9\u0660-\u0669]+)\s*(?:دقائق|دقيقة|دقيقتان)\s*(?:قراءة|للقراءة)"),
                         "'N دقائق قراءة'"),
    lead_selector=seen("p.lg_para.summary"),
    body_container=seen("div.p-content"),
    body_exclude=seen(("div.dual-related", "blockquote.twitter-tweet", "figure")),
    read_more_prefixes=assumed(("اقرأ أيضاً:", "اقرأ أيضا:", "اقرأ أيضاً :")),
    related_block=seen("div.dual-related"),
    image_src_attr=seen("data-src"),
    credit_re=assumed(re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]*)\)\s*$", re.S)),
    video_player=assumed("div.video-player"),
    # --- class names that only sharpen what patterns find
    card_selectors=seen((".news-item",), "listing cards with an h3 inside the link"),
    card_date_selectors=assumed((".news-item time", ".news-item .date")),
    nav_selectors=assumed(("nav a[href]",)),
    tag_list_selectors=assumed(("div.tags-list a[href]",)),
    byline_selectors=assumed(("div.details-white-box ul.byline li",)),
    chrome_selectors=seen(("#ticker-box",)),
    next_link_texts=unverified(("التالي", "المزيد", "next", "›", "»"), "paging is by script"),
    # --- the breaking ticker
    ticker_item=seen("#ticker-box ul li .ticker-item .ticker-text"),
)

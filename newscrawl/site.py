"""Every fact about the target site, in one place.

Al Mayadeen English (https://english.almayadeen.net). Evidence levels follow
../shared/SITE.md: "seen" on the English site, "sister" on the Arabic edition,
"assumed" otherwise. When the real site is observed to differ, the change is
made here and nowhere else. The replica under tests/replica/ is written to the
same facts, so the markup contract below is what both sides agree on.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

# --- identity -------------------------------------------------------------
SITE_HOST = "english.almayadeen.net"
SITE_URL = f"https://{SITE_HOST}"
SITE_NAME = "Al Mayadeen English"
LANG = "en"
TIMEZONE = ZoneInfo("Asia/Beirut")  # visible dates are Beirut local time (seen)
SITE_FOUNDED = "2012-06-11"  # Al Mayadeen launched in June 2012; nothing is older

# --- URLs -----------------------------------------------------------------
HOME_PATH = "/"
ROBOTS_PATH = "/robots.txt"
SITEMAP_INDEX_PATH = "/sitemaps/all.xml"  # sister
SITEMAP_MONTH_PATH = "/sitemaps/all/sitemap-{year}-{month}.xml"  # month not zero-padded
SITEMAP_MONTH_RE = re.compile(r"/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$")
TAG_PATH = "/tags/{name}"  # name percent-encoded (labels seen, path assumed)
REGION_PATH = "/region/{region}"
PAGE_PARAM = "page"  # ?page=N, N from 1 (assumed)

# kind -> {section slug: nav label}; labels seen, paths assumed
SECTIONS: dict[str, str] = {
    "news/politics": "Politics",
    "news/economy": "Economy",
    "news/sports": "Sports",
    "news/arts-culture": "Arts&Culture",
    "news/health": "Health",
    "news/miscellaneous": "Miscellaneous",
    "news/technology": "Technology",
    "news/environment": "Environment",
    "articles/opinion": "Opinion",
    "articles/analysis": "Analysis",
    "articles/blog": "Blog",
    "articles/features": "Features",
    "videos/newsfeed": "NewsFeed",
    "videos/video-features": "Video Features",
    "videos/explainers": "Explainers",
    "videos/tv": "TV",
    "videos/digital-series": "Digital Series",
    "infographs": "Infographs",
    "in-pictures": "In Pictures",
}
NAV_GROUPS: dict[str, str] = {"news": "News", "articles": "Articles", "videos": "Videos"}
ARTICLE_KINDS = ("news", "articles", "videos")  # /{kind}/{section}/{slug} (seen)
FLAT_KINDS = ("infographs", "in-pictures")  # /{kind}/{slug} (assumed)
REGIONS: dict[str, str] = {
    "africa": "Africa",
    "asia": "Asia",
    "asia-pacific": "Asia-Pacific",
    "europe": "Europe",
    "latin-america": "Latin America",
    "mena": "MENA",
    "palestine": "Palestine",
    "us-canada": "US & Canada",
}

ARTICLE_PATH_RE = re.compile(
    r"^/(?:(?P<kind>news|articles|videos)/(?P<section>[a-z0-9-]+)|(?P<flat>infographs|in-pictures))"
    r"/(?P<slug>[^/?#]+)$"
)
SECTION_LISTING_RE = re.compile(
    r"^/(?:(?:news|articles|videos)/[a-z0-9-]+|infographs|in-pictures)$"
)
REGION_LISTING_RE = re.compile(r"^/region/[a-z0-9-]+$")
TAG_LISTING_RE = re.compile(r"^/tags/[^/]+$")

# --- metadata (order of trust) ----------------------------------------------
# 1. <script id="tawsiyat-metadata" type="text/tawsiyat"> JSON (sister)
TAWSIYAT_SELECTOR = "script#tawsiyat-metadata::text"
TAWSIYAT_TYPES = {"article": "article", "videoobject": "video"}  # "page" on listings
CLASS_MAPPING_COUNTRY = "country"
CLASS_MAPPING_CATEGORY = "category"
# 2. <meta> tags (sister)
META_NAMES = ("postid", "keywords", "author", "description")
META_PROPERTIES = (
    "og:title",
    "og:description",
    "og:image",
    "og:url",
    "article:published_time",
    "article:modified_time",
    "og:video_duration",
)

# --- visible page (selectors sister, structure seen) -------------------------
DETAILS_BOX = "div.details-white-box"
TITLE_SELECTORS = ("div.details-white-box h1", "div.details-white-box h2")
BYLINE_ITEMS = "div.details-white-box ul.byline li"
BYLINE_AUTHOR_PREFIX = "By "
BYLINE_SOURCE_PREFIX = "Source: "
AUTHOR_SEPARATORS = re.compile(r",\s+|\s+and\s+")
VISIBLE_DATE_FORMAT = "%d %b %Y %H:%M"  # "13 Sep 2022 19:36", Beirut local (seen)
VISIBLE_DATE_RE = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4} \d{1,2}:\d{2}$")
READ_TIME_RE = re.compile(r"(\d+)\s*Min Read", re.I)
LEAD_SELECTOR = "p.lg_para.summary"
BODY_CONTAINER = "div.p-content"
BODY_PARAGRAPHS = "div.p-content p"
# parts of div.p-content that are not article text
BODY_EXCLUDE_ANCESTORS = ("div.dual-related", "blockquote.twitter-tweet", "figure")
READ_MORE_PREFIX = "Read more:"
RELATED_LINKS = "div.p-content div.dual-related a[href]"
VIDEO_PLAYER = "div.video-player"  # its poster is not an article image
FIGURE_SELECTOR = "main figure"  # the article's own figures, filtered below
FIGURE_EXCLUDE_ANCESTORS = ("div.dual-related", "section.most-read", "section.read-next", "div.card", VIDEO_PLAYER)
IMAGE_SRC_ATTR = "data-src"  # src holds a lazy-loading placeholder
CREDIT_RE = re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]*)\)\s*$", re.S)
TAG_LINKS = "div.tags-list a[href]"

# --- listings ----------------------------------------------------------------
CARD_SELECTOR = "div.listing div.card"
CARD_LINK = "a.card__link::attr(href)"
CARD_DATE = "span.card__date::text"
CARD_DATE_FORMAT = "%d %b %Y"  # "10 Nov 2025"
HOME_CARDS = "div.listing div.card"
NAV_LINKS = "nav.main-nav a[href]"
REGION_LINKS = "ul.regions-list a[href]"

# --- breaking ticker ------------------------------------------------------------
TICKER_CONTAINER = "#ticker"
TICKER_ITEM = ".ticker__item"  # English (seen in a public scraper)
TICKER_ITEM_AR = "#ticker-box ul li .ticker-item .ticker-text"  # Arabic (sister)

# --- completeness: a page counts only when its closing markup is there ---------
HTML_END_MARKER = b"</html>"
SITEMAP_END_MARKERS = (b"</urlset>", b"</sitemapindex>")

# --- defences ---------------------------------------------------------------
BLOCKED_STATUS = 403  # Cloudflare answers bot-like clients with 403 (reported)
RETRY_STATUSES = (429, 500, 502, 503, 504, 522, 524)

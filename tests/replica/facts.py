"""What the replica knows of the site, written from /work/shared/SITE.md (never imported from the crawler).

The replica is the crawler's oracle, so it keeps its own copy of the facts: a crawler bug in a
shared constant must not be able to hide itself by changing the pages and the truth together.
Evidence levels (seen / sister / assumed) as in SITE.md; everything that differs between the
editions lives in an ``Edition``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Beirut")  # visible dates are Beirut local time (seen)

# --- paths both editions share -------------------------------------------------
ROBOTS_PATH = "/robots.txt"
SITEMAP_INDEX_PATH = "/sitemaps/all.xml"  # sister, seen on the Arabic edition
SITEMAP_MONTH_PATH = "/sitemaps/all/sitemap-{year}-{month}.xml"  # month not zero-padded
SITEMAP_MONTH_RE = re.compile(r"/sitemaps/all/sitemap-(\d{4})-(\d{1,2})\.xml$")
TAG_PREFIX = "/tags/"  # /tags/{name}, the name percent-encoded (assumed path)
REGION_PREFIX = "/region/"
TICKER_API_PATH = "/api/breaking.json"  # the replica's own invention (SITE.md, "The breaking ticker")
TICKER_SCRIPT_PATH = "/static/ticker.js"
PLACEHOLDER_PATH = "/static/placeholder.png"  # the lazy-loading placeholder in img src
PAGE_PARAM = "page"  # markup 1 listings: ?page=N, N from 1 (assumed)
NEXT_PAGE_PARAM_MARKUP2 = "pg"  # markup 2 tag listings: ?pg=N behind an explicit rel=next link
# percent-encoding of canonical paths (the product's contract): non-ASCII as UTF-8, upper-case hex
PATH_SAFE = "/:@!$&'()*+,;=-._~"

# --- dates ------------------------------------------------------------------------
MONTHS_EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
# Levantine month names, as the Arabic edition writes them (assumed)
MONTHS_AR = ("كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول")
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
TO_ARABIC_INDIC = str.maketrans("0123456789", ARABIC_INDIC_DIGITS)

# --- English sections and regions (labels seen, paths assumed) --------------------
SECTIONS_EN: dict[str, str] = {
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
NAV_GROUPS_EN: dict[str, str] = {"news": "News", "articles": "Articles", "videos": "Videos"}
REGIONS_EN: dict[str, str] = {
    "africa": "Africa",
    "asia": "Asia",
    "asia-pacific": "Asia-Pacific",
    "europe": "Europe",
    "latin-america": "Latin America",
    "mena": "MENA",
    "palestine": "Palestine",
    "us-canada": "US & Canada",
}

# --- Arabic sections (slugs in Latin letters, Arabic labels; assumed beyond politics and palestine) ---
SECTIONS_AR: dict[str, str] = {
    "news/politics": "سياسة",
    "news/palestine": "فلسطين",
    "news/lebanon": "لبنان",
    "news/economy": "اقتصاد",
    "news/arts-culture": "ثقافة وفنون",
    "news/sports": "رياضة",
    "news/technology": "تكنولوجيا",
    "news/health": "صحة",
    "articles/opinion": "مقالات رأي",
}

# --- the site's own labels (--labels site): what the pages say instead of SITE.md's table (assumed; the
# replica's invention, so that a profile copying the table meets labels it does not know). At least one
# label per edition is the same as the table's.
SITE_LABELS_EN: dict[str, str] = {
    "news/politics": "Politics News",
    "news/economy": "Business & Economy",
    "news/sports": "Sports",  # the same as the table's
    "news/arts-culture": "Arts & Culture",
    "news/health": "Health & Wellness",
    "news/miscellaneous": "Variety",
    "news/technology": "Science & Tech",
    "news/environment": "Climate & Environment",
    "articles/opinion": "Opinion",  # the same as the table's
    "articles/analysis": "In-Depth Analysis",
    "articles/blog": "Blogs",
    "articles/features": "Feature Stories",
    "videos/newsfeed": "News Feed",
    "videos/video-features": "Video Reports",
    "videos/explainers": "Explainers",  # the same as the table's
    "videos/tv": "TV Shows",
    "videos/digital-series": "Web Series",
    "infographs": "Infographics",
    "in-pictures": "Photo Stories",
}
SITE_LABELS_AR: dict[str, str] = {
    "news/politics": "أخبار سياسية",
    "news/palestine": "فلسطين",  # the same as the table's
    "news/lebanon": "أخبار لبنان",
    "news/economy": "اقتصاد وأعمال",
    "news/arts-culture": "ثقافة وفن",
    "news/sports": "رياضة",  # the same as the table's
    "news/technology": "علوم وتكنولوجيا",
    "news/health": "صحة وطب",
    "articles/opinion": "مقالات",
}
LABELS = ("table", "site")

# --- Arabic pages the crawler's profile has no pattern for (--unknown-shapes; the replica's invention) ---
# section path -> the site's label (the same under both --labels): videos, infographs, picture stories
UNKNOWN_SHAPE_SECTIONS_AR: dict[str, str] = {
    "videos/news": "فيديو - أخبار",
    "videos/reports": "فيديو - تقارير",
    "videos/interviews": "فيديو - مقابلات",
    "infographs": "إنفوغراف",
    "in-pictures": "بالصور",
}
# --- Arabic region listings (--unknown-listings; the replica's invention): slug -> label, country -> region
REGIONS_AR: dict[str, str] = {
    "levant": "بلاد الشام",
    "gulf": "الخليج واليمن",
    "west-asia": "غرب آسيا",
    "africa": "أفريقيا",
    "americas": "الأميركيتان",
    "europe": "أوروبا",
    "asia": "آسيا",
}
COUNTRY_REGIONS_AR: dict[str, str] = {
    "لبنان": "levant", "سوريا": "levant", "الأردن": "levant", "فلسطين": "levant",
    "اليمن": "gulf", "قطر": "gulf", "السعودية": "gulf",
    "العراق": "west-asia", "إيران": "west-asia", "تركيا": "west-asia",
    "مصر": "africa", "جنوب أفريقيا": "africa",
    "الولايات المتحدة": "americas", "كندا": "americas", "فنزويلا": "americas", "كوبا": "americas",
    "البرازيل": "americas",
    "روسيا": "europe", "أوكرانيا": "europe", "فرنسا": "europe", "ألمانيا": "europe",
    "الصين": "asia", "الهند": "asia", "باكستان": "asia",
}


@dataclass(frozen=True)
class Edition:
    code: str  # "en" | "ar"
    host: str
    name: str  # the site's name, as in titles and the logo
    lang: str  # <html lang>, the metadata's lang, the truth's lang
    direction: str  # "ltr" | "rtl"
    sections: dict[str, str]  # section path -> label (the truth's category)
    nav_groups: dict[str, str] = field(default_factory=dict)  # /{group} listings
    regions: dict[str, str] = field(default_factory=dict)  # /region/{slug} listings
    house_author: str = ""
    author_prefix: str = ""  # byline: "By Al Mayadeen English"
    author_separator: str = ", "  # several authors: "A, B and C"
    author_last_separator: str = " and "
    source_prefix: str = ""  # byline: "Source: Agencies"
    reading_time: str = ""  # "{n} Min Read"
    read_more_prefix: str = ""  # the in-body "Read more: <a>" paragraphs
    related_heading: str = ""
    most_read_heading: str = ""
    read_next_heading: str = ""
    update_prefix: str = ""  # the paragraph a changed article gains in epoch 2
    not_found_title: str = ""
    not_found_text: str = ""
    back_home: str = ""
    load_more: str = ""
    image_dir: str = ""  # /Content/{image_dir}/... image URLs
    home_label: str = ""  # the breadcrumb's first link (Arabic)
    empty_listing: str = ""  # the text of a section listing without any article (--empty-section)
    country_regions: dict[str, str] = field(default_factory=dict)  # country -> region slug (else vocab's)
    variant: str = ""  # "" for the edition as SITE.md describes it; else what the content options changed

    @property
    def url(self) -> str:
        return f"https://{self.host}"


ENGLISH = Edition(
    code="en", host="english.almayadeen.net", name="Al Mayadeen English", lang="en", direction="ltr",
    sections=SECTIONS_EN, nav_groups=NAV_GROUPS_EN, regions=REGIONS_EN,
    house_author="Al Mayadeen English", author_prefix="By ", source_prefix="Source: ",
    reading_time="{n} Min Read", read_more_prefix="Read more: ", related_heading="Related News",
    most_read_heading="Most Read", read_next_heading="Read Next", update_prefix="Update: ",
    not_found_title="Page not found", not_found_text="The page you requested does not exist.",
    back_home="Back to the home page", load_more="Load more", image_dir="EnImages",
    empty_listing="There are no articles in this section yet.",
)
ARABIC = Edition(
    code="ar", host="www.almayadeen.net", name="الميادين نت", lang="ar", direction="rtl",
    sections=SECTIONS_AR,
    house_author="الميادين نت", author_prefix="بقلم ", author_separator="، ", author_last_separator=" و",
    source_prefix="المصدر: ", reading_time="{n} دقائق قراءة", read_more_prefix="اقرأ أيضاً: ",
    related_heading="أخبار ذات صلة", most_read_heading="الأكثر قراءة", read_next_heading="اقرأ التالي",
    update_prefix="تحديث: ", not_found_title="الصفحة غير موجودة", not_found_text="الصفحة التي طلبتها غير موجودة.",
    back_home="العودة إلى الصفحة الرئيسية", load_more="المزيد", image_dir="ArImages",
    home_label="الرئيسية", empty_listing="لا توجد مقالات في هذا القسم بعد.",
)
EDITIONS = {"en": ENGLISH, "ar": ARABIC}


def edition_of(code: str | Edition) -> Edition:
    if isinstance(code, Edition):
        return code
    try:
        return EDITIONS[code]
    except KeyError:
        raise ValueError(f"edition must be one of {sorted(EDITIONS)}") from None


def edition_variant(base: Edition, *, labels: str = "table", unknown_shapes: bool = False,
                    unknown_listings: bool = False) -> Edition:
    """``base`` as the content options change it: the site's own section labels, the Arabic sections of
    unknown shapes, the Arabic region listings. ``base`` itself when no option changes anything."""
    if labels not in LABELS:
        raise ValueError(f"labels must be one of {LABELS}")
    sections, regions, country_regions, parts = base.sections, base.regions, base.country_regions, []
    if labels == "site":
        sections = SITE_LABELS_AR if base.code == "ar" else SITE_LABELS_EN
        parts.append("site-labels")
    if unknown_shapes:
        sections = {**sections, **UNKNOWN_SHAPE_SECTIONS_AR}
        parts.append("unknown-shapes")
    if unknown_listings:
        regions, country_regions = REGIONS_AR, COUNTRY_REGIONS_AR
        parts.append("unknown-listings")
    if not parts:
        return base
    return replace(base, sections=sections, regions=regions, country_regions=country_regions,
                   variant="+".join(parts))

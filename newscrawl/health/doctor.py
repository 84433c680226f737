"""Does each fact of a site profile hold on the pages the site serves? Pure: pages in, verdicts out.

``newscrawl doctor`` fetches one page of each kind (home, a listing and its second page, an
article, a tag page, the sitemap index, a monthly sitemap) and hands them here. Each fact
of the profile gets one verdict:

- ``held``: the fact matched (how many times, where);
- ``fell back``: an assumed class name matched nothing, and the crawler found the same thing
  by its pattern instead (nothing is lost, but the profile's line is wrong);
- ``absent``: the page has no such part (a source line, a video): not a failure;
- ``failed``: the fact did not hold and nothing stands in for it; a ``required`` fact that
  failed makes the doctor exit non-zero;
- ``not checked``: no page to check it on (e.g. the ticker needs a browser).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from newscrawl.extract.dates import visible_datetimes
from newscrawl.extract.dom import parse_html, select, spaced_text_of
from newscrawl.extract.links import ARTICLE, LISTING, TAG, PageLinks
from newscrawl.extract.listing import cards_of, next_page_url
from newscrawl.extract.shapes import shape_of
from newscrawl.extract.sitemap import parse_sitemap_index, parse_urlset
from newscrawl.extract.article import section_labels
from newscrawl.site import SiteProfile
from newscrawl.urls import path_of

HELD, FELL_BACK, ABSENT, FAILED, NOT_CHECKED = "held", "fell back", "absent", "failed", "not checked"
# facts without which the crawler cannot work as designed: their failure is the doctor's exit code
REQUIRED = frozenset({"host", "home_path", "article_path_re", "sitemap_index_path", "sitemap_month_re",
                      "details_box", "title_selectors", "body_container", "date_shapes", "author_prefixes"})


@dataclass
class Verdict:
    fact: str
    status: str
    detail: str
    page: str = ""
    evidence: str = ""
    required: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Pages:
    """What was fetched: kind -> (url, body) ; a kind that could not be fetched is absent."""

    home: tuple[str, bytes] | None = None
    listing: tuple[str, bytes] | None = None
    listing_page2: tuple[str, bytes] | None = None
    article: tuple[str, bytes] | None = None
    tag: tuple[str, bytes] | None = None
    sitemap_index: tuple[str, bytes] | None = None
    sitemap_month: tuple[str, bytes] | None = None
    errors: dict[str, str] = field(default_factory=dict)  # kind -> why it could not be fetched


class _Report:
    def __init__(self, profile: SiteProfile):
        self.profile = profile
        self.verdicts: dict[str, Verdict] = {}
        # where the site says more than the profile knows: fact -> notes (shapes, labels), applied last
        self.beyond: dict[str, list[str]] = {}

    def add(self, fact: str, status: str, detail: str, page: str = "") -> None:
        if fact in self.verdicts and self.verdicts[fact].status == HELD:
            return  # held on one page is held
        self.verdicts[fact] = Verdict(fact, status, detail, page, self.profile.evidence(fact), fact in REQUIRED)

    def note(self, fact: str, text: str) -> None:
        """The site states something the fact does not cover (a URL shape, a label): the fact held where it
        applies, but the crawler took the site's word here; the profile's line is to change."""
        self.beyond.setdefault(fact, []).append(text)

    def settle(self) -> None:
        for fact, notes in self.beyond.items():
            held = self.verdicts.get(fact)
            base = f"{held.detail}; but " if held and held.status == HELD else ""
            if held is None or held.status in (HELD, NOT_CHECKED, ABSENT):
                self.verdicts[fact] = Verdict(fact, FELL_BACK, base + "; ".join(notes), held.page if held else "",
                                              self.profile.evidence(fact), fact in REQUIRED)


def _count(root, css) -> int:
    return len(select(root, css)) if css else 0


def check_home(r: _Report, url: str, body: bytes) -> None:
    p = r.profile
    root = parse_html(body)
    if root is None:
        r.add("home_path", FAILED, "the home page is empty", "home")
        return
    links = PageLinks(root, url, p)
    r.add("home_path", HELD, "answered with a page", "home")
    articles = {link.url for link in links.article_links}
    listings = links.urls(LISTING)
    sections = [u for u in listings if p.section_listing_re.match(path_of(u))]
    r.add("article_path_re", HELD if articles else FAILED,
          f"{len(articles)} article links on the home page" if articles else
          "no link on the home page matches the article pattern", "home")
    r.add("section_listing_re", HELD if sections else FAILED,
          f"{len(sections)} section listing links" if sections else "no link matches the section listing pattern",
          "home")
    if p.region_listing_re is not None:
        regions = [u for u in listings if p.region_listing_re.match(path_of(u))]
        r.add("region_listing_re", HELD if regions else FAILED,
              f"{len(regions)} region listing links" if regions else "no link matches the region listing pattern",
              "home")
    nav = sum(_count(root, css) for css in p.nav_selectors)
    r.add("nav_selectors", HELD if nav else (FELL_BACK if listings else FAILED),
          f"matched {nav} links" if nav else f"matched nothing; the listing patterns found {len(listings)} links",
          "home")
    if p.regions and p.region_listing_re is not None:
        linked = {p.region_listing_re.match(path_of(u))["region"] for u in listings
                  if p.region_listing_re.match(path_of(u))}
        regions_known = [r_ for r_ in p.regions if r_ in linked]
        r.add("regions", HELD if regions_known else FELL_BACK,
              f"{len(regions_known)} of the {len(p.regions)} known regions are linked", "home")
    title = " ".join(spaced_text_of(t) for t in root.iter("title"))
    r.add("name", HELD if p.name in title else ABSENT, f"page title {title[:80]!r}", "home")
    known = [s for s in p.sections if f"{p.url}/{s}" in set(listings)]
    r.add("sections", HELD if known else FELL_BACK,
          f"{len(known)} of the {len(p.sections)} known sections are linked" if known else
          "none of the known sections is linked from the home page", "home")
    relabelled = [(s, label) for s in known for label in [section_labels(links, s)[0]] if label and label != p.sections[s]]
    if relabelled:
        r.note("sections", f"the home page's nav labels {len(relabelled)} section(s) otherwise than the profile: "
               + ", ".join(f"{s} {label!r} (profile {p.sections[s]!r})" for s, label in relabelled[:6])
               + " — the crawler stores the page's label")


def check_listing(r: _Report, url: str, body: bytes, page2: tuple[str, bytes] | None) -> None:
    p = r.profile
    root = parse_html(body)
    if root is None:
        r.add("card_selectors", FAILED, "the listing page is empty", "listing")
        return
    links = PageLinks(root, url, p)
    cards, named = cards_of(links)
    if not cards:
        r.add("card_selectors", FAILED, "the listing shows no article link", "listing")
    else:
        r.add("card_selectors", HELD if named else FELL_BACK,
              f"named {named} of {len(cards)} cards" if named else
              f"matched nothing; {len(cards)} cards found by the article pattern", "listing")
    dated = [c for c in cards if c.date]
    by_selector = sum(_count(root, css) for css in p.card_date_selectors)
    if not cards:
        r.add("card_date_selectors", ABSENT, "no cards", "listing")
    else:
        r.add("card_date_selectors", HELD if by_selector else (FELL_BACK if dated else ABSENT),
              f"matched {by_selector}" if by_selector else
              (f"matched nothing; {len(dated)} of {len(cards)} cards dated by date shapes" if dated else
               "no card shows a date"), "listing")
    explicit = next_page_url(root, url, p)
    r.add("next_link_texts", HELD if explicit else ABSENT,
          f"an explicit next page: {explicit}" if explicit else "no explicit next-page link", "listing")
    if p.page_param is None:
        r.add("page_param", HELD, "listings are not paged by a parameter", "listing")
    elif page2 is None:
        r.add("page_param", NOT_CHECKED, "the second page was not fetched", "listing")
    else:
        root2 = parse_html(page2[1])
        second = {c.url for c in cards_of(PageLinks(root2, page2[0], p))[0]} if root2 is not None else set()
        new = second - {c.url for c in cards}
        if new:
            r.add("page_param", HELD, f"?{p.page_param}=2 shows {len(new)} new articles", "listing")
        elif not second:
            r.add("page_param", ABSENT, f"?{p.page_param}=2 is empty: this listing has one page", "listing")
        else:
            r.add("page_param", FAILED, f"?{p.page_param}=2 shows no new article: the listing ignores the parameter "
                  "(the crawler stops after one extra page; sitemaps still find every article)", "listing")


def check_article(r: _Report, url: str, body: bytes) -> None:
    p = r.profile
    root = parse_html(body)
    if root is None:
        r.add("body_container", FAILED, "the article page is empty", "article")
        return
    links = PageLinks(root, url, p)
    lang = (root.get("lang") or "").split("-")[0].lower()
    r.add("lang", HELD if lang == p.lang else FAILED, f'<html lang="{lang}">', "article")
    direction = (root.get("dir") or "ltr").lower()
    r.add("direction", HELD if direction == p.direction else FAILED, f'<html dir="{direction}">', "article")
    canonical = next((e.get("href") for e in root.iter("link") if (e.get("rel") or "").lower() == "canonical"), "")
    canonical = canonical or next((e.get("content") for e in root.iter("meta") if e.get("property") == "og:url"), "")
    if canonical:
        r.add("host", HELD if f"//{p.host}/" in canonical else FAILED, f"canonical URL {canonical[:100]}", "article")
    tawsiyat = select(root, p.tawsiyat_selector)
    metadata = {}
    if tawsiyat:
        try:
            metadata = json.loads("".join(tawsiyat))
        except ValueError:
            metadata = {}
    r.add("tawsiyat_selector", HELD if metadata else ABSENT,
          "a JSON metadata block" if metadata else
          "no readable metadata block: fields come from meta tags and the visible page", "article")
    if metadata:
        kinds = {c.get("mapping") for c in metadata.get("classes") or [] if isinstance(c, dict)}
        for name, mapping in (("class_mapping_category", p.class_mapping_category),
                              ("class_mapping_country", p.class_mapping_country)):
            r.add(name, HELD if mapping in kinds else ABSENT, f"mappings {sorted(k for k in kinds if k)}", "article")
        declared = str(metadata.get("type", "")).lower()
        r.add("tawsiyat_types", HELD if declared in p.tawsiyat_types else FAILED, f"type {declared!r}", "article")
    boxes = select(root, p.details_box)
    r.add("details_box", HELD if boxes else FAILED, f"matched {len(boxes)}" if boxes else "matched nothing",
          "article")
    titles = [e for css in p.title_selectors for e in select(root, css)]
    r.add("title_selectors", HELD if titles else FAILED, f"matched {len(titles)}" if titles else "matched nothing",
          "article")
    box_text = " ".join(spaced_text_of(b) for b in boxes)
    authors = [pre for pre in p.author_prefixes if pre in box_text]
    r.add("author_prefixes", HELD if authors else FAILED,
          f"{authors[0]!r} in the details box" if authors else "no author prefix in the details box", "article")
    sources = [pre for pre in p.source_prefixes if pre in box_text]
    r.add("source_prefixes", HELD if sources else ABSENT,
          f"{sources[0]!r} in the details box" if sources else "no source line on this page", "article")
    moments = visible_datetimes(box_text, p)
    r.add("date_shapes", HELD if moments else FAILED,
          f"visible date {moments[0].isoformat()}" if moments else "no date with a time in the details box",
          "article")
    r.add("month_names", HELD if moments else NOT_CHECKED,
          "the visible date's month was read" if moments else "no visible date to read", "article")
    author_line = str(metadata.get("author") or "")
    several = len([a for a in p.author_separators.split(author_line) if a.strip()]) > 1
    r.add("author_separators", HELD if several else ABSENT,
          f"{author_line[:60]!r} splits into several authors" if several else "one author on this page", "article")
    if moments and metadata.get("published_time"):
        from newscrawl.extract.dates import parse_iso_datetime

        declared_at = parse_iso_datetime(str(metadata["published_time"]))
        agrees = declared_at is not None and abs((declared_at - moments[0]).total_seconds()) < 60
        r.add("timezone", HELD if agrees else FAILED,
              f"the visible date read in {p.timezone.key} {'equals' if agrees else 'differs from'} "
              f"published_time {metadata['published_time']}", "article")
    read_time = p.read_time_re.search(box_text)
    r.add("read_time_re", HELD if read_time else ABSENT,
          f"{read_time.group(0)!r}" if read_time else "no reading time in the details box", "article")
    byline = sum(_count(root, css) for css in p.byline_selectors)
    r.add("byline_selectors", HELD if byline else (FELL_BACK if authors or moments else FAILED),
          f"matched {byline}" if byline else "matched nothing; the byline was found by its text", "article")
    lead = _count(root, p.lead_selector)
    r.add("lead_selector", HELD if lead else ABSENT, f"matched {lead}" if lead else "matched nothing", "article")
    containers = select(root, p.body_container)
    paragraphs = sum(len(list(c.iter("p"))) for c in containers)
    r.add("body_container", HELD if paragraphs else FAILED,
          f"{paragraphs} paragraphs" if paragraphs else
          ("matched, but holds no paragraph" if containers else
           "matched nothing: bodies come from the generic fallback"), "article")
    excluded = sum(len(select(c, css)) for c in containers for css in p.body_exclude)
    r.add("body_exclude", HELD if excluded else ABSENT,
          f"{excluded} non-text parts left out of the body" if excluded else "no such part on this page", "article")
    body_text = " ".join(spaced_text_of(c) for c in containers)
    read_more = [pre for pre in p.read_more_prefixes if pre in body_text]
    r.add("read_more_prefixes", HELD if read_more else ABSENT,
          f"{read_more[0]!r} in the body" if read_more else "no read-more line on this page", "article")
    related = _count(root, p.related_block)
    r.add("related_block", HELD if related else ABSENT, f"matched {related}" if related else "none on this page",
          "article")
    lazy = [img for img in root.iter("img") if img.get(p.image_src_attr)]
    r.add("image_src_attr", HELD if lazy else ABSENT, f"{len(lazy)} images with {p.image_src_attr}" if lazy else
          f"no image with {p.image_src_attr}", "article")
    captions = [spaced_text_of(c) for c in root.iter("figcaption")]
    credited = [c for c in captions if p.credit_re.match(c) and p.credit_re.match(c).group("credit")]
    r.add("credit_re", HELD if credited else ABSENT, f"{len(credited)} captions with a credit" if credited else
          "no credited caption on this page", "article")
    player = _count(root, p.video_player) if p.video_player else 0
    r.add("video_player", HELD if player else ABSENT, f"matched {player}" if player else "no video on this page",
          "article")
    tags = links.urls(TAG)
    r.add("tag_listing_re", HELD if tags else FAILED,
          f"{len(tags)} tag links" if tags else "no link matches the tag pattern", "article")
    tag_list = sum(_count(root, css) for css in p.tag_list_selectors)
    r.add("tag_list_selectors", HELD if tag_list else (FELL_BACK if tags else ABSENT),
          f"matched {tag_list}" if tag_list else f"matched nothing; {len(tags)} tag links found by pattern",
          "article")
    chrome = sum(_count(root, css) for css in p.chrome_selectors)
    r.add("chrome_selectors", HELD if chrome else FELL_BACK,
          f"matched {chrome}" if chrome else "matched nothing; header, nav and footer elements stand for the chrome",
          "article")
    ticker = _count(root, p.ticker_item)
    r.add("ticker_item", HELD if ticker else NOT_CHECKED,
          f"matched {ticker} lines" if ticker else "no line in the served HTML: the ticker is filled by script "
          "(`scrapy crawl breaking` checks it in a browser)", "article")
    section = p.section_of_path(path_of(url))
    r.add("article_path_re", HELD if section else FAILED, f"section {section}" if section else
          "the article's URL does not match the article pattern", "article")
    category = next(iter(c.get("value") for c in metadata.get("classes") or []
                         if isinstance(c, dict) and c.get("mapping") == p.class_mapping_category), None)
    label = category or (section_labels(links, section)[0] if section else None)
    if section and label and p.sections.get(section) not in (None, label):
        r.note("sections", f"the article page calls {section} {label!r}, the profile {p.sections[section]!r}")


def check_tag(r: _Report, url: str, body: bytes) -> None:
    root = parse_html(body)
    cards = cards_of(PageLinks(root, url, r.profile))[0] if root is not None else []
    r.add("tag_path", HELD if cards else FAILED,
          f"the tag page lists {len(cards)} articles" if cards else "the tag page lists no article", "tag")


def check_sitemaps(r: _Report, index: tuple[str, bytes] | None, month: tuple[str, bytes] | None) -> None:
    p = r.profile
    if index is not None:
        entries = parse_sitemap_index(index[1])
        r.add("sitemap_index_path", HELD if entries else FAILED,
              f"lists {len(entries)} sitemaps" if entries else "lists no sitemap", "sitemap index")
        monthly = [e for e in entries if p.sitemap_month_re.search(e.loc)]
        r.add("sitemap_month_re", HELD if monthly else FAILED,
              f"{len(monthly)} of {len(entries)} sitemaps are monthly files" if monthly else
              "no listed sitemap matches the monthly pattern", "sitemap index")
        if monthly:
            match = p.sitemap_month_re.search(monthly[0].loc)
            built = p.sitemap_month_path.format(year=int(match.group(1)), month=int(match.group(2)))
            named = path_of(monthly[0].loc)
            r.add("sitemap_month_path", HELD if named == built else FAILED,
                  f"{built} is how the index names {match.group(1)}-{match.group(2)}" if named == built
                  else f"the index names it {named}, the profile would say {built}", "sitemap index")
    if month is not None:
        urls = [e.loc for e in parse_urlset(month[1])]
        articles = [u for u in urls if p.is_article_path(path_of(u))]
        if urls:
            r.add("article_path_re", HELD if articles else FAILED,
                  f"{len(articles)} of {len(urls)} sitemap entries are article URLs", "monthly sitemap")
        shapes: dict[str, list[str]] = {}
        for u in urls:
            if not p.is_article_path(path_of(u)):
                shapes.setdefault(shape_of(path_of(u)), []).append(u)
        if shapes:
            r.note("article_path_re", f"{sum(map(len, shapes.values()))} of {len(urls)} entries of the monthly sitemap "
                   "are of shapes the pattern does not match: " + ", ".join(
                       f"{shape} ({len(found)}, e.g. {found[0]})" for shape, found in sorted(shapes.items()))
                   + " — the crawler takes them as articles (the site's word); add the shapes to article_path_re")


def diagnose(profile: SiteProfile, pages: Pages) -> list[Verdict]:
    """One verdict per fact of the profile, in the profile's order."""
    r = _Report(profile)
    if pages.home:
        check_home(r, *pages.home)
    if pages.listing:
        check_listing(r, *pages.listing, pages.listing_page2)
    if pages.article:
        check_article(r, *pages.article)
    if pages.tag:
        check_tag(r, *pages.tag)
    check_sitemaps(r, pages.sitemap_index, pages.sitemap_month)
    r.settle()
    for kind, why in pages.errors.items():
        for name in _FACTS_OF_PAGE.get(kind, ()):
            if name not in r.verdicts:
                r.add(name, FAILED, f"the {kind.replace('_', ' ')} could not be fetched: {why}", kind)
    out = []
    for name in profile.facts:
        out.append(r.verdicts.get(name) or Verdict(name, NOT_CHECKED, "nothing on the fetched pages tests it",
                                                    "", profile.evidence(name), name in REQUIRED))
    return out


_FACTS_OF_PAGE = {
    "home": ("home_path", "article_path_re", "section_listing_re"),
    "sitemap_index": ("sitemap_index_path",),
    "sitemap_month": ("sitemap_month_re",),
    "article": ("details_box", "title_selectors", "body_container"),
}


def failed_required(verdicts: list[Verdict]) -> list[Verdict]:
    return [v for v in verdicts if v.required and v.status == FAILED]

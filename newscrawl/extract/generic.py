"""The generic fallback: an article page whose template the profile does not know.

When the site's own rules find no body container, no title element or no date at all,
the missing fields come from trafilatura (main text, title) and htmldate (dates), both
maintained general-purpose extractors (``python -m bench generic`` measures them against
the alternatives on pages of an unknown template). The profile still helps: its chrome,
related blocks, tweets, figures, lead and "Read more" lines are pruned or dropped, so
the generic text is the article's paragraphs as closely as a generic reader can get.
Only used on the rare pages that need it: it parses the page a second time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from parsel.csstranslator import css2xpath

from newscrawl.extract.dates import parse_iso_datetime
from newscrawl.extract.text import PARAGRAPH_SEPARATOR, normalise_text
from newscrawl.site import SiteProfile

# trafilatura logs every page it finds too short at WARNING; the caller reports what matters
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.ERROR)


@dataclass
class GenericFields:
    title: str | None = None
    body: str = ""
    published_at: datetime | None = None
    image: str | None = None


def _prune_xpaths(profile: SiteProfile) -> list[str]:
    css = [*profile.chrome_selectors, profile.related_block, profile.details_box, profile.lead_selector,
           *profile.body_exclude, "header", "nav", "footer"]
    if profile.video_player:
        css.append(profile.video_player)
    return [css2xpath(c) for c in css if c and "::" not in c]


def generic_date(root, profile: SiteProfile) -> datetime | None:
    """A publication date from the page's machine-readable markup only (meta tags, JSON-LD,
    ``<time>``, the URL): htmldate without its search of the free text, which on a news page
    finds the dates of other articles' cards as readily as this one's."""
    import htmldate

    try:
        found = htmldate.find_date(root, extensive_search=False, original_date=True,
                                   outputformat="%Y-%m-%dT%H:%M")
    except Exception:
        return None
    moment = parse_iso_datetime(found, naive_tz=profile.timezone) if found else None
    return moment.astimezone(timezone.utc) if moment else None


def generic_extract(html: str | bytes, url: str, profile: SiteProfile, drop: set[str],
                    want_date: bool = False, root=None) -> GenericFields:
    """Title, body, image (and with ``want_date`` the date) by general-purpose extraction;
    ``drop``: lines to leave out (the lead, the title). Never raises."""
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            html, url=url or None, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, favor_precision=True,
            prune_xpath=_prune_xpaths(profile), date_extraction_params={"extensive_search": False},
        )
    except Exception:  # a generic extractor must not cost the crawl a page
        document = None
    data = {}
    if document is not None:
        data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    lines = (normalise_text(line) for line in (data.get("text") or "").splitlines())
    paragraphs = [line for line in lines
                  if line and line not in drop and not line.startswith(profile.read_more_prefixes)]
    return GenericFields(
        title=normalise_text(data.get("title")) or None,
        body=PARAGRAPH_SEPARATOR.join(paragraphs),
        published_at=generic_date(root, profile) if want_date and root is not None else None,
        image=data.get("image") or None,
    )

"""Synthetic, schema-valid article documents for the store's tests and benchmarks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from newscrawl.extract.text import content_hash, normalise_body, word_count
from newscrawl.sites import get_profile

SITE = get_profile("en")

EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


def sample_url(n: int, section: str = "news/politics") -> str:
    return f"{SITE.url}/{section}/sample-article-number-{n}"


def sample_article(n: int, version: int = 1, url: str | None = None, text_of: int | None = None) -> dict:
    """Article ``n`` (its text as of ``version``); ``text_of`` borrows article k's text (an alias)."""
    t = n if text_of is None else text_of
    title = f"Sample article {t}"
    body = normalise_body(f"Paragraph one of article {t}, version {version}.\n\n"
                          f"Paragraph two says a little more about {t}.")
    return {
        "url": url or sample_url(n),
        "site": SITE.host,
        "postid": str(1000 + n),
        "type": "article",
        "section": "news/politics",
        "category": "Politics",
        "title": title,
        "description": f"The lead of article {t}.",
        "authors": ["Al Mayadeen English"],
        "source": "Agencies",
        "published_at": EPOCH + timedelta(minutes=n),
        "modified_at": EPOCH + timedelta(minutes=n, seconds=version) if version > 1 else None,
        "reading_minutes": 2,
        "word_count": word_count(body),
        "body": body,
        "images": [{"url": f"https://english.almayadeen.net/images/{t}.jpg", "caption": "A caption",
                    "credit": "AP Photo/Someone"}],
        "tags": ["Sample", f"Tag {t % 7}"],
        "countries": ["Lebanon"],
        "related_urls": [],
        "video_duration": None,
        "lang": "en",
        "content_hash": content_hash(title, body),
        "extraction": "site",
    }

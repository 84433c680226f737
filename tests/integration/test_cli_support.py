"""Shared by the CLI tests: running the real `newscrawl` command and SCHEMA.md-shaped documents."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEWSCRAWL = str(Path(sys.executable).parent / "newscrawl")
SITE = "https://english.almayadeen.net"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def aware(db):
    """The same database, reading dates as tz-aware UTC datetimes (the project's convention)."""
    from bson.codec_options import CodecOptions

    return db.with_options(codec_options=CodecOptions(tz_aware=True, tzinfo=timezone.utc))


def run_cli(*args: str, uri: str | None, db: str | None = None, timeout: float = 60,
            env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URI", "MONGODB_DATABASE")}
    if uri is not None:
        env["MONGODB_URI"] = uri
    if db is not None:
        env["MONGODB_DATABASE"] = db
    env.update(env_extra or {})
    return subprocess.run([NEWSCRAWL, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def article(slug: str, *, section: str = "news/politics", category: str = "Politics", days_ago: float = 0,
            title: str | None = None, description: str | None = None, tags: tuple[str, ...] = (),
            authors: tuple[str, ...] = ("Al Mayadeen English",), revision: int = 1, images: list | None = None,
            body: str | None = None) -> dict:
    """An `articles` document exactly as SCHEMA.md describes it."""
    published = NOW - timedelta(days=days_ago)
    title = title or f"Title of {slug}"
    body = body or f"First paragraph of {slug}.\n\nSecond paragraph."
    return {
        "url": f"{SITE}/{section}/{slug}",
        "site": "english.almayadeen.net",
        "postid": str(abs(hash(slug)) % 100000),
        "type": "article",
        "section": section,
        "category": category,
        "title": title,
        "description": description,
        "authors": list(authors),
        "source": "Agencies",
        "published_at": published,
        "modified_at": None,
        "reading_minutes": 2,
        "word_count": len(body.split()),
        "body": body,
        "images": images if images is not None else [],
        "tags": list(tags),
        "countries": [],
        "related_urls": [],
        "video_duration": None,
        "lang": "en",
        "content_hash": sha256(title + "\n" + body),
        "revision": revision,
        "aliases": [],
        "first_seen_at": published,
        "last_seen_at": NOW,
    }


def breaking_line(text: str, *, minutes_ago: float, seen_count: int = 1, url: str | None = None) -> dict:
    seen = NOW - timedelta(minutes=minutes_ago)
    return {"text": text, "text_hash": sha256(text), "url": url, "first_seen_at": seen - timedelta(hours=1),
            "last_seen_at": seen, "seen_count": seen_count}


def revision_copy(doc: dict, revision: int) -> dict:
    return {"url": doc["url"], "revision": revision, "content_hash": sha256(f"old {revision}"),
            "title": doc["title"], "body": "older text", "modified_at": None, "replaced_at": NOW}

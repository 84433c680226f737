"""A store with known figures for `newscrawl report`: 30 days of March 2025 with a 6-day gap, two sites.

english.almayadeen.net: 3 articles a day at noon UTC on 2025-03-01..11 and 2025-03-18..30
(72 articles), none on 2025-03-12..17; www.almayadeen.net: 5 articles on 2025-03-05.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from tests.integration.test_cli_support import article, breaking_line

GAP = (date(2025, 3, 12), date(2025, 3, 17))
DAYS = [date(2025, 3, 1) + timedelta(d) for d in range(30)]
BUSY_DAYS = [d for d in DAYS if not GAP[0] <= d <= GAP[1]]
ENGLISH = 72
ARABIC = 5
COVERAGE_KEYS = ("title", "body", "published_at", "authors", "source")


def _at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)


def english_articles() -> list[dict]:
    docs = []
    for i in range(ENGLISH):
        day = BUSY_DAYS[i // 3]
        section = ("news/politics", "news/politics", "news/economy", "articles/opinion")[i % 4]
        doc = article(f"a{i}", section=section, authors=("Al Mayadeen English", "Zeinab El-Hajj") if i % 6 == 0
                      else ("Al Mayadeen English",))
        doc["published_at"] = doc["first_seen_at"] = _at(day, 12, i % 3)
        doc["countries"] = [["Lebanon", "Palestine"], ["Lebanon"], []][i % 3]
        if i % 8 == 0:
            doc["extraction"] = "generic"
        elif i % 8 != 1:
            doc["extraction"] = "site"  # i % 8 == 1: no field at all, which counts as the site's rules
        docs.append(doc)
    return docs


def arabic_articles() -> list[dict]:
    docs = []
    for i in range(ARABIC):
        doc = article(f"ar{i}", section="news/politics")
        doc["url"] = f"https://www.almayadeen.net/news/politics/ar{i}"
        doc["site"] = "www.almayadeen.net"
        doc["lang"] = "ar"
        doc["published_at"] = doc["first_seen_at"] = _at(date(2025, 3, 5), 9, i)
        docs.append(doc)
    return docs


def _coverage(authors: float) -> dict:
    return {"title": 1.0, "body": 1.0, "published_at": 1.0, "authors": authors, "source": 0.75}


CRAWLS = [
    {"_id": "run-1", "spider": "almayadeen", "site": "english.almayadeen.net", "status": "passed",
     "finish_reason": "finished", "start": _at(date(2025, 3, 29), 10), "end": _at(date(2025, 3, 29), 10, 2),
     "articles": 70, "coverage": _coverage(0.98),
     "counts": {"new": 70, "changed": 0, "unchanged": 0, "rejected": 2, "errors": 1, "blocked": 0,
                "rate_limited": 3, "requests": 150, "per_change": 2.143,
                "requests_by_kind": {"article": 72, "sitemap": 40, "listing": 38}},
     "monitors": [{"name": "discovery", "level": "pass", "ok": True, "message": "72 article URLs found"},
                  {"name": "fallbacks", "level": "warn", "ok": True, "message": "metadata source absent"}]},
    {"_id": "run-2", "spider": "almayadeen", "site": "english.almayadeen.net", "status": "failed",
     "finish_reason": "monitors_failed", "start": _at(date(2025, 3, 30), 10), "end": _at(date(2025, 3, 30), 10, 1),
     "articles": 72, "coverage": _coverage(0.4),
     "counts": {"new": 2, "changed": 1, "unchanged": 69, "rejected": 0, "errors": 0, "blocked": 4,
                "rate_limited": 0, "requests": 12, "per_change": 4.0,
                "requests_by_kind": {"article": 3, "sitemap": 5, "listing": 4}},
     "monitors": [{"name": "coverage/authors", "level": "fail", "ok": False,
                   "message": "field authors: present in 40% of articles, against 98% in the last 1 runs"}]},
    {"_id": "run-3", "spider": "breaking", "site": "english.almayadeen.net", "status": "passed",
     "finish_reason": "finished", "start": _at(date(2025, 3, 30), 11), "end": _at(date(2025, 3, 30), 11, 0),
     "articles": 0, "coverage": {}, "counts": {"lines": 5, "captures": 1, "succeeded": 1, "errors": 0},
     "monitors": [{"name": "captures", "level": "pass", "ok": True, "message": "1 of 1 captures"}]},
    {"_id": "run-ar", "spider": "almayadeen", "site": "www.almayadeen.net", "status": "passed",
     "finish_reason": "finished", "start": _at(date(2025, 3, 30), 12), "end": _at(date(2025, 3, 30), 12, 1),
     "articles": 5, "coverage": _coverage(1.0), "counts": {"new": 5}, "monitors": []},
]


def breaking_lines() -> list[dict]:
    lines = []
    for i, day in enumerate([date(2025, 3, 28), date(2025, 3, 28), date(2025, 3, 30), date(2025, 3, 30),
                             date(2025, 3, 30)]):
        line = breaking_line(f"breaking line {i}", minutes_ago=0)
        line["first_seen_at"] = _at(day, 8, i)
        line["last_seen_at"] = _at(day, 9, i)
        lines.append(line)
    return lines


def seed(db) -> None:
    db.articles.insert_many(english_articles() + arabic_articles())
    db.crawls.insert_many([dict(c) for c in CRAWLS])
    db.breaking.insert_many(breaking_lines())

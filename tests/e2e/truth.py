"""Compare what a crawl stored against the replica's ground truth, field by field."""

from __future__ import annotations

from collections import Counter

from newscrawl.extract.quality import token_f1
from newscrawl.extract.dates import to_utc as as_utc

# SCHEMA.md fields a crawl must get right (the store owns revision/aliases/first/last seen)
COMPARED_FIELDS = (
    "url", "site", "postid", "type", "section", "category", "title", "description", "authors",
    "source", "published_at", "modified_at", "reading_minutes", "word_count", "body", "images",
    "tags", "countries", "related_urls", "video_duration", "lang", "content_hash", "extraction",
)


def normalised(field: str, value):
    if field in ("published_at", "modified_at"):
        return as_utc(value)
    if field == "images":
        return [{k: image.get(k) for k in ("url", "caption", "credit")} for image in value or []]
    return value


def differing_fields(doc: dict, truth: dict) -> list[str]:
    return [f for f in COMPARED_FIELDS if normalised(f, doc.get(f)) != normalised(f, truth.get(f))]


def field_accuracy(docs: dict[str, dict], truths: dict[str, dict]) -> tuple[dict[str, float], Counter]:
    """Share of articles whose field equals the truth, per field; and a counter of misses."""
    misses: Counter = Counter()
    for url, truth in truths.items():
        doc = docs.get(url)
        for f in COMPARED_FIELDS if doc is None else differing_fields(doc, truth):
            misses[f] += 1
    total = max(1, len(truths))
    return {f: 1 - misses[f] / total for f in COMPARED_FIELDS}, misses


def worst_body_f1(docs: dict[str, dict], truths: dict[str, dict]) -> tuple[float, str | None]:
    worst, worst_url = 1.0, None
    for url, truth in truths.items():
        score = token_f1((docs.get(url) or {}).get("body", ""), truth["body"])
        if score < worst:
            worst, worst_url = score, url
    return worst, worst_url


def valid_truth(model) -> dict[str, dict]:
    """The replica's articles a crawl must store: its truth minus the pages invalid on purpose."""
    return {doc["url"]: doc for doc in model.truth() if doc["url"] not in model.invalid}


def check_all_stored_exactly(docs: dict[str, dict], truths: dict[str, dict]) -> None:
    """Every truth stored (or as an alias of its twin text), every field equal, bodies exact."""
    aliases = {alias for doc in docs.values() for alias in doc.get("aliases", [])}
    assert set(truths) == set(docs) | aliases, sorted(set(truths) ^ (set(docs) | aliases))[:5]
    comparable = {url: truth for url, truth in truths.items() if url in docs}
    accuracy, misses = field_accuracy(docs, comparable)
    wrong = [(url, field, docs[url].get(field), truth.get(field)) for url, truth in comparable.items()
             for field in differing_fields(docs[url], truth)]
    assert min(accuracy.values()) == 1.0, (misses.most_common(), wrong[:5])
    assert worst_body_f1(docs, comparable) == (1.0, None)

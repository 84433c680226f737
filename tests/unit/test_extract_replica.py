"""Extraction against the replica's ground truth: every article, every variant, field by field."""

from __future__ import annotations

import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

import pytest

from newscrawl.extract.article import extract_article
from newscrawl.sites import get_profile
from tests.replica.model import SiteModel
from tests.replica.routes import resolve

MIRROR = "http://127.0.0.1:5555"
STORE_ONLY = {"revision"}
METADATA_PROBLEM_VARIANTS = ("no_metadata", "broken_metadata")


# the replica's modes: markup 2 changes every assumed class name and element, no-tawsiyat drops the
# metadata block everywhere, the unknown template moves some bodies out of the known container
MODES = {"markup 1": {}, "markup 2": {"markup": 2}, "no tawsiyat": {"no_tawsiyat": True},
         "unknown template": {"unknown_template": True}, "arabic": {"edition": "ar"}}


@lru_cache(maxsize=None)
def model(epoch: int, mode: str = "markup 1") -> SiteModel:
    return SiteModel(seed=1, articles=300, epoch=epoch, **MODES[mode])


@lru_cache(maxsize=None)
def extracted(epoch: int, mode: str = "markup 1") -> dict:
    """url -> (truth, extraction) for every article at ``epoch``, rendered without a server."""
    m = model(epoch, mode)
    profile = get_profile(MODES[mode].get("edition", "en"))
    out = {}
    for doc in m.truth():
        path = urlsplit(doc["url"]).path
        response = resolve(m, epoch, path)
        assert response.status == 200, path
        out[doc["url"]] = (doc, extract_article(response.body, MIRROR + path, profile))
    return out


def field_diffs(truth: dict, fields: dict) -> dict:
    return {k: (fields.get(k), v) for k, v in truth.items() if k not in STORE_ONLY and fields.get(k) != v}


@pytest.mark.parametrize("epoch", [1, 2])
@pytest.mark.parametrize("mode", list(MODES))
def test_every_article_equals_the_truth_field_by_field(epoch, mode):
    diffs = {url: d for url, (doc, e) in extracted(epoch, mode).items() if (d := field_diffs(doc, e.fields))}
    assert not diffs, f"{len(diffs)} articles differ, e.g. {next(iter(diffs.items()))}"


def variant_names() -> list[str]:
    return sorted(model(2).variants)


@pytest.mark.parametrize("variant", variant_names())
def test_variant_equals_the_truth(variant):
    urls = model(2).variants[variant]
    assert urls
    pages = extracted(2)
    for url in urls:
        doc, e = pages[url]
        assert field_diffs(doc, e.fields) == {}, url


def test_disagreements_only_where_the_replica_makes_them():
    made = set(model(2).variants.get("disagreement", []))
    found = {url for url, (_, e) in extracted(2).items() if e.disagreements}
    assert made and found == made


@pytest.mark.parametrize("variant", METADATA_PROBLEM_VARIANTS)
def test_missing_or_broken_metadata_is_reported(variant):
    for url in model(2).variants[variant]:
        _, e = extracted(2)[url]
        assert any("tawsiyat" in p for p in e.problems), url
        assert e.sources["title"] == "meta"


def test_sample_of_every_variant_over_http_equals_the_truth(replica):
    """The served bytes (epoch 1, as the replica fixture starts) extract to the truth."""
    m = model(1)
    truth = {doc["url"]: doc for doc in m.truth()}
    sample = sorted({urls[0] for urls in m.variants.values() if urls[0] in truth})
    assert len(sample) >= 10
    for url in sample:
        fetch = replica.url + urlsplit(url).path
        with urllib.request.urlopen(fetch, timeout=30) as response:
            page = response.read()
        e = extract_article(page, fetch)
        assert field_diffs(truth[url], e.fields) == {}, url

"""Regression guard: with default options the replica serves the same bytes and the same truth as before.

The crawler's e2e tests were written against these pages. The digests below were taken from the
replica before the markup 2, Arabic and other options were added; any change to a default page,
header-independent, shows here. Rendering is called in-process (the HTTP layer adds no bytes to a body).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from urllib.parse import quote

import pytest

from tests.replica.model import SiteModel
from tests.replica.routes import resolve

SEED, ARTICLES = 1, 60
FIXED_PATHS = ("/", "/?page=2", "/robots.txt", "/sitemaps/all.xml", "/api/breaking.json", "/static/ticker.js",
               "/static/placeholder.png", "/nope", "/news/politics/no-such-article", "/sitemaps/all/sitemap-1999-1.xml",
               "/news/politics", "/news/politics?page=2", "/news/politics?page=999", "/news/politics?page=abc",
               "/news", "/articles", "/videos", "/infographs", "/in-pictures", "/region/mena", "/region/europe",
               "/tags/Palestine", "/tags/Palestine?page=2", "/tags/Ilham%20Aliyev")
# sha256 over (path, status, content type, sha256 of body) of every page below, per epoch
PAGES_DIGEST = {
    1: "24599b9976dfbfec5dc6427261d99f155f2029158a72fadbecda4e1e7edd3757",
    2: "dfe3afbdab777dfee57a4a84fd2702c612cd196267de13be3a650cee933a3366",
}
# sha256 of the truth as JSON lines (without the `extraction` field, added later on purpose)
TRUTH_DIGEST = {
    1: "048ffd010cd3735f69bae782ad0997e5963b8eba64f777b7e89439cdf050f723",
    2: "775769d4df6040f512274548d2183c1f6ace9ac6b1f43a3e9a4580071d499dd6",
}


def paths_of(model: SiteModel, epoch: int) -> list[str]:
    paths = list(FIXED_PATHS)
    for key in sorted(model.listings(epoch)):
        path = "/tags/" + quote(key[4:]) if key.startswith("tag:") else key
        paths += [path, path + "?page=2"]
    paths += [f"/sitemaps/all/sitemap-{y}-{m}.xml" for y, m in model.sitemap_months(epoch)]
    for head in model.present(epoch):
        paths += [head.path, head.path + "/?utm_source=x"]
    return paths


def pages_digest(model: SiteModel, epoch: int) -> str:
    digest = hashlib.sha256()
    for path in paths_of(model, epoch):
        response = resolve(model, epoch, path)
        digest.update(repr((path, response.status, response.content_type,
                            hashlib.sha256(response.body).hexdigest())).encode())
    for head in model.present(epoch)[:10]:  # the byline redesign switch, as the health e2e test uses it
        response = resolve(model, epoch, head.path, "byline")
        digest.update(repr(("byline", head.path, hashlib.sha256(response.body).hexdigest())).encode())
    return digest.hexdigest()


def truth_digest(model: SiteModel) -> str:
    def iso(value):
        if isinstance(value, datetime):
            return value.isoformat()
        raise TypeError(type(value))

    lines = []
    for doc in model.truth():
        doc = {k: v for k, v in doc.items() if k != "extraction"}
        lines.append(json.dumps(doc, ensure_ascii=False, default=iso))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@pytest.mark.parametrize("epoch", [1, 2])
def test_default_pages_are_byte_identical(epoch):
    assert pages_digest(SiteModel(seed=SEED, articles=ARTICLES, epoch=epoch), epoch) == PAGES_DIGEST[epoch]


@pytest.mark.parametrize("epoch", [1, 2])
def test_default_truth_is_identical(epoch):
    assert truth_digest(SiteModel(seed=SEED, articles=ARTICLES, epoch=epoch)) == TRUTH_DIGEST[epoch]

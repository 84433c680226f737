"""The content modes over HTTP: no tawsiyat, unknown template, sitemap build lastmod, span days; CLI flags."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

from parsel import Selector

from tests.conftest import ROOT
from tests.integration.test_replica_pages import BEIRUT, COMPARED, fetch, parse_article, sample
from tests.replica.model import SiteModel

SITE_URL = "https://english.almayadeen.net"
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(replica) -> tuple[dict[str, datetime], dict[str, list[tuple[str, datetime]]]]:
    """(file loc -> its lastmod in the index, file loc -> [(url, lastmod)])."""
    index = ElementTree.fromstring(fetch(replica.url + "/sitemaps/all.xml")[1])
    files, entries = {}, {}
    for item in index.findall("sm:sitemap", NS):
        loc = item.find("sm:loc", NS).text
        files[loc] = datetime.fromisoformat(item.find("sm:lastmod", NS).text)
        month = ElementTree.fromstring(fetch(replica.url + urlsplit(loc).path)[1])
        entries[loc] = [(u.find("sm:loc", NS).text, datetime.fromisoformat(u.find("sm:lastmod", NS).text))
                        for u in month.findall("sm:url", NS)]
    return files, entries


def test_no_tawsiyat_anywhere_and_the_truth_follows(replica_factory):
    rp = replica_factory(articles=120, seed=2, no_tawsiyat=True)
    model = SiteModel(seed=2, articles=120, no_tawsiyat=True)
    truth = {d["url"]: d for d in model.truth()}
    assert all(d["countries"] == [] for d in truth.values())
    seed_page = "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"
    for path in ["/", "/news/politics", "/tags/Palestine", seed_page, *(u[len(SITE_URL):] for u in sample(model, 2))]:
        status, page = fetch(rp.url + path)
        assert status == 200 and "tawsiyat" not in page, path
    for url in sample(model, 2):
        parsed = parse_article(fetch(rp.url + url[len(SITE_URL):])[1], rp.url + url[len(SITE_URL):])
        assert not parsed["has_metadata"]
        for field in COMPARED:
            assert parsed[field] == truth[url][field], (url, field)
    assert rp.control(no_tawsiyat=False)["no_tawsiyat"] is False
    assert "tawsiyat-metadata" in fetch(rp.url + sample(model, 1)[0][len(SITE_URL):])[1]


def test_unknown_template_moves_the_body_and_nothing_else(replica_factory):
    rp = replica_factory(articles=300, seed=1, unknown_template=True)
    plain = replica_factory(articles=300, seed=1)
    model = SiteModel(seed=1, articles=300, unknown_template=True)
    generic = model.variants["unknown_template"]
    assert len(generic) >= 3
    truth = {d["url"]: d for d in model.truth()}
    for url in generic:
        path = url[len(SITE_URL):]
        odd, usual = fetch(rp.url + path)[1], fetch(plain.url + path)[1]
        sel = Selector(text=odd)
        assert not sel.css("div.p-content") and sel.css("div.article-text > p")
        assert odd.replace('<div class="article-text">', '<div class="p-content">', 1) == usual
        paragraphs = ["".join(p.css("::text").getall()) for p in sel.css("div.article-text > p")]
        assert any(truth[url]["body"].split("\n\n")[0][:40] in " ".join(p.split()) for p in paragraphs)
        assert truth[url]["extraction"] == "generic"
    others = [u for u in sample(model, 1) if u not in generic][:10]
    for url in others:
        assert fetch(rp.url + url[len(SITE_URL):])[1] == fetch(plain.url + url[len(SITE_URL):])[1]
        assert truth[url]["extraction"] == "site"


def test_sitemap_build_lastmod_stamps_every_entry_with_one_later_instant(replica_factory):
    rp = replica_factory(articles=200, seed=3, sitemap_lastmod="build")
    model = SiteModel(seed=3, articles=200)
    truth = {d["url"]: d for d in model.truth()}
    files, entries = sitemap_entries(rp)
    stamps = {lastmod for rows in entries.values() for _, lastmod in rows}
    assert len(stamps) == 1
    built = stamps.pop()
    assert built == datetime(2025, 11, 30, 23, 59, tzinfo=BEIRUT)  # epoch 1's end
    valid = [d for u, d in truth.items() if u not in model.invalid]
    assert all(built > (d["modified_at"] or d["published_at"]) for d in valid)
    for loc, rows in entries.items():  # the index keeps each file's true newest lastmod
        newest = max((truth[u]["modified_at"] or truth[u]["published_at"]) for u, _ in rows)
        assert files[loc] == newest
        if not any(u in model.invalid for u, _ in rows):
            assert files[loc] < built
    assert {u for rows in entries.values() for u, _ in rows} == model.reachable("sitemaps")
    # live: back to each entry's own time, then epoch 2's build time
    assert rp.control(sitemap_lastmod="true")["sitemap_lastmod"] == "true"
    _, entries = sitemap_entries(rp)
    assert all(lastmod == (truth[u]["modified_at"] or truth[u]["published_at"])
               for rows in entries.values() for u, lastmod in rows)
    rp.control(sitemap_lastmod="build", epoch=2)
    _, entries = sitemap_entries(rp)
    assert {lastmod for rows in entries.values() for _, lastmod in rows} == {datetime(2025, 12, 31, 23, 59, tzinfo=BEIRUT)}


def test_span_days_shows_in_the_sitemaps_with_its_gap(replica_factory):
    rp = replica_factory(articles=300, seed=1, span_days=30)
    model = SiteModel(seed=1, articles=300, span_days=30)
    files, entries = sitemap_entries(rp)
    months = {re.search(r"sitemap-(\d{4}-\d{1,2})\.xml", loc)[1] for loc in files}
    assert months <= {"2025-10", "2025-11", "2099-1", "2099-2", "2099-3", "2099-4", "2099-5", "2099-6",
                      "2099-7", "2099-8", "2099-9", "2099-10", "2099-11"}
    days = Counter()
    for url in {u for rows in entries.values() for u, _ in rows} - set(model.invalid):
        sel = Selector(text=fetch(rp.url + url[len(SITE_URL):])[1])
        published = sel.css('meta[property="article:published_time"]::attr(content)').get()
        if published:
            days[datetime.fromisoformat(published).astimezone(BEIRUT).date()] += 1
    gap_first, gap_last = model.gap
    assert (gap_last - gap_first).days >= 4
    assert all(not gap_first <= d <= gap_last for d in days)
    assert days[gap_first - timedelta(days=1)] >= 3 and days[gap_last + timedelta(days=1)] >= 3
    assert min(days) >= date(2025, 11, 1) and max(days) <= date(2025, 11, 30)


def cli_truth(*args: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--articles", "60", "--seed", "6", *args],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_truth_command_takes_the_content_options():
    plain = cli_truth()
    assert cli_truth("--markup", "2", "--sitemap-lastmod", "build") == plain
    assert all(d["countries"] == [] for d in cli_truth("--no-tawsiyat"))
    assert sum(d["extraction"] == "generic" for d in cli_truth("--unknown-template")) == 3
    assert sum(d["extraction"] == "generic" for d in cli_truth("--unknown-template-rate", "0.1")) == 6
    spanned = cli_truth("--span-days", "20")
    published = [datetime.fromisoformat(d["published_at"]).astimezone(UTC) for d in spanned
                 if d["published_at"] < "2099"]
    assert min(published) >= datetime(2025, 11, 11, tzinfo=BEIRUT)
    refused = subprocess.run([sys.executable, "-m", "tests.replica", "truth", "--edition", "ar", "--markup", "2"],
                             cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode == 2 and "markup 2" in refused.stderr

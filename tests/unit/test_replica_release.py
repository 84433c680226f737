"""Release mode (issue 22) in the model and the routes, at chosen instants (no wall clock, no sleeping)."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from tests.replica.model import SiteModel
from tests.replica.routes import resolve

BEIRUT = ZoneInfo("Asia/Beirut")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
T0 = datetime(2026, 12, 6, 12, 0, 0, 500000, tzinfo=UTC).timestamp()  # the clock starts at 12:00:00.5 UTC
OPTIONS = dict(seed=1, articles=200, release_every=60, release_count=5, release_edits=2, release_edit_after=90)


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def model():
    m = SiteModel(**OPTIONS)
    assert m.start_release(at=T0) == T0
    return m


def test_nothing_is_released_before_the_clock_starts():
    m = SiteModel(**OPTIONS)
    assert m.released() == [] and m.release_events() == [] and m.snapshot() is None
    plain = SiteModel(seed=1, articles=200)
    assert m.truth() == plain.truth()  # the seeded site is the same with release mode on
    assert resolve(m, 1, "/").body == resolve(plain, 1, "/").body
    assert resolve(m, 1, "/sitemaps/all.xml").body == resolve(plain, 1, "/sitemaps/all.xml").body
    for head in m.release_heads:
        assert resolve(m, 1, head.path).status == 404


def test_release_instants_and_documents(model):
    assert model.released(T0 + 59.9) == []
    docs = model.released(T0 + 130)  # releases 1 and 2, newest first
    assert [d["published_at"] for d in docs] == [datetime(2026, 12, 6, 12, 2, 0, tzinfo=UTC),
                                                 datetime(2026, 12, 6, 12, 1, 0, tzinfo=UTC)]
    assert all(d["modified_at"] is None and d["revision"] == 1 for d in docs)
    everything = model.released(math.inf)
    assert len(everything) == 5 and len({d["content_hash"] for d in everything}) == 5
    assert len({d["url"] for d in everything}) == 5 and not {d["url"] for d in everything} & {
        d["url"] for d in model.truth()}
    for doc in everything:
        assert doc["title"] and doc["word_count"] >= 60 and doc["body"].count("\n\n") >= 2
        assert doc["site"] == "english.almayadeen.net" and doc["extraction"] == "site"
        assert doc["description"] and doc["authors"] and doc["postid"]


def test_edits_come_after_their_release_with_a_new_revision(model):
    # edits: every (5 // 2)-th release: 2 and 4, 90 s after their release
    before = {d["url"]: d for d in model.released(T0 + 209)}
    after = {d["url"]: d for d in model.released(T0 + 211)}
    edited = [u for u in after if after[u]["revision"] == 2]
    assert len(edited) == 1 and before[edited[0]]["revision"] == 1
    new, old = after[edited[0]], before[edited[0]]
    assert new["modified_at"] == datetime(2026, 12, 6, 12, 3, 30, tzinfo=UTC)
    assert new["published_at"] == old["published_at"] == datetime(2026, 12, 6, 12, 2, 0, tzinfo=UTC)
    assert new["content_hash"] != old["content_hash"] and new["body"] != old["body"]
    assert new["body"].split("\n\n")[-1].startswith("Update: ")
    final = model.released(math.inf)
    assert sum(d["revision"] == 2 for d in final) == 2


def test_events_in_order(model):
    events = model.release_events(T0 + 331)
    assert [(e["event"], round(e["t"] - T0, 3)) for e in events] == [
        ("released", 60), ("released", 120), ("released", 180), ("edited", 210), ("released", 240),
        ("released", 300), ("edited", 330)]
    docs = {d["url"]: d for d in model.released(T0 + 331)}
    first = events[0]
    assert first["published_at"] == "2026-12-06T12:01:00+00:00" and first["modified_at"] is None
    edit = events[3]
    assert edit["url"] == events[1]["url"] and edit["modified_at"] == "2026-12-06T12:03:30+00:00"
    assert edit["content_hash"] == docs[edit["url"]]["content_hash"] != events[1]["content_hash"]
    assert model.release_events(T0 + 59) == []


def test_a_released_article_tops_home_listings_tags_and_the_current_sitemap(model):
    now = T0 + 125
    newest = model.released(now)[0]
    head = next(h for h in model.release_heads if h.url == newest["url"])
    page = resolve(model, 1, head.path, now=now)
    assert page.status == 200 and parsedate_to_datetime(page.headers["Last-Modified"]) == newest["published_at"]
    assert resolve(model, 1, model.release_heads[2].path, now=now).status == 404  # release 3: not yet
    home = Selector(text=resolve(model, 1, "/", now=now).body.decode())
    cards = home.css("div.listing a.card__link::attr(href)").getall()
    assert len(cards) == 24 and path_of(cards[0]).rstrip("/") == head.path
    assert path_of(cards[1]).rstrip("/") == model.release_heads[0].path
    for key in [f"/{head.section}", f"/{head.section.split('/')[0]}", *(f"/region/{r}" for r in head.regions)]:
        listing = Selector(text=resolve(model, 1, key, now=now).body.decode())
        assert path_of(listing.css("div.listing a.card__link::attr(href)").get()).rstrip("/") == head.path, key
    tag = Selector(text=resolve(model, 1, "/tags/" + head.tags[0], now=now).body.decode())
    assert path_of(tag.css("div.listing a.card__link::attr(href)").get()).rstrip("/") == head.path
    index = ElementTree.fromstring(resolve(model, 1, "/sitemaps/all.xml", now=now).body)
    files = {i.find("sm:loc", NS).text: i.find("sm:lastmod", NS).text for i in index.findall("sm:sitemap", NS)}
    current = "https://english.almayadeen.net/sitemaps/all/sitemap-2026-12.xml"
    assert files[current] == "2026-12-06T14:02:00+02:00"
    month = ElementTree.fromstring(resolve(model, 1, path_of(current), now=now).body)
    rows = [(u.find("sm:loc", NS).text, u.find("sm:lastmod", NS).text) for u in month.findall("sm:url", NS)]
    assert rows == [(newest["url"], "2026-12-06T14:02:00+02:00"),
                    (model.release_heads[0].url, "2026-12-06T14:01:00+02:00")]


def test_an_edit_changes_the_page_its_validators_and_the_sitemap(model):
    head = model.release_heads[1]  # release 2: edited at T0 + 210
    before, after = (resolve(model, 1, head.path, now=t) for t in (T0 + 200, T0 + 220))
    assert before.headers["ETag"] != after.headers["ETag"]
    assert parsedate_to_datetime(after.headers["Last-Modified"]) == datetime(2026, 12, 6, 12, 3, 30, tzinfo=UTC)
    for response, updated in ((before, ""), (after, "2026-12-06T14:03:30+02:00")):
        sel = Selector(text=response.body.decode())
        assert sel.css('meta[property="article:modified_time"]::attr(content)').get(default="") == updated
        assert f'"last_updated": "{updated}"' in sel.css("script#tawsiyat-metadata::text").get()
    assert "Update: " in after.body.decode() and "Update: " not in before.body.decode()
    sitemap = resolve(model, 1, "/sitemaps/all/sitemap-2026-12.xml", now=T0 + 220).body.decode()
    assert f"<loc>{head.url}</loc><lastmod>2026-12-06T14:03:30+02:00</lastmod>" in sitemap
    index = resolve(model, 1, "/sitemaps/all.xml", now=T0 + 220)
    assert parsedate_to_datetime(index.headers["Last-Modified"]) == datetime(2026, 12, 6, 12, 3, 30, tzinfo=UTC)


def test_arabic_releases_and_a_second_start_changes_nothing():
    m = SiteModel(seed=2, articles=60, edition="ar", release_every=1, release_count=3)
    m.start_release(at=T0)
    assert m.start_release(at=T0 + 1000) == T0
    docs = m.released(T0 + 10)
    assert len(docs) == 3 and {d["site"] for d in docs} == {"www.almayadeen.net"} and {d["lang"] for d in docs} == {"ar"}
    assert all(d["modified_at"] is None for d in docs) and m.release_events(T0 + 10)[-1]["t"] == T0 + 3


@pytest.mark.parametrize("options, message", [
    ({"release_every": 1}, "both"), ({"release_count": 3}, "both"), ({"release_edits": 1}, "release mode"),
    ({"release_every": 0, "release_count": 2}, "positive"), ({"release_every": 1, "release_count": 2, "release_edits": 3},
                                                            "release-edits"),
    ({"release_every": 1, "release_count": 2, "release_edit_after": -1}, "edit-after"),
    ({"release_every": 1, "release_count": 2, "epoch": 2}, "epoch 1"),
])
def test_release_options_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        SiteModel(seed=1, articles=30, **options)
    with pytest.raises(ValueError, match="release mode is off"):
        SiteModel(seed=1, articles=30).start_release()

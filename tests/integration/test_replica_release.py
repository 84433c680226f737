"""Release mode over HTTP (issue 22): articles published and edited while the replica runs.

The test never assumes timing: it waits (with a deadline) for /__replica/releases to report an event, and
an observation counts as "before" an event only if the event list fetched after it still lacks the event.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from tests.integration.test_replica_validators import request
from tests.replica.model import SiteModel

BEIRUT = ZoneInfo("Asia/Beirut")
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
RUN = dict(articles=120, seed=1, release_every=0.3, release_count=4, release_edits=1, release_edit_after=1.5)
DEADLINE = 30.0


def events(rp) -> list[dict]:
    with urllib.request.urlopen(rp.url + "/__replica/releases", timeout=10) as resp:
        return json.load(resp)


def wait_for(rp, predicate, what: str) -> list[dict]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        seen = events(rp)
        if predicate(seen):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"no {what} within {DEADLINE}s: {events(rp)}")


def has(seen: list[dict], event: str, url: str) -> bool:
    return any(e["event"] == event and e["url"] == url for e in seen)


def path_of(url: str) -> str:
    return urlsplit(url).path


def card_paths(rp, path: str) -> list[str]:
    sel = Selector(text=request(rp, path)[2].decode())
    return [path_of(h).rstrip("/") for h in sel.css("div.listing a.card__link::attr(href)").getall()]


def test_a_short_release_run(replica_factory):
    rp = replica_factory(**RUN)
    model = SiteModel(**RUN)
    heads = model.release_heads  # their URLs are known before they exist; the 4th is the edited one
    paths = [h.path for h in heads]
    plain_home = request(rp, "/")[2]
    assert events(rp) == [] and all(request(rp, p)[0] == 404 for p in paths)
    assert json.load(urllib.request.urlopen(rp.url + "/__replica/control", timeout=10))["release"]["started"] is None
    time.sleep(0.4)  # no clock, no release however long one waits
    assert events(rp) == [] and request(rp, "/")[2] == plain_home

    started = rp.control(release="start")["release"]["started"]
    assert abs(started - time.time()) < 5
    seen = wait_for(rp, lambda s: has(s, "released", heads[0].url), "first release")
    status = request(rp, paths[3])[0]
    if not has(events(rp), "released", heads[3].url):
        assert status == 404  # release 4 answered 404 while it was not out
    seen = wait_for(rp, lambda s: has(s, "released", heads[3].url), "fourth release")
    page = request(rp, paths[3])
    before_edit = not has(events(rp), "edited", heads[3].url)
    assert page[0] == 200

    # released: on top of the home page, its listings, its tags, the current month's sitemap
    released = [e for e in seen if e["event"] == "released"]
    assert [e["url"] for e in released] == [h.url for h in heads]
    assert [e["t"] for e in released] == sorted(e["t"] for e in released)
    for k, event in enumerate(released, 1):
        assert abs(event["t"] - (started + 0.3 * k)) < 1e-6
        published = datetime.fromisoformat(event["published_at"])
        assert published.timestamp() == int(started + 0.3 * k)
    assert card_paths(rp, "/")[:4] == paths[::-1]
    newest = heads[3]
    assert card_paths(rp, f"/{newest.section}")[0] == newest.path
    assert card_paths(rp, f"/tags/{newest.tags[0]}")[0] == newest.path
    month = datetime.fromisoformat(released[-1]["published_at"]).astimezone(BEIRUT)
    current = f"/sitemaps/all/sitemap-{month.year}-{month.month}.xml"
    index = ElementTree.fromstring(request(rp, "/sitemaps/all.xml")[2])
    files = {path_of(i.find("sm:loc", NS).text): i.find("sm:lastmod", NS).text for i in index.findall("sm:sitemap", NS)}
    assert current in files
    rows = ElementTree.fromstring(request(rp, current)[2]).findall("sm:url", NS)
    locs = [r.find("sm:loc", NS).text for r in rows]
    assert set(h.url for h in heads) <= set(locs)
    lastmods = {r.find("sm:loc", NS).text: datetime.fromisoformat(r.find("sm:lastmod", NS).text) for r in rows}
    assert datetime.fromisoformat(files[current]) == max(lastmods.values())

    # the edit: a new body, last_updated, ETag, Last-Modified and sitemap lastmod
    seen = wait_for(rp, lambda s: has(s, "edited", newest.url), "edit")
    edit = next(e for e in seen if e["event"] == "edited")
    assert [e["event"] for e in seen] == ["released"] * 4 + ["edited"]
    assert edit["url"] == newest.url and edit["content_hash"] != released[-1]["content_hash"]
    assert edit["t"] >= released[-1]["t"] + 1.5
    modified = datetime.fromisoformat(edit["modified_at"])
    status, headers, body = request(rp, paths[3], If_None_Match=page[1]["etag"])
    assert status == 200 and headers["etag"] != page[1]["etag"]
    assert parsedate_to_datetime(headers["last-modified"]) == modified
    sel = Selector(text=body.decode())
    assert datetime.fromisoformat(sel.css('meta[property="article:modified_time"]::attr(content)').get()) == modified
    assert sel.css("div.p-content p::text").re(r"^Update: ")
    if before_edit:
        assert "Update: " not in page[2].decode() and not Selector(text=page[2].decode()).css(
            'meta[property="article:modified_time"]')
    rows = ElementTree.fromstring(request(rp, current)[2]).findall("sm:url", NS)
    lastmods = {r.find("sm:loc", NS).text: datetime.fromisoformat(r.find("sm:lastmod", NS).text) for r in rows}
    assert lastmods[newest.url] == modified
    assert request(rp, paths[3], If_None_Match=headers["etag"])[0] == 304

    # the truth at any instant, and the log file
    model.start_release(at=started)
    docs = {d["url"]: d for d in model.released(time.time())}
    assert docs[newest.url]["content_hash"] == edit["content_hash"] and docs[newest.url]["revision"] == 2
    assert model.release_events(time.time()) == events(rp)
    deadline = time.monotonic() + DEADLINE  # a thread writes each event to the log file at its instant
    while True:
        lines = [json.loads(line) for line in rp.log_path.read_text().splitlines()]
        if len([e for e in lines if "event" in e]) == 5 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert [e for e in lines if "event" in e] == events(rp)
    assert all({"t", "path", "status", "ua"} <= set(e) for e in lines if "event" not in e)
    assert "event" not in json.dumps(rp.requests())


def test_release_start_now_and_what_the_control_refuses(replica_factory):
    rp = replica_factory(articles=60, seed=2, edition="ar", release_every=0.2, release_count=2, release_start="now")
    seen = wait_for(rp, lambda s: len(s) == 2, "two releases")
    assert [e["event"] for e in seen] == ["released", "released"]
    assert all(e["url"].startswith("https://www.almayadeen.net/") for e in seen)
    assert request(rp, path_of(seen[1]["url"]))[0] == 200
    for change in ({"epoch": 2}, {"release": "stop"}):
        with pytest.raises(urllib.error.HTTPError) as refused:
            rp.control(**change)
        assert refused.value.code == 400
    plain = replica_factory(articles=30, seed=2)
    with pytest.raises(urllib.error.HTTPError) as refused:
        plain.control(release="start")
    assert refused.value.code == 400 and b"release mode is off" in refused.value.read()
    assert events(plain) == []

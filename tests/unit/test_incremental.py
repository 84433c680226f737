"""The spider's incremental decision: download only what the store lacks or holds in an older version."""

import asyncio
from datetime import date, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.items import SightingItem
from newscrawl.schedule.sources import LISTING, Sources
from newscrawl.spiders.almayadeen import AlmayadeenSpider, Tally
from newscrawl.spiders.almayadeen import is_newer as is_newer_in

is_newer = partial(is_newer_in, tz=ZoneInfo("Asia/Beirut"))
T = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_unknown_articles_are_always_new():
    assert is_newer(None, None) and is_newer(T, {}) and is_newer(date(2024, 5, 1), None)


def test_sitemap_lastmod_against_the_stored_version():
    stored = {"modified_at": T, "published_at": datetime(2024, 4, 1, tzinfo=timezone.utc)}
    assert not is_newer(T, stored)
    assert is_newer(datetime(2024, 5, 1, 12, 1, tzinfo=timezone.utc), stored)
    assert not is_newer(datetime(2024, 4, 30, tzinfo=timezone.utc), stored)
    assert is_newer(datetime(2024, 4, 2, tzinfo=timezone.utc), {"modified_at": None, "published_at": stored["published_at"]})


def test_listing_dates_compare_by_beirut_day_and_no_hint_means_unchanged():
    stored = {"modified_at": None, "published_at": datetime(2024, 5, 1, 22, 30, tzinfo=timezone.utc)}  # 2 May in Beirut
    assert not is_newer(date(2024, 5, 2), stored)
    assert is_newer(date(2024, 5, 3), stored)
    assert not is_newer(None, stored)


def test_an_alias_is_judged_by_when_its_text_was_last_seen():
    alias = {"modified_at": datetime(2020, 1, 1, tzinfo=timezone.utc), "last_seen_at": T, "alias_of": "https://x/a"}
    assert not is_newer(datetime(2024, 1, 1, tzinfo=timezone.utc), alias)
    assert is_newer(datetime(2024, 6, 1, tzinfo=timezone.utc), alias)


# --- one article met by two sources at once (a card and a sitemap) ------------------------------
ARTICLE = "https://english.almayadeen.net/news/politics/an-article-met-twice"
SITEMAP_DATE = ("sitemap", "2024-05-01T10:15:00+00:00")  # the sitemap's news:publication_date: exact
CARD_DAY = ("card_day", "2024-04-30T21:00:00+00:00")  # the card's day alone: midnight in Beirut


def spider_without_store():
    spider = AlmayadeenSpider.from_crawler(get_crawler(AlmayadeenSpider, {"NEWSCRAWL_EXTRACT_PROCESSES": 0}))
    asked, answer = asyncio.Event(), asyncio.Event()

    async def stored_versions(urls):  # the first look-up (the sitemap's) answers only when told to
        if not asked.is_set():
            asked.set()
            await answer.wait()
        return {}

    spider.stored_versions = stored_versions
    return spider, asked, answer


async def requests_of(generator) -> list:
    return [request async for request in generator]


def test_a_sitemap_whose_article_a_card_requested_during_its_lookup_adds_no_request_and_its_date_wins():
    async def scenario():
        spider, asked, answer = spider_without_store()
        tally = Tally()
        sitemap = asyncio.create_task(requests_of(spider.new_or_changed(
            [(ARTICLE, None, SITEMAP_DATE)], via="sitemaps", listed=True, tally=tally)))
        await asyncio.wait_for(asked.wait(), 10)
        card = await requests_of(spider.new_or_changed([(ARTICLE, date(2024, 5, 1), CARD_DAY)], via="listings"))
        answer.set()
        return spider, tally, card, await asyncio.wait_for(sitemap, 10)

    spider, tally, card, from_sitemap = asyncio.run(scenario())
    assert len(card) == 1 and from_sitemap == []  # one request for the article, not a second one dropped later
    assert tally.pending == [ARTICLE] and tally.awaited == [spider.digest(ARTICLE)]  # the sitemap waits for it too
    # the page, read with the card's day, takes the sitemap's exact time
    assert spider.site_date(ARTICLE, card[0].meta["site_date"]) == SITEMAP_DATE


def test_an_article_through_the_pipelines_before_its_sitemap_is_read_is_not_awaited():
    async def scenario():
        spider, asked, answer = spider_without_store()
        asked.set()  # no look-up waits
        await requests_of(spider.new_or_changed([(ARTICLE, date(2024, 5, 1), CARD_DAY)], via="listings"))
        waiting = Tally()
        await requests_of(spider.new_or_changed([(ARTICLE, None, SITEMAP_DATE)], via="sitemaps", tally=waiting))
        spider.item_done(SightingItem(url=ARTICLE, site="english.almayadeen.net", seen_at=datetime.now(timezone.utc)))
        done = Tally()
        await requests_of(spider.new_or_changed([(ARTICLE, None, SITEMAP_DATE)], via="sitemaps", tally=done))
        return spider, waiting, done

    spider, waiting, done = asyncio.run(scenario())
    assert waiting.awaited == [spider.digest(ARTICLE)]
    assert done.awaited == [] and done.pending == [ARTICLE] and not spider.unresolved


def test_the_home_pages_news_a_sitemap_requested_first_still_sends_its_section_walking():
    """A section listing not due is walked when the home page shows news of its section, whichever source
    (the home page or a sitemap answered first) requested that news."""
    site = "https://english.almayadeen.net"
    chrome = (Path(__file__).resolve().parent.parent / "fixtures" / "seed-article.html").read_text("utf-8")
    card = f'<div class="card"><a href="{ARTICLE}"><h3>An article met twice</h3></a><span>01 May 2024</span></div>'
    home = chrome.split("<main>")[0] + f"<main>{card}</main></body></html>"

    async def scenario(sitemap_first: bool):
        spider, asked, _ = spider_without_store()
        asked.set()  # no look-up waits
        now = datetime.now(timezone.utc)
        spider.sources = Sources("english.almayadeen.net")
        for section in ("news/politics", "news/sports"):  # both walked a minute ago: not due
            spider.sources.walked(LISTING, f"{site}/{section}", now - timedelta(minutes=1), 10, 0, [])
        if sitemap_first:
            await requests_of(spider.new_or_changed([(ARTICLE, None, SITEMAP_DATE)], via="sitemaps"))
        response = HtmlResponse(site + "/", body=home.encode(), encoding="utf-8", request=Request(site + "/"))
        return await requests_of(spider.parse_home(response))

    for sitemap_first in (False, True):
        requests = asyncio.run(scenario(sitemap_first))
        listings = [r.url for r in requests if r.meta["kind"] == "listing"]
        assert site + "/news/politics" in listings, (sitemap_first, listings)
        assert site + "/news/sports" not in listings  # no news of it on the home page
        assert [r.url for r in requests if r.meta["kind"] == "article"] == ([] if sitemap_first else [ARTICLE])

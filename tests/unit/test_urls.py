"""canonical_url: one spelling per article URL."""

from __future__ import annotations

import pytest

from newscrawl.urls import canonical_url, mirror_url, path_of

SITE = "https://english.almayadeen.net"
ARTICLE = SITE + "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"


@pytest.mark.parametrize("url", [
    ARTICLE,
    ARTICLE + "?utm_source=twitter&utm_medium=social",
    ARTICLE + "/",
    ARTICLE + "#comments",
    ARTICLE + "/?fbclid=abc#x",
    "HTTPS://English.AlMayadeen.NET/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight",
    "http://english.almayadeen.net/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight",
    "https://english.almayadeen.net:443/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight",
    "  " + ARTICLE + "\n",
])
def test_spellings_of_one_article_are_one_url(url):
    assert canonical_url(url) == ARTICLE


def test_percent_encoded_colon_and_literal_colon_are_one_url():
    a = canonical_url(SITE + "/articles/opinion/the-ukrainian-crisis%3A-a-second-look")
    b = canonical_url(SITE + "/articles/opinion/the-ukrainian-crisis:-a-second-look")
    assert a == b == SITE + "/articles/opinion/the-ukrainian-crisis:-a-second-look"


def test_spaces_are_percent_encoded_once():
    assert canonical_url(SITE + "/tags/Ilham Aliyev") == SITE + "/tags/Ilham%20Aliyev"
    assert canonical_url(SITE + "/tags/Ilham%20Aliyev") == SITE + "/tags/Ilham%20Aliyev"


def test_relative_url_resolved_against_base():
    assert canonical_url("../economy/x/", base=SITE + "/news/politics/y") == SITE + "/news/economy/x"


def test_mirror_host_maps_to_the_site():
    url = "http://127.0.0.1:8765/news/politics/a/?utm_source=x"
    assert canonical_url(url, mirror_hosts=("127.0.0.1:8765",)) == SITE + "/news/politics/a"


def test_other_hosts_are_kept():
    assert canonical_url("http://127.0.0.1:8765/a") == "https://127.0.0.1:8765/a"
    assert canonical_url("https://Twitter.com/SecBlinken/status/1?s=20") == "https://twitter.com/SecBlinken/status/1"


def test_root_keeps_its_slash():
    assert canonical_url(SITE) == SITE + "/"
    assert canonical_url(SITE + "/?page=2") == SITE + "/"


def test_canonical_is_idempotent():
    once = canonical_url("http://127.0.0.1:1/tags/A%20b/?x=1", mirror_hosts=("127.0.0.1:1",))
    assert canonical_url(once) == once


def test_mirror_url_and_path():
    assert mirror_url(ARTICLE, "http://127.0.0.1:8765") == \
        "http://127.0.0.1:8765/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"
    assert path_of(ARTICLE + "/") == "/news/politics/blinken-calls-for-immediate-halt-to-armenia-azerbaijan-fight"

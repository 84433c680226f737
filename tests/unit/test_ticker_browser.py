"""What the ticker spider needs from its surroundings: a Chromium, typed arguments, skipped resources."""

from __future__ import annotations

import os
from pathlib import Path
import stat
from types import SimpleNamespace

import pytest

from newscrawl.browser import ChromiumNotFound, find_chromium, launch_options, skip_heavy_resource
from newscrawl.spiders.breaking import BadArgument, BreakingArgs, playwright_handlers


def fake_executable(directory, name: str) -> str:
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_configured_executable_wins(tmp_path):
    exe = fake_executable(tmp_path, "my-chromium")
    assert find_chromium(exe, candidates=(), path="") == exe


def test_configured_executable_that_is_missing_is_an_error_naming_it_and_the_package():
    with pytest.raises(ChromiumNotFound) as err:
        find_chromium("/nonexistent/chromium", candidates=(), path="")
    assert "CHROMIUM_EXECUTABLE=/nonexistent/chromium" in str(err.value)
    assert "apt-get install chromium" in str(err.value)


def test_found_on_path_then_in_the_usual_places(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    on_path = fake_executable(bin_dir, "chromium-browser")
    fixed = fake_executable(tmp_path, "chromium")
    assert find_chromium(None, candidates=(fixed,), path=str(bin_dir)) == on_path
    assert find_chromium(None, candidates=(str(tmp_path / "absent"), fixed), path=str(tmp_path / "empty")) == fixed


def test_nothing_anywhere_says_how_to_install_it(tmp_path):
    not_executable = tmp_path / "chromium"
    not_executable.write_text("")
    with pytest.raises(ChromiumNotFound) as err:
        find_chromium(None, candidates=(str(not_executable),), path=str(tmp_path / "empty"))
    assert "apt-get install chromium" in str(err.value)
    assert str(not_executable) in str(err.value)


def test_launch_options_use_the_given_binary_quietly():
    options = launch_options("/usr/bin/chromium")
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["headless"] is True
    assert "--disable-background-networking" in options["args"]
    assert ("--no-sandbox" in options["args"]) == (os.geteuid() == 0)


@pytest.mark.parametrize("resource_type, skipped", [
    ("image", True), ("font", True), ("media", True),
    ("document", False), ("script", False), ("fetch", False), ("xhr", False), ("stylesheet", False),
])
def test_heavy_resources_are_skipped(resource_type, skipped):
    assert skip_heavy_resource(SimpleNamespace(resource_type=resource_type)) is skipped


def test_arguments_default_to_one_capture_of_the_home_page():
    assert BreakingArgs.parse() == BreakingArgs(pages=("/",), repeat=1, interval=60.0)


def test_arguments_are_typed():
    args = BreakingArgs.parse(pages=" /, /news/politics ,/", repeat="3", interval="0.5")
    assert args == BreakingArgs(pages=("/", "/news/politics"), repeat=3, interval=0.5)


@pytest.mark.parametrize("raw, message", [
    ({"repeat": "often"}, "repeat must be a whole number"),
    ({"repeat": "-1"}, "repeat must be 0"),
    ({"interval": "soon"}, "interval must be a number"),
    ({"interval": "-2"}, "0 or more"),
    ({"interval": "nan"}, "0 or more"),
    ({"pages": "news/politics"}, "starting with '/'"),
    ({"pages": "https://example.com/"}, "starting with '/'"),
    ({"pages": " , "}, "starting with '/'"),
])
def test_bad_arguments_are_refused_by_name(raw, message):
    with pytest.raises(BadArgument) as err:
        BreakingArgs.parse(**raw)
    assert message in str(err.value)


def test_only_the_base_url_scheme_goes_through_the_bounded_browser_handler():
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawl.settings")
    settings.set("BASE_URL", "http://127.0.0.1:8000")
    assert playwright_handlers(settings) == {"http": "newscrawl.browser.BoundedPlaywrightHandler"}
    settings.set("BASE_URL", "https://english.almayadeen.net")
    assert list(playwright_handlers(settings)) == ["https"]


@pytest.mark.parametrize("spider, browser", [("breaking", True), ("almayadeen", False)])
def test_only_the_breaking_spider_installs_a_browser_handler(spider, browser, monkeypatch):
    from scrapy.crawler import Crawler
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    settings = get_project_settings()
    crawler = Crawler(SpiderLoader.from_settings(settings).load(spider), settings)
    handlers = crawler.settings.getwithbase("DOWNLOAD_HANDLERS")
    uses_browser = any("Playwright" in str(handlers.get(scheme)) for scheme in ("http", "https"))
    assert uses_browser is browser

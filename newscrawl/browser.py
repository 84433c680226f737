"""The system Chromium for Playwright: where it is, how to launch it, what it may skip,
and a download handler that never waits on it forever.

Playwright's own browser download is not used: the crawler drives the distribution's
Chromium (Debian/Ubuntu package ``chromium``), found through the CHROMIUM_EXECUTABLE
setting or the usual install paths.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from contextlib import suppress

from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

logger = logging.getLogger(__name__)

CANDIDATE_PATHS = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/lib/chromium/chromium",
)
COMMAND_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "apt-get install chromium"

# Connections to Google hosts (updates, sync, field trials) fail offline and fill the log.
QUIET_ARGS = (
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)

SKIPPED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
DEFAULT_DEADLINE = 60.0  # seconds for one browser request, from page creation to rendered HTML
CLOSE_TIMEOUT = 5.0  # seconds to wait for a browser, context or page to close


class ChromiumNotFound(RuntimeError):
    """No usable Chromium executable; the message says how to get one."""


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium(
    configured: str | None = None,
    candidates: tuple[str, ...] = CANDIDATE_PATHS,
    path: str | None = None,
) -> str:
    """The Chromium executable: ``configured`` if given, else PATH, else the usual install paths."""
    if configured:
        found = shutil.which(configured, path=path)  # an absolute path or a command name
        if found:
            return found
        raise ChromiumNotFound(
            f"CHROMIUM_EXECUTABLE={configured} is not an executable file; "
            f"point it at a Chromium binary or unset it and install Chromium: {INSTALL_HINT}"
        )
    search_path = os.environ.get("PATH", "") if path is None else path
    for name in COMMAND_NAMES:
        found = shutil.which(name, path=search_path)
        if found:
            return found
    for candidate in candidates:
        if _is_executable(candidate):
            return candidate
    raise ChromiumNotFound(
        f"no Chromium found (looked for {', '.join(COMMAND_NAMES)} on PATH and in "
        f"{', '.join(candidates) or 'no fixed paths'}): install it with `{INSTALL_HINT}` "
        "or set CHROMIUM_EXECUTABLE to its path"
    )


def launch_options(executable: str, headless: bool = True) -> dict:
    """PLAYWRIGHT_LAUNCH_OPTIONS for the system Chromium."""
    args = list(QUIET_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start sandboxed as root
    return {"executable_path": executable, "headless": headless, "args": args}


def skip_heavy_resource(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are never needed for text."""
    return request.resource_type in SKIPPED_RESOURCE_TYPES


class BrowserUnresponsive(RuntimeError):
    """The browser did not finish a request within BROWSER_DEADLINE; it has been replaced."""


class BoundedPlaywrightHandler(ScrapyPlaywrightDownloadHandler):
    """scrapy-playwright's handler with a deadline on every browser request.

    A browser killed at the wrong moment (while launching, or while a context or page
    is being made) can leave a Playwright call that never answers, and the crawl would
    wait forever. Past BROWSER_DEADLINE the request fails with BrowserUnresponsive and
    the browser is dropped, so the next request launches a fresh one.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.deadline = crawler.settings.getfloat("BROWSER_DEADLINE", DEFAULT_DEADLINE)

    async def _download_request(self, request, spider=None):
        try:
            return await asyncio.wait_for(super()._download_request(request, spider), self.deadline)
        except asyncio.TimeoutError:
            self.stats.inc_value("browser/deadline_exceeded")
            await self._drop_browser()
            raise BrowserUnresponsive(
                f"the browser did not finish {request.url} within {self.deadline:g}s "
                "(BROWSER_DEADLINE); it was dropped and the next request starts a new one"
            ) from None

    async def _drop_browser(self) -> None:
        browser = getattr(self, "browser", None)
        self.context_wrappers.clear()
        if hasattr(self, "context_semaphore"):
            self.context_semaphore = asyncio.Semaphore(value=self.config.max_contexts)
        if browser is None:
            return
        del self.browser
        # its late "disconnected" event must not remove the browser launched after it
        browser.remove_listener("disconnected", self._browser_disconnected_callback)
        with suppress(Exception):
            await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)

    async def _close(self) -> None:
        try:
            await asyncio.wait_for(super()._close(), CLOSE_TIMEOUT * 3)
        except asyncio.TimeoutError:
            logger.warning("the browser did not close within %ss; leaving it to exit with the crawl",
                           CLOSE_TIMEOUT * 3)

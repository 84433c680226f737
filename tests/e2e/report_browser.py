"""Open a report in the system Chromium (Playwright), as a person would: what each chart drew, a screenshot."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from newscrawl.browser import find_chromium, launch_options

COUNT_MARKS = """() => Array.from(document.querySelectorAll('figure.chart')).map(f => ({
    chart: f.dataset.chart,
    declared: Number(f.dataset.points),
    marks: f.querySelectorAll('svg [id^="mark-' + f.dataset.chart + '-"]').length,
    drawn: Array.from(f.querySelectorAll('svg [id^="mark-' + f.dataset.chart + '-"]'))
        .filter(g => { const b = g.getBBox(); return b.width > 0 && b.height > 0; }).length,
    visible: f.getBoundingClientRect().height > 0,
}))"""


@dataclass
class Viewed:
    charts: dict[str, dict]
    requests: list[str]
    screenshot: bytes
    title: str


def view(report: Path, screenshot_to: Path | None = None) -> Viewed:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(**launch_options(find_chromium()))
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(report.resolve().as_uri(), wait_until="load")
            charts = {c["chart"]: c for c in page.evaluate(COUNT_MARKS)}
            shot = page.screenshot(full_page=True)
            title = page.title()
        finally:
            browser.close()
    if screenshot_to is not None:
        screenshot_to.write_bytes(shot)
    return Viewed(charts, requests, shot, title)


def pixel_spread(png: bytes) -> tuple[float, int]:
    """(the variance of the grey levels, the number of distinct colours): a blank page has ~0 and 1."""
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("RGB")
    grey = ImageStat.Stat(image.convert("L")).var[0]
    colours = image.getcolors(maxcolors=1 << 20)
    return grey, len(colours) if colours else 1 << 20

"""The HTML of `newscrawl report`: static SVG charts by matplotlib, inlined in one file.

Every chart is a `<figure class="chart" data-chart=NAME data-points=N>`; each of its N data
marks (a bar, a cell) is an SVG group whose id starts with `mark-NAME-`, so a browser (or a
test) can count what was drawn. Nothing is fetched when the file is viewed.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")  # no display, no pyplot state: each chart is its own Figure

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

BLUE, RED, AMBER, GREEN, GREY, TEAL = "#2f6690", "#d1495b", "#edae49", "#3a7d44", "#9aa5b1", "#00798c"
STYLE = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, the browser's own font
    "svg.hashsalt": "newscrawl",  # stable ids: the same data gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#8a94a0",
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e3e7ec",
    "grid.linewidth": 0.8,
    "xtick.color": "#4a5560",
    "ytick.color": "#4a5560",
    "axes.titleweight": "bold",
}
MAX_DAILY_BARS = 1200  # a longer archive is drawn per week
STATUS_COLOR = {"passed": GREEN, "failed": RED, "running": GREY}


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # its own size, never wider than the page (the height follows the viewBox)
    text = text.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    return text


def _figure(width: float, height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), dpi=96)
    return fig, fig.subplots()


def _mark(patches, chart: str, start: int = 0) -> int:
    for i, patch in enumerate(patches, start):
        patch.set_gid(f"mark-{chart}-{i}")
    return start + len(patches)


def _empty(chart: str, title: str, why: str) -> str:
    return (f'<figure class="chart empty" data-chart="{chart}" data-points="0"><h2>{html.escape(title)}</h2>'
            f'<p class="none">{html.escape(why)}</p></figure>')


def _wrap(chart: str, title: str, points: int, svg: str, caption: str) -> str:
    return (f'<figure class="chart" data-chart="{chart}" data-points="{points}"><h2>{html.escape(title)}</h2>'
            f'{svg}<figcaption>{caption}</figcaption></figure>')


# --- charts -----------------------------------------------------------------------------------


def per_day_chart(rows: list[dict], gaps: list[dict], gap_days: int, chart: str = "per_day",
                  title: str = "Articles per day", what: str = "articles") -> str:
    if not rows or not any(r["count"] for r in rows):
        return _empty(chart, title, f"no {what} with a date yet")
    days = [r["day"] for r in rows]
    counts = [r["count"] for r in rows]
    width, unit = 1.0, "day"
    if len(days) > MAX_DAILY_BARS:  # per week
        weekly: dict[date, int] = {}
        for d, n in zip(days, counts, strict=True):
            monday = d - timedelta(days=d.weekday())
            weekly[monday] = weekly.get(monday, 0) + n
        days, counts, width, unit = list(weekly), list(weekly.values()), 7.0, "week"
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(10, 3.2)
        bars = ax.bar(days, counts, width=width * 0.9, align="edge", color=BLUE, linewidth=0)
        points = _mark(bars.patches, chart)
        top = max(counts)
        for k, gap in enumerate(gaps):
            start, end = gap["start"], gap["end"] + timedelta(days=1)
            ax.axvspan(start, end, color=RED, alpha=0.15, linewidth=0)
            ax.annotate(f"{gap['days']} days\nwithout {what}", xy=(start + (end - start) / 2,
                                                                   top * (1.12 if k % 2 else 1.27)),
                        ha="center", va="top", color=RED, fontsize=8, fontweight="bold")
        if gaps:
            ax.set_ylim(0, top * 1.3)
        ax.set_ylabel(f"{what} per {unit}")
        pad = timedelta(days=max(0, (14 - len(days)) // 2))  # a few days are not drawn a week wide
        ax.set_xlim(days[0] - pad, days[-1] + timedelta(days=width) + pad)
        ax.grid(axis="x", visible=False)
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        svg = _svg(fig)
    if gaps:
        listed = ", ".join(f"{g['start']:%d %b %Y}–{g['end']:%d %b %Y} ({g['days']} days)" for g in gaps)
        note = (f"Shaded: runs of at least {gap_days} days without {what} amid busy days (the week on each side "
                f"had at least half the usual daily count): {html.escape(listed)}.")
    else:
        note = f"No run of {gap_days} or more empty days amid busy days." if gap_days else "Gaps not marked."
    caption = (f"{sum(counts)} {what} from {rows[0]['day']:%d %b %Y} to {rows[-1]['day']:%d %b %Y} "
               f"(UTC days), one bar per {unit}. {note}")
    return _wrap(chart, title, points, svg, caption)


def bar_chart(rows: list[dict], chart: str, title: str, caption: str, color: str = BLUE) -> str:
    if not rows:
        return _empty(chart, title, "nothing to count yet")
    labels = [str(r["key"]) for r in rows][::-1]
    values = [r["count"] for r in rows][::-1]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(5.2, 0.5 + 0.28 * len(rows))
        bars = ax.barh(labels, values, color=color, height=0.7)
        points = _mark(bars.patches, chart)
        ax.bar_label(bars, padding=3, fontsize=8, color="#4a5560")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, max(values) * 1.15)
        ax.margins(y=0.01)
        svg = _svg(fig)
    return _wrap(chart, title, points, svg, caption)


def crawls_chart(crawls: list[dict]) -> str:
    chart, title = "crawls", "Crawl history"
    runs = [c for c in crawls if c["spider"] != "breaking"]
    if not runs:
        return _empty(chart, title, "no article crawl recorded yet")
    labels = [f"{c['start']:%m-%d %H:%M}" if c["start"] else "?" for c in runs]
    x = list(range(len(runs)))
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(10, 3.4)
        bottom = [0] * len(runs)
        points = 0
        for key, color, label in (("new", GREEN, "new"), ("changed", AMBER, "changed"),
                                  ("unchanged", GREY, "unchanged"), ("rejected", RED, "rejected")):
            values = [c[key] or 0 for c in runs]
            bars = ax.bar(x, values, bottom=bottom, color=color, label=label, width=0.7)
            points = _mark(bars.patches, chart, points)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        top = max(bottom) or 1
        for i, c in enumerate(runs):
            verdict = c["status"] or "?"
            if verdict == "passed" and c["warned_monitors"]:
                verdict = "passed, warned"
            ax.annotate(verdict, (i, bottom[i] + top * 0.02), ha="center", va="bottom", fontsize=7,
                        color=STATUS_COLOR.get(c["status"], GREY), rotation=90 if len(runs) > 12 else 0)
        ax.set_ylim(0, top * 1.25)
        ax.set_xlim(-0.6, max(len(runs), 8) - 0.4)  # a few runs are not drawn page-wide
        ax.set_xticks(x, labels, rotation=45 if len(runs) > 6 else 0, ha="right" if len(runs) > 6 else "center")
        ax.set_ylabel("articles")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", ncols=4, frameon=False, fontsize=8)
        svg = _svg(fig)
    caption = ("Per article crawl (start, UTC): articles stored new, changed (a new revision), seen unchanged, and "
               "rejected by validation; above each, the monitors' verdict. Durations, errors, 403s and 429s are "
               "in the table below.")
    return _wrap(chart, title, points, svg, caption)


def cost_chart(crawls: list[dict]) -> str:
    """Requests per article crawl, by kind of page, and per article stored new or changed."""
    chart, title = "cost", "What each crawl cost"
    runs = [c for c in crawls if c["spider"] != "breaking" and c.get("requests")]
    if not runs:
        return _empty(chart, title, "no article crawl with request counts recorded yet")
    labels = [f"{c['start']:%m-%d %H:%M}" if c["start"] else "?" for c in runs]
    x = list(range(len(runs)))
    kinds = sorted({k for c in runs for k in c["requests_by_kind"]},
                   key=lambda k: -sum(c["requests_by_kind"].get(k, 0) for c in runs))
    palette = (BLUE, GREEN, AMBER, TEAL, GREY, RED)
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(10, 3.4)
        bottom = [0] * len(runs)
        points = 0
        for i, kind in enumerate(kinds):
            values = [c["requests_by_kind"].get(kind, 0) for c in runs]
            bars = ax.bar(x, values, bottom=bottom, color=palette[i % len(palette)], label=kind, width=0.7)
            points = _mark(bars.patches, chart, points)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("requests")
        ax.set_xlim(-0.6, max(len(runs), 8) - 0.4)
        ax.set_xticks(x, labels, rotation=45 if len(runs) > 6 else 0, ha="right" if len(runs) > 6 else "center")
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper left", ncols=min(6, len(kinds)), frameon=False, fontsize=8)
        per = [(i, c["per_change"]) for i, c in enumerate(runs) if c.get("per_change")]
        if per:
            twin = ax.twinx()
            twin.plot([i for i, _ in per], [v for _, v in per], color="#1d2329", marker="o", linewidth=1.2)
            twin.set_ylabel("requests per new or changed article")
            twin.set_ylim(0, max(v for _, v in per) * 1.3)
        svg = _svg(fig)
    caption = ("Per article crawl (start, UTC): the requests the site answered, by kind of page (retries included), "
               "and, as a line, requests per article stored new or changed. An incremental run that finds "
               "nothing new costs a handful of requests; see README, \"Staying current\".")
    return _wrap(chart, title, points, svg, caption)


def coverage_chart(coverage: list[dict], fields: tuple[str, ...]) -> str:
    chart, title = "coverage", "Field coverage per crawl"
    if not coverage:
        return _empty(chart, title, "no crawl with coverage figures recorded yet")
    names = [f for f in fields if any(f in c["coverage"] for c in coverage)]
    from matplotlib import colormaps

    cmap = colormaps["RdYlGn"]
    with matplotlib.rc_context({**STYLE, "axes.grid": False}):
        fig, ax = _figure(min(10, 2 + 0.7 * len(coverage)), 0.6 + 0.3 * len(names))
        points = 0
        for col, crawl in enumerate(coverage):
            for row, name in enumerate(names):
                share = crawl["coverage"].get(name)
                value = 0.0 if share is None else float(share)
                cell = Rectangle((col, row), 0.96, 0.92, color=cmap(value) if share is not None else "#eeeeee")
                cell.set_gid(f"mark-{chart}-{points}")
                ax.add_patch(cell)
                points += 1
                dark = share is not None and (value >= 0.85 or value <= 0.15)  # the ends of the scale are dark
                ax.text(col + 0.48, row + 0.46, "–" if share is None else f"{value:.0%}", ha="center", va="center",
                        fontsize=7, color="#ffffff" if dark else "#1d2329")
        ax.set_xlim(0, len(coverage))
        ax.set_ylim(len(names), 0)
        ax.set_yticks([i + 0.46 for i in range(len(names))], names)
        ax.set_xticks([i + 0.48 for i in range(len(coverage))],
                      [f"{c['start']:%m-%d %H:%M}" if c["start"] else "?" for c in coverage],
                      rotation=45 if len(coverage) > 4 else 0, ha="right" if len(coverage) > 4 else "center")
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        svg = _svg(fig)
    caption = ("Share of each crawl's stored articles that have the field (SCHEMA.md); a field some articles "
               "lack by nature (source, video_duration) is judged against its own history, not 100%.")
    return _wrap(chart, title, points, svg, caption)


# --- the page --------------------------------------------------------------------------------


def _card(value, label: str) -> str:
    return f'<div class="card"><b>{html.escape(str(value))}</b><span>{html.escape(label)}</span></div>'


def crawl_table(crawls: list[dict]) -> str:
    if not crawls:
        return ""
    head = ("<tr><th>start (UTC)</th><th>spider</th><th>site</th><th>duration</th><th>status</th>"
            "<th>new</th><th>changed</th><th>unchanged</th><th>rejected</th><th>errors</th><th>403s</th>"
            "<th>429s</th><th>requests</th><th>per change</th><th>monitors</th></tr>")
    rows = []
    for c in reversed(crawls):
        verdict = c["status"] or ""
        details = []
        if c["failed_monitors"]:
            details.append("failed: " + ", ".join(c["failed_monitors"]))
        if c["warned_monitors"]:
            details.append("warned: " + ", ".join(c["warned_monitors"]))
        if c["finish_reason"] not in (None, "finished", "monitors_failed"):
            details.append(f"finish reason {c['finish_reason']}")
        title = html.escape(c["message"] or "", quote=True)
        duration = f"{c['duration_s']:.0f} s" if c["duration_s"] is not None else "–"
        rows.append(
            f'<tr class="{html.escape(verdict)}"><td>{c["start"]:%Y-%m-%d %H:%M}</td><td>{html.escape(c["spider"] or "")}</td>'
            f'<td>{html.escape(c["site"] or "")}</td><td>{duration}</td><td>{html.escape(verdict)}</td>'
            + "".join(f"<td>{c[k]}</td>" for k in ("new", "changed", "unchanged", "rejected", "errors",
                                                    "blocked_403", "rate_limited_429", "requests"))
            + f"<td>{c['per_change'] if c.get('per_change') is not None else '–'}</td>"
            + f'<td title="{title}">{html.escape("; ".join(details)) or "all passed"}</td></tr>')
    return f'<table class="crawls">{head}{"".join(rows)}</table>'


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329;background:#f5f7f9;margin:0}
main{max-width:1080px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
.sub{color:#5b6670;margin:0 0 20px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:20px}
.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0001;min-width:130px}
.card b{display:block;font-size:22px}.card span{color:#5b6670;font-size:12px}
figure.chart{background:#fff;border-radius:8px;box-shadow:0 1px 2px #0001;margin:0 0 20px;padding:16px}
figure.chart h2{font-size:16px;margin:0 0 8px}
figcaption{color:#5b6670;font-size:12px;margin-top:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:20px}
.grid figure.chart{margin:0}
p.none{color:#8a94a0;font-style:italic}
table.crawls{width:100%;border-collapse:collapse;background:#fff;font-size:12px;margin-bottom:20px}
table.crawls th,table.crawls td{padding:4px 6px;border-bottom:1px solid #e3e7ec;text-align:right}
table.crawls th:nth-child(-n+5),table.crawls td:nth-child(-n+5),table.crawls td:last-child{text-align:left}
tr.failed td:nth-child(5){color:#d1495b;font-weight:bold}tr.passed td:nth-child(5){color:#3a7d44}
footer{color:#8a94a0;font-size:12px}
"""


def render(figures: dict) -> str:
    from newscrawl.cli.report import COVERAGE_FIELDS

    totals = figures["totals"]
    span = (f"{totals['first_day']:%d %b %Y} – {totals['last_day']:%d %b %Y}" if totals["first_day"] else "no dates")
    method_rows = [{"key": f"{r['key']} rules" if r["key"] == "site" else f"{r['key']} fallback", "count": r["count"]}
                   for r in figures["per_method"]]
    sections = [
        per_day_chart(figures["per_day"], figures["gaps"], figures["gap_days"]),
        '<div class="grid">',
        bar_chart(figures["per_section"], "per_section", "Articles by section",
                  "Stored articles per section (the URL's path group)."),
        bar_chart(figures["per_country"], "per_country", "Articles by country",
                  "Articles per country named in the page's metadata (its <code>country</code> classes). The "
                  "documents have no region field, so countries stand in for regions; an article may name several, "
                  "and one without the metadata block names none.", TEAL),
        bar_chart(figures["per_author"], "per_author", "Articles by author",
                  "Bylines; an article by several authors counts for each.", BLUE),
        bar_chart(method_rows, "per_method", "Articles by extraction method",
                  "Extracted by the site's own rules, or by the generic fallback when they found no body, title "
                  "or date (a document without the field counts as the site's rules).", AMBER),
        "</div>",
        crawls_chart(figures["crawls"]),
        cost_chart(figures["crawls"]),
        crawl_table(figures["crawls"]),
        coverage_chart(figures["coverage"], COVERAGE_FIELDS),
        per_day_chart(figures["breaking_per_day"], [], 0, chart="breaking_per_day",
                      title="Breaking lines per day", what="ticker lines"),
    ]
    site_note = f" (site filter: {html.escape(figures['site_filter'])})" if figures["site_filter"] else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(figures['title'])}</title><style>{CSS}</style></head>
<body><main>
<h1>{html.escape(figures['title'])}</h1>
<p class="sub">Generated {figures['generated_at']:%Y-%m-%d %H:%M} UTC from the store{site_note}. Every chart is drawn
into this file: it opens offline.</p>
<div class="cards">{_card(totals['articles'], 'articles')}{_card(span, f"{totals['days']} days")}
{_card(len(figures['gaps']), 'gaps marked')}{_card(totals['crawls'], f"crawls ({totals['crawls_failed']} failed)")}
{_card(totals['breaking_lines'], 'breaking lines')}</div>
{''.join(sections)}
<footer>newscrawl report · charts by matplotlib (static SVG) · <code>newscrawl report --format json</code> gives the same
figures</footer>
</main></body></html>
"""

"""Monitors: does this run look like a healthy crawl, alone and against recent runs? Pure.

A run summary is a dict with `articles` (items that passed the pipelines), `coverage`
({field: share}), `fallback_share` and `stats` (the crawl stats). History is a list of
earlier summaries of the same spider on the same site, newest first; with no history the
run is judged against fixed floors.

Every monitor gives a result with a level: `pass`, `warn` (reported, recorded, logged,
but the run still passes) or `fail` (the run fails, `scrapy crawl` exits 3). A stat the
spider does not emit counts as 0, and a monitor whose part of the site was not fetched
passes with a message saying so. No figure is ever above 100%.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

PASS, WARN, FAIL = "pass", "warn", "fail"
KEY_FIELDS = ("title", "published_at", "authors")  # the fields whose source decides "fallbacks dominate"
DISCOVERY_PATHS = ("listings", "tags", "sitemaps", "home")


def default_floors() -> dict[str, float]:
    return {"title": 0.99, "body": 0.99, "published_at": 0.99, "authors": 0.9}


@dataclass
class Thresholds:
    coverage_drop: float = 0.2  # absolute drop of a field's share against its recent median
    coverage_floor: float = 0.3  # fields rarer than this in recent runs are not judged
    fallback_rise: float = 0.3  # rise of the non-metadata share against recent runs
    fallback_max: float = 0.5  # without history: more than this from fallbacks is looked at
    error_rate: float = 0.05  # failed requests / requests
    blocked_rate: float = 0.1  # 403 answers and challenge pages / responses
    retry_rate: float = 0.5  # retries / requests
    empty_listings_share: float = 0.5  # this share of the listings giving no article link fails the run
    min_articles: int = 20  # below this many, shares (coverage, rejects, generic) are not judged ...
    all_failed_min: int = 3  # ... unless every one of at least this many failed (one bad page is no pattern)
    history_runs: int = 5
    reject_rate: float = 0.1  # rejected / validated items
    generic_rate: float = 0.2  # article pages extracted by the generic fallback / extracted pages
    floors: dict = field(default_factory=default_floors)  # first run: least share of these fields

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        """NEWSCRAWL_MONITOR_<NAME> for every threshold (FLOORS is a dict, or JSON on the command line)."""
        values = {}
        for name, default in vars(cls()).items():
            key = f"NEWSCRAWL_MONITOR_{name.upper()}"
            if settings.get(key) is None:
                continue
            if isinstance(default, dict):
                values[name] = {k: float(v) for k, v in settings.getdict(key).items()}
            elif isinstance(default, int):
                values[name] = settings.getint(key)
            else:
                values[name] = settings.getfloat(key)
        return cls(**values)


@dataclass
class MonitorResult:
    name: str
    level: str
    message: str
    detail: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.level != FAIL

    def as_dict(self) -> dict:
        return {"name": self.name, "level": self.level, "ok": self.ok, "message": self.message,
                "detail": self.detail}


def stat_total(stats: dict, *names: str) -> float:
    """The sum of the numeric stats named ``name`` or below ``name/``, for every name given."""
    return sum(v for k, v in stats.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
               and any(k == n or k.startswith(n + "/") for n in names))


def stats_below(stats: dict, prefix: str) -> dict[str, float]:
    """{rest of the name: value} for the numeric stats named ``prefix/...``."""
    return {k[len(prefix) + 1:]: v for k, v in stats.items()
            if k.startswith(prefix + "/") and isinstance(v, (int, float)) and not isinstance(v, bool)}


def per_change(stats: dict) -> float | None:
    """Requests sent per article stored new or changed (None when none was)."""
    changes = (stats.get("mongo/articles/new", 0) or 0) + (stats.get("mongo/articles/changed", 0) or 0)
    requests = stats.get("downloader/request_count", 0) or 0
    return round(requests / changes, 3) if changes else None


def share(part: float, whole: float) -> float:
    """part / whole, never above 1 (a retry counted before its request, say) and 0 when whole is 0."""
    if whole <= 0:
        return 0.0
    return min(1.0, max(0.0, part / whole))


def top(counts: dict[str, float], n: int = 3) -> str:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{name} {int(count)}" for name, count in ranked)


def _n(stats: dict, name: str) -> int:
    value = stats.get(name, 0)
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


# --- what the run found --------------------------------------------------------------


def articles_found(stats: dict) -> int:
    """Article URLs found on every path, before the incremental skip.

    `discovery/found/<via>` when the spider counts it; at least what it scheduled plus what
    it skipped as unchanged (both are found articles) when it does not.
    """
    found = stat_total(stats, "discovery/found")
    seen = stat_total(stats, "discovery/articles") + stat_total(stats, "incremental/skipped")
    return int(max(found, seen))


def check_discovery(run: dict) -> MonitorResult:
    stats = run["stats"]
    found = articles_found(stats)
    per_path = {via: _n(stats, f"discovery/found/{via}") for via in DISCOVERY_PATHS}
    if found:
        parts = ", ".join(f"{via} {n}" for via, n in per_path.items() if n)
        return MonitorResult("discovery", PASS, f"{found} article URLs found" + (f" ({parts})" if parts else ""),
                             {"found": found, "per_path": per_path})
    # a worker of a distributed crawl may be handed only article pages, found by the other workers
    shared, extracted = _n(stats, "frontier/dequeued/redis"), int(stat_total(stats, "extract/method"))
    if shared and extracted:
        return MonitorResult("discovery", PASS, f"no article URL found by this worker; {extracted} article pages "
                             f"taken from the shared frontier", {"found": 0, "per_path": per_path,
                                                                  "from_frontier": extracted})
    said, fetched = [], False
    if _n(stats, "home/fetched"):
        fetched = True
        said.append(f"the home page gave {_n(stats, 'home/links/articles')} article and "
                    f"{_n(stats, 'home/links/sections')} section links")
    listing_pages = int(stat_total(stats, "listing/pages"))
    if listing_pages:
        fetched = True
        said.append(f"{listing_pages} listing pages gave no article link")
    window = False
    if _n(stats, "sitemap/index/fetched"):
        fetched = True
        listed, skipped = _n(stats, "sitemap/index/sitemaps"), _n(stats, "sitemap/months/skipped")
        text = f"the sitemap index listed {listed} sitemaps"
        if listed and skipped >= listed:
            window = True
            text += f", all {skipped} outside the date window"
        elif listed:
            text += f" holding {_n(stats, 'sitemap/urls')} entries, none an article URL"
        said.append(text)
    if not fetched:
        responses = _n(stats, "downloader/response_count")
        said.append(f"{responses} pages were fetched and none linked to an article" if responses
                    else "no page was fetched (see the errors above)")
    detail = {"found": 0, "per_path": per_path}
    if window and not (_n(stats, "home/fetched") or listing_pages):
        return MonitorResult("discovery", WARN, "discovered no article inside the date window: " + ", ".join(said),
                             detail)
    return MonitorResult("discovery", FAIL, "discovered no article: " + ", ".join(said)
                         + " — the site's URL patterns or sitemap paths changed", detail)


def check_home(run: dict) -> MonitorResult:
    stats = run["stats"]
    if not _n(stats, "home/fetched"):
        return MonitorResult("home", PASS, "home page not fetched in this run")
    sections, articles = _n(stats, "home/links/sections"), _n(stats, "home/links/articles")
    detail = {"sections": sections, "articles": articles}
    if not sections and not articles:
        return MonitorResult("home", FAIL, "home page: fetched, but it gave no section links and no article links "
                             "— its navigation menu and article cards changed", detail)
    return MonitorResult("home", PASS, f"home page gave {sections} section and {articles} article links", detail)


def check_articles(run: dict, t: Thresholds) -> MonitorResult:
    stats = run["stats"]
    scheduled = int(stat_total(stats, "discovery/articles"))
    if scheduled >= t.all_failed_min and not run["articles"]:
        return MonitorResult("articles", FAIL, f"no articles stored although {scheduled} were downloaded",
                             {"scheduled": scheduled})
    return MonitorResult("articles", PASS, f"{run['articles']} articles of {scheduled} downloaded")


def last_listings(history: list[dict]) -> dict[str, int]:
    """{listing path: article links on its first page} of the most recent healthy run that recorded them."""
    for past in history:
        if past.get("listings"):
            return {entry["path"]: entry["articles"] for entry in past["listings"]}
    return {}


def check_listings(run: dict, history: list[dict], t: Thresholds) -> MonitorResult:
    """Listings judged by their share and by history: real sites have sections with nothing in them yet.

    The run fails when at least ``empty_listings_share`` of the listings whose first page it fetched
    gave no article link (the listing markup changed), or when a listing that gave articles in the last
    healthy run of the site gives none now; an empty listing among productive ones is a warning naming it.
    """
    yields = {entry["path"]: entry["articles"] for entry in run.get("listings") or []}
    if not yields:
        empty = _n(run["stats"], "listing/empty/first_page")  # a run that did not record its listings
        if empty:
            return MonitorResult("listings", WARN, f"listings: {empty} listing(s) gave no article link on their "
                                 "first page", {"empty": empty})
        return MonitorResult("listings", PASS, "no listing walked in this run" if not
                             int(stat_total(run["stats"], "listing/pages")) else "every listing gave article links")
    empty = sorted(path for path, n in yields.items() if n == 0)
    before = last_listings(history)
    lost = [path for path in empty if before.get(path, 0) > 0]
    detail = {"listings": len(yields), "empty": empty, "lost": lost, "limit": t.empty_listings_share}
    if len(empty) >= max(1.0, t.empty_listings_share * len(yields)):
        return MonitorResult("listings", FAIL, f"listings: {len(empty)} of {len(yields)} listings gave no article "
                             f"link on their first page ({_names(empty)}) — the listing page markup (its article "
                             "cards and links) changed", detail)
    if lost:
        return MonitorResult("listings", FAIL, f"listings: {_names(lost)} gave articles in the last healthy run "
                             "and none now — its markup or its address changed", detail)
    if empty:
        return MonitorResult("listings", WARN, f"listings: {_names(empty)} gave no article link on its first page "
                             f"({len(yields) - len(empty)} of {len(yields)} listings did): a section with nothing "
                             "in it yet, or one to look at", detail)
    return MonitorResult("listings", PASS, f"all {len(yields)} listings gave article links on their first page",
                         detail)


def _names(paths: list[str], n: int = 5) -> str:
    return ", ".join(paths[:n]) + (f" and {len(paths) - n} more" if len(paths) > n else "")


# --- what extraction and validation made of it ---------------------------------------


def check_rejects(run: dict, t: Thresholds) -> MonitorResult:
    stats = run["stats"]
    validated, dropped = _n(stats, "validate/items/in"), _n(stats, "validate/items/dropped")
    if not validated:
        return MonitorResult("rejects", PASS, "no item validated in this run")
    rate = share(dropped, validated)
    reasons = stats_below(stats, "validate/rejected")
    detail = {"rate": round(rate, 4), "limit": t.reject_rate, "validated": validated, "dropped": dropped,
              "reasons": reasons}
    judged = validated >= t.min_articles or validated >= t.all_failed_min and dropped == validated
    if judged and rate > t.reject_rate:
        return MonitorResult("rejects", FAIL, f"rejects: {rate:.0%} of {validated} validated items were rejected "
                             f"(limit {t.reject_rate:.0%}); top reasons: {top(reasons) or 'not recorded'}", detail)
    return MonitorResult("rejects", PASS, f"rejects: {dropped} of {validated} validated items", detail)


def check_generic(run: dict, t: Thresholds) -> MonitorResult:
    stats = run["stats"]
    site_rules, generic = _n(stats, "extract/method/site"), _n(stats, "extract/method/generic")
    pages = site_rules + generic or _n(stats, "articles/extracted")
    if not generic:
        return MonitorResult("generic", PASS, "every article page extracted by the site's own rules"
                             if pages else "no article page extracted")
    rate = share(generic, pages)
    fields = stats_below(stats, "extract/generic")
    detail = {"rate": round(rate, 4), "limit": t.generic_rate, "generic": generic, "pages": pages, "fields": fields}
    judged = pages >= t.min_articles or pages >= t.all_failed_min and generic >= pages
    if judged and rate > t.generic_rate:
        return MonitorResult("generic", FAIL, f"generic fallback: {rate:.0%} of {pages} article pages were extracted "
                             f"by the generic extractor, not the site's rules (fields: {top(fields, 8) or 'none'}) "
                             "— the article template changed", detail)
    return MonitorResult("generic", PASS, f"generic fallback used for {generic} of {pages} article pages", detail)


def check_coverage(run: dict, history: list[dict], t: Thresholds) -> list[MonitorResult]:
    """Against the median of recent runs; on a first run (no history), against fixed floors."""
    if run["articles"] < t.min_articles:
        return [MonitorResult("coverage", PASS, f"coverage not judged: {run['articles']} articles "
                              f"(fewer than {t.min_articles})")]
    recent = [h for h in history if h.get("articles", 0) >= t.min_articles][: t.history_runs]
    if not recent:
        return check_floors(run, t)
    results = []
    for name, value in sorted(run["coverage"].items()):
        past = [h["coverage"][name] for h in recent if name in h.get("coverage", {})]
        if not past:
            continue
        baseline = median(past)
        if baseline >= t.coverage_floor and baseline - value > t.coverage_drop:
            results.append(MonitorResult(
                f"coverage/{name}", FAIL,
                f"field {name}: present in {value:.0%} of articles, against {baseline:.0%} in the last "
                f"{len(past)} runs (a drop of {baseline - value:.0%})",
                {"field": name, "share": value, "baseline": baseline}))
    if not results:
        results.append(MonitorResult("coverage", PASS, "field coverage in line with recent runs"))
    return results


def check_floors(run: dict, t: Thresholds) -> list[MonitorResult]:
    results = []
    for name, floor in sorted(t.floors.items()):
        value = run["coverage"].get(name, 0.0)
        if value < floor:
            results.append(MonitorResult(
                f"coverage/{name}", FAIL,
                f"field {name}: present in {value:.0%} of articles, below the first-run floor of {floor:.0%} "
                "(no earlier passed run of this spider on this site to compare with)",
                {"field": name, "share": value, "floor": floor}))
    if not results:
        results.append(MonitorResult("coverage", PASS, "first run: key fields above their floors ("
                                     + ", ".join(f"{k} {run['coverage'].get(k, 0):.0%}" for k in sorted(t.floors))
                                     + ")"))
    return results


def low_key_fields(run: dict, history: list[dict], t: Thresholds) -> dict[str, float]:
    """Key fields whose coverage is actually low: dropped against recent runs, or under the floors."""
    recent = [h for h in history if h.get("articles", 0) >= t.min_articles][: t.history_runs]
    low = {}
    for name in KEY_FIELDS:
        value = run["coverage"].get(name, 0.0)
        past = [h["coverage"][name] for h in recent if name in h.get("coverage", {})]
        if past:
            if median(past) - value > t.coverage_drop:
                low[name] = value
        elif value < t.floors.get(name, 0.0):
            low[name] = value
    return low


def check_fallbacks(run: dict, history: list[dict], t: Thresholds) -> MonitorResult:
    """Key fields taken from meta tags or the visible page instead of the metadata block.

    That alone is reported (warn): the fields are still filled. It fails only when the
    coverage of a key field actually dropped.
    """
    value = run.get("fallback_share", 0.0)
    past = [h["fallback_share"] for h in history[: t.history_runs] if "fallback_share" in h]
    baseline = median(past) if past else None
    dominated = (value - baseline > t.fallback_rise) if past else value > t.fallback_max
    if run["articles"] < t.min_articles or not dominated:
        return MonitorResult("fallbacks", PASS, f"fallback share {value:.0%}", {"share": value})
    against = f", against {baseline:.0%} recently" if baseline is not None else ""
    head = f"{value:.0%} of key fields came from meta tags or the visible page{against}"
    detail = {"share": value, "baseline": baseline}
    low = low_key_fields(run, history, t)
    if low:
        fell = ", ".join(f"{name} {v:.0%}" for name, v in low.items())
        return MonitorResult("fallbacks", FAIL, f"fallbacks dominate: {head}, and coverage fell ({fell})",
                             {**detail, "low": low})
    missing = stats_below(run["stats"], "extract/problem")
    metadata_problems = {k: v for k, v in missing.items() if k.startswith("tawsiyat")}
    filled = ", ".join(f"{name} {run['coverage'].get(name, 0):.0%}" for name in KEY_FIELDS)
    note = f"; {top(metadata_problems)} pages" if metadata_problems else ""
    return MonitorResult("fallbacks", WARN, f"metadata source absent on most pages: {head}; every key field still "
                         f"filled ({filled}){note}", {**detail, "problems": metadata_problems})


def check_rates(run: dict, t: Thresholds) -> list[MonitorResult]:
    stats = run["stats"]
    requests = _n(stats, "downloader/request_count")
    retries = _n(stats, "retry/count")
    # a retry is a second download of one request: failures are judged per request
    distinct = max(requests - retries, 0)
    checks = (
        ("errors", share(stat_total(stats, "errors"), distinct), t.error_rate, "failed requests", "requests"),
        ("blocked", share(stat_total(stats, "blocked/403/count", "blocked/challenge/count"),
                          _n(stats, "downloader/response_count")), t.blocked_rate,
         "403 answers and challenge pages (blocked by the site)", "responses"),
        ("retries", share(retries, requests), t.retry_rate, "retries", "downloads"),
    )
    return [MonitorResult(name, PASS if rate <= limit else FAIL, f"{what}: {rate:.1%} of {of} (limit {limit:.0%})",
                          {"rate": round(rate, 4), "limit": limit})
            for name, rate, limit, what, of in checks]


def check_follow(run: dict) -> MonitorResult:
    """A follow run: a warning when it said the site had gone quiet for much longer than usual."""
    quiet = _n(run["stats"], "follow/quiet/warnings")
    if quiet:
        return MonitorResult("follow", WARN, f"following: the site went quiet for much longer than its usual gap "
                             f"{quiet} time(s)", {"quiet": quiet})
    return MonitorResult("follow", PASS, f"following: {_n(run['stats'], 'mongo/articles/new')} new articles, "
                         f"{_n(run['stats'], 'mongo/articles/changed')} revisions")


def evaluate(run: dict, history: list[dict], t: Thresholds | None = None) -> list[MonitorResult]:
    t = t or Thresholds()
    if run.get("follow"):  # a long crawl of the front: what it found depends on what the site published
        return [check_follow(run), check_rejects(run, t), check_generic(run, t), *check_rates(run, t)]
    return [check_discovery(run), check_home(run), check_listings(run, history, t), check_articles(run, t),
            check_rejects(run, t), check_generic(run, t), *check_coverage(run, history, t),
            check_fallbacks(run, history, t), *check_rates(run, t)]


def failures(results: list[MonitorResult]) -> list[MonitorResult]:
    return [r for r in results if r.level == FAIL]


def warnings(results: list[MonitorResult]) -> list[MonitorResult]:
    return [r for r in results if r.level == WARN]


# --- the breaking ticker -------------------------------------------------------------


def check_captures(stats: dict) -> MonitorResult:
    """A ticker run fails when no capture gave a line (`breaking/capture/succeeded` is 0)."""
    succeeded, failed = _n(stats, "breaking/capture/succeeded"), _n(stats, "breaking/capture/failed")
    attempts = succeeded + failed
    errors = stats_below(stats, "breaking/error")
    detail = {"succeeded": succeeded, "attempts": attempts, "errors": errors,
              "lines": _n(stats, "breaking/lines/seen")}
    if succeeded:
        return MonitorResult("captures", PASS, f"{succeeded} of {attempts} captures showed ticker lines "
                             f"({detail['lines']} lines)", detail)
    why = f" (errors: {top(errors, 6)})" if errors else ""
    if errors and set(errors) <= {"no_ticker"}:
        hint = " — the ticker markup or its script changed"
    elif errors:
        hint = " — the pages could not be rendered"
    else:
        hint = " — no page was captured"
    return MonitorResult("captures", FAIL, f"breaking: no capture succeeded: 0 of {attempts} captures showed "
                         f"ticker lines{why}{hint}", detail)

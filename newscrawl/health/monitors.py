"""Monitors: does this run look like a healthy crawl, alone and against recent runs? Pure.

A run summary is a dict with `articles` (items that passed the pipelines), `coverage`
({field: share}), `fallback_share` and `stats` (the crawl stats). History is a list of
earlier summaries of the same spider, newest first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from statistics import median


@dataclass
class Thresholds:
    coverage_drop: float = 0.2  # absolute drop of a field's share against its recent median
    coverage_floor: float = 0.3  # fields rarer than this in recent runs are not judged
    fallback_rise: float = 0.3  # rise of the non-metadata share against recent runs
    fallback_max: float = 0.5  # without history: more than this from fallbacks fails
    error_rate: float = 0.05  # failed requests / requests
    blocked_rate: float = 0.1  # 403 answers / responses
    retry_rate: float = 0.5  # retries / requests
    empty_listings: int = 0  # listings whose first page may have no article links
    min_articles: int = 20  # below this many articles, coverage is not judged
    history_runs: int = 5


@dataclass
class MonitorResult:
    name: str
    ok: bool
    message: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def stat_total(stats: dict, *names: str) -> float:
    """The sum of the numeric stats named ``name`` or below ``name/``, for every name given."""
    return sum(v for k, v in stats.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
               and any(k == n or k.startswith(n + "/") for n in names))


def _rate(stats: dict, numerator: str | list[str], denominator: str) -> float:
    names = [numerator] if isinstance(numerator, str) else numerator
    return stat_total(stats, *names) / max(1, stats.get(denominator, 0))


def check_articles(run: dict) -> MonitorResult:
    stats = run["stats"]
    scheduled = int(stat_total(stats, "discovery/articles"))
    if scheduled and not run["articles"]:
        return MonitorResult("articles", False, f"no articles stored although {scheduled} were downloaded",
                             {"scheduled": scheduled})
    return MonitorResult("articles", True, f"{run['articles']} articles of {scheduled} downloaded")


def check_coverage(run: dict, history: list[dict], t: Thresholds) -> list[MonitorResult]:
    results = []
    if run["articles"] < t.min_articles:
        return results
    recent = [h for h in history if h.get("articles", 0) >= t.min_articles][: t.history_runs]
    if not recent:
        return results
    for name, share in sorted(run["coverage"].items()):
        past = [h["coverage"][name] for h in recent if name in h.get("coverage", {})]
        if not past:
            continue
        baseline = median(past)
        if baseline >= t.coverage_floor and baseline - share > t.coverage_drop:
            results.append(MonitorResult(
                f"coverage/{name}", False,
                f"field {name}: present in {share:.0%} of articles, against {baseline:.0%} in the last "
                f"{len(past)} runs (a drop of {baseline - share:.0%})",
                {"field": name, "share": share, "baseline": baseline}))
    if not results:
        results.append(MonitorResult("coverage", True, "field coverage in line with recent runs"))
    return results


def check_fallbacks(run: dict, history: list[dict], t: Thresholds) -> MonitorResult:
    share = run.get("fallback_share", 0.0)
    past = [h["fallback_share"] for h in history[: t.history_runs] if "fallback_share" in h]
    if run["articles"] >= t.min_articles:
        if past and share - median(past) > t.fallback_rise:
            return MonitorResult("fallbacks", False, f"fallbacks dominate: {share:.0%} of key fields came from "
                                 f"meta tags or the visible page, against {median(past):.0%} recently",
                                 {"share": share, "baseline": median(past)})
        if not past and share > t.fallback_max:
            return MonitorResult("fallbacks", False, f"fallbacks dominate: {share:.0%} of key fields came from "
                                 "meta tags or the visible page", {"share": share})
    return MonitorResult("fallbacks", True, f"fallback share {share:.0%}")


def check_rates(run: dict, t: Thresholds) -> list[MonitorResult]:
    stats = run["stats"]
    checks = (
        ("errors", _rate(stats, ["errors", "downloader/exception_count"], "downloader/request_count"),
         t.error_rate, "failed requests"),
        ("blocked", _rate(stats, "blocked/403/count", "downloader/response_count"), t.blocked_rate,
         "403 answers (blocked by the site)"),
        ("retries", _rate(stats, "retry/count", "downloader/request_count"), t.retry_rate, "retries"),
    )
    return [MonitorResult(name, rate <= limit, f"{what}: {rate:.1%} of requests (limit {limit:.0%})",
                          {"rate": round(rate, 4), "limit": limit})
            for name, rate, limit, what in checks]


def check_listings(run: dict, t: Thresholds) -> MonitorResult:
    empty = run["stats"].get("listing/empty/first_page", 0)
    if empty > t.empty_listings:
        return MonitorResult("listings", False, f"{empty} listing(s) yielded no article links on their first page",
                             {"empty": empty})
    return MonitorResult("listings", True, "every listing yielded article links")


def evaluate(run: dict, history: list[dict], t: Thresholds | None = None) -> list[MonitorResult]:
    t = t or Thresholds()
    return [check_articles(run), *check_coverage(run, history, t), check_fallbacks(run, history, t),
            *check_rates(run, t), check_listings(run, t)]

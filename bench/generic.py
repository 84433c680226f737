"""Which generic extractor for article pages of a template the profile does not know?

    .venv/bin/python -m bench generic [--pages 60] [--seed 1] [--edition en]

Pages are replica articles served with an unknown body template (their paragraphs in another
container, `--unknown-template-rate 1`), with their ground-truth bodies. Candidates, on the same
pages in one run: newscrawl's fallback (trafilatura with the profile's chrome, related blocks,
lead and read-more lines pruned), plain `trafilatura.extract`, jusText (trafilatura's own
fallback) and readability-lxml when installed. Prints the mean and worst body token F1 and pages
per second of each, so the choice of the fallback rests on a measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.extract.article import extract_article  # noqa: E402
from newscrawl.extract.quality import token_f1  # noqa: E402
from newscrawl.sites import get_profile  # noqa: E402


def pages(n: int, seed: int, edition: str) -> list[tuple[str, bytes, str]]:
    from tests.replica.model import SiteModel
    from tests.replica.routes import resolve

    model = SiteModel(seed=seed, articles=max(n + 10, 30), epoch=1, edition=edition, unknown_template=1.0)
    out = []
    for doc in model.truth():
        if doc["extraction"] != "generic" or doc["url"] in model.invalid:
            continue
        out.append((doc["url"], resolve(model, 1, urlsplit(doc["url"]).path).body, doc["body"]))
    return out[:n]


def newscrawl_fallback(page: bytes, url: str, profile) -> str:
    return extract_article(page, url, profile).fields["body"]


def trafilatura_plain(page: bytes, url: str, profile) -> str:
    import trafilatura

    return trafilatura.extract(page, url=url) or ""


def justext_paragraphs(page: bytes, url: str, profile) -> str:
    import justext

    stoplist = justext.get_stoplist("Arabic" if profile.lang == "ar" else "English")
    return "\n\n".join(p.text for p in justext.justext(page, stoplist) if not p.is_boilerplate)


def readability_summary(page: bytes, url: str, profile) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(page.decode("utf-8", "replace")).summary(html_partial=True)
    return "\n\n".join(p.text_content() for p in lxml_html.fromstring(summary).iter("p"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edition", default="en")
    args = parser.parse_args()
    profile = get_profile(args.edition)
    corpus = pages(args.pages, args.seed, args.edition)
    candidates = {"newscrawl fallback (trafilatura, pruned)": newscrawl_fallback,
                  "trafilatura.extract": trafilatura_plain, "jusText": justext_paragraphs}
    try:
        import readability  # noqa: F401

        candidates["readability-lxml"] = readability_summary
    except ImportError:
        print("readability-lxml not installed: `pip install readability-lxml` to include it")
    print(f"{len(corpus)} {args.edition} article pages with an unknown body template")
    print(f"{'extractor':<42} {'mean F1':>8} {'worst F1':>9} {'pages/s':>8}")
    for name, extract in candidates.items():
        start = time.perf_counter()
        scores = [token_f1(extract(page, url, profile), truth) for url, page, truth in corpus]
        rate = len(corpus) / (time.perf_counter() - start)
        print(f"{name:<42} {statistics.mean(scores):>8.3f} {min(scores):>9.3f} {rate:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

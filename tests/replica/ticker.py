"""The BREAKING ticker lines per epoch, as served (raw) and as truth (normalised)."""

from __future__ import annotations

import random

from tests.replica import arabic, vocab
from tests.replica.heads import Head
from tests.replica.text import normalise_text

LINES_EPOCH1 = 10
NEW_IN_EPOCH2 = 3
KEPT_IN_EPOCH2 = 8


def raw_line(rng: random.Random) -> str:
    who = rng.choice(("Berri", "Maduro", "Local sources", "Lebanese President Joseph Aoun", "Sanaa", "UN envoy"))
    text = f"{who}: The {rng.choice(vocab.ADJECTIVES)} {rng.choice(vocab.NOUNS)} {rng.choice(vocab.VERBS)} the {rng.choice(vocab.NOUNS)} in {rng.choice(vocab.PLACES)}"
    style = rng.randrange(4)
    if style == 0:
        text = f"  {text.replace(': ', ':&nbsp;', 1)}  "
    elif style == 1:
        text = text.replace(" the ", " &quot;Israel&quot; &amp; the ", 1)
    elif style == 2:
        text = text.replace(" ", "\n  ", 1)
    return text


def make_lines(seed: int, epoch: int, targets: list[Head], arabic_lines: bool = False) -> list[dict]:
    """[{raw, href, text, url}] newest first."""
    rng = random.Random(f"{seed}/ticker")
    lines = [line(rng, targets, arabic_lines) for _ in range(LINES_EPOCH1)]
    if epoch >= 2:
        lines = [line(rng, targets, arabic_lines) for _ in range(NEW_IN_EPOCH2)] + lines[:KEPT_IN_EPOCH2]
    return lines


def line(rng: random.Random, targets: list[Head], arabic_lines: bool = False) -> dict:
    raw = arabic.ticker_line(rng) if arabic_lines else raw_line(rng)
    href = url = None
    if targets and rng.random() < 0.4:
        target = rng.choice(targets)
        href = rng.choice((target.path, target.path + "?utm_source=ticker", target.url))
        url = target.url
    return {"raw": raw, "href": href, "text": normalise_text(raw, arabic_lines), "url": url}

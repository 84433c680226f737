"""How close an extracted text is to the truth. Pure."""

from __future__ import annotations

from collections import Counter


def token_f1(predicted: str | None, truth: str | None) -> float:
    """Harmonic mean of precision and recall over the multisets of whitespace tokens.

    Both empty counts as a perfect match; one empty as none.
    """
    pred = Counter((predicted or "").split())
    gold = Counter((truth or "").split())
    if not pred and not gold:
        return 1.0
    common = sum((pred & gold).values())
    if common == 0:
        return 0.0
    precision = common / sum(pred.values())
    recall = common / sum(gold.values())
    return 2 * precision * recall / (precision + recall)

"""Token F1 between an extracted text and the truth."""

from __future__ import annotations

import pytest

from newscrawl.extract.quality import token_f1


def test_identical_texts_score_one():
    assert token_f1("a b c", "a  b\n\nc") == 1.0


def test_disjoint_texts_score_zero():
    assert token_f1("a b", "c d") == 0.0


def test_partial_overlap_is_the_harmonic_mean():
    # predicted 4 tokens, truth 2, common 2: precision 0.5, recall 1.0
    assert token_f1("a b x y", "a b") == pytest.approx(2 * 0.5 * 1.0 / 1.5)


def test_counts_are_a_multiset():
    # predicted a a a, truth a: precision 1/3, recall 1
    assert token_f1("a a a", "a") == pytest.approx(0.5)


def test_empty_cases():
    assert token_f1("", "") == 1.0
    assert token_f1(None, "a") == 0.0
    assert token_f1("a", "") == 0.0

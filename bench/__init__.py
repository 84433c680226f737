"""Benchmarks: each bench/<name>.py compares against a baseline in the same run and prints ratios."""

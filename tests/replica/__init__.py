"""An offline replica of Al Mayadeen English for the tests.

Generated deterministically from a seed: `model.SiteModel` knows the ground truth of
every article, `server` serves the pages over HTTP and can be told to misbehave.
Run by hand: ``python -m tests.replica serve --port 8000`` or ``... truth > truth.jsonl``.
"""

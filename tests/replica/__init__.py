"""An offline replica of Al Mayadeen (English, and the Arabic edition) for the tests.

Generated deterministically from a seed: `model.SiteModel` knows the ground truth of every article,
`server` serves the pages over HTTP and can be told to misbehave. It shares no code with the crawler
(`facts` and `text` are its own). Run by hand: ``python -m tests.replica serve --port 8000`` or
``... truth > truth.jsonl``; options (edition, markup 2, no tawsiyat, ...) in docs/CONTRACTS.md, "Replica".
"""

"""Which article gets which variant: deterministic quotas over a shuffled index list."""

from __future__ import annotations

import math
import random

# variants that decide the page's structure or reachability; an article has at most one
EXCLUSIVE = (  # (name, share, minimum)
    ("video", 0.05, 3),
    ("opinion_named_author", 0.03, 3),
    ("no_metadata", 0.01, 3),
    ("broken_metadata", 0.01, 3),
    ("date_visible_only", 0.01, 3),
    ("disagreement", 0.01, 3),
    ("sitemap_only", 0.02, 5),
    ("tags_only", 0.02, 5),
    ("multi_listed", 0.02, 3),
)
INVALID = ("invalid_empty_body", "invalid_future_date", "invalid_empty_title")
DUPLICATE_PAIRS = 2
# looks that combine freely with the above (a pool excludes what would contradict it)
COSMETIC = (  # (name, share, minimum, exclusive variants it never goes with)
    ("title_h2", 0.10, 3, ()),
    ("no_source", 0.10, 3, ()),
    ("several_authors", 0.05, 3, ("opinion_named_author", "video")),
    ("no_image", 0.06, 3, ("video",)),
    ("several_figures", 0.05, 3, ("video", "no_image")),
    ("rich_body", 0.10, 3, ()),
    ("non_latin_names", 0.08, 3, ()),
    ("slug_colon", 0.03, 3, ()),
    ("slug_double_dash", 0.03, 3, ("slug_colon",)),
    ("long_title", 0.05, 3, ()),
    ("repeated_lead", 0.08, 3, ()),
)
CHANGED_SHARE = 0.10
# a change needs dates to show it in lastmod and a body of its own
# tags_only: a change shows only in a sitemap's lastmod, and those articles are in no sitemap,
# so no crawler could notice it without downloading everything again
NOT_CHANGING = {"date_visible_only", "no_metadata", "broken_metadata", "disagreement", "duplicate",
                "duplicate_original", "tags_only", *INVALID}


def quota(n: int, share: float, minimum: int) -> int:
    return max(minimum, math.ceil(n * share))


def assign(seed: int, n: int) -> list[set[str]]:
    """Variant names per article index 0..n-1 (the epoch-1 articles)."""
    rng = random.Random(f"{seed}/features/{n}")
    features: list[set[str]] = [set() for _ in range(n)]
    order = list(range(n))
    rng.shuffle(order)
    pos = 0

    def take(k: int) -> list[int]:
        nonlocal pos
        chosen = order[pos:pos + k]
        pos += len(chosen)
        return chosen

    for name in INVALID:
        for i in take(1):
            features[i] |= {name, "invalid"}
    for _ in range(DUPLICATE_PAIRS):
        pair = take(2)
        if len(pair) == 2:
            features[pair[0]].add("duplicate_original")
            features[pair[1]].add("duplicate")
    for name, share, minimum in EXCLUSIVE:
        for i in take(quota(n, share, minimum)):
            features[i].add(name)
    plain = [i for i in range(n) if not features[i] & {"invalid", "duplicate"}]
    for name, share, minimum, never in COSMETIC:
        pool = [i for i in plain if not features[i] & set(never)]
        for i in rng.sample(pool, min(len(pool), quota(n, share, minimum))):
            features[i].add(name)
    pool = [i for i in plain if not features[i] & NOT_CHANGING]
    for i in rng.sample(pool, min(len(pool), quota(n, CHANGED_SHARE, 3))):
        features[i].add("changed")
    return features

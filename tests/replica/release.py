"""Release mode: new articles published (and some edited) over wall-clock time once a clock starts.

Release k (k = 1..N) happens at ``start + k * every`` (epoch seconds); its article is published at that
instant cut to the whole second (Beirut time). Edits: ``edits`` of the N releases, every (N // edits)-th
(k = step, 2 * step, ...), get a second revision ``edit_after`` seconds after their own release, and at the
earliest in the next whole second after their publication, so that their modified time (whole seconds)
is always later than their published time. Everything here is a pure function of the start instant.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from tests.replica import clock
from tests.replica.heads import Head

RELEASED_EPOCH = 99  # a release head's epoch: never "present" at epoch 1 or 2, never in the seeded site
PLACEHOLDER_PUBLISHED = datetime(2100, 1, 1, tzinfo=clock.TZ)  # until the clock starts (ranks after all seeded)


def local_second(t: float) -> datetime:
    """Epoch seconds -> the Beirut local time at the whole second (cut, not rounded)."""
    return datetime.fromtimestamp(math.floor(t), clock.TZ)


@dataclass(frozen=True)
class ReleasePlan:
    every: float
    count: int
    edits: int = 0
    edit_after: float = 120.0

    def check(self) -> None:
        if not (self.every > 0 and math.isfinite(self.every)):
            raise ValueError("--release-every must be a positive number of seconds")
        if self.count < 1:
            raise ValueError("--release-count must be at least 1")
        if not 0 <= self.edits <= self.count:
            raise ValueError("--release-edits must be between 0 and --release-count")
        if not (self.edit_after >= 0 and math.isfinite(self.edit_after)):
            raise ValueError("--release-edit-after must be 0 or more seconds")

    @property
    def edited(self) -> tuple[int, ...]:
        """The release numbers (1..N) that get edited: every (N // K)-th."""
        if not self.edits:
            return ()
        step = self.count // self.edits
        return tuple(step * (j + 1) for j in range(self.edits))


@dataclass
class Schedule:
    """The instants of one run, fixed when the clock starts."""
    started: float
    release_t: list[float]  # index k - 1: release k's instant (epoch seconds)
    edit_t: dict[int, float]  # release number -> the edit's instant (epoch seconds)

    @classmethod
    def make(cls, plan: ReleasePlan, started: float) -> "Schedule":
        release_t = [started + k * plan.every for k in range(1, plan.count + 1)]
        edit_t = {k: max(release_t[k - 1] + plan.edit_after, math.floor(release_t[k - 1]) + 1.0)
                  for k in plan.edited}
        return cls(started, release_t, edit_t)

    def released_count(self, now: float) -> int:
        return bisect_right(self.release_t, now)


@dataclass
class Snapshot:
    """What has been released (and edited) by ``now``."""
    now: float
    released: list[Head] = field(default_factory=list)  # newest first
    edited: dict[int, datetime] = field(default_factory=dict)  # head index -> modified (Beirut, whole seconds)

    def __post_init__(self):
        self._indexes = frozenset(h.index for h in self.released)

    def has(self, head: Head) -> bool:
        return head.index in self._indexes

    def lastmod(self, head: Head) -> datetime:
        return self.edited.get(head.index) or head.published

    def revision(self, head: Head) -> int:
        return 2 if head.index in self.edited else 1

"""When a live display may be updated.

Every `update_display_data` resends the whole bundle, so updating on every delta costs O(n^2) bytes and swamps the
frontend (jupyter-notes Q4: 9.6 MB for an 18 KB reply). The live view therefore shows a bounded tail of the reply
(each update costs O(1) to send and to render, so the bytes grow with the duration, i.e. linearly), and updates are
spaced by three rules:

- pacing: the first update goes out with the first delta (time to first token stays visible), later ones no sooner
  than max(0.1 s, 0.01 s per KB shown), as jupyter-notes Q4 recommends;
- a byte budget: while live updates have spent less than `allowance + ratio * reply size` bytes, they may go out at
  that pace, so a fast stream costs a small constant multiple of its size;
- over budget, one update per `max_gap` seconds (the 2 s cap of Q4) still goes out, so a slow stream never
  looks frozen.
"""

from __future__ import annotations

import time
from typing import Callable

# What each update_display_data carries besides its bundle: header, parent header, signature (measured ~0.8 KB).
MESSAGE_OVERHEAD = 800


def pacing_interval(shown_bytes: int) -> float:
    return min(2.0, max(0.1, 0.01 * shown_bytes / 1000))


class UpdateBudget:
    def __init__(
        self,
        *,
        ratio: float = 0.35,
        allowance: int = 6_000,
        max_gap: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio = ratio
        self.allowance = allowance
        self.max_gap = max_gap
        self.clock = clock
        self.spent = 0
        self.updates = 0
        self._last_at: float | None = None
        self._last_size = 0

    def due(self, reply_size: int) -> bool:
        if self._last_at is None:
            return reply_size > 0  # the first delta is shown at once
        waited = self.clock() - self._last_at
        if waited < pacing_interval(self._last_size):
            return False
        return waited >= self.max_gap or self.spent + self._last_size <= self.allowance + self.ratio * reply_size

    def record(self, bundle_size: int) -> None:
        update_size = bundle_size + MESSAGE_OVERHEAD
        self._last_at = self.clock()
        self._last_size = update_size
        self.spent += update_size
        self.updates += 1

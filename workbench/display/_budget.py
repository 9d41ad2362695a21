"""When a live display may be updated.

Every `update_display_data` resends the whole bundle, so updating on every delta costs O(n^2) bytes and swamps the
frontend (jupyter-notes Q4: 9.6 MB for an 18 KB reply). Two rules bound it:

- pacing: the first update goes out at once (time to first token stays visible), later ones no sooner than
  max(0.1 s, 0.01 s per KB shown), at most 2 s apart (about twice the frontend's Markdown render cost);
- a byte budget: live updates may spend at most `allowance + ratio * reply size` bytes in total, so the bytes sent
  stay a small constant multiple of the reply however fast it streams.
"""

from __future__ import annotations

import time
from typing import Callable


def pacing_interval(shown_bytes: int) -> float:
    return min(2.0, max(0.1, 0.01 * shown_bytes / 1000))


class UpdateBudget:
    def __init__(
        self, *, ratio: float = 0.5, allowance: int = 8_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ratio = ratio
        self.allowance = allowance
        self.clock = clock
        self.spent = 0
        self.updates = 0
        self._last_at: float | None = None
        self._last_size = 0

    def due(self, reply_size: int) -> bool:
        if self._last_at is None:
            return True
        if self.clock() - self._last_at < pacing_interval(self._last_size):
            return False
        return self.spent + self._last_size <= self.allowance + self.ratio * reply_size

    def record(self, update_size: int) -> None:
        self._last_at = self.clock()
        self._last_size = update_size
        self.spent += update_size
        self.updates += 1

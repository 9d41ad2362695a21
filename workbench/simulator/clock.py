"""A clock to inject into the engine when a test needs to move time (cache TTLs, batches, rate limits)."""

from __future__ import annotations

__all__ = ["ManualClock"]


class ManualClock:
    """Returns the same instant until advanced: `Engine(clock=ManualClock())`, then `clock.advance(301)`."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

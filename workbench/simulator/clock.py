"""A clock to inject into the engine when a test needs to move time (cache TTLs, batches, rate limits)."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["ManualClock", "rfc3339"]


class ManualClock:
    """Returns the same instant until advanced: `Engine(clock=ManualClock())`, then `clock.advance(301)`."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def rfc3339(t: float) -> str:
    """A clock reading as the API writes datetimes: `2026-11-22T05:06:35.123456Z`."""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

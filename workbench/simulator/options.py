"""Simulator options: pacing, faults, rate limits. Mutable while a server runs; read at each request."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SimulatorOptions", "Knobs", "parse_knobs", "KNOB_NAMES"]


@dataclass
class SimulatorOptions:
    """Everything a test or a person may want to change about the simulator's behaviour.

    Pacing: `first_byte_delay` (seconds before the status line), `first_token_delay` (seconds between
    `message_start` and the first delta), `deltas_per_second` (None = as fast as possible).
    Faults: `fail` (statuses returned by the next /v1/messages calls, consumed in order), `fail_rate` with
    `fail_status` (a seeded random share of /v1/messages calls fails), `error_after` (a stream ends with an
    `error` event of `error_type` after that many events), `drop_after` (the connection drops after that many
    events), `retry_after` (seconds sent with 429 and 529).
    Rate limits: `requests_per_minute`, `input_tokens_per_minute`, `output_tokens_per_minute` (None = not
    enforced; the anthropic-ratelimit-* headers are sent either way).
    `api_keys`: when set, only these keys are accepted (otherwise any key starting with `sk-ant-`).
    `batch_seconds`: how long a Message Batch takes to process (simulator clock).
    `words_per_delta`: how many words each text delta carries.
    `keep_received`: how many recent requests `Engine.received` keeps (a long-running server must not grow forever).
    """

    first_byte_delay: float = 0.0
    first_token_delay: float = 0.0
    deltas_per_second: float | None = None
    fail: list[int] = field(default_factory=list)
    fail_rate: float = 0.0
    fail_status: int = 529
    error_after: int | None = None
    error_type: str = "overloaded_error"
    drop_after: int | None = None
    retry_after: float = 1.0
    requests_per_minute: int | None = None
    input_tokens_per_minute: int | None = None
    output_tokens_per_minute: int | None = None
    api_keys: tuple[str, ...] | None = None
    batch_seconds: float = 1.0
    words_per_delta: int = 3
    keep_received: int = 10_000

    def replace(self, **changes: Any) -> SimulatorOptions:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Knobs:
    """The per-request settings of an `x-simulator` header (None = use the engine's options)."""

    fail: tuple[int, ...] = ()
    fail_rate: float | None = None
    fail_status: int | None = None
    error_after: int | None = None
    error_type: str | None = None
    drop_after: int | None = None
    first_byte_delay: float | None = None
    first_token_delay: float | None = None
    deltas_per_second: float | None = None
    retry_after: float | None = None


_CONVERTERS = {
    "fail": lambda v: tuple(int(s) for s in v.split(",") if s.strip()),
    "fail-rate": float,
    "fail-status": int,
    "error-after": int,
    "error-type": str,
    "drop-after": int,
    "first-byte-delay": float,
    "first-token-delay": float,
    "deltas-per-second": float,
    "retry-after": float,
}
KNOB_NAMES = tuple(_CONVERTERS)


def parse_knobs(header: str | None) -> Knobs:
    """Parse `fail=529,529; error-after=5; ...`. Raises ValueError with a one-line message."""
    if not header:
        return Knobs()
    values: dict[str, Any] = {}
    for item in header.split(";"):
        if not item.strip():
            continue
        name, sep, raw = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in _CONVERTERS:
            raise ValueError(f"x-simulator: unknown knob {item.strip()!r} (known: {', '.join(KNOB_NAMES)})")
        try:
            values[name.replace("-", "_")] = _CONVERTERS[name](raw.strip())
        except ValueError:
            raise ValueError(f"x-simulator: bad value for {name}: {raw.strip()!r}") from None
    return Knobs(**values)

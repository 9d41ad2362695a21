"""The offline Messages API: one deterministic engine, an in-process httpx transport and a loopback server.

With no API key configured, workbench's client talks to `SimulatorTransport()` (no sockets, no network).
`workbench simulate --port 0` (or `python -m workbench.simulator`) serves the same engine over HTTP, so the
official SDK, curl or any other client can use it:

    $ workbench simulate --port 8080
    http://127.0.0.1:8080
    $ curl http://127.0.0.1:8080/v1/messages -H "x-api-key: sk-ant-test" -H "anthropic-version: 2023-06-01" \\
        -H "content-type: application/json" \\
        -d '{"model": "claude-haiku-4-5", "max_tokens": 200, "messages": [{"role": "user", "content": "Hi"}]}'

Endpoints: POST /v1/messages (JSON and SSE), POST /v1/messages/count_tokens, GET /v1/models[/{id}],
the Message Batches endpoints (/v1/messages/batches...), and Files (/v1/files...). Both API versions
(`anthropic-version: 2023-06-01` and `2026-10-21`) are validated as the API does. Any key starting with
`sk-ant-` is accepted (option `api_keys` restricts that).

Options (`SimulatorOptions`; pass them as keyword arguments to `SimulatorTransport(...)` or
`SimulatorServer(...)`, or change `engine.options` while it runs; CLI flags use the same names with dashes):
first_byte_delay, first_token_delay, deltas_per_second, words_per_delta, fail, fail_rate, fail_status,
error_after, error_type, drop_after, retry_after, requests_per_minute, input_tokens_per_minute,
output_tokens_per_minute, api_keys, batch_seconds.

Per-request knobs, in a request header (applied to POST /v1/messages):

    x-simulator: fail=529,529; error-after=5; drop-after=10; first-byte-delay=0.5; deltas-per-second=100

    fail=S1,S2,...        attempt 1, 2, ... of a request fails with these statuses (500, 529, 429, ...), the
                          next attempt succeeds: an SDK's retries see the failures, then a success. Attempts are
                          numbered by `x-stainless-retry-count` when the client sends it (official SDKs);
                          otherwise identical requests with this header count as attempts of one request,
                          and the count starts over after the success
    fail-rate=P           fail a seeded random share P (0..1) of requests, with fail-status (default 529)
    fail-status=S         the status used by fail-rate
    retry-after=S         seconds sent in retry-after with 429 and 529 (default 1)
    error-after=N         a stream sends N events, then an `error` event (error-type, default overloaded_error)
    error-type=T          the error type of that event
    drop-after=N          a stream sends N events, then the connection drops mid-body
    first-byte-delay=S    wait S seconds before the response starts
    first-token-delay=S   wait S seconds between message_start and the first delta
    deltas-per-second=N   pace stream deltas

Tests can queue exact replies with `engine.script_reply(text=..., thinking=..., tool_uses=[{"name", "input"}],
stop_reason=...)` and read what was sent in `engine.received` (credentials redacted).
Time comes from the engine's clock: `Engine(clock=ManualClock())` lets a test expire cache entries, finish
batches and refill rate limits with `clock.advance(seconds)`.
Token counts come from the documented approximation in `workbench.simulator.tokens`.
"""

from typing import TYPE_CHECKING, Any

from workbench.simulator.clock import ManualClock
from workbench.simulator.engine import Drop, Engine, Pause, ReceivedRequest, SimRequest, SimResponse
from workbench.simulator.options import SimulatorOptions
from workbench.simulator.transport import SimulatorTransport

if TYPE_CHECKING:  # pragma: no cover
    from workbench.simulator.server import SimulatorServer

__all__ = [
    "Engine",
    "ManualClock",
    "SimulatorOptions",
    "SimulatorTransport",
    "SimulatorServer",
    "SimRequest",
    "SimResponse",
    "ReceivedRequest",
    "Pause",
    "Drop",
]


def __getattr__(name: str) -> Any:
    # The embedded default only needs the transport; the HTTP server (http.server, argparse) loads on use.
    if name == "SimulatorServer":
        from workbench.simulator.server import SimulatorServer

        return SimulatorServer
    raise AttributeError(f"module 'workbench.simulator' has no attribute {name!r}")

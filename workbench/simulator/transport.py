"""The embedded simulator: an httpx transport (sync and async) that answers from the engine, no sockets.

    client = httpx.Client(transport=SimulatorTransport(deltas_per_second=50), base_url="http://simulator")

Response bodies are yielded item by item, so a stream arrives incrementally and pacing (`Pause`) is real time;
a `Drop` raises `httpx.RemoteProtocolError`, as a connection closed mid-body does.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import httpx

from workbench.simulator.engine import Drop, Engine, Pause, SimRequest, SimResponse
from workbench.simulator.options import SimulatorOptions

__all__ = ["SimulatorTransport"]

_DROPPED = "peer closed connection without sending complete message body (incomplete chunked read)"


def engine_with(engine: Engine | None, options: dict[str, Any]) -> Engine:
    """The given engine with `options` applied, or a new engine built from them."""
    if engine is None:
        return Engine(options=SimulatorOptions(**options))
    for name, value in options.items():
        if not hasattr(engine.options, name):
            raise TypeError(f"unknown simulator option: {name}")
        setattr(engine.options, name, value)
    return engine


class _SyncBody(httpx.SyncByteStream):
    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items

    def __iter__(self) -> Iterator[bytes]:
        for item in self._items:
            if isinstance(item, Pause):
                time.sleep(item.seconds)
            elif isinstance(item, Drop):
                raise httpx.RemoteProtocolError(_DROPPED)
            else:
                yield item


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items

    async def __aiter__(self) -> AsyncIterator[bytes]:
        import asyncio

        for item in self._items:
            if isinstance(item, Pause):
                await asyncio.sleep(item.seconds)
            elif isinstance(item, Drop):
                raise httpx.RemoteProtocolError(_DROPPED)
            else:
                yield item


class SimulatorTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An in-process transport over an `Engine` (a new one built from `**options` unless one is given)."""

    def __init__(self, engine: Engine | None = None, **options: Any) -> None:
        self.engine = engine_with(engine, options)

    def __repr__(self) -> str:
        return f"SimulatorTransport(seed={self.engine.seed})"

    def _request(self, request: httpx.Request, body: bytes) -> SimRequest:
        url = request.url
        base = f"{url.scheme}://{url.netloc.decode('ascii')}"
        return SimRequest(request.method, url.raw_path.decode("ascii"), request.headers.multi_items(), body, base)

    def _response(self, request: httpx.Request, result: SimResponse, stream: Any) -> httpx.Response:
        return httpx.Response(result.status, headers=result.headers, stream=stream, request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        result = self.engine.handle(self._request(request, request.read()))
        if result.delay:
            time.sleep(result.delay)
        return self._response(request, result, _SyncBody(result.body))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        result = self.engine.handle(self._request(request, await request.aread()))
        if result.delay:
            import asyncio

            await asyncio.sleep(result.delay)
        return self._response(request, result, _AsyncBody(result.body))

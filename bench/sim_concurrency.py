"""50 concurrent streams against the simulator: loopback HTTP server (threads) and in-process transport (asyncio).

Each stream asks for about 500 words, so it carries a few hundred SSE events. Every stream must end with
`message_stop` and no error; the script prints streams, total events and events per second for each adapter.

    .venv/bin/python bench/sim_concurrency.py [--streams 50] [--words 500] [--deltas-per-second N]

With --deltas-per-second the streams are paced as a real model's would be, so they overlap for seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
import time

import httpx

from workbench.simulator import SimulatorServer, SimulatorTransport

HEADERS = {"x-api-key": "sk-ant-bench", "anthropic-version": "2023-06-01"}


def body(words: int, i: int) -> dict:
    return {"model": "claude-haiku-4-5", "max_tokens": 8 * words, "stream": True,
            "messages": [{"role": "user", "content": f"Stream {i}: write {words} words about rivers"}]}


def count_events(chunks: list[bytes]) -> tuple[int, bool]:
    text = b"".join(chunks).decode()
    events = text.count("\nevent: ") + text.startswith("event: ")
    return events, text.rstrip().endswith('data: {"type":"message_stop"}') and "event: error" not in text


def loopback(streams: int, words: int, pace: float | None) -> tuple[int, float]:
    results: list[tuple[int, bool] | BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(streams)

    def run(client: httpx.Client, i: int) -> None:
        try:
            barrier.wait()
            with client.stream("POST", "/v1/messages", json=body(words, i), headers=HEADERS) as response:
                response.raise_for_status()
                outcome: tuple[int, bool] | BaseException = count_events(list(response.iter_bytes()))
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome = exc
        with lock:
            results.append(outcome)

    # one client shared by all threads (httpx clients are thread-safe; building one per thread costs more
    # than the streams themselves)
    limits = httpx.Limits(max_connections=streams, max_keepalive_connections=streams)
    with SimulatorServer(deltas_per_second=pace) as srv, httpx.Client(base_url=srv.url, timeout=60, limits=limits) as client:
        threads = [threading.Thread(target=run, args=(client, i)) for i in range(streams)]
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    return _check(results, streams), elapsed


def in_process(streams: int, words: int, pace: float | None) -> tuple[int, float]:
    async def run_all() -> list[tuple[int, bool] | BaseException]:
        transport = SimulatorTransport(deltas_per_second=pace)
        async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:

            async def run(i: int) -> tuple[int, bool]:
                async with client.stream("POST", "/v1/messages", json=body(words, i), headers=HEADERS) as response:
                    response.raise_for_status()
                    return count_events([chunk async for chunk in response.aiter_bytes()])

            return await asyncio.gather(*(run(i) for i in range(streams)), return_exceptions=True)

    started = time.perf_counter()
    results = asyncio.run(run_all())
    return _check(results, streams), time.perf_counter() - started


def _check(results: list, streams: int) -> int:
    failures = [r for r in results if isinstance(r, BaseException) or not r[1]]
    if failures or len(results) != streams:
        print(f"FAILED: {len(failures)} of {streams} streams: {failures[:3]!r}", file=sys.stderr)
        sys.exit(1)
    return sum(events for events, _ in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--deltas-per-second", type=float, default=None)
    args = parser.parse_args()
    for name, run in (("loopback server", loopback), ("in-process transport", in_process)):
        events, elapsed = run(args.streams, args.words, args.deltas_per_second)
        print(f"{name}: streams={args.streams} total_events={events} seconds={elapsed:.2f} "
              f"events_per_second={events / elapsed:,.0f}")


if __name__ == "__main__":
    main()

"""Per-event cost of consuming one loopback SSE stream of 20,000 text deltas, three ways.

1. floor: raw httpx `iter_lines()` + `json.loads` of each data line (no accumulation at all);
2. workbench: `Client.messages.stream(...)` consumed through `get_final_message()` (and, for reference,
   the same stream iterated as typed pydantic events);
3. the official SDK: `anthropic.Anthropic.messages.stream(...)` consumed the same way (skipped if not installed).

Each figure is the best of several runs over the same bytes from the same server, which runs in its own
process so that it does not compete with the client for the GIL.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from workbench.api import Client

DELTAS = 20_000
PARAMS = {"model": "claude-opus-4-8", "max_tokens": 64000, "messages": [{"role": "user", "content": "Go"}]}


def transcript(deltas: int) -> bytes:
    def event(payload: dict) -> str:
        return f"event: {payload['type']}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"

    message = {"id": "msg_bench", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-8",
               "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}
    parts = [event({"type": "message_start", "message": message}),
             event({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})]
    delta = event({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "word "}})
    parts.extend([delta] * deltas)
    parts += [event({"type": "content_block_stop", "index": 0}),
              event({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                     "usage": {"output_tokens": deltas}}),
              event({"type": "message_stop"})]
    return "".join(parts).encode()


BODY = transcript(DELTAS)
EVENTS = DELTAS + 5


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(BODY)))
        self.end_headers()
        view = memoryview(BODY)
        for start in range(0, len(BODY), 16384):
            self.wfile.write(view[start : start + 16384])

    def log_message(self, *args: object) -> None:
        pass


def floor(url: str):
    http = httpx.Client(base_url=url)

    def run() -> None:
        with http.stream("POST", "/v1/messages", json=PARAMS) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    json.loads(line[6:])

    return run


def workbench(url: str):
    client = Client(api_key="sk-ant-bench", base_url=url)

    def run() -> None:
        with client.messages.stream(**PARAMS) as stream:
            message = stream.get_final_message()
        assert len(message.content[0].text) == 5 * DELTAS

    return run


def workbench_typed_events(url: str):
    """For comparison: the same stream when the caller asks for every event as a pydantic model."""
    client = Client(api_key="sk-ant-bench", base_url=url)

    def run() -> None:
        with client.messages.stream(**PARAMS) as stream:
            for _ in stream:
                pass
            message = stream.get_final_message()
        assert len(message.content[0].text) == 5 * DELTAS

    return run


def official_sdk(url: str):
    import anthropic

    client = anthropic.Anthropic(api_key="sk-ant-test", base_url=url)

    def run() -> None:
        with client.messages.stream(**PARAMS) as stream:
            message = stream.get_final_message()
        assert len(message.content[0].text) == 5 * DELTAS

    return run


def best_us_per_event(make_runner, url: str, repeats: int) -> float:
    """Clients are made once, outside the clock (making one loads TLS certificates: tens of ms)."""
    run = make_runner(url)
    run()  # warm up: imports, connection, pydantic schemas
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / EVENTS * 1e6


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def main() -> None:
    server = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    url = f"http://127.0.0.1:{server.stdout.readline().strip()}"
    try:
        floor_us = best_us_per_event(floor, url, 7)
        ours_us = best_us_per_event(workbench, url, 7)
        typed_us = best_us_per_event(workbench_typed_events, url, 3)
        try:
            sdk_us: float | None = best_us_per_event(official_sdk, url, 3)
        except ImportError:
            sdk_us = None
    finally:
        server.terminate()
        server.wait()
    print(f"stream of {DELTAS:,} text deltas ({EVENTS:,} events, {len(BODY):,} bytes), Python {sys.version.split()[0]}")
    print(f"  floor  httpx iter_lines + json.loads      {floor_us:7.2f} us/event")
    print(f"  ours   messages.stream().get_final_message {ours_us:7.2f} us/event   {ours_us / floor_us:5.2f}x floor")
    print(f"  ours   iterating typed events, then final  {typed_us:7.2f} us/event   {typed_us / floor_us:5.2f}x floor")
    if sdk_us is None:
        print("  sdk    (anthropic not installed)")
    else:
        print(f"  sdk    messages.stream().get_final_message {sdk_us:7.2f} us/event   {sdk_us / floor_us:5.2f}x floor")
        print(f"  ours is {sdk_us / ours_us:.1f}x faster than the official SDK helper")


if __name__ == "__main__":
    serve() if sys.argv[1:] == ["--serve"] else main()

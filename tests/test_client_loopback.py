"""A scripted HTTP/1.1 server on 127.0.0.1 for the client tests, and tests of the server itself.

Each connection takes the next scripted reply: exact status, headers and body chunks (so SSE bytes can be
cut anywhere), a connection reset before any header, or a silent hang. Every request is recorded.
"""
from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

TRANSCRIPTS = Path(__file__).parent / "transcripts"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch):
    """Tests say where requests go; the environment of the machine running them must not."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "WORKBENCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)


@dataclass
class Reply:
    status: int = 200
    body: bytes | list[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    # How the body is cut into writes: None = one write, an int = fixed size, "random" = seeded random sizes.
    chunking: int | str | None = None
    # Seconds to wait before each body write after the first (lets a test act mid-stream).
    pause: float = 0.0
    # Stop after this many body bytes and reset the connection (a broken stream).
    reset_after: int | None = None


@dataclass
class Reset:
    """Accept the request, then reset the connection before sending anything."""


@dataclass
class Hang:
    seconds: float


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self):
        return json.loads(self.body)


def sse(*events: dict, name_from_type: bool = True) -> bytes:
    """SSE bytes for a list of JSON events, `event:` named after their type."""
    out = []
    for event in events:
        out.append(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n")
    return "".join(out).encode()


def json_reply(status: int, payload, **headers: str) -> Reply:
    return Reply(status, json.dumps(payload).encode(), {"content-type": "application/json", **headers})


def error_reply(status: int, error_type: str, message: str, **headers: str) -> Reply:
    body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": "req_err"}
    return json_reply(status, body, **headers)


def message_json(text: str = "Hello!", **overrides) -> dict:
    message = {
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 2},
    }
    message.update(overrides)
    return message


def text_stream_events(*pieces: str) -> list[bytes]:
    """One SSE event per list item: a whole text reply streamed as `pieces`."""
    start = {"type": "message_start", "message": {**message_json(), "content": [], "stop_reason": None}}
    events = [start, {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
    events += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}} for p in pieces]
    events += [
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": len(pieces)}},
        {"type": "message_stop"},
    ]
    return [sse(e) for e in events]


def sse_reply(body: bytes | list[bytes], **kwargs) -> Reply:
    return Reply(200, body, {"content-type": "text/event-stream", "request-id": "req_stream"}, **kwargs)


class Loopback:
    """`with Loopback([Reply(...), ...]) as server:` -> server.url, server.requests."""

    def __init__(self, replies=(), *, default: Reply | None = None, seed: int = 0) -> None:
        self.replies = list(replies)
        self.default = default
        self.requests: list[Recorded] = []
        self._rng = random.Random(seed)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Loopback:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed = True
        try:
            socket.create_connection(self._sock.getsockname(), timeout=1).close()
        except OSError:
            pass
        self._sock.close()
        self._thread.join(5)

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            if self._closed:
                conn.close()
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _next_reply(self):
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
            return self.default if self.default is not None else json_reply(500, {"error": "no reply scripted"})

    def _handle(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            reply = self._next_reply()
            if isinstance(reply, Reset):
                _reset(conn)
                return
            if isinstance(reply, Hang):
                time.sleep(reply.seconds)
                return
            head = [f"HTTP/1.1 {reply.status} X", "connection: close"]
            head += [f"{k}: {v}" for k, v in reply.headers.items()]
            body = b"".join(reply.body) if isinstance(reply.body, list) else reply.body
            if reply.reset_after is None:
                head.append(f"content-length: {len(body)}")
            conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if isinstance(reply.body, list):
                pieces = reply.body
            else:
                pieces = self._cut(body if reply.reset_after is None else body[: reply.reset_after], reply.chunking)
            for i, piece in enumerate(pieces):
                if i and reply.pause:
                    time.sleep(reply.pause)
                conn.sendall(piece)
            if reply.reset_after is not None:
                _reset(conn)
                return
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _cut(self, body: bytes, chunking):
        if chunking is None:
            yield body
            return
        pos = 0
        while pos < len(body):
            size = chunking if isinstance(chunking, int) else self._rng.randint(1, 64)
            yield body[pos : pos + size]
            pos += size


def _reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def _read_request(conn: socket.socket) -> Recorded | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Recorded(method, path, headers, body, time.monotonic())


# ---- the server's own behaviour -------------------------------------------------------------------------------


def test_loopback_serves_scripted_replies_in_order():
    with Loopback([json_reply(200, {"a": 1}), error_reply(404, "not_found_error", "nope")]) as server:
        assert httpx.post(server.url + "/x", json={"q": 1}).json() == {"a": 1}
        assert httpx.get(server.url + "/y").status_code == 404
    assert [(r.method, r.path) for r in server.requests] == [("POST", "/x"), ("GET", "/y")]
    assert server.requests[0].json() == {"q": 1}


def test_loopback_cuts_bodies_into_one_byte_writes():
    body = sse({"type": "ping"}) * 3
    with Loopback([sse_reply(body, chunking=1)]) as server:
        assert httpx.get(server.url).content == body

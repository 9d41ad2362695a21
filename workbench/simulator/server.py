"""The simulator on loopback HTTP, for the official SDK, curl, or any other client.

    with SimulatorServer() as srv:                      # port 0: any free port
        client = anthropic.Anthropic(api_key="sk-ant-test", base_url=srv.url)

    $ workbench simulate --port 8080 --deltas-per-second 40
    $ python -m workbench.simulator --port 0

Threaded (one daemon thread per connection), HTTP/1.1 keep-alive; streams are sent with chunked encoding and
flushed event by event. The server is quiet: nothing is logged per request.
"""

from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from workbench.simulator.engine import Drop, Engine, Pause, SimRequest
from workbench.simulator.options import SimulatorOptions
from workbench.simulator.transport import engine_with

__all__ = ["SimulatorServer", "main"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # one small write per SSE event: with Nagle's algorithm each would wait for the previous ACK
    disable_nagle_algorithm = True
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("content-length") or 0))

    def _serve(self) -> None:
        body = self._read_body()
        host = self.headers.get("host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        request = SimRequest(self.command, self.path, list(self.headers.items()), body, f"http://{host}")
        response = self.server.engine.handle(request)
        if response.delay:
            time.sleep(response.delay)
        try:
            self.send_response(response.status)
            for name, value in response.headers:
                self.send_header(name, value)
            if response.streaming:
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                self._send_chunked(response.body)
            else:
                data = b"".join(item for item in response.body if isinstance(item, bytes))
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send_chunked(self, items: Any) -> None:
        for item in items:
            if isinstance(item, Pause):
                time.sleep(item.seconds)
            elif isinstance(item, Drop):
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            elif item:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(item), item))
                self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # many clients connect at once (concurrent streams, parallel tests); the default backlog of 5 resets them
    request_queue_size = 256
    engine: Engine

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-response is normal here; stay quiet.
        return None


class SimulatorServer:
    """A loopback HTTP server over an `Engine`; `port=0` picks a free port. Use as a context manager."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, engine: Engine | None = None, **options: Any) -> None:
        self.engine = engine_with(engine, options)
        self._httpd = _HTTPServer((host, port), _Handler, bind_and_activate=True)
        self._httpd.engine = self.engine
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __repr__(self) -> str:
        return f"SimulatorServer(url={self.url!r})"

    def start(self) -> SimulatorServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="workbench-simulator", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench simulate",
        description="Serve the offline Messages API simulator on loopback. Prints its URL, then serves until ^C.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    add("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    add("--seed", type=int, default=0, help="seed for replies and ids (default 0)")
    add("--first-byte-delay", type=float, default=0.0, metavar="S", help="seconds before each response starts")
    add("--first-token-delay", type=float, default=0.0, metavar="S", help="seconds before a stream's first delta")
    add("--deltas-per-second", type=float, default=None, metavar="N", help="pace streams (default: unpaced)")
    add("--words-per-delta", type=int, default=3, metavar="N", help="words carried by each text delta")
    add("--fail", default="", metavar="STATUSES", help="comma-separated statuses for the next /v1/messages calls")
    add("--fail-rate", type=float, default=0.0, metavar="P", help="share of /v1/messages calls that fail")
    add("--fail-status", type=int, default=529, metavar="STATUS", help="status used by --fail-rate (default 529)")
    add("--error-after", type=int, default=None, metavar="N", help="end streams with an error event after N events")
    add("--error-type", default="overloaded_error", help="error type of that event")
    add("--drop-after", type=int, default=None, metavar="N", help="drop stream connections after N events")
    add("--retry-after", type=float, default=1.0, metavar="S", help="retry-after seconds sent with 429/529")
    add("--rpm", type=int, default=None, help="enforce a requests-per-minute limit")
    add("--input-tpm", type=int, default=None, help="enforce an input-tokens-per-minute limit")
    add("--output-tpm", type=int, default=None, help="enforce an output-tokens-per-minute limit")
    add("--api-key", action="append", default=None, metavar="KEY", help="accept only this key (repeatable)")
    add("--batch-seconds", type=float, default=1.0, metavar="S", help="how long a message batch takes")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # `workbench simulate -- --port 0` hands the separator through
        argv = argv[1:]
    args = _parser().parse_args(argv)
    options = dict(
        first_byte_delay=args.first_byte_delay,
        first_token_delay=args.first_token_delay,
        deltas_per_second=args.deltas_per_second,
        words_per_delta=args.words_per_delta,
        fail=[int(s) for s in args.fail.split(",") if s.strip()],
        fail_rate=args.fail_rate,
        fail_status=args.fail_status,
        error_after=args.error_after,
        error_type=args.error_type,
        drop_after=args.drop_after,
        retry_after=args.retry_after,
        requests_per_minute=args.rpm,
        input_tokens_per_minute=args.input_tpm,
        output_tokens_per_minute=args.output_tpm,
        api_keys=tuple(args.api_key) if args.api_key else None,
        batch_seconds=args.batch_seconds,
    )
    try:
        server = SimulatorServer(args.host, args.port, Engine(seed=args.seed, options=SimulatorOptions(**options)))
    except OSError as exc:
        print(f"workbench simulate: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(server.url, flush=True)
    print(
        f"claude-workbench simulator: offline Messages API at {server.url} (any key starting with sk-ant-); ^C stops",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0

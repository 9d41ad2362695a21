"""Streaming: accumulate SSE events into a Message, and the `MessageStream` objects users hold.

The hot path works on the decoded JSON dicts and lists of string pieces; pydantic models are built only
when asked for (a typed event when iterating the stream, a `Message` for a snapshot or the final message).
Accumulation follows the official SDK's `accumulate_event` rule for rule.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring
from typing import TYPE_CHECKING, Any

from ._partial_json import parse_partial
from ._sse import SSEDecoder
from .errors import APIConnectionError, APITimeoutError, status_error

if TYPE_CHECKING:
    import httpx

    from .types import Message

__all__ = ["Timings", "MessageAccumulator", "MessageStream", "AsyncMessageStream"]

_TOOL_INPUT_BLOCKS = ("tool_use", "server_tool_use")

# A stream item: (decoded event, raw data, text). Text deltas skip json.loads: the event is None and the
# text is set; whoever wants the event dict decodes the raw data then.
_Item = tuple["dict[str, Any] | None", str, "str | None"]

_TEXT_DELTA_HEAD = '{"type":"content_block_delta","index":'
_TEXT_DELTA_MIDDLE = ',"delta":{"type":"text_delta","text":"'


def _text_delta(data: str) -> tuple[int, str] | None:
    """(index, text) when `data` is exactly a compact text_delta event, as the API sends them; else None.

    Equivalent to json.loads for those bytes (the string goes through the json module's own scanner), and much
    cheaper: this is the event a stream is made of.
    """
    if not data.startswith(_TEXT_DELTA_HEAD):
        return None
    head = len(_TEXT_DELTA_HEAD)
    comma = data.find(",", head)
    digits = data[head:comma]
    if not (digits.isascii() and digits.isdigit()) or (digits[0] == "0" and len(digits) > 1):
        return None
    start = comma + len(_TEXT_DELTA_MIDDLE)
    if not data.startswith(_TEXT_DELTA_MIDDLE, comma):
        return None
    try:
        text, end = scanstring(data, start)
    except ValueError:
        return None
    if end != len(data) - 2 or not data.endswith("}}"):
        return None
    return int(digits), text


@dataclass
class Timings:
    """Moments of one call, in `time.monotonic()` seconds; None until they happen."""

    started: float
    first_byte: float | None = None
    first_delta: float | None = None
    finished: float | None = None

    @property
    def time_to_first_byte(self) -> float | None:
        return None if self.first_byte is None else self.first_byte - self.started

    @property
    def time_to_first_delta(self) -> float | None:
        return None if self.first_delta is None else self.first_delta - self.started

    @property
    def total(self) -> float | None:
        return None if self.finished is None else self.finished - self.started

    def as_dict(self) -> dict[str, float | None]:
        """Durations in seconds since the request started: what a run record keeps."""
        return {"first_byte": self.time_to_first_byte, "first_delta": self.time_to_first_delta, "total": self.total}


class MessageAccumulator:
    """Folds raw stream events (decoded JSON dicts) into the message they describe.

    Text, thinking and tool-input fragments are collected in lists and joined only when a snapshot is taken, so
    every delta costs one `list.append`. The state is consistent after every event, so a snapshot taken after
    an interruption holds everything that arrived.
    """

    __slots__ = ("_message", "_blocks", "_pieces", "_json_pieces")

    def __init__(self) -> None:
        self._message: dict[str, Any] | None = None
        self._blocks: list[dict[str, Any]] = []
        # index -> pieces still to be appended to that block's "text" / "thinking" field
        self._pieces: dict[int, list[str]] = {}
        # index -> all input_json fragments of that tool block so far
        self._json_pieces: dict[int, list[str]] = {}

    @property
    def started(self) -> bool:
        return self._message is not None

    def apply(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "content_block_delta":
            index = event["index"]
            delta = event["delta"]
            delta_kind = delta.get("type")
            if delta_kind == "text_delta" or delta_kind == "thinking_delta":
                pieces = self._pieces.get(index)
                field = "text" if delta_kind == "text_delta" else "thinking"
                if pieces is not None and self._blocks[index].get("type") == field:
                    pieces.append(delta[field])
            elif delta_kind == "input_json_delta":
                fragments = self._json_pieces.get(index)
                if fragments is not None:
                    fragments.append(delta["partial_json"])
            elif delta_kind == "signature_delta":
                block = self._blocks[index]
                if block.get("type") == "thinking":
                    block["signature"] = delta["signature"]
            elif delta_kind == "citations_delta":
                block = self._blocks[index]
                if block.get("type") == "text":
                    if block.get("citations"):
                        block["citations"].append(delta["citation"])
                    else:
                        block["citations"] = [delta["citation"]]
        elif kind == "content_block_start":
            if self._message is None:
                raise RuntimeError('Unexpected event order, got content_block_start before "message_start"')
            block = dict(event["content_block"])
            index = len(self._blocks)
            block_kind = block.get("type")
            if block_kind == "text" or block_kind == "thinking":
                self._pieces[index] = []
            elif block_kind in _TOOL_INPUT_BLOCKS:
                self._json_pieces[index] = []
            self._blocks.append(block)
        elif kind == "message_start":
            if self._message is None:
                self._message = json.loads(json.dumps(event["message"]))
                self._blocks = self._message.get("content") or []
                self._message["content"] = self._blocks
        elif kind == "message_delta":
            self._apply_message_delta(event)

    def add_text(self, index: int, text: str) -> None:
        """A text_delta, already decoded."""
        pieces = self._pieces.get(index)
        if pieces is not None and self._blocks[index].get("type") == "text":
            pieces.append(text)

    def _apply_message_delta(self, event: dict[str, Any]) -> None:
        message = self._message
        if message is None:
            raise RuntimeError('Unexpected event order, got message_delta before "message_start"')
        delta = event.get("delta") or {}
        message["stop_reason"] = delta.get("stop_reason")
        message["stop_sequence"] = delta.get("stop_sequence")
        message["stop_details"] = delta.get("stop_details")
        if delta.get("container") is not None:
            message["container"] = delta["container"]
        usage = event.get("usage") or {}
        snapshot_usage = message.setdefault("usage", {})
        if "output_tokens" in usage:
            snapshot_usage["output_tokens"] = usage["output_tokens"]
        # Counts on message_delta are cumulative totals: they replace, and an absent one keeps its old value.
        for name in (
            "input_tokens",
            "cache_creation_input_tokens",
            "cache_read_input_tokens",
            "server_tool_use",
            "output_tokens_details",
        ):
            if usage.get(name) is not None:
                snapshot_usage[name] = usage[name]

    def snapshot_json(self, *, strict: bool = False) -> dict[str, Any] | None:
        """The message so far as JSON (a fresh copy), or None before `message_start`.

        `strict`: tool input that is not JSON raises ValueError (as the official SDK does for a finished
        message); otherwise it is left as it started, so that an interrupted run can always be recorded.
        """
        if self._message is None:
            return None
        self._fold_pieces()
        snapshot = dict(self._message)
        snapshot["content"] = [self._finished_block(i, block, strict) for i, block in enumerate(self._blocks)]
        return snapshot

    def snapshot(self, *, strict: bool = False) -> Message | None:
        from .types import Message

        data = self.snapshot_json(strict=strict)
        return None if data is None else Message.model_validate(data)

    def _fold_pieces(self) -> None:
        for index, pieces in self._pieces.items():
            if pieces:
                block = self._blocks[index]
                field = "text" if block.get("type") == "text" else "thinking"
                block[field] = (block.get(field) or "") + "".join(pieces)
                pieces.clear()

    def _finished_block(self, index: int, block: dict[str, Any], strict: bool) -> dict[str, Any]:
        fragments = self._json_pieces.get(index)
        block = dict(block)
        text = "".join(fragments) if fragments else ""
        if text:
            try:
                block["input"] = parse_partial(text)
            except ValueError as exc:
                if strict:
                    raise ValueError(f"Unable to parse tool parameter JSON from model: {exc}. JSON: {text}") from exc
        return block


class _StreamCore:
    """What sync and async streams share: decoding, accumulating, timings, typed views."""

    def __init__(self, timings: Timings) -> None:
        self.timings = timings
        self.response: httpx.Response | None = None
        self._accumulator = MessageAccumulator()
        self._decoder = SSEDecoder()
        self._final: Message | None = None

    @property
    def request_id(self) -> str | None:
        return None if self.response is None else self.response.headers.get("request-id")

    @property
    def response_headers(self) -> httpx.Headers | None:
        return None if self.response is None else self.response.headers

    @property
    def current_message_snapshot(self) -> Message | None:
        """Everything received so far as a Message (also after an interruption, close() or an error)."""
        if self._final is not None:
            return self._final
        message = self._accumulator.snapshot()
        if message is not None:
            message._request_id = self.request_id
            message._timings = self.timings
        return message

    def _handle(self, name: str | None, data: str) -> _Item | None:
        """One decoded SSE event -> the item to yield, None to skip; raises on an `error` event."""
        if name is None or name == "ping" or not data:
            return None
        if name == "error":
            try:
                body: Any = json.loads(data)
            except ValueError:
                body = data
            raise status_error(200, body, self.request_id)
        text_delta = _text_delta(data)
        if text_delta is not None:
            if self.timings.first_delta is None:
                self.timings.first_delta = time.monotonic()
            self._accumulator.add_text(*text_delta)
            return (None, data, text_delta[1])
        event = json.loads(data)
        if self.timings.first_delta is None and event.get("type") == "content_block_delta":
            self.timings.first_delta = time.monotonic()
        self._accumulator.apply(event)
        return (event, data, None)

    @staticmethod
    def _event_of(item: _Item) -> dict[str, Any]:
        return item[0] if item[0] is not None else json.loads(item[1])

    @staticmethod
    def _text_of(item: _Item) -> str | None:
        event = item[0]
        if event is None:
            return item[2]
        if event.get("type") == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                return delta.get("text")
        return None

    def _finish(self) -> Message:
        if self._final is None:
            message = self._accumulator.snapshot(strict=True)
            if message is None:
                raise APIConnectionError("The stream ended before a message_start event.")
            message._request_id = self.request_id
            message._timings = self.timings
            self._final = message
        return self._final

    @staticmethod
    def _typed(event: dict[str, Any]) -> Any:
        return _event_adapter().validate_python(event)


def _event_adapter() -> Any:
    global _EVENT_ADAPTER
    if _EVENT_ADAPTER is None:
        from pydantic import TypeAdapter

        from .types import StreamEvent

        _EVENT_ADAPTER = TypeAdapter(StreamEvent)
    return _EVENT_ADAPTER


_EVENT_ADAPTER: Any = None


def _stream_failure(exc: Exception) -> Exception:
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError("The stream timed out while reading.")
    return APIConnectionError(f"The connection broke mid-stream: {type(exc).__name__}")


def _shut_down(response: httpx.Response) -> None:
    """Shuts down the response's socket: a read blocked on it returns at once (closing it would not wake it)."""
    network = response.extensions.get("network_stream")
    sock = network.get_extra_info("socket") if network is not None else None
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass


class MessageStream(_StreamCore):
    """A streaming call: iterate typed events, or `text_stream`, or just ask for `get_final_message()`.

    Use it as a context manager so the connection is released however the block ends. Another thread may
    `abort()` it.
    """

    def __init__(self, open_response: Callable[[], httpx.Response], timings: Timings) -> None:
        super().__init__(timings)
        self._open_response = open_response
        self._raw: Iterator[_Item] | None = None
        self._abort_lock = threading.Lock()
        self._aborted = False
        self._ended = False  # reading is over (the stream ended, failed, or was closed)

    @property
    def aborted(self) -> bool:
        """True when `abort()` ended the stream before it was over."""
        return self._aborted

    def abort(self) -> None:
        """Ends the stream from any thread: iteration stops at once, even while the server is silent.

        The snapshot keeps everything that arrived, and iteration ends without an error (`aborted` tells).
        A stream not opened yet sends nothing; one already over is left as it is. Reads from a socket wake
        at once; an in-process transport (the embedded simulator) stops at its next event.
        """
        with self._abort_lock:
            if self._ended:
                return
            self._aborted = True
            response = self.response
        if response is not None:
            _shut_down(response)

    def __enter__(self) -> MessageStream:
        self._ensure_open()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _ensure_open(self) -> Iterator[_Item]:
        if self._raw is None:
            if not self._aborted:
                self.response = self._open_response()
            self._raw = self._read()
        return self._raw

    def _read(self) -> Iterator[_Item]:
        import httpx

        response = self.response
        handle = self._handle
        try:
            if response is None or self._aborted:
                return
            try:
                for name, data in self._decoder.iter_events(response.iter_bytes()):
                    if self._aborted:
                        return
                    item = handle(name, data)
                    if item is not None:
                        yield item
            except httpx.TransportError as exc:
                if self._aborted:  # the shut-down socket: the end `abort()` asked for
                    return
                raise _stream_failure(exc) from None
        finally:
            with self._abort_lock:
                self._ended = True
            self.timings.finished = time.monotonic()
            if response is not None:
                response.close()

    def raw_events(self) -> Iterator[dict[str, Any]]:
        """The events as decoded JSON dicts (cheaper than typed events)."""
        for item in self._ensure_open():
            yield self._event_of(item)

    def __iter__(self) -> Iterator[Any]:
        for item in self._ensure_open():
            yield self._typed(self._event_of(item))

    @property
    def text_stream(self) -> Iterator[str]:
        """The text deltas as they arrive."""
        return self._text_stream()

    def _text_stream(self) -> Iterator[str]:
        for item in self._ensure_open():
            text = self._text_of(item)
            if text is not None:
                yield text

    def until_done(self) -> None:
        for _ in self._ensure_open():
            pass

    def get_final_message(self) -> Message:
        self.until_done()
        return self._finish()

    def get_final_text(self) -> str:
        return self.get_final_message().text

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()  # type: ignore[attr-defined]
        if self.response is not None:
            self.response.close()
        if self.timings.finished is None:
            self.timings.finished = time.monotonic()


class AsyncMessageStream(_StreamCore):
    """The async twin of `MessageStream`: `async with`, `async for`."""

    def __init__(self, open_response: Callable[[], Any], timings: Timings) -> None:
        super().__init__(timings)
        self._open_response = open_response
        self._raw: AsyncIterator[_Item] | None = None

    async def __aenter__(self) -> AsyncMessageStream:
        await self._ensure_open()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def _ensure_open(self) -> AsyncIterator[_Item]:
        if self._raw is None:
            self.response = await self._open_response()
            self._raw = self._read()
        return self._raw

    async def _read(self) -> AsyncIterator[_Item]:
        import httpx

        assert self.response is not None
        handle = self._handle
        try:
            try:
                async for name, data in self._decoder.aiter_events(self.response.aiter_bytes()):
                    item = handle(name, data)
                    if item is not None:
                        yield item
            except httpx.TransportError as exc:
                raise _stream_failure(exc) from None
        finally:
            self.timings.finished = time.monotonic()
            await self.response.aclose()

    async def raw_events(self) -> AsyncIterator[dict[str, Any]]:
        async for item in await self._ensure_open():
            yield self._event_of(item)

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for item in await self._ensure_open():
            yield self._typed(self._event_of(item))

    @property
    def text_stream(self) -> AsyncIterator[str]:
        return self._text_stream()

    async def _text_stream(self) -> AsyncIterator[str]:
        async for item in await self._ensure_open():
            text = self._text_of(item)
            if text is not None:
                yield text

    async def until_done(self) -> None:
        async for _ in await self._ensure_open():
            pass

    async def get_final_message(self) -> Message:
        await self.until_done()
        return self._finish()

    async def get_final_text(self) -> str:
        return (await self.get_final_message()).text

    async def close(self) -> None:
        if self._raw is not None:
            await self._raw.aclose()  # type: ignore[attr-defined]
        if self.response is not None:
            await self.response.aclose()
        if self.timings.finished is None:
            self.timings.finished = time.monotonic()

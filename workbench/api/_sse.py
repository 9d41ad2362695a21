"""Server-sent events decoding with the official SDK's exact rules, on bytes, fast.

Lines end at CR, LF or CRLF (never at the other Unicode line breaks `str.splitlines` knows); a blank line
dispatches; `:` starts a comment; `data:` lines accumulate and join with LF; one space after the colon is
dropped; `id` and `retry` are tracked as in the WHATWG spec.
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator

ServerSentEvent = tuple["str | None", str]  # (event name, data)

# What almost every event of the API looks like: one `event:` line and one `data:` line. Such a block is
# decoded in one regex match instead of line by line; anything else takes the general path.
_SIMPLE_EVENT = re.compile(rb"event: ?([^\n]*)\ndata: ?([^\n]*)")


class SSEDecoder:
    __slots__ = ("_pending", "_event", "_data", "_last_id", "_retry", "_carriage_returns")

    def __init__(self) -> None:
        self._pending = b""
        self._event: str | None = None
        self._data: list[str] = []
        self._last_id: str | None = None
        self._retry: int | None = None
        # Set once a CR shows up: from then on lines are split with CR / CRLF in mind.
        self._carriage_returns = False

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completed."""
        buffer = self._pending + chunk if self._pending else chunk
        if not self._carriage_returns and b"\r" not in buffer:
            return self._blocks(buffer)
        self._carriage_returns = True
        lines = buffer.splitlines(keepends=True)
        # A trailing CR may be the first half of a CRLF split across chunks: wait for the next byte.
        if lines and (lines[-1].endswith(b"\r") or not lines[-1].endswith(b"\n")):
            self._pending = lines.pop()
        else:
            self._pending = b""
        return self._lines([line.rstrip(b"\r\n") for line in lines])

    def _blocks(self, buffer: bytes) -> list[ServerSentEvent]:
        """LF-only input: cut at blank lines; each complete block is one event (or none)."""
        blocks = buffer.split(b"\n\n")
        self._pending = blocks.pop()
        events: list[ServerSentEvent] = []
        simple = _SIMPLE_EVENT.fullmatch
        for block in blocks:
            # Every block ends in a dispatch, so no field is pending when a block starts.
            match = simple(block)
            if match is not None:
                events.append((match[1].decode("utf-8") or None, match[2].decode("utf-8")))
            else:
                lines = block.split(b"\n")
                lines.append(b"")
                events.extend(self._lines(lines))
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: decode a last unterminated line. An event without its closing blank line is dropped."""
        pending, self._pending = self._pending, b""
        if not pending:
            return []
        return self._lines([line for line in pending.splitlines()])

    def _lines(self, lines: list[bytes]) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        for line in lines:
            if not line:
                if self._event is None and not self._data and self._last_id is None and self._retry is None:
                    continue
                events.append((self._event, "\n".join(self._data)))
                self._event = None
                self._data = []
                self._retry = None
                continue
            if line[0] == 58:  # ":" starts a comment
                continue
            field, _, value = line.partition(b":")
            if value[:1] == b" ":
                value = value[1:]
            if field == b"data":
                self._data.append(value.decode("utf-8"))
            elif field == b"event":
                self._event = value.decode("utf-8") or None
            elif field == b"id":
                if b"\0" not in value:
                    self._last_id = value.decode("utf-8")
            elif field == b"retry":
                try:
                    self._retry = int(value)
                except ValueError:
                    pass
        return events

    def iter_events(self, chunks: Iterable[bytes]) -> Iterator[ServerSentEvent]:
        for chunk in chunks:
            yield from self.feed(chunk)
        yield from self.flush()

    async def aiter_events(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[ServerSentEvent]:
        async for chunk in chunks:
            for event in self.feed(chunk):
                yield event
        for event in self.flush():
            yield event

"""Server-sent events decoding with the official SDK's exact rules, on bytes, fast.

Lines end at CR, LF or CRLF (never at the other Unicode line breaks `str.splitlines` knows); a blank line
dispatches; `:` starts a comment; `data:` lines accumulate and join with LF; one space after the colon is
dropped; `id` and `retry` are tracked as in the WHATWG spec.
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator

ServerSentEvent = tuple["str | None", str]  # (event name, data)


class SSEDecoder:
    __slots__ = ("_pending", "_event", "_data", "_last_id", "_retry")

    def __init__(self) -> None:
        self._pending = b""
        self._event: str | None = None
        self._data: list[str] = []
        self._last_id: str | None = None
        self._retry: int | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completed."""
        buffer = self._pending + chunk if self._pending else chunk
        if b"\r" in buffer:
            lines = buffer.splitlines(keepends=True)
            last = lines[-1]
            # A trailing CR may be the first half of a CRLF split across chunks: wait for the next byte.
            if last.endswith(b"\r") or not last.endswith(b"\n"):
                self._pending = lines.pop()
            else:
                self._pending = b""
            lines = [line.rstrip(b"\r\n") for line in lines]
        else:
            lines = buffer.split(b"\n")
            self._pending = lines.pop()
        return self._lines(lines)

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

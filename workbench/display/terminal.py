"""Terminal IPython: a display update would re-print the whole reply, so stream plain text, append-only."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

from workbench.display.content import blocks_of, field
from workbench.display.footer import backend_label, footer_text


class TerminalView:
    """A `RunView` that writes to a text stream (see `workbench.pipeline.RunView`)."""

    def __init__(self, out: TextIO | None = None, *, interval: float = 0.05) -> None:
        self.out = out or sys.stdout
        self.interval = interval
        self._last = float("-inf")
        self._written: dict[int, int] = {}  # block index -> characters already written
        self._closed: set[int] = set()

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def started(self, run: Any) -> None:
        name = f"{run.label} · " if run.name else ""
        replay = " · replayed" if run.replayed else ""
        self._write(f"[{name}{run.model} · {backend_label(run.backend)}{replay}]\n")

    def progress(self, reply: Any) -> None:
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._append(reply.message())

    def _append(self, message: Any) -> None:
        blocks = blocks_of(message)
        for index, block in enumerate(blocks):
            kind = field(block, "type")
            if kind in ("text", "thinking"):
                value = field(block, kind) or ""
                done = self._written.get(index)
                if done is None:
                    self._write("[thinking] " if kind == "thinking" else "")
                    done = 0
                self._write(value[done:])
                self._written[index] = len(value)
            # Tool input is partial JSON while it streams: print it once the next block starts or at the end.
            if kind in ("tool_use", "server_tool_use") and index < len(blocks) - 1:
                self._close_tool(index, block)
            if kind == "thinking" and index < len(blocks) - 1 and index not in self._closed:
                self._closed.add(index)
                self._write("\n[/thinking]\n")

    def _close_tool(self, index: int, block: Any) -> None:
        if index in self._closed:
            return
        self._closed.add(index)
        payload = json.dumps(field(block, "input") or {}, ensure_ascii=False)
        self._write(f"\n[{field(block, 'type')} {field(block, 'name')}] {payload}\n")

    def finished(self, run: Any, message: Any, metadata: dict[str, Any]) -> None:
        self._append(message)
        for index, block in enumerate(blocks_of(message)):
            if field(block, "type") in ("tool_use", "server_tool_use"):
                self._close_tool(index, block)
        if run.status != "ok":
            self._write(f"\n[{run.status}{': ' + run.error if run.error else ''}]")
        self._write(f"\n{footer_text(run)}\n")

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        for result in results:
            content = result.get("content")
            self._write(f"[tool_result] {content if isinstance(content, str) else json.dumps(content)}\n")

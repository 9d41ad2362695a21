"""Several runs side by side in one display: a column per run, live while it streams, then its final render.

The runs stream in worker threads, but only the cell's own (main) thread updates the display. So a column's
`RunView` (`ColumnFeed`, called in its worker) only queues what happened, taking a snapshot of the reply at most
every `SNAPSHOT_INTERVAL` seconds, and `ColumnsView.pump` (called in the main thread) applies the queue and
redraws at the single view's pace and byte budget (`_budget`). Columns are drawn with the single view's pieces:
`waiting_html`, `live_html` and `final_bundle` (header with the model name, inert Markdown, footer).
"""

from __future__ import annotations

import dataclasses
import html
import queue
import threading
import time
import uuid
from typing import Any

from workbench.display._budget import UpdateBudget
from workbench.display.content import message_html, message_plain
from workbench.display.stream_view import final_bundle, live_html, waiting_html

SNAPSHOT_INTERVAL = 0.1  # seconds between two snapshots of a streaming reply (each copies the reply)


class ColumnFeed:
    """The `RunView` of one column, called in the column's worker thread: it queues, never draws."""

    def __init__(self, index: int, events: queue.Queue[tuple[int, str, Any]], began: threading.Event) -> None:
        self._index = index
        self._events = events
        self._began = began
        self._last = float("-inf")

    def started(self, run: Any) -> None:
        self._last = float("-inf")
        self._events.put((self._index, "started", run))
        self._began.set()

    def progress(self, reply: Any) -> None:
        now = time.monotonic()
        if reply.size and now - self._last >= SNAPSHOT_INTERVAL:
            self._last = now
            # The snapshot is taken here: the stream's accumulator belongs to this thread.
            self._events.put((self._index, "live", (reply.size, reply.message())))

    def finished(self, run: Any, message: Any, metadata: dict[str, Any]) -> None:
        self._events.put((self._index, "finished", (run, message, metadata)))

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        self._events.put((self._index, "tools", results))


@dataclasses.dataclass
class _Column:
    label: str
    run: Any = None  # the run in progress, None between runs
    message: Any = None
    size: int = 0
    done_html: list[str] = dataclasses.field(default_factory=list)
    done_plain: list[str] = dataclasses.field(default_factory=list)
    records: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # output metadata of finished runs
    last: Any = None  # the last finished run

    def failed(self, error: Exception) -> None:
        """The column's worker failed before any run finished (the prompt was refused before sending)."""
        self.done_html.append(
            f'<div class="wb-run"><strong>{html.escape(self.label)}</strong>'
            f'<p class="wb-status"><strong>error:</strong> {html.escape(str(error))}</p></div>'
        )
        self.done_plain.append(f"[error: {error}]")
        self.run = None

    def html(self) -> str:
        parts = list(self.done_html)
        if self.run is not None:
            parts.append(live_html(self.run, self.message) if self.message is not None else waiting_html(self.run))
        elif not parts:
            parts.append(f'<div class="wb-run"><strong>{html.escape(self.label)}</strong> · <em>waiting…</em></div>')
        return (
            '<div class="wb-column" style="flex:1 1 0;min-width:16em;overflow-wrap:anywhere">'
            f'{"".join(parts)}</div>'
        )

    def plain(self) -> str:
        return f"── {self.label} ──\n" + "\n\n".join(self.done_plain)


class ColumnsView:
    """One display holding a column per run (labels name them until their runs start)."""

    def __init__(self, labels: list[str], *, budget: UpdateBudget | None = None) -> None:
        from IPython.display import display

        self._display = display
        self.events: queue.Queue[tuple[int, str, Any]] = queue.Queue()
        self.budget = budget or UpdateBudget()
        self.display_id = uuid.uuid4().hex
        self._columns = [_Column(label) for label in labels]
        # Set when a column's first run has started (or its worker ended): lets runs start in column order.
        self.began = [threading.Event() for _ in labels]
        self._handle: Any = None
        self._dirty = False

    def feed(self, index: int) -> ColumnFeed:
        return ColumnFeed(index, self.events, self.began[index])

    def ended(self, index: int, outcome: Any) -> None:
        """Called by a worker when its column is done (`outcome`: its result or the exception it raised)."""
        self.began[index].set()
        self.events.put((index, "ended", outcome))

    def last_runs(self) -> list[Any]:
        """Each column's last finished run (None where none finished)."""
        return [column.last for column in self._columns]

    def html(self) -> str:
        columns = "".join(column.html() for column in self._columns)
        style = "display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start"
        return f'<div class="wb-columns" style="{style}">{columns}</div>'

    def show(self) -> None:
        self._send({"text/html": self.html()})

    def pump(self, timeout: float) -> list[tuple[int, Any]]:
        """Apply what the workers queued (waiting up to `timeout` for it) and redraw when due.

        Returns the (index, outcome) of the columns whose workers ended.
        """
        ended: list[tuple[int, Any]] = []
        urgent = False
        try:
            item: tuple[int, str, Any] | None = self.events.get(timeout=timeout)
        except queue.Empty:
            item = None
        while item is not None:
            index, kind, payload = item
            if kind == "ended":
                ended.append((index, payload))
                if isinstance(payload, Exception) and self._columns[index].last is None:
                    self._columns[index].failed(payload)
                    self._dirty = urgent = True
            else:
                urgent |= self._apply(self._columns[index], kind, payload)
                self._dirty = True
            try:
                item = self.events.get_nowait()
            except queue.Empty:
                item = None
        self._redraw(urgent)
        return ended

    def _apply(self, column: _Column, kind: str, payload: Any) -> bool:
        """Change a column; True when the change is shown at once (a run starts or ends), not when due."""
        if kind == "started":
            column.run, column.message, column.size = payload, None, 0
            return True
        if kind == "live":
            column.size, column.message = payload
            return False
        if kind == "finished":
            from workbench.runs.notebook import METADATA_KEY

            run, message, metadata = payload
            bundle = final_bundle(run, message)
            column.done_html.append(bundle["text/html"])
            column.done_plain.append(bundle["text/plain"])
            column.records.append(metadata.get(METADATA_KEY, {}))
            column.run, column.message, column.last = None, None, run
            return True
        if kind == "tools":
            column.done_html.append(message_html({"content": payload}))
            column.done_plain.append(message_plain({"content": payload}))
            return True
        raise ValueError(f"unknown column event {kind!r}")

    def _redraw(self, urgent: bool) -> None:
        if not self._dirty:
            return
        if not urgent and not self.budget.due(sum(column.size for column in self._columns)):
            return
        html_text = self.html()
        self._send({"text/html": html_text})
        self.budget.record(len(html_text))
        self._dirty = False

    def close(self) -> None:
        """The final render: every column's final runs, as inert HTML and as text, with the runs as metadata.

        Output metadata carries the runs as `{"claude_workbench": {"schema": 1, "runs": [record, ...]}}`,
        each record shaped like a single run's output metadata, its texts referring to this output's text/plain.
        """
        from workbench.runs.notebook import METADATA_KEY, SCHEMA_VERSION, refer_to_plain

        plain = "\n\n".join(column.plain() for column in self._columns)
        records = [
            refer_to_plain({METADATA_KEY: record}, plain)[METADATA_KEY]
            for column in self._columns
            for record in column.records
            if record
        ]
        metadata = {METADATA_KEY: {"schema": SCHEMA_VERSION, "runs": records}} if records else {}
        self._send({"text/html": self.html(), "text/plain": plain}, metadata)

    def _send(self, bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> None:
        if self._handle is None:
            self._handle = self._display(bundle, raw=True, metadata=metadata or {}, display_id=self.display_id)
        else:
            self._handle.update(bundle, raw=True, metadata=metadata or {})

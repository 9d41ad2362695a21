"""Running a composed prompt from a widget callback: the magic's pipeline in a thread, shown in an Output widget.

A comm callback must return quickly: while it blocks, the kernel handles no other widget message, so a Stop
click would wait for the whole reply. The run therefore goes to a thread (with the callback's contextvars, so
the kernel still knows which request started it), and Stop is the pipeline's own `Stop`: the run ends at the
next stream event (or at once, when it waits on the socket) and is recorded and shown as "interrupted", as
Ctrl-C does to a `%%claude` cell.

The view writes the Output widget's `outputs` directly instead of capturing `display()` calls: capture is
tied to the message that started it, which is long finished when a thread sends its updates.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any, Callable

from workbench.pipeline import Stop

from workbench.display._budget import UpdateBudget
from workbench.display.content import message_html
from workbench.display.stream_view import final_output, live_html, waiting_html


def _output(bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"output_type": "display_data", "data": bundle, "metadata": metadata or {}}


class WidgetView:
    """A `workbench.pipeline.RunView` that renders into an `ipywidgets.Output` (same HTML as the magic's view)."""

    def __init__(self, output: Any, *, budget: UpdateBudget | None = None) -> None:
        self.output = output
        self.budget = budget or UpdateBudget()
        self.run: Any = None
        self.events = 0
        self._extra: list[dict[str, Any]] = []

    def _show(self, bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> None:
        self.output.outputs = (_output(bundle, metadata), *self._extra)

    def started(self, run: Any) -> None:
        self.run = run
        self._show({"text/html": waiting_html(run), "text/plain": "waiting for the first token…"})

    def progress(self, reply: Any) -> None:
        self.events += 1
        if not self.budget.due(reply.size):
            return
        html_text = live_html(self.run, reply.message())
        self._show({"text/html": html_text, "text/plain": "streaming…"})
        self.budget.record(len(html_text))

    def finished(self, run: Any, message: Any, metadata: dict[str, Any]) -> None:
        self.run = run
        self._show(*final_output(run, message, metadata))

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        self._extra.append(_output({"text/html": message_html({"content": results}),
                                    "text/plain": "tool results"}))


class Runner:
    """One run at a time, in a thread; `stop()` asks it to end, `wait()` joins it."""

    def __init__(self) -> None:
        self.stop_request = Stop()
        self.thread: threading.Thread | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.running = False  # cleared before `done` runs, so `done` may already offer the next run

    def start(self, work: Callable[[Stop], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        if self.running:
            raise RuntimeError("a run is already in progress")
        self.stop_request = Stop()
        self.result, self.error = None, None
        self.running = True
        stop = self.stop_request

        def target() -> None:
            try:
                self.result = work(stop)
            except BaseException as exc:  # reported through `done`: a thread has nobody else to tell
                self.error = exc
            finally:
                self.running = False
                done(self.result, self.error)

        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(target,), name="workbench-playground-run",
                                       daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_request.request()

    def wait(self, timeout: float | None = None) -> Any:
        if self.thread is not None:
            self.thread.join(timeout)
        return self.result

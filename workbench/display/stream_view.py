"""The live view of a run in a notebook: one display per run, updated in place, then a full final render.

While the reply streams, each update shows the header, the last part of every block (long text is elided from the
top) and a status line; updates are paced and budgeted (`_budget`). The final render shows everything, as inert
HTML plus the raw text as `text/plain`, and carries the run record as output metadata, which the notebook saves.
The record's long texts point into that `text/plain` instead of repeating it (`final_output`;
`workbench.runs.notebook.refer_to_plain`).
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from workbench.display._budget import UpdateBudget
from workbench.display.content import message_html, message_plain
from workbench.display.footer import backend_badge, footer_html, footer_text

LIVE_TAIL = 1_000  # characters of each block shown while streaming


def header_html(run: Any) -> str:
    name = f"<strong>{html.escape(run.label)}</strong> · " if run.name else ""
    replay = " · <em>replayed from the ledger</em>" if run.replayed else ""
    return (
        f'<div class="wb-header" style="font-size:85%;opacity:.85">{name}'
        f"{html.escape(run.model or '?')} · {backend_badge(run.backend)}{replay}</div>"
    )


def waiting_html(run: Any) -> str:
    """The view before the first delta: the header and a note."""
    return f'<div class="wb-run">{header_html(run)}<em>waiting for the first token…</em></div>'


def live_html(run: Any, message: Any) -> str:
    """A live update: the header and the tail of every block (bounded size however long the reply grows)."""
    body = message_html(message, tail=LIVE_TAIL, streaming=True)
    return f'<div class="wb-run">{header_html(run)}{body}<em>streaming…</em></div>'


def final_bundle(run: Any, message: Any) -> dict[str, str]:
    """text/html (inert) and text/plain of a finished, failed or interrupted run."""
    note = ""
    if run.status == "interrupted":
        note = '<p class="wb-status"><em>[interrupted: partial reply kept]</em></p>'
    elif run.status == "error":
        note = f'<p class="wb-status"><strong>error:</strong> {html.escape(run.error or "")}</p>'
    body = f"{header_html(run)}{message_html(message)}{note}{footer_html(run)}"
    plain = message_plain(message)
    if run.status != "ok":
        plain += f"\n[{run.status}{': ' + run.error if run.error else ''}]"
    return {"text/html": f'<div class="wb-run">{body}</div>', "text/plain": f"{plain}\n\n{footer_text(run)}"}


def final_output(run: Any, message: Any, metadata: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """The final bundle and the output metadata to send with it, the run's texts referring to its text/plain."""
    from workbench.runs.notebook import refer_to_plain

    bundle = final_bundle(run, message)
    return bundle, refer_to_plain(metadata, bundle["text/plain"])


class NotebookView:
    """A `RunView` for Jupyter frontends (see `workbench.pipeline.RunView`)."""

    def __init__(self, *, budget: UpdateBudget | None = None) -> None:
        from IPython.display import display

        self._display = display
        self.budget = budget or UpdateBudget()
        self.display_id = uuid.uuid4().hex
        self._handle: Any = None
        self._run: Any = None

    def _send(self, bundle: dict[str, str], metadata: dict[str, Any] | None = None) -> None:
        if self._handle is None:
            self._handle = self._display(bundle, raw=True, metadata=metadata or {}, display_id=self.display_id)
        else:
            self._handle.update(bundle, raw=True, metadata=metadata or {})

    def started(self, run: Any) -> None:
        self._run = run
        self._send({"text/html": waiting_html(run)})

    def progress(self, reply: Any) -> None:
        if not self.budget.due(reply.size):
            return
        html_text = live_html(self._run, reply.message())
        self._send({"text/html": html_text})
        self.budget.record(len(html_text))

    def finished(self, run: Any, message: Any, metadata: dict[str, Any]) -> None:
        self._run = run
        self._send(*final_output(run, message, metadata))

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        self._display(
            {"text/html": message_html({"content": results}), "text/plain": message_plain({"content": results})},
            raw=True,
        )

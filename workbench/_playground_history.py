"""The playground's right-hand panels: versions of a name from the ledger (compare, restore) and code export.

Versions, comparisons and code come from the ledger's own views (`render_compare`) and exporters
(`workbench.export`), the same ones `%claude history`, `%claude compare` and `%claude export` use.
"""

from __future__ import annotations

import html
from typing import Any, Callable

import ipywidgets as widgets

from workbench.export import languages

CELL = "%%claude cell"
_LANGUAGE_LABELS = {"python": "Python SDK", "httpx": "httpx", "curl": "curl", "typescript": "TypeScript",
                    CELL: "%%claude cell"}


def version_label(run: Any) -> str:
    from workbench.pricing import format_usd

    cost = "replayed" if run.replayed else format_usd(run.cost)
    total = "–" if run.timings.total is None else f"{run.timings.total:.1f}s"
    preview = " ".join((run.text or run.error or "").split())[:40]
    return (f"{run.label} · {run.status} · {run.model or '?'} · {run.input_tokens:,}/{run.output_tokens:,} tok"
            f" · {cost} · {total} · {preview}")


class History:
    """A versions list for one run name, with side-by-side comparison and restore."""

    def __init__(self, ledger: Any, name: str, on_restore: Callable[[Any], None]) -> None:
        self.ledger = ledger
        self.name = name
        self.on_restore = on_restore
        self.runs: dict[str, Any] = {}
        self.group = widgets.Dropdown(options=[name], value=name, description="runs of",
                                      layout=widgets.Layout(width="auto"), style={"description_width": "55px"})
        self.versions = widgets.SelectMultiple(options=[], rows=6, layout=widgets.Layout(width="100%"))
        self.versions.add_class("wb-versions")
        self.compare_button = widgets.Button(description="Compare", icon="columns", disabled=True,
                                             tooltip="select two or more versions")
        self.restore_button = widgets.Button(description="Restore", icon="undo", disabled=True,
                                             tooltip="select one version to load it into the editor")
        self.refresh_button = widgets.Button(icon="refresh", tooltip="reload the ledger",
                                             layout=widgets.Layout(width="36px"))
        self.view = widgets.HTML()
        self.view.add_class("wb-compare-view")
        self.compare_button.on_click(lambda _: self.compare())
        self.restore_button.on_click(lambda _: self.restore())
        self.refresh_button.on_click(lambda _: self.refresh())
        self.versions.observe(lambda _: self._selection_changed(), names="value")
        self.group.observe(lambda _: self.refresh(), names="value")
        self.box = widgets.VBox([
            widgets.HBox([self.group, self.refresh_button]),
            self.versions,
            widgets.HBox([self.compare_button, self.restore_button]),
            self.view,
        ])
        self.box.add_class("wb-history")

    def refresh(self, select: str | None = None) -> None:
        runs = self.ledger.runs()
        names = sorted({r.name for r in runs if r.name} | {self.name})
        if list(self.group.options) != names:
            current = self.group.value
            self.group.options = names
            self.group.value = current if current in names else self.name
        shown = [r for r in runs if r.name == self.group.value]
        self.runs = {r.run_id: r for r in shown}
        chosen = tuple(v for v in self.versions.value if v in self.runs)
        self.versions.options = [(version_label(r), r.run_id) for r in reversed(shown)]
        self.versions.value = (select,) if select in self.runs else chosen
        self._selection_changed()

    def selected(self) -> list[Any]:
        """The selected runs, oldest first."""
        runs = [self.runs[run_id] for run_id in self.versions.value]
        return sorted(runs, key=lambda r: r.created_at)

    def _selection_changed(self) -> None:
        count = len(self.versions.value)
        self.compare_button.disabled = count < 2
        self.restore_button.disabled = count != 1

    def compare(self) -> None:
        from workbench.runs import render_compare

        html_text, _ = render_compare(self.selected())
        self.view.value = html_text

    def restore(self) -> None:
        (run,) = self.selected()
        try:
            self.on_restore(run)
        except LookupError as exc:  # a blob the journal no longer has: say so instead of failing silently
            self.view.value = f"<span class='wb-error-text'>{html.escape(str(exc))}</span>"
            return
        self.view.value = f"<p class='wb-note'>{html.escape(run.label)} is in the editor.</p>"


class Export:
    """Code for the current composition or a selected version, in the exporters' languages or as a cell."""

    def __init__(self, code_for: Callable[[str, str], str]) -> None:
        self.code_for = code_for
        self.language = widgets.ToggleButtons(options=[(_LANGUAGE_LABELS[l], l) for l in (*languages, CELL)],
                                              value="python", style={"button_width": "104px"})
        self.source = widgets.ToggleButtons(options=[("editor", "editor"), ("selected version", "version")],
                                            value="editor", style={"button_width": "130px"})
        self.show_button = widgets.Button(description="Show code", icon="code")
        self.show_button.add_class("wb-export")
        self.show_button.on_click(lambda _: self.show())
        self.code = widgets.Textarea(rows=14, layout=widgets.Layout(width="100%"))
        self.code.add_class("wb-code")
        self.note = widgets.HTML()
        self.note.add_class("wb-note")
        self.box = widgets.VBox([self.language, widgets.HBox([self.source, self.show_button]), self.note, self.code])

    def show(self) -> str:
        try:
            self.code.value = self.code_for(self.language.value, self.source.value)
        except (ValueError, LookupError) as exc:  # PromptError, ExportError, a field, a missing blob: one line
            self.code.value = ""
            self.note.value = f"<span class='wb-error-text'>{html.escape(str(exc))}</span>"
            return ""
        if self.language.value == CELL:
            self.note.value = ("Copy this into a new cell, or call <code>.to_cell()</code> on this playground in a "
                               "cell to insert it below that cell (a widget click cannot add cells).")
        else:
            self.note.value = "The program reads ANTHROPIC_API_KEY from the environment."
        return self.code.value

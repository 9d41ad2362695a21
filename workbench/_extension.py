"""`%load_ext workbench`: kept to IPython and traitlets so loading the extension stays fast.

Besides the magics it teaches IPython how to show a `Run` (for `_`, `--out` variables, lists of runs): the same
inert HTML as the magic's final render, registered by class name so the run module loads only when a Run is shown.
"""

from __future__ import annotations

from typing import Any

RUN_CLASS = ("workbench.runs.record", "Run")


def _run_html(run: Any) -> str:
    from workbench.display.stream_view import final_bundle

    return final_bundle(run, run.response)["text/html"]


def _run_plain(run: Any, printer: Any, cycle: bool) -> None:
    from workbench.display.stream_view import final_bundle

    printer.text(final_bundle(run, run.response)["text/plain"])


def load(ipython: Any) -> None:
    from workbench.magics import Claude

    ipython.register_magics(Claude)
    formatters = ipython.display_formatter.formatters
    formatters["text/html"].for_type_by_name(*RUN_CLASS, _run_html)
    formatters["text/plain"].for_type_by_name(*RUN_CLASS, _run_plain)

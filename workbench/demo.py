"""`python -m workbench.demo` (`make demo`): execute the quickstart notebook and say what each run did.

The notebook runs in a fresh kernel with nbclient, against the embedded simulator, or against the real API when
ANTHROPIC_API_KEY is set. The executed copy is written beside it (notebooks/quickstart.executed.ipynb) with every
run in its output metadata; the runs are also journaled in notebooks/.claude_runs/. The journal of the executed
copy is started afresh each time (and the old copy removed), so a demo never replays answers from an earlier one
(or from another backend).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "quickstart.ipynb"


def executed_path(notebook: Path) -> Path:
    return notebook.with_name(f"{notebook.stem}.executed.ipynb")


def execute(notebook: Path, target: Path, *, timeout: int = 300) -> Any:
    """Run `notebook` in a fresh kernel; write the executed copy to `target` and return it."""
    import nbformat
    from nbclient import NotebookClient

    from workbench.runs.journal import journal_path_for

    # The ledger also reads the runs saved in the notebook it records for: start from neither.
    for stale in (journal_path_for(target), target):
        stale.unlink(missing_ok=True)
    os.environ["WORKBENCH_NOTEBOOK"] = str(target)  # the kernel inherits it: runs are journaled beside the copy
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
    )
    try:
        client.execute()
    finally:
        nbformat.write(nb, target)
    return nb


def runs_in(nb: Any) -> Iterator[tuple[int, Any]]:
    """(cell number, Run) for every run recorded in the notebook's output metadata, in order."""
    from workbench.runs import Run, runs_of_output

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            for record in runs_of_output(output):
                yield number, Run.model_validate(record)


def summary_line(number: int, run: Any) -> str:
    from workbench.display.footer import footer_text

    return f"cell {number:>2} · {run.label:<14} · {footer_text(run)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbench.demo", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", nargs="?", type=Path, default=NOTEBOOK)
    args = parser.parse_args(argv)
    target = executed_path(args.notebook)
    backend = "the real API" if os.environ.get("ANTHROPIC_API_KEY") else "the embedded simulator (offline)"
    print(f"Executing {args.notebook} against {backend}…", flush=True)
    try:
        nb = execute(args.notebook, target)
    except Exception as exc:  # nbclient's CellExecutionError carries the failing cell and its traceback
        print(f"demo failed: {exc}", file=sys.stderr)
        print(f"partial output: {target}", file=sys.stderr)
        return 1
    runs = list(runs_in(nb))
    print(f"Executed notebook: {target}")
    for number, run in runs:
        print(summary_line(number, run))
    print(f"{len(runs)} runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Whole notebooks: executed with nbclient (as CI and papermill do), the quickstart demo, and terminal IPython."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from display_safety import assert_inert

from workbench.demo import NOTEBOOK, runs_in

REPO = Path(__file__).resolve().parent.parent


def test_executed_notebook_keeps_runs_in_output_metadata(run_notebook: Any) -> None:
    nb = run_notebook(
        [
            "%load_ext workbench",
            "%%claude -n greet\nSay hello to {{ who }}.",
            "who = 'the reader'",
            "%%claude -n greet --out greeting\nSay hello to {{ who }}.",
            "print(greeting.status, greeting.version)",
        ]
    )
    # cell 2 ran before `who` existed: IPython prints a UsageError as one stderr line
    (error,) = nb.cells[1].outputs
    assert error.output_type == "stream" and error.text == "UsageError: undefined name 'who' in the template (line 1)\n"
    (output,) = nb.cells[3].outputs
    assert output.output_type == "display_data" and set(output.data) == {"text/html", "text/plain"}
    assert_inert(output.data["text/html"])
    record = output.metadata["claude_workbench"]
    assert record["run"]["name"] == "greet" and record["run"]["status"] == "ok"
    assert "notebook_path" not in record["run"]
    assert nb.cells[4].outputs[0].text.strip() == "ok 1"
    assert all(cell.get("id") for cell in nb.cells)


def test_quickstart_demo_runs_offline(tmp_path: Path) -> None:
    """`make demo` on a copy of the quickstart, with no credentials: the embedded simulator answers."""
    notebook = tmp_path / "quickstart.ipynb"
    shutil.copy(NOTEBOOK, notebook)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "JPY_", "WORKBENCH_"))}
    env["WORKBENCH_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [sys.executable, "-m", "workbench.demo", str(notebook)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    executed = tmp_path / "quickstart.executed.ipynb"
    assert f"Executed notebook: {executed}" in done.stdout
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    runs = [run for _, run in runs_in(nb)]
    assert len(runs) >= 9
    assert all(run.backend == "simulator" for run in runs)
    assert {run.status for run in runs} == {"ok"}
    assert any(run.replayed for run in runs)  # the repeated first prompt
    assert any(run.usage.get("cache_read_input_tokens") for run in runs)
    summaries = [line for line in done.stdout.splitlines() if line.startswith("cell ")]
    assert len(summaries) == len(runs) and all("SIMULATOR" in line for line in summaries)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert "text/markdown" not in output.get("data", {})


def test_terminal_ipython_streams_plain_text(kernel_env: dict[str, str], tmp_path: Path) -> None:
    script = tmp_path / "session.ipy"
    script.write_text(
        "%load_ext workbench\n"
        "get_ipython().run_cell_magic('claude', '--out r', 'Say hi.')\n"
        "print('STATUS', r.status)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "IPython", "--no-banner", "--quick", "--colors=nocolor", str(script)],
        env=kernel_env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "STATUS ok" in done.stdout
    assert "<IPython.core.display" not in done.stdout and "<div" not in done.stdout
    footer = [line for line in done.stdout.splitlines() if " | stop " in line]
    assert len(footer) == 1 and kernel_env["ANTHROPIC_BASE_URL"] in footer[0]

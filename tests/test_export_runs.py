"""Code exported from recorded runs reads the images the prompt named from their files, as the prompt did."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from export_cases import BLUE, RED

from workbench.export import run_to_code
from workbench.prompt import parse_cell
from workbench.runs import Ledger, METADATA_KEY, output_metadata, read_saved_runs
from workbench.runs.notebook import refer_to_plain
from workbench.simulator import SimulatorServer

KEY = "sk-ant-test"
PROMPT = 'What colour is this? {{ image("pic.png") }}'


def record_in_notebook(folder: Path, cell: str) -> tuple[Path, dict]:
    """A notebook in `folder` whose one output carries a run of `cell`, also journaled; and the request sent."""
    notebook = folder / "notes.ipynb"
    spec = parse_cell({"model": "claude-haiku-4-5"}, cell, {}, base_dir=folder)
    ledger = Ledger(notebook)
    run = ledger.start(spec, backend="simulator")
    reply = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
             "content": [{"type": "text", "text": "Red."}], "stop_reason": "end_turn",
             "usage": {"input_tokens": 20, "output_tokens": 2}}  # fmt: skip
    ledger.finish(run, response=reply)
    plain = "Red."
    output = nbformat.v4.new_output(
        "display_data", data={"text/plain": plain}, metadata=refer_to_plain(output_metadata(run), plain)
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"%%claude\n{cell}", outputs=[output])])
    nbformat.write(nb, notebook)
    return notebook, spec.to_request()


def run_program(code: str, folder: Path, server: SimulatorServer) -> dict:
    """Runs exported Python in `folder` against the simulator; the body it sent."""
    program = folder / "resend.py"
    program.write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=server.url, PYTHONWARNINGS="ignore")
    before = len(server.engine.received)
    done = subprocess.run([sys.executable, str(program)], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (sent,) = [r for r in server.engine.received[before:] if r.path == "/v1/messages"]
    return sent.json


@pytest.fixture(scope="module")
def server():
    with SimulatorServer() as running:
        yield running


@pytest.mark.parametrize("lang", ["python", "httpx"])
def test_a_recorded_run_exported_with_media_paths_reads_its_image_file(server, tmp_path, lang):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "pic.png").write_bytes(RED)
    notebook, request = record_in_notebook(folder, PROMPT)

    alone = read_saved_runs(notebook, journal=False).runs[0]  # what a clean clone knows
    assert [origin["path"] for origin in alone.media.values()] == ["pic.png"]
    saved = read_saved_runs(notebook)
    (run,) = saved.runs
    code = run_to_code(run, lang, blobs=saved.blobs, media_mode="path")
    assert "pic.png" in code and base64.b64encode(RED).decode() not in code and str(tmp_path) not in code

    assert run_program(code, folder, server) == request
    (folder / "pic.png").write_bytes(BLUE)  # read at run time: a changed file is what gets sent
    assert run_program(code, folder, server) != request


def test_a_file_outside_the_notebook_folder_leaves_no_absolute_path_in_notebooks_or_code(tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "pic.png").write_bytes(RED)
    notebook, _ = record_in_notebook(folder, PROMPT.replace("pic.png", str(tmp_path / "shared" / "pic.png")))

    journaled = read_saved_runs(notebook).runs[0]
    assert [origin["path"] for origin in journaled.media.values()] == [str(tmp_path / "shared" / "pic.png")]
    carried = json.loads(notebook.read_text())["cells"][0]["outputs"][0]["metadata"][METADATA_KEY]
    assert str(tmp_path) not in json.dumps(carried)
    assert list(carried["run"]["media"].values()) == [{"kind": "path", "media_type": "image/png"}]

    saved = read_saved_runs(notebook)
    code = run_to_code(saved.runs[0], "python", blobs=saved.blobs, media_mode="path", media_root=folder)
    assert str(tmp_path) not in code and "../shared/pic.png" in code

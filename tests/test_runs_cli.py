from __future__ import annotations

import json
import subprocess
import sys

import pytest
from test_runs_support import attach_output, make_notebook, message, request, run_cli

from workbench.runs import Ledger, RunSelectionError, output_metadata
from workbench.runs.locate import CellIdentity

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


@pytest.fixture
def notebook(tmp_path):
    path = tmp_path / "study.ipynb"
    (cell,) = make_notebook(path, ["%%claude -n poem\nWrite a poem"])
    ledger = Ledger(path)
    identity = CellIdentity(cell, persistent=True, source="frontend")
    runs = []
    for prompt, reply in [("Write a poem about the sea", "Waves. " + HOSTILE), ("Write a poem about the moon", "Moon.")]:
        run = ledger.start(request=request(prompt, image=b"img"), api_version="2023-06-01", name="poem", cell=identity,
                           backend="simulator")
        runs.append(ledger.finish(run, response=message(reply), cost=0.001))
    attach_output(path, 0, output_metadata(runs[-1], ledger.lineage(runs[-1])), "Moon.")
    return path, runs


def test_runs_lists_a_table_and_json(notebook):
    path, runs = notebook
    code, out = run_cli("runs", str(path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["run", "cell", "version"]
    assert [line.split()[0] for line in lines[2:]] == [r.run_id[:8] for r in runs]
    assert "poem@1" in lines[2] and "poem@2" in lines[3] and "$0.0010" in lines[3]
    code, out = run_cli("runs", str(path), "--json")
    listed = json.loads(out)
    assert [r["run_id"] for r in listed] == [r.run_id for r in runs] and listed[1]["version"] == 2


def test_compare_writes_an_inert_standalone_page(notebook, tmp_path):
    path, runs = notebook
    code, out = run_cli("compare", str(path), "poem@1", "poem@2")
    page_path = out.strip()
    assert code == 0 and page_path.endswith(".html")
    page = open(page_path, encoding="utf-8").read()
    assert page.startswith("<!doctype html>") and "Content-Security-Policy" in page
    assert '<del class="wb-del">sea</del><ins class="wb-ins">moon</ins>' in page
    lowered = page.lower()
    assert "<script" not in lowered and "<img" not in lowered and "&lt;script&gt;" in page

    code, out = run_cli("compare", str(path), runs[0].run_id, "last", "-o", str(tmp_path / "c.html"), "--json")
    result = json.loads(out)
    assert result["path"] == str(tmp_path / "c.html") and "[-sea-]{+moon+}" in result["text"]


def test_show_prints_request_and_response(notebook):
    path, runs = notebook
    code, out = run_cli("show", str(path), "poem@2")
    assert code == 0 and out.startswith(f"run {runs[1].run_id}")
    assert '"$blob": "sha256:' in out and '"text": "Moon."' in out
    code, out = run_cli("show", str(path), runs[0].run_id[:6], "--json", "--restore-blobs")
    record = json.loads(out)
    assert record["request"] == request("Write a poem about the sea", image=b"img")
    assert record["response"]["content"][0]["text"].startswith("Waves.")


def test_embed_and_bad_input(notebook):
    path, _ = notebook
    code, out = run_cli("embed", str(path), "--json")
    assert code == 0 and json.loads(out)["runs"] == 2
    with pytest.raises(RunSelectionError, match="poem@9: no such version"):
        run_cli("show", str(path), "poem@9")
    with pytest.raises(ValueError, match="no such notebook"):
        run_cli("runs", str(path.with_name("missing.ipynb")))
    path.with_name("broken.ipynb").write_text("{")
    with pytest.raises(ValueError, match="not a notebook"):
        run_cli("runs", str(path.with_name("broken.ipynb")))


def test_the_workbench_command_runs_the_ledger_commands(notebook):
    path, runs = notebook
    result = subprocess.run([sys.executable, "-m", "workbench", "runs", str(path), "--json"],
                            capture_output=True, text=True, timeout=60)
    if "No module named 'workbench.export.cli'" in result.stderr:
        pytest.skip("the workbench command is not assembled yet")
    assert result.returncode == 0, result.stderr
    assert [r["run_id"] for r in json.loads(result.stdout)] == [r.run_id for r in runs]
    result = subprocess.run([sys.executable, "-m", "workbench", "show", str(path), "nope"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.strip() == "workbench: nope: no run with this id, name or version"

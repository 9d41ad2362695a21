"""The ledger under real kernels: nbclient executions, a killed kernel, an offline re-execution."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import Kernel, execute_notebook, make_notebook, simulator_env
from test_runs_support import run_cli

from workbench.runs import METADATA_KEY, Journal, read_saved_runs
from workbench.runs.notebook import run_of_output, runs_of_output
from workbench.simulator import SimulatorServer


def execute_and_save(notebook: Any, path: Path, env: dict[str, str]) -> Any:
    nbformat.write(notebook, path)  # what nbclient/papermill execute is the saved file
    executed = execute_notebook(notebook, env=env, directory=path.parent)
    nbformat.write(executed, path)
    return executed


def carried(notebook: Any, index: int) -> dict[str, Any]:
    """The output metadata of a cell's run, the run's texts read back from the output's text/plain."""
    (output,) = [o for o in notebook.cells[index].outputs if METADATA_KEY in o.get("metadata", {})]
    return {**output.metadata[METADATA_KEY], "run": run_of_output(output)}


@pytest.fixture
def server():
    with SimulatorServer() as running:
        yield running


def messages_sent(server) -> int:
    """Messages calls only: model lookups (GET /v1/models/...) are not paid for."""
    return sum(r.path == "/v1/messages" for r in server.engine.received)


def test_an_edited_prompt_becomes_version_2_of_its_cell(server, tmp_path):
    path = tmp_path / "haiku.ipynb"
    env = {**simulator_env(server, tmp_path / "home"), "WORKBENCH_NOTEBOOK": str(path)}
    notebook = make_notebook(["%load_ext workbench", "%%claude\nWrite a haiku about the quiet sea at dawn."])
    first = carried(execute_and_save(notebook, path, env), 1)
    assert first["run"]["version"] == 1 and first["run"]["cell_id"] == notebook.cells[1].id

    notebook.cells[1].source = "%%claude\nWrite a haiku about the quiet moon at dawn."
    second = carried(execute_and_save(notebook, path, env), 1)
    run = second["run"]
    assert run["version"] == 2 and run["parent_id"] == first["run"]["run_id"]
    assert run["group"] == f"cell:{notebook.cells[1].id}" and not run.get("replayed")
    assert [s["run_id"] for s in second["lineage"]] == [first["run"]["run_id"]]
    assert messages_sent(server) == 2

    # The saved notebook alone holds both versions: the latest in full, the first as lineage.
    alone = {r.run_id: r for r in read_saved_runs(path, journal=False).runs}
    assert set(alone) == {first["run"]["run_id"], run["run_id"]}
    assert alone[first["run"]["run_id"]].version == 1

    code, listing = run_cli("runs", str(path))
    assert code == 0 and " v1 " in listing and " v2 " in listing
    code, page_path = run_cli("compare", str(path), "v1", "v2")
    page = Path(page_path.strip()).read_text(encoding="utf-8")
    assert '<del class="wb-del">sea</del><ins class="wb-ins">moon</ins>' in page
    assert "<script" not in page.lower()


def test_a_recorded_notebook_replays_offline_with_no_key(server, tmp_path):
    path = tmp_path / "report.ipynb"
    env = {**simulator_env(server, tmp_path / "home"), "WORKBENCH_NOTEBOOK": str(path)}
    prompts = ["%%claude -n intro\nIntroduce the ledger in two sentences.",
               "%%claude\n%system\nBe terse.\n%user\nList three colours."]
    recorded = execute_and_save(make_notebook(["%load_ext workbench", *prompts]), path, env)
    originals = [carried(recorded, i)["run"] for i in (1, 2)]
    assert messages_sent(server) == 2
    shutil.rmtree(tmp_path / ".claude_runs")  # a clean clone: only the .ipynb

    offline = {k: v for k, v in env.items() if k != "ANTHROPIC_API_KEY"}
    with SimulatorServer() as watcher:  # would see any request that slipped out
        offline["ANTHROPIC_BASE_URL"] = watcher.url
        again = execute_notebook(nbformat.read(path, as_version=4), env=offline, directory=tmp_path)
        assert watcher.engine.received == []
    for index, original in zip((1, 2), originals):
        run = carried(again, index)["run"]
        assert run["replayed"] is True and run["replayed_from"] == original["run_id"]
        assert run["response"] == original["response"] and run["cost"] == 0
        plain = [o.data["text/plain"] for o in again.cells[index].outputs if "text/plain" in o.get("data", {})]
        assert original["response"]["content"][0]["text"] in plain[-1]


def test_runs_side_by_side_are_restored_and_replayed_from_the_saved_notebook_alone(server, tmp_path):
    path = tmp_path / "models.ipynb"
    env = {**simulator_env(server, tmp_path / "home"), "WORKBENCH_NOTEBOOK": str(path)}
    cell = "%%claude --models claude-haiku-4-5,claude-sonnet-4-5\nExplain in a paragraph why ledgers are kept."
    recorded = execute_and_save(make_notebook(["%load_ext workbench", cell]), path, env)
    assert messages_sent(server) == 2
    (output,) = [o for o in recorded.cells[1].outputs if METADATA_KEY in o.get("metadata", {})]
    assert len(output.metadata[METADATA_KEY]["runs"]) == 2
    journaled = {r.run_id: r for r in read_saved_runs(path).runs}
    shutil.rmtree(tmp_path / ".claude_runs")  # a clean clone: only the .ipynb

    alone = {r.run_id: r for r in read_saved_runs(path, journal=False).runs}
    assert alone.keys() == journaled.keys() and len(alone) == 2
    models = sorted(r.model for r in alone.values())
    assert models[0].startswith("claude-haiku-4-5") and models[1].startswith("claude-sonnet-4-5")
    for run_id, run in alone.items():
        assert run.status == "ok" and run.request is not None and len(run.text) >= 64
        assert run.text == journaled[run_id].text and run.response == journaled[run_id].response
    assert [r["run_id"] for r in runs_of_output(output)] == list(journaled)

    offline = {k: v for k, v in env.items() if k != "ANTHROPIC_API_KEY"}
    with SimulatorServer() as watcher:  # would see any request that slipped out
        offline["ANTHROPIC_BASE_URL"] = watcher.url
        again = execute_notebook(nbformat.read(path, as_version=4), env=offline, directory=tmp_path)
        assert messages_sent(watcher) == 0
    (replayed_output,) = [o for o in again.cells[1].outputs if METADATA_KEY in o.get("metadata", {})]
    replayed = runs_of_output(replayed_output)
    assert sorted(r["replayed_from"] for r in replayed) == sorted(alone)
    for run in replayed:
        assert run["replayed"] is True and run["response"] == alone[run["replayed_from"]].response


def test_killing_the_kernel_mid_stream_keeps_the_text_that_arrived(tmp_path):
    path = tmp_path / "essay.ipynb"
    nbformat.write(make_notebook(["%%claude\nWrite a long essay about ledgers."]), path)
    with SimulatorServer(deltas_per_second=8, words_per_delta=1) as slow:
        env = {**simulator_env(slow, tmp_path / "home"), "WORKBENCH_NOTEBOOK": str(path)}
        kernel = Kernel(env, tmp_path)
        assert kernel.run("%config Claude.replay = 'live'").ok
        kernel.start("%%claude --max-tokens 400\nWrite a long essay about ledgers.")
        journal = Journal(tmp_path / ".claude_runs" / "essay.jsonl")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            progress = [json.loads(line) for line in journal.path.read_text().splitlines()
                        if '"event":"progress"' in line] if journal.path.exists() else []
            if sum(len(p["text"]) for p in progress) > 40:
                break
            time.sleep(0.1)
        else:
            pytest.fail("no streamed text reached the journal")
        os.kill(kernel.manager.provisioner.pid, signal.SIGKILL)  # no chance to write a finish record
        kernel.manager.provisioner.process.wait(timeout=30)
        kernel.shutdown()

        (run,) = journal.runs()
        assert run.status == "partial" and run.finished_at is None and len(run.text) > 40
        assert run.request["messages"][0]["content"].startswith("Write a long essay")
        # The text is what the simulator sent for this request: a prefix of the whole reply.
        from workbench.api.client import Client

        whole = Client(api_key="sk-ant-test", base_url=slow.url).messages.create(**run.request)
    assert "".join(b.text for b in whole.content if b.type == "text").startswith(run.text)

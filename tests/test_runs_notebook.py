from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nbformat
import pytest
from test_runs_support import attach_output, make_notebook, message, request

from workbench.display.stream_view import final_output
from workbench.runs import Journal, Ledger, NotebookOpenError, embed, output_metadata, read_saved_runs, restore_request
from workbench.runs.locate import CellIdentity
from workbench.runs.notebook import METADATA_KEY, open_in_jupyter
from workbench.runs.record import reply_text


def record(ledger, cell_id, prompt, reply, **kw):
    cell = CellIdentity(cell_id, persistent=True, source="frontend")
    run = ledger.start(request=request(prompt, **kw), api_version="2023-06-01", cell=cell, backend="simulator")
    return ledger.finish(run, response=message(reply))


def test_output_metadata_is_compact_and_carries_what_replay_needs(tmp_path):
    path = tmp_path / "nb.ipynb"
    (cell,) = make_notebook(path, ["%%claude\nSummarize"])
    ledger = Ledger(path)
    runs = [record(ledger, cell, f"Summarize take {i}", f"Summary {i}", image=b"\x89PNG" * 50_000) for i in range(30)]
    meta = output_metadata(runs[-1], ledger.lineage(runs[-1]))
    carried = meta[METADATA_KEY]
    assert carried["run"]["fingerprint"] == runs[-1].fingerprint
    assert carried["run"]["response"]["content"][0]["text"] == "Summary 29"
    assert "text" not in carried["run"] and "notebook_path" not in carried["run"]
    assert len(carried["lineage"]) == 20 and carried["lineage_total"] == 29
    assert carried["lineage"][-1]["run_id"] == runs[-2].run_id
    encoded = json.dumps(meta)
    assert "$blob" in encoded and len(encoded) < 12_000  # the 200 KB image stays in the blob store


def test_saved_outputs_are_read_back_without_the_journal(tmp_path):
    path = tmp_path / "nb.ipynb"
    cells = make_notebook(path, ["%%claude\nA", "%%claude\nB"])
    ledger = Ledger(path)
    a1 = record(ledger, cells[0], "Tell me about <b>cats</b>", "Cats <script>alert(1)</script>")
    a2 = record(ledger, cells[0], "Tell me about dogs", "Dogs")
    b1 = record(ledger, cells[1], "Other", "Other reply")
    attach_output(path, 0, output_metadata(a2, ledger.lineage(a2)), "Dogs")
    attach_output(path, 1, output_metadata(b1, ledger.lineage(b1)), "Other reply")
    shutil.rmtree(tmp_path / ".claude_runs")

    saved = read_saved_runs(path)
    by_id = {r.run_id: r for r in saved.runs}
    assert set(by_id) == {a1.run_id, a2.run_id, b1.run_id}
    assert by_id[a2.run_id].text == "Dogs" and by_id[a2.run_id].request == a2.request
    assert by_id[a1.run_id].request is None and by_id[a1.run_id].version == 1  # a lineage summary
    assert by_id[a1.run_id].text.startswith("Cats")

    fresh = Ledger(path)
    found = fresh.find_replay(a2.fingerprint)
    assert found is not None and found.run_id == a2.run_id
    assert fresh.find_replay(a1.fingerprint) is None  # only summarized: no response to replay


def saved_with_final_output(tmp_path, *, reply=None, **finish):
    """A notebook whose one cell holds a run's final output as the magic displays it; the journal removed."""
    path = tmp_path / "nb.ipynb"
    (cell,) = make_notebook(path, ["%%claude\nExplain"])
    ledger = Ledger(path)
    identity = CellIdentity(cell, persistent=True, source="frontend")
    run = ledger.start(request=request("Explain"), api_version="2023-06-01", cell=identity, backend="simulator")
    ledger.finish(run, response=reply, **finish)
    shown = reply if reply is not None else {"content": [{"type": "text", "text": run.text}]}
    bundle, metadata = final_output(run, shown, output_metadata(run, ledger.lineage(run)))
    attach_output(path, 0, metadata, bundle["text/plain"])
    shutil.rmtree(tmp_path / ".claude_runs")
    return path, run, bundle, metadata


def long_reply():
    reply = message("")
    reply["content"] = [
        {"type": "thinking", "thinking": "Let me think about it.\n" * 30, "signature": "sig"},
        {"type": "text", "text": "First part: **bold** and <b>tags</b>.\r\n" * 40},
        {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "First part"}},
        {"type": "text", "text": "Second part quotes the first: First part: **bold**\n" * 10},
        {"type": "text", "text": "Short."},
    ]
    return reply


def test_final_output_keeps_the_reply_once_and_the_notebook_reads_it_back_whole(tmp_path):
    path, run, bundle, metadata = saved_with_final_output(tmp_path, reply=long_reply())
    carried = json.dumps(metadata)
    assert "First part: **bold**" not in carried and "Let me think" not in carried
    stored = metadata[METADATA_KEY]["run"]["response"]["content"]
    assert stored[-1]["text"] == "Short."  # a reference would save nothing
    assert len(carried) < len(bundle["text/plain"]) / 2

    (back,) = read_saved_runs(path).runs
    assert back.model_dump(exclude={"notebook_path"}) == run.model_dump(exclude={"notebook_path"})
    assert back.text == reply_text(run.response) and back.response["content"] == long_reply()["content"]
    found = Ledger(path).find_replay(run.fingerprint)
    assert found is not None and found.response == run.response


def test_a_failed_runs_text_is_kept_once_too(tmp_path):
    partial = "Half of an answer, then the connection dropped. " * 5
    path, run, _, metadata = saved_with_final_output(tmp_path, status="error", error="overloaded", text=partial)
    assert metadata[METADATA_KEY]["run"]["text"] == {"$plain": [0, len(partial)]}
    (back,) = read_saved_runs(path).runs
    assert back.text == partial and back.status == "error" and back.error == "overloaded"


def test_a_changed_text_plain_never_yields_a_wrong_reply(tmp_path):
    path, run, bundle, metadata = saved_with_final_output(tmp_path, reply=long_reply())
    attach_output(path, 0, metadata, "edited " + bundle["text/plain"])
    (back,) = read_saved_runs(path).runs
    assert back.run_id == run.run_id and back.status == "ok" and back.usage == run.usage
    assert back.response is None and back.text == ""  # known, not replayable
    assert Ledger(path).find_replay(run.fingerprint) is None


def test_an_executed_notebook_reads_back_its_runs_whole(run_notebook, simulator, kernel_env, tmp_path):
    text = "\n\n".join(f"**Part {i}.** " + "word " * 40 for i in range(30))
    thinking = "Considering the parts. " * 20
    simulator.engine.script_reply(text=text, thinking=thinking)
    nb = run_notebook(["%load_ext workbench", "%%claude -n long --thinking 1024 --max-tokens 8000\nWrite it."])
    (output,) = nb.cells[1].outputs
    assert "Part 29" not in json.dumps(output.metadata) and text in output.data["text/plain"]
    path = tmp_path / "saved.ipynb"
    nbformat.write(nb, path)

    (run,) = read_saved_runs(path).runs
    assert run.status == "ok" and run.text == text
    assert [b["type"] for b in run.response["content"]] == ["thinking", "text"]
    assert run.response["content"][0]["thinking"] == thinking
    journals = Path(kernel_env["WORKBENCH_HOME"]).glob("journal/*.jsonl")
    journaled = {r.run_id: r for journal in journals for r in Journal(journal).runs()}[run.run_id]
    assert run.model_dump(exclude={"notebook_path"}) == journaled.model_dump(exclude={"notebook_path"})
    replayed = Ledger(path).find_replay(run.fingerprint)
    assert replayed is not None and replayed.response == journaled.response


def test_replay_makes_a_free_new_run_pointing_at_the_original(tmp_path):
    path = tmp_path / "nb.ipynb"
    (cell,) = make_notebook(path, ["%%claude\nHi"])
    ledger = Ledger(path)
    original = record(ledger, cell, "Hi", "Hello!")
    original.cost = 0.25
    identity = CellIdentity(cell, persistent=True, source="frontend")
    replayed = ledger.replay(ledger.find_replay(original.fingerprint), cell=identity, execution_count=9)
    assert replayed.replayed and replayed.replayed_from == original.run_id and replayed.cost == 0.0
    assert replayed.text == "Hello!" and replayed.response == original.response and replayed.status == "ok"
    reread = {r.run_id: r for r in Ledger(path).runs()}[replayed.run_id]
    assert reread.cost == 0.0 and reread.replayed and reread.text == "Hello!"
    assert replayed.version == original.version and replayed.parent_id == original.run_id
    again = ledger.replay(ledger.find_replay(original.fingerprint), cell=identity)
    assert again.replayed_from == original.run_id  # always the paid-for run
    assert {r.run_id for r in Ledger(path).runs()} == {original.run_id, replayed.run_id, again.run_id}


def test_failed_runs_are_never_replayed(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    run = ledger.start(request=request("x"), api_version="2023-06-01")
    ledger.finish(run, status="interrupted", text="half")
    assert ledger.find_replay(run.fingerprint) is None


def test_embed_writes_cell_and_notebook_metadata_once_per_blob(tmp_path):
    path = tmp_path / "nb.ipynb"
    cells = make_notebook(path, ["%%claude\nA", "%%claude\nB"])
    image = os.urandom(100_000)
    ledger = Ledger(path)
    a = [record(ledger, cells[0], "Describe the image", f"Reply {i}", image=image) for i in range(5)]
    orphan = record(ledger, "deleted-cell", "gone", "gone reply")
    attach_output(path, 0, output_metadata(a[-1], ledger.lineage(a[-1])), "Reply 4")

    report = embed(path, force=True)
    assert (report.runs, report.cells, report.orphans, report.blobs) == (6, 1, 1, 1)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    top = notebook.metadata[METADATA_KEY]
    assert len(top["index"]) == 6 and len(top["requests"]) == 2 and len(top["blobs"]) == 1
    assert [r["run_id"] for r in notebook.cells[0].metadata[METADATA_KEY]["runs"]] == [r.run_id for r in a]
    assert top["runs"][0]["run_id"] == orphan.run_id
    assert path.stat().st_size < 100_000 * 4 / 3 + 20_000  # the image once

    shutil.rmtree(tmp_path / ".claude_runs")
    saved = read_saved_runs(path)
    assert len(saved.runs) == 6
    first = next(r for r in saved.runs if r.run_id == a[0].run_id)
    assert first.text == "Reply 0"
    restored = restore_request(first.request, saved.blobs)
    assert restored == request("Describe the image", image=image)
    assert Ledger(path).find_replay(a[0].fingerprint).run_id == a[-1].run_id

    again = embed(path, force=True)  # idempotent, and works from the notebook alone
    assert (again.runs, again.blobs, again.missing_blobs) == (6, 1, [])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyter_server(tmp_path, monkeypatch):
    runtime = tmp_path / "runtime"
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    root = tmp_path / "root"
    root.mkdir()
    port = _free_port()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}", f"--ServerApp.root_dir={root}",
         "--IdentityProvider.token=test-token", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if list(runtime.glob("jpserver-*.json")):
                try:
                    httpx.get(base + "/api/status", headers={"Authorization": "token test-token"}, timeout=1)
                    break
                except httpx.HTTPError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("jupyter server did not start")
        yield base, root
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_embed_refuses_a_notebook_open_in_jupyter(jupyter_server):
    base, root = jupyter_server
    path = root / "open.ipynb"
    (cell,) = make_notebook(path, ["%%claude\nHi"])
    record(Ledger(path), cell, "Hi", "Hello")
    closed = root / "closed.ipynb"
    make_notebook(closed, ["x"])
    headers = {"Authorization": "token test-token"}
    response = httpx.post(base + "/api/sessions", headers=headers, timeout=30,
                          json={"path": "open.ipynb", "type": "notebook", "name": "open.ipynb",
                                "kernel": {"name": "python3"}})
    assert response.status_code == 201, response.text
    try:
        assert open_in_jupyter(path) and not open_in_jupyter(closed)
        before = path.read_bytes()
        with pytest.raises(NotebookOpenError, match="open in a running Jupyter server.*--force"):
            embed(path)
        assert path.read_bytes() == before
        assert embed(path, force=True).runs == 1
        assert embed(closed).runs == 0
    finally:
        httpx.delete(f"{base}/api/sessions/{response.json()['id']}", headers=headers, timeout=30)


def test_open_check_tolerates_stale_runtime_files(tmp_path, monkeypatch):
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    (runtime / "jpserver-999.json").write_text(json.dumps({"url": f"http://127.0.0.1:{_free_port()}/", "token": "t",
                                                           "root_dir": str(tmp_path)}))
    (runtime / "jpserver-998.json").write_text("{not json")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))
    path = tmp_path / "nb.ipynb"
    make_notebook(path, ["x"])
    assert open_in_jupyter(path) == []
    assert embed(path).runs == 0


def test_readers_resume_the_journal_after_what_embed_already_holds(tmp_path):
    path = tmp_path / "nb.ipynb"
    (cell,) = make_notebook(path, ["%%claude\nA"])
    ledger = Ledger(path, progress_interval=0)
    done = record(ledger, cell, "one", "first")
    open_run = ledger.start(request=request("two"), api_version="2023-06-01")
    ledger.progress(open_run, "streaming")
    embed(path, force=True)
    mark = nbformat.read(path, as_version=4).metadata[METADATA_KEY]["journal"]
    records = ledger.journal.path.read_bytes()
    assert 0 < mark["offset"] < len(records)  # stops before the run still streaming
    assert records[mark["offset"]:].startswith(b'{"event":"start"')

    ledger.finish(open_run, response=message("second"))
    later = record(ledger, cell, "three", "third")
    runs = {r.run_id: r for r in read_saved_runs(path).runs}
    assert runs[open_run.run_id].text == "second" and runs[open_run.run_id].request == request("two")
    assert runs[done.run_id].text == "first" and runs[later.run_id].status == "ok"

    # A journal that is not the one embedded (replaced, rewritten) is read from the start.
    ledger.journal.path.write_bytes(b"\n" * len(records) + ledger.journal.path.read_bytes()[len(records):])
    runs = {r.run_id: r for r in read_saved_runs(path).runs}
    assert runs[later.run_id].request == request("three") and runs[done.run_id].text == "first"

from __future__ import annotations

import os

import pytest
from test_runs_support import MODEL, journal_events, message, request

from workbench.prompt.spec import PromptSpec
from workbench.runs import Journal, Ledger, fingerprint_of, journal_path_for, restore_request
from workbench.runs.locate import CellIdentity


def test_journal_sits_beside_the_notebook_or_under_workbench_home(tmp_path, monkeypatch):
    assert journal_path_for(tmp_path / "study.ipynb") == tmp_path / ".claude_runs" / "study.jsonl"
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    assert journal_path_for(None, "kernel-1") == tmp_path / "home" / "journal" / "kernel-1.jsonl"
    monkeypatch.delenv("WORKBENCH_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert journal_path_for(None, "k") == tmp_path / "xdg" / "claude-workbench" / "journal" / "k.jsonl"


def test_start_progress_finish_are_journaled_and_folded(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb", progress_interval=0)
    run = ledger.start(request=request("Say hi"), api_version="2023-06-01", backend="simulator",
                       execution_count=3, kernel_id="k1")
    ledger.progress(run, "Hel")
    ledger.progress(run, "Hello th")
    ledger.finish(run, response=message("Hello there"), timings={"first_byte": 0.1, "first_delta": 0.2, "total": 0.5})
    events = journal_events(ledger.journal.path)
    assert [e["event"] for e in events] == ["start", "progress", "progress", "finish"]
    assert events[2]["text_from"] == 3 and events[2]["text"] == "lo th"
    assert "request" not in events[-1]["run"]

    (read,) = Journal(ledger.journal.path).runs()
    assert read.status == "ok" and read.text == "Hello there" and read.stop_reason == "end_turn"
    assert read.request == request("Say hi") and read.usage["output_tokens"] == 7
    assert read.execution_count == 3 and read.kernel_id == "k1" and read.timings.total == 0.5
    assert read.notebook_path == str(tmp_path / "nb.ipynb")


def test_a_run_that_never_finished_keeps_the_text_that_arrived(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb", progress_interval=0)
    run = ledger.start(request=request("Write a poem"), api_version="2023-06-01")
    ledger.progress(run, "Roses are")
    ledger.progress(run, "Roses are red,")
    (read,) = Journal(ledger.journal.path).runs()
    assert read.status == "partial" and read.text == "Roses are red," and read.finished_at is None


def test_a_torn_last_line_is_skipped_and_the_next_record_is_whole(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    first = ledger.start(request=request("one"), api_version="2023-06-01")
    ledger.finish(first, response=message("1"))
    with open(ledger.journal.path, "ab") as f:
        f.write(b'{"event":"start","run":{"run_id":"torn","text":"half')
    assert [r.run_id for r in Journal(ledger.journal.path).runs()] == [first.run_id]
    second = Ledger(tmp_path / "nb.ipynb").start(request=request("two"), api_version="2023-06-01")
    assert [r.run_id for r in Journal(ledger.journal.path).runs()] == [first.run_id, second.run_id]


def test_interrupted_and_failed_runs_keep_text_and_a_redacted_one_line_error(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    run = ledger.start(request=request("long"), api_version="2023-06-01")
    ledger.finish(run, status="interrupted", text="partial answer", error=KeyboardInterrupt())
    failed = ledger.start(request=request("bad"), api_version="2023-06-01")
    ledger.finish(failed, status="error", text="", error=RuntimeError("401 invalid key sk-ant-secret123\ndetails"))
    runs = {r.run_id: r for r in Journal(ledger.journal.path).runs()}
    assert runs[run.run_id].status == "interrupted" and runs[run.run_id].text == "partial answer"
    assert runs[failed.run_id].error == "RuntimeError: 401 invalid key sk-ant-…"
    assert "secret123" not in ledger.journal.path.read_text()


def test_images_are_stored_once_and_restored_exactly(tmp_path):
    image = os.urandom(4096)
    ledger = Ledger(tmp_path / "nb.ipynb")
    body = request("describe", image=image)
    runs = [ledger.start(request=body, api_version="2023-06-01") for _ in range(3)]
    blobs = list((tmp_path / ".claude_runs" / "blobs").iterdir())
    assert len(blobs) == 1 and blobs[0].read_bytes() == image
    source = runs[0].request["messages"][0]["content"][0]["source"]
    assert source["data"] == {"$blob": "sha256:" + blobs[0].name}
    assert restore_request(runs[0].request, ledger.journal.blobs) == body
    assert len(ledger.journal.path.read_text()) < 3 * 2048


def test_fingerprint_is_the_prompt_spec_fingerprint(tmp_path):
    spec = PromptSpec(request=request("hi", image=b"png-bytes"), api_version="2023-06-01", betas=("b2", "b1"), name="greet")
    assert fingerprint_of(spec.request, spec.api_version, spec.betas) == spec.fingerprint()
    run = Ledger(tmp_path / "nb.ipynb").start(spec, backend="simulator")
    assert run.fingerprint == spec.fingerprint() and run.name == "greet" and run.betas == ["b2", "b1"]
    assert run.model == MODEL


def test_versions_follow_prompt_changes_within_a_group(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    cell = CellIdentity("c1", persistent=True, source="frontend")

    def go(prompt, **kw):
        run = ledger.start(request=request(prompt), api_version="2023-06-01", **kw)
        return ledger.finish(run, response=message(prompt.upper()))

    a1 = go("draft one", cell=cell)
    a1_again = go("draft one", cell=cell)
    a2 = go("draft two", cell=cell)
    a1_back = go("draft one", cell=cell)
    assert [r.version for r in (a1, a1_again, a2, a1_back)] == [1, 1, 2, 1]
    assert a2.parent_id == a1_again.run_id and a1.parent_id is None
    assert a1.group == "cell:c1"
    named = go("draft one", name="summary", cell=cell)
    assert named.group == "name:summary" and named.version == 1
    vscode = CellIdentity("vscode-notebook-cell:/x.ipynb#W1", persistent=False, source="vscode")
    loose = go("draft three", cell=vscode)
    assert loose.group.startswith("prompt:") and loose.cell_id == vscode.cell_id
    assert [r.run_id for r in ledger.lineage(a2)] == [a1.run_id, a1_again.run_id, a2.run_id]
    assert ledger.history("cell:c1")[-1].run_id == a1_back.run_id
    # A second ledger (a restarted kernel) continues the numbering from the journal.
    again = Ledger(tmp_path / "nb.ipynb").start(request=request("draft four"), api_version="2023-06-01", cell=cell)
    assert again.version == 3


def test_progress_is_throttled_but_can_be_forced(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb", progress_interval=3600)
    run = ledger.start(request=request("x"), api_version="2023-06-01")
    ledger.progress(run, "a")
    ledger.progress(run, "ab")
    ledger.progress(run, "abc", force=True)
    progress = [e for e in journal_events(ledger.journal.path) if e["event"] == "progress"]
    assert [(e["text_from"], e["text"]) for e in progress] == [(0, "a"), (1, "bc")]
    assert run.text == "abc"


def test_finish_accepts_pydantic_like_responses_and_stream_timings(tmp_path):
    class FakeMessage:
        def model_dump(self, mode="python"):
            return message("from a model object", input_tokens=3)

    class FakeTimings:
        started, first_byte, first_delta, finished = 100.0, 100.25, 100.5, 102.0

    ledger = Ledger(tmp_path / "nb.ipynb")
    run = ledger.start(request=request("x"), api_version="2023-06-01")
    ledger.finish(run, response=FakeMessage(), timings=FakeTimings(), cost=0.5)
    assert run.text == "from a model object" and run.input_tokens == 3 and run.cost == 0.5
    assert (run.timings.first_byte, run.timings.first_delta, run.timings.total) == (0.25, 0.5, 2.0)


def test_a_run_needs_a_request(tmp_path):
    with pytest.raises(ValueError, match="needs a request"):
        Ledger(tmp_path / "nb.ipynb").start(api_version="2023-06-01")


def test_a_run_exports_its_request_as_code(tmp_path):
    ledger = Ledger(tmp_path / "nb.ipynb")
    run = ledger.start(request=request("Hello from the ledger", image=b"\x89PNG-bytes"), api_version="2023-06-01")
    code = run.to_code("python", blobs=ledger.journal.blobs)
    assert "Hello from the ledger" in code and "sha256:" not in code


def test_only_real_base64_media_becomes_a_blob(tmp_path):
    body = request("x")
    body["messages"].append({"role": "assistant", "content": [
        {"type": "tool_use", "id": "t1", "name": "store", "input": {"type": "base64", "data": "not base64 at all!"}}]})
    run = Ledger(tmp_path / "nb.ipynb").start(request=body, api_version="2023-06-01")
    assert run.request == body

"""%%claude --models / --repeat in a real kernel: concurrent streams in side-by-side columns, interrupts, and the
model capability check made before anything is sent.

The kernel talks to its own loopback simulator whose engine notes when each Messages stream is received and
when its last byte has been produced, so overlapping requests are seen on the server's side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Kernel, simulator_env
from display_safety import assert_inert

from workbench.simulator import Engine, SimulatorServer

MODELS = ("claude-haiku-4-5", "claude-sonnet-4-5")
STORY = " ".join(f"word{i}" for i in range(240))  # 80 deltas of 3 words


class WatchedEngine(Engine):
    """An engine that logs ("received", n) and ("finished", n) for each Messages request, and may refuse /v1/models."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, int]] = []
        self.serve_models = True
        self._count = 0
        self._log_lock = threading.Lock()

    def handle(self, request: Any) -> Any:
        if request.path.startswith("/v1/models") and not self.serve_models:
            from workbench.simulator.engine import SimRequest

            request = SimRequest("GET", "/v1/no-such-endpoint", request.headers, b"", request.base_url)
        response = super().handle(request)
        if request.method == "POST" and request.path == "/v1/messages":
            with self._log_lock:
                self._count += 1
                number = self._count
                self.log.append(("received", number))
            response.body = self._finished_after(response.body, number)
        return response

    def _finished_after(self, body: Any, number: int) -> Iterator[Any]:
        yield from body
        with self._log_lock:
            self.log.append(("finished", number))


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    with SimulatorServer(engine=WatchedEngine()) as running:
        yield running


@pytest.fixture(scope="module")
def kernel(server: SimulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    home = tmp_path_factory.mktemp("models")
    live = Kernel(simulator_env(server, home / "home"), home)
    assert live.run("%config Claude.replay = 'live'").ok
    yield live
    live.shutdown()


@pytest.fixture
def paced(server: SimulatorServer) -> Iterator[None]:
    original = server.engine.options
    server.engine.options = original.replace(deltas_per_second=40)
    try:
        yield
    finally:
        server.engine.options = original


def posts(server: SimulatorServer) -> list[Any]:
    return [r for r in server.engine.received if r.method == "POST" and r.path == "/v1/messages"]


def columns_display(execution: Any) -> tuple[str, list[dict[str, Any]]]:
    """The id of the columns display (the first one) and its updates, in order."""
    first = execution.of_type("display_data")[0]["content"]
    display_id = first["transient"]["display_id"]
    updates = [m["content"] for m in execution.of_type("update_display_data")]
    assert {u["transient"]["display_id"] for u in updates} == {display_id}
    return display_id, updates


def test_models_stream_concurrently_into_columns(kernel: Kernel, server: SimulatorServer, paced: None) -> None:
    server.engine.script_reply(text=STORY)
    server.engine.script_reply(text=STORY)
    before, log_before = len(posts(server)), len(server.engine.log)
    execution = kernel.run(f"%%claude --models {','.join(MODELS)} -n duo --out duo --max-tokens 2000\nTell a story.")
    assert execution.ok, execution.error

    # Both requests reached the server before either stream had finished.
    log = server.engine.log[log_before:]
    assert [kind for kind, _ in log[:2]] == ["received", "received"], log
    assert sorted(p.json["model"] for p in posts(server)[before:]) == sorted(MODELS)

    # One display, updated in place: live updates carry both columns, several with both streaming at once.
    _, updates = columns_display(execution)
    live = [u["data"]["text/html"] for u in updates if "text/plain" not in u["data"]]
    both = [h for h in live if all(model in h for model in MODELS) and h.count('class="wb-column"') == 2]
    assert len(both) == len(live) >= 3
    assert sum(h.count("streaming…") == 2 for h in live) >= 2, "both columns stream at the same time"
    for html_text in live:
        assert_inert(html_text)

    # The final render: every column's text and footer; the runs as output metadata; then the comparison.
    final = updates[-1]
    plain = final["data"]["text/plain"]
    assert all(f"── {model} ──\n{STORY}" in plain for model in MODELS)
    assert plain.count("SIMULATOR") == 0 and plain.count(server.url) == 2  # one footer per column
    assert final["data"]["text/html"].count('class="wb-footer"') == 2
    records = final["metadata"]["claude_workbench"]["runs"]
    assert [r["run"]["model"] for r in records] == list(MODELS)
    assert "wb-runs" in execution.outputs[-1]["data"]["text/html"]

    check = kernel.run("print([r.model for r in duo], [r.version for r in duo], [r.text == duo[0].text for r in duo])")
    assert check.stdout.strip() == f"{list(MODELS)} [1, 2] [True, True]"
    history = kernel.run("%claude history duo").final_bundle()["data"]["text/plain"]  # both are in the ledger
    assert "duo@1" in history and "duo@2" in history


def test_repeat_samples_the_same_request_in_columns(kernel: Kernel, server: SimulatorServer) -> None:
    before = len(posts(server))
    execution = kernel.run("%%claude --repeat 3 --out three\nName a colour.")
    assert execution.ok, execution.error
    sent = posts(server)[before:]
    assert len(sent) == 3 and len({str(p.json) for p in sent}) == 1
    _, updates = columns_display(execution)
    plain = updates[-1]["data"]["text/plain"]
    assert all(f"── claude-haiku-4-5 #{k} ──" in plain for k in (1, 2, 3))
    check = kernel.run("print(len(three), {r.status for r in three}, len({r.run_id for r in three}))")
    assert check.stdout.strip() == "3 {'ok'} 3"


def test_interrupt_stops_every_column(kernel: Kernel, server: SimulatorServer) -> None:
    server.engine.script_reply(text=STORY * 3)
    server.engine.script_reply(text=STORY * 3)
    original = server.engine.options
    server.engine.options = original.replace(deltas_per_second=10)
    try:
        msg_id = kernel.start(f"%%claude --models {','.join(MODELS)} --max-tokens 4000\nA long story.")
        while True:  # wait until both columns show text
            message = kernel.client.get_iopub_msg(timeout=30)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "update_display_data":
                if message["content"]["data"]["text/html"].count('class="wb-text"') == 2:
                    break
        kernel.manager.interrupt_kernel()
        execution = kernel.collect(msg_id)
    finally:
        server.engine.options = original
    assert execution.ok, execution.error  # the cell ends normally with the partial runs
    updates = [m["content"] for m in execution.of_type("update_display_data")]
    records = updates[-1]["metadata"]["claude_workbench"]["runs"]
    assert [r["run"]["status"] for r in records] == ["interrupted", "interrupted"]
    assert updates[-1]["data"]["text/plain"].count("[interrupted]") == 2
    check = kernel.run(
        f"story = {STORY * 3!r}\nprint([(r.status, 0 < len(r.text) < len(story), story.startswith(r.text)) for r in _])"
    )
    assert check.stdout.strip() == str([("interrupted", True, True)] * 2)


def test_capabilities_are_checked_before_sending(kernel: Kernel, server: SimulatorServer) -> None:
    before = len(server.engine.received)
    execution = kernel.run("%%claude -m claude-opus-4-8 --thinking 2048 --max-tokens 4096\nThink first.")
    error = execution.error
    assert error is not None and error["ename"] == "UsageError"
    assert error["evalue"] == "claude-opus-4-8 does not accept a thinking budget: use thinking='adaptive'"
    assert not execution.outputs
    asked = server.engine.received[before:]
    assert [(r.method, r.path) for r in asked] == [("GET", "/v1/models/claude-opus-4-8")]

    # Looked up once per model and session: the same mistake again is caught without asking.
    again = kernel.run("%%claude -m claude-opus-4-8 --thinking 2048 --max-tokens 4096\nThink first.")
    assert again.error is not None and len(server.engine.received) == before + 1
    assert kernel.run("%%claude -m claude-opus-4-8 --thinking adaptive --max-tokens 4096\nThink first.").ok


def test_a_backend_without_the_models_endpoint_still_answers(kernel: Kernel, server: SimulatorServer) -> None:
    server.engine.serve_models = False
    try:
        before = len(posts(server))
        execution = kernel.run("%%claude -m claude-opus-4-7 --max-tokens 100\nHi.")
    finally:
        server.engine.serve_models = True
    assert execution.ok, execution.error
    assert len(posts(server)) == before + 1


def test_an_api_error_in_the_columns_is_one_line(kernel: Kernel, server: SimulatorServer) -> None:
    original = server.engine.options
    server.engine.options = original.replace(fail=[529] * 6, retry_after=0.0)  # every attempt of both runs
    try:
        execution = kernel.run(f"%%claude --models {','.join(MODELS)}\nHello?")
    finally:
        server.engine.options = original
    error = execution.error
    assert error is not None and error["ename"] == "ClaudeAPIError" and len(error["traceback"]) == 1
    assert error["evalue"].startswith(f"{MODELS[0]}: 529 overloaded_error")
    _, updates = columns_display(execution)
    assert updates[-1]["data"]["text/plain"].count("[error: ") == 2
    assert kernel.run("print([r.status for r in _])").stdout.strip() == "['error', 'error']"


def test_replay_only_policy_refuses_before_showing_anything(kernel: Kernel, server: SimulatorServer) -> None:
    assert kernel.run("%config Claude.replay = 'replay'").ok
    try:
        before = len(server.engine.received)
        execution = kernel.run(f"%%claude --models {','.join(MODELS)} -n never-sent\nNobody asked this yet.")
    finally:
        kernel.run("%config Claude.replay = 'live'")
    error = execution.error
    assert error is not None and error["ename"] == "UsageError"
    assert "no recorded run answers this prompt" in error["evalue"]
    assert not execution.outputs and len(server.engine.received) == before


def test_columns_output_carries_each_run_once(kernel: Kernel, server: SimulatorServer) -> None:
    from workbench.runs import Run
    from workbench.runs.notebook import run_of_output

    long_reply = "A reply long enough to be referred to rather than repeated. " * 4
    server.engine.script_reply(text=long_reply)
    server.engine.script_reply(text=long_reply)
    execution = kernel.run(f"%%claude --models {','.join(MODELS)}\nSay something long.")
    assert execution.ok, execution.error
    _, updates = columns_display(execution)
    final = updates[-1]
    records = final["metadata"]["claude_workbench"]["runs"]
    assert long_reply not in str(records)  # the texts point into the output's text/plain
    for record in records:
        run = run_of_output({"data": final["data"], "metadata": {"claude_workbench": record}})
        assert run is not None and Run.model_validate(run).text == long_reply

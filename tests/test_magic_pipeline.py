"""The shared pipeline without a kernel: replay rules, the tool loop, and the calls a view receives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.pipeline import Backend, Recording, ReplayMissingError, run_prompt, run_turn
from workbench.prompt import PromptOptions, compose
from workbench.runs import Ledger
from workbench.simulator import Engine, SimulatorTransport


class RecordingView:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.sizes: list[int] = []
        self.metadata: dict[str, Any] = {}

    def started(self, run: Any) -> None:
        self.calls.append("started")

    def progress(self, reply: Any) -> None:
        self.sizes.append(reply.size)

    def finished(self, run: Any, message: Any, metadata: dict[str, Any]) -> None:
        self.calls.append("finished")
        self.metadata = metadata

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        self.calls.append(f"tool_results:{len(results)}")


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "WORKBENCH_BACKEND"):
        monkeypatch.delenv(name, raising=False)


def backend_on(engine: Engine, name: str) -> Backend:
    """Clients that talk to `engine` in-process, as the embedded simulator or as if it were an API at a URL."""
    if name == "simulator":
        return Backend(transport=SimulatorTransport(engine))
    return Backend(api_key="sk-ant-test", base_url="http://api.invalid", transport=SimulatorTransport(engine))


def spec_of(text: str, **options: Any) -> Any:
    return compose(PromptOptions(model="claude-haiku-4-5", max_tokens=300, **options), text, options.pop("ns", {}))


def posts(engine: Engine) -> int:
    return sum(1 for r in engine.received if r.path == "/v1/messages")


def test_view_sees_start_growing_progress_and_finish(engine: Engine, tmp_path: Path) -> None:
    view = RecordingView()
    recording = Recording(Ledger(journal_path=tmp_path / "j.jsonl"))
    run = run_prompt(spec_of("Hello"), backend=backend_on(engine, "simulator"), view=view, recording=recording)
    assert run.status == "ok" and view.calls == ["started", "finished"]
    assert view.sizes == sorted(view.sizes) and view.sizes[-1] == len(run.text)
    assert view.metadata["claude_workbench"]["run"]["run_id"] == run.run_id


def test_simulated_answers_are_not_replayed_against_a_real_backend(engine: Engine, tmp_path: Path) -> None:
    recording = Recording(Ledger(journal_path=tmp_path / "j.jsonl"))
    spec = spec_of("Same prompt")
    run_prompt(spec, backend=backend_on(engine, "simulator"), view=RecordingView(), recording=recording)
    again = run_prompt(spec, backend=backend_on(engine, "simulator"), view=RecordingView(), recording=recording)
    assert again.replayed and posts(engine) == 1
    real = run_prompt(spec, backend=backend_on(engine, "api"), view=RecordingView(), recording=recording)
    assert not real.replayed and posts(engine) == 2
    with pytest.raises(ReplayMissingError):
        run_prompt(spec_of("Never asked"), backend=backend_on(engine, "api"), view=RecordingView(),
                   recording=recording, replay="replay")


def test_tool_loop_stops_at_the_step_limit(engine: Engine, tmp_path: Path) -> None:
    calls: list[int] = []

    def count(n: int) -> int:
        """Count."""
        calls.append(n)
        return n + 1

    for _ in range(3):
        engine.script_reply(tool_uses=[{"name": "count", "input": {"n": 1}}])
    views: list[RecordingView] = []

    def new_view() -> RecordingView:
        views.append(RecordingView())
        return views[-1]

    turn = run_turn(spec_of("Count", tools=[count]), backend=backend_on(engine, "simulator"), views=new_view,
                    recording=Recording(Ledger(journal_path=tmp_path / "j.jsonl")), max_steps=2)
    assert [r.stop_reason for r in turn.runs] == ["tool_use", "tool_use"]
    assert calls == [1] and views[0].calls == ["started", "finished", "tool_results:1"]
    assert [m["role"] for m in turn.messages] == ["user", "assistant", "user", "assistant"]

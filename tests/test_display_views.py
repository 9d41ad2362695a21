"""The live view's pieces without a kernel: budgeted updates, tails, footers, the terminal stream."""

from __future__ import annotations

import io

from workbench.display._budget import UpdateBudget, pacing_interval
from workbench.display.content import message_html
from workbench.display.footer import footer_text, token_parts
from workbench.display.terminal import TerminalView
from workbench.pipeline import LiveReply
from workbench.runs.record import Run, Timings


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_pacing_follows_the_size_of_what_is_shown() -> None:
    assert pacing_interval(0) == 0.1
    assert pacing_interval(50_000) == 0.5
    assert pacing_interval(10_000_000) == 2.0


def test_budget_keeps_live_bytes_linear_in_the_reply() -> None:
    clock = FakeClock()
    budget = UpdateBudget(clock=clock)
    size = 0
    for _ in range(2_000):  # a 70 KB reply arriving at 100 deltas/s, each update showing a bounded tail
        size += 35
        clock.now += 0.01
        if budget.due(size):
            budget.record(min(size, 2_000))
    assert budget.updates > 5
    # within budget, plus at most one update per max_gap over the 20 s of the stream
    assert budget.spent <= budget.allowance + budget.ratio * size + 20 / budget.max_gap * (2_000 + 800)


def test_first_update_comes_with_the_first_delta() -> None:
    budget = UpdateBudget(clock=FakeClock())
    assert not budget.due(0) and budget.due(1)


def test_live_tail_elides_the_start_of_long_text() -> None:
    text = "".join(f"line {i}\n" for i in range(2_000))
    live = message_html({"content": [{"type": "text", "text": text}]}, tail=1_000)
    assert "line 1999" in live and "line 5\n" not in live
    assert "earlier characters" in live
    assert len(live) < 2_000


def test_thinking_is_collapsible_and_tool_input_escaped() -> None:
    out = message_html(
        {
            "content": [
                {"type": "thinking", "thinking": "hmm <b>", "signature": "s"},
                {"type": "tool_use", "id": "t", "name": "get<x>", "input": {"q": "<script>"}},
            ]
        }
    )
    assert out.startswith('<details class="wb-thinking"><summary>Thinking</summary>')
    assert "<script>" not in out and "get&lt;x&gt;" in out


def make_run(**changes: object) -> Run:
    fields: dict = dict(
        model="claude-haiku-4-5",
        backend="simulator",
        status="ok",
        stop_reason="end_turn",
        usage={
            "input_tokens": 1200,
            "output_tokens": 345,
            "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 50},
            "cache_read_input_tokens": 7,
            "output_tokens_details": {"thinking_tokens": 12},
        },
        cost=0.0021,
        timings=Timings(first_delta=0.25, total=1.5),
    )
    fields.update(changes)
    return Run(**fields)


def test_footer_names_every_figure() -> None:
    line = footer_text(make_run())
    for part in ("SIMULATOR", "claude-haiku-4-5", "stop end_turn", "in 1,200", "out 345", "cache write 5m 100",
                 "cache write 1h 50", "cache read 7", "thinking 12", "first token 0.25 s", "total 1.50 s"):
        assert part in line
    assert "$" in line


def test_footer_price_unknown_and_replayed() -> None:
    assert "price unknown" in footer_text(make_run(cost=None, model="claude-unknown-9"))
    assert "replayed · $0" in footer_text(make_run(replayed=True, cost=0.0))


def test_token_parts_fall_back_to_the_cache_total() -> None:
    usage = {"input_tokens": 1, "output_tokens": 2, "cache_creation_input_tokens": 40}
    assert "cache write 5m 40" in token_parts(usage)


def test_terminal_view_appends_only_new_text() -> None:
    out = io.StringIO()
    view = TerminalView(out, interval=0)
    run = make_run()
    view.started(run)
    view.progress(LiveReply(lambda: {"content": [{"type": "text", "text": "Hel"}]}))
    view.progress(LiveReply(lambda: {"content": [{"type": "text", "text": "Hello"}]}))
    final = {"content": [{"type": "text", "text": "Hello!"}, {"type": "tool_use", "name": "f", "input": {"a": 1}}]}
    view.finished(run, final, {})
    written = out.getvalue()
    assert "Hello!" in written and written.count("Hel") == 1
    assert '[tool_use f] {"a": 1}' in written
    assert written.rstrip().endswith("total 1.50 s")


def test_thinking_is_open_only_while_it_streams() -> None:
    thinking = {"type": "thinking", "thinking": "step one", "signature": ""}
    answer = {"type": "text", "text": "Done."}
    assert "<details class=\"wb-thinking\" open>" in message_html({"content": [thinking]}, streaming=True)
    assert " open>" not in message_html({"content": [thinking, answer]}, streaming=True)
    assert " open>" not in message_html({"content": [thinking]})

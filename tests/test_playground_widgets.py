"""The playground's widgets driven directly: set values, click buttons, check what the simulator received and
what the ledger recorded. Runs go through a loopback SimulatorServer (one per module: some tests slow it down).
"""

from __future__ import annotations

import base64
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from workbench._playground_history import CELL
from workbench.pipeline import Backend
from workbench.playground import NO_WIDGETS_MESSAGE, Playground
from workbench.runs import Ledger
from workbench.simulator import SimulatorServer

DATA = Path(__file__).parent / "data"
KEY = "sk-ant-test"


@pytest.fixture(scope="module")
def srv():
    with SimulatorServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fast_simulator(srv):
    srv.engine.options.deltas_per_second = None
    yield


@pytest.fixture
def namespace() -> dict[str, Any]:
    return {"__name__": "__main__", "city": "Lisbon"}


@pytest.fixture
def make(srv, tmp_path, namespace):
    def factory(**options: Any) -> Playground:
        options.setdefault("backend", Backend(base_url=srv.url, api_key=KEY))
        options.setdefault("ledger", Ledger(tmp_path / "notebook.ipynb"))
        options.setdefault("namespace", namespace)
        options.setdefault("count_delay", 0.01)
        return Playground(**options)

    return factory


@pytest.fixture
def shell():
    """An in-process IPython shell with the extension loaded (no kernel: widgets cannot show), then removed."""
    from IPython.core.interactiveshell import InteractiveShell

    instance = InteractiveShell.instance()
    instance.extension_manager.load_extension("workbench")
    yield instance
    InteractiveShell.clear_instance()


def messages_sent(srv) -> list[dict[str, Any]]:
    return [r.json for r in srv.engine.received if r.path == "/v1/messages"]


def wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def prompt(pg: Playground, text: str, turn: int = 0) -> None:
    pg.editor.turns[turn].blocks[0].text.value = text


# -- composition ---------------------------------------------------------------------------------


def test_model_picker_lists_the_models_endpoint(make, srv):
    pg = make()
    ids = [value for _, value in pg.editor.model.options]
    assert "claude-opus-4-8" in ids and "claude-sonnet-4-6" in ids
    assert any(r.path.startswith("/v1/models") for r in srv.engine.received)
    assert pg.editor.model.value == "claude-haiku-4-5-20251001"  # the magic's default alias, resolved


def test_controls_follow_model_capabilities(make):
    pg = make()
    editor = pg.editor
    editor.model.value = "claude-sonnet-4-6"  # budget thinking, no adaptive... per the catalogue
    assert "budget" in [v for _, v in editor.thinking.options]
    editor.model.value = "claude-opus-4-8"  # budget thinking rejected: only adaptive/off
    thinking = [v for _, v in editor.thinking.options]
    assert "budget" not in thinking and "adaptive" in thinking
    assert editor.effort_box.layout.display is None
    assert "xhigh" in [v for _, v in editor.effort.options]
    editor.model.value = "claude-haiku-4-5-20251001"  # no effort levels
    assert editor.effort_box.layout.display == "none"


def test_media_buttons_follow_image_and_pdf_capabilities():
    from workbench._playground_editor import Editor

    text_only = {"id": "text-only", "display_name": "Text only",
                 "capabilities": {"image_input": {"supported": False}, "pdf_input": {"supported": False}}}
    editor = Editor(models=[text_only], model="text-only", namespace={}, api_version="2023-06-01", max_tokens=100)
    turn = editor.turns[0]
    assert turn.add_image.layout.display == "none" and turn.add_pdf.layout.display == "none"


def test_sampling_params_only_under_the_version_that_takes_them(make):
    pg = make()
    prompt(pg, "hi")
    pg.editor.temperature.value = "0.2"
    assert pg.refresh().request["temperature"] == 0.2
    pg.editor.api_version.value = "2026-10-21"
    assert pg.editor.sampling_box.layout.display == "none"
    spec = pg.refresh()
    assert "temperature" not in spec.request and spec.api_version == "2026-10-21"


def test_turns_add_reorder_remove_and_prefill(make):
    pg = make()
    editor = pg.editor
    prompt(pg, "first question")
    editor.add_turn_button.click()
    editor.turns[1].blocks[0].text.value = "an answer"
    editor.add_turn_button.click()
    editor.turns[2].blocks[0].text.value = "second question"
    assert [t.role.value for t in editor.turns] == ["user", "assistant", "user"]
    editor.add_turn_button.click()
    editor.turns[3].blocks[0].text.value = "Sure: "
    assert "prefill" in editor.turns[3].note.value
    spec = pg.refresh()
    assert [m["role"] for m in spec.request["messages"]] == ["user", "assistant", "user", "assistant"]
    assert spec.request["messages"][-1]["content"] == "Sure:"  # the API rejects trailing whitespace

    editor.turns[3].delete.click()
    editor.turns[2].up.click()  # "second question" moves above the answer: two user turns merge
    messages = pg.refresh().request["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["content"] == "first question\n\nsecond question"
    assert "prefill" in editor.turns[2].note.value  # the answer is last now: a prefill
    assert "prefill" not in editor.turns[1].note.value


def test_text_is_templated_from_the_kernel_and_section_lines_stay_text(make):
    pg = make()
    prompt(pg, "Weather in {{ city }}?\n%assistant\nnot a section")
    content = pg.refresh().request["messages"]
    assert content == [{"role": "user", "content": "Weather in Lisbon?\n%assistant\nnot a section"}]


def test_images_and_pdfs_from_kernel_objects_uploads_and_paths_with_cache(make, namespace):
    png = (DATA / "tiny.png").read_bytes()
    namespace["chart"] = png
    pg = make()
    turn = pg.editor.turns[0]
    prompt(pg, "Compare these.")
    image = turn.add_block("image")
    assert "chart" in image.source.options  # kernel objects are offered
    image.source.value = "chart"
    image.cache.enabled.value = True
    image.cache.ttl.value = "1h"
    uploaded = turn.add_block("image")
    uploaded.upload.value = ({"name": "Photo 1.gif", "type": "image/gif", "size": 1,
                              "last_modified": datetime.now(timezone.utc),
                              "content": memoryview((DATA / "tiny.gif").read_bytes())},)
    assert uploaded.source.value == "upload_photo_1_gif" and namespace["upload_photo_1_gif"]
    pdf = turn.add_block("pdf")
    pdf.source.value = str(DATA / "tiny.pdf")
    blocks = pg.refresh().request["messages"][0]["content"]
    assert [b["type"] for b in blocks] == ["text", "image", "image", "document"]
    assert blocks[1]["source"]["data"] == base64.b64encode(png).decode()
    assert blocks[1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert blocks[2]["source"]["media_type"] == "image/gif"
    assert blocks[3]["source"]["media_type"] == "application/pdf"
    assert "cache_control" not in blocks[3]


def test_system_prompt_cache_stop_sequences_thinking(make):
    pg = make()
    editor = pg.editor
    editor.model.value = "claude-sonnet-4-6"
    editor.system.value = "Be terse."
    editor.system_cache.enabled.value = True
    editor.stop.value = "END\n###"
    editor.thinking.value = "budget"
    editor.budget.value = 1500
    editor.max_tokens.value = 4000
    prompt(pg, "hi")
    request = pg.refresh().request
    assert request["system"] == [{"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}]
    assert request["stop_sequences"] == ["END", "###"]
    assert request["thinking"] == {"type": "enabled", "budget_tokens": 1500}


def test_tools_from_functions_and_json_with_tool_choice(make, namespace):
    exec(
        "def forecast(city: str) -> str:\n"
        "    '''The weather forecast for a city.\n\n    Args:\n        city: the city name\n    '''\n"
        "    return 'sunny'\n",
        namespace,
    )
    pg = make()
    editor = pg.editor
    assert editor.functions.options == ("forecast",)
    editor.functions.value = ("forecast",)
    editor.tools_json.value = json.dumps({"name": "lookup", "description": "Look it up",
                                          "input_schema": {"type": "object", "properties": {}}})
    assert "lookup" in [v for _, v in editor.tool_choice.options]
    editor.tool_choice.value = "lookup"
    editor.tools_cache.enabled.value = True
    prompt(pg, "Weather?")
    request = pg.refresh().request
    assert [t["name"] for t in request["tools"]] == ["forecast", "lookup"]
    assert request["tools"][0]["input_schema"]["properties"]["city"]["type"] == "string"
    assert request["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert request["tool_choice"] == {"type": "tool", "name": "lookup"}


# -- live feedback -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda e: setattr(e.temperature, "value", "warm"), "sampling"),
        (lambda e: setattr(e.temperature, "value", "1.5"), "sampling"),
        (lambda e: setattr(e.max_tokens, "value", 0 - 5), "max_tokens"),
        (lambda e: setattr(e.tools_json, "value", "[{"), "tools"),
    ],
)
def test_invalid_fields_disable_run_with_the_reason_next_to_the_field(make, srv, edit, field):
    pg = make()
    prompt(pg, "hi")
    before = len(messages_sent(srv))
    edit(pg.editor)
    assert pg.spec is None
    assert pg.run_button.disabled
    assert pg.editor.errors[field].value, f"no message next to {field}"
    assert "Cannot run" in pg.reason.value
    pg.run_button.click()
    assert len(messages_sent(srv)) == before  # nothing was sent


def test_thinking_budget_error_sits_next_to_thinking(make):
    pg = make()
    pg.editor.model.value = "claude-sonnet-4-6"
    prompt(pg, "hi")
    pg.editor.thinking.value = "budget"
    pg.editor.budget.value = 4096
    pg.editor.max_tokens.value = 2000
    assert pg.run_button.disabled
    assert "budget" in pg.editor.errors["thinking"].value


def test_empty_turn_is_reported_on_that_turn(make):
    pg = make()
    prompt(pg, "hi")
    pg.editor.add_turn_button.click()
    pg.editor.add_turn_button.click()
    pg.editor.turns[2].blocks[0].text.value = "more"
    assert pg.run_button.disabled
    assert "empty" in pg.editor.turns[1].error.value
    pg.editor.turns[1].delete.click()
    assert not pg.run_button.disabled


def test_token_count_and_cost_are_debounced(make, srv):
    pg = make(count_delay=0.3)
    counted = lambda: sum(r.path == "/v1/messages/count_tokens" for r in srv.engine.received)  # noqa: E731
    before = counted()
    block = pg.editor.turns[0].blocks[0].text
    for text in ("T", "Te", "Tel", "Tell me a story"):
        block.value = text
    wait_for(lambda: "input tokens" in pg.counts.value and counted() > before)
    time.sleep(0.2)  # let any stray timer fire: only the last edit may be counted
    assert counted() == before + 1
    assert "at most $" in pg.counts.value and "127.0.0.1" in pg.counts.value
    body = [r.json for r in srv.engine.received if r.path == "/v1/messages/count_tokens"][-1]
    assert body["messages"] == [{"role": "user", "content": "Tell me a story"}]


# -- running -------------------------------------------------------------------------------------


def test_run_streams_into_the_output_and_records_in_the_ledger(make, srv):
    pg = make()
    prompt(pg, "Describe {{ city }}")
    spec = pg.refresh()
    pg.run_button.click()
    run = pg.wait(10)
    assert run.status == "ok" and run.name == "playground" and run.version == 1
    assert messages_sent(srv)[-1] == {**spec.request, "stream": True}
    final = pg.output.outputs[0]
    assert "wb-footer" in final["data"]["text/html"]
    assert final["metadata"]["claude_workbench"]["run"]["run_id"] == run.run_id
    assert [r.run_id for r in pg.ledger.runs()] == [run.run_id]
    assert pg.history.versions.value == (run.run_id,)
    assert not pg.run_button.disabled and pg.stop_button.disabled


def test_model_output_is_rendered_inert(make, srv):
    pg = make()
    prompt(pg, "say something")
    srv.engine.script_reply(text='Hi <img src=x onerror="alert(1)"><script>alert(2)</script> [x](javascript:alert(3))')
    pg.run_button.click()
    pg.wait(10)
    rendered = pg.output.outputs[0]["data"]["text/html"]
    assert "<img" not in rendered and "<script" not in rendered and 'href="javascript' not in rendered
    assert "&lt;script&gt;" in rendered  # shown as text


def test_stop_ends_a_slow_stream_and_keeps_the_partial_reply(make, srv):
    srv.engine.options.deltas_per_second = 10
    pg = make()
    prompt(pg, "Write a long story")
    pg.run_button.click()
    assert pg.runner.running and pg.run_button.disabled and not pg.stop_button.disabled
    wait_for(lambda: "streaming" in str(pg.output.outputs))
    pg.stop_button.click()
    run = pg.wait(10)
    assert run.status == "interrupted"
    assert run.text and "interrupted" in pg.output.outputs[0]["data"]["text/html"]
    assert [r.status for r in pg.ledger.runs()] == ["interrupted"]
    assert not pg.run_button.disabled


def test_stop_while_waiting_for_the_first_token(make, srv):
    srv.engine.options.first_token_delay = 60  # the stream is open but silent
    try:
        pg = make()
        prompt(pg, "Think hard first")
        pg.run_button.click()
        wait_for(lambda: "waiting for the first token" in str(pg.output.outputs))
        pg.stop_button.click()
        run = pg.wait(20)
    finally:
        srv.engine.options.first_token_delay = 0.0
    assert run is not None and run.status == "interrupted"
    assert [r.status for r in pg.ledger.runs()] == ["interrupted"]


def test_api_errors_are_shown_and_recorded(make, srv):
    pg = make()
    prompt(pg, "hi")
    srv.engine.options.fail = [529, 529, 529]
    pg.run_button.click()
    run = pg.wait(30)
    assert run is None  # the pipeline re-raises API errors after recording them
    assert "overloaded" in pg.status.value
    assert [r.status for r in pg.ledger.runs()] == ["error"]


def test_same_request_as_the_magic_cell_it_exports(make, srv, namespace):
    from workbench.prompt import compose

    pg = make()
    pg.editor.system.value = "Be terse."
    pg.editor.stop.value = "END"
    pg.editor.temperature.value = "0.5"
    prompt(pg, "Describe {{ city }}")
    cell = pg.editor.magic_cell("playground")
    line, body = cell.split("\n", 1)
    assert line.startswith("%%claude -m claude-haiku-4-5-20251001 --max-tokens 1024") and "--stop END" in line
    assert "--temperature 0.5" in line and line.endswith("-n playground")
    composition = pg.editor.composition()
    assert body == composition.text
    assert compose(composition.options, body, namespace).request == pg.refresh().request


def test_magic_runs_the_exported_cell_identically(make, srv, tmp_path, monkeypatch, shell):
    monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    shell.user_ns["city"] = "Porto"
    pg = make(namespace=shell.user_ns)
    pg.editor.max_tokens.value = 300
    prompt(pg, "Describe {{ city }}")
    pg.run_button.click()
    pg.wait(10)
    from_playground = messages_sent(srv)[-1]
    result = shell.run_cell(pg.editor.magic_cell() .replace("%%claude ", "%%claude --fresh ", 1))
    assert result.success, result.error_in_exec
    assert messages_sent(srv)[-1] == from_playground


# -- versions, compare, restore, export ----------------------------------------------------------


def test_versions_compare_and_restore(make, srv):
    pg = make()
    prompt(pg, "Describe {{ city }} briefly")
    pg.run_button.click()
    first = pg.wait(10)
    prompt(pg, "Describe {{ city }} in detail")
    pg.editor.max_tokens.value = 500
    pg.run_button.click()
    second = pg.wait(10)
    assert second.version == 2
    assert [v for _, v in pg.history.versions.options] == [second.run_id, first.run_id]
    pg.history.versions.value = (first.run_id, second.run_id)
    assert not pg.history.compare_button.disabled
    pg.history.compare_button.click()
    view = pg.history.view.value
    assert "briefly" in view and "in detail" in view and "latency" in view and "cost" in view

    pg.history.versions.value = (first.run_id,)
    pg.history.restore_button.click()
    assert pg.editor.turns[0].blocks[0].text.value == "Describe Lisbon briefly"
    assert pg.editor.max_tokens.value == 1024
    assert pg.refresh().request == {**first.request}


def test_restore_brings_back_images_and_tools(make, namespace):
    namespace["chart"] = (DATA / "tiny.png").read_bytes()
    pg = make()
    prompt(pg, "What is this?")
    pg.editor.turns[0].add_block("image").source.value = "chart"
    pg.editor.tools_json.value = json.dumps([{"name": "lookup", "input_schema": {"type": "object"}}])
    original = pg.refresh().request
    pg.run_button.click()
    run = pg.wait(10)
    pg.editor.turns[0].delete.click()
    pg.editor.tools_json.value = ""
    pg.restore(run)
    assert pg.refresh().request == original


def test_versions_of_other_names(make, tmp_path):
    ledger = Ledger(tmp_path / "notebook.ipynb")
    other = make(name="summarize", ledger=ledger)
    prompt(other, "Summarize this")
    other.run_button.click()
    other.wait(10)
    pg = make(ledger=ledger)
    assert set(pg.history.group.options) == {"playground", "summarize"}
    pg.history.group.value = "summarize"
    assert len(pg.history.versions.options) == 1


@pytest.mark.parametrize("language", ["python", "httpx", "curl", "typescript"])
def test_export_the_editor(make, language):
    pg = make()
    prompt(pg, "Describe {{ city }}")
    pg.export.language.value = language
    pg.export.show_button.click()
    code = pg.export.code.value
    assert "claude-haiku-4-5-20251001" in code and "Describe Lisbon" in code
    assert KEY not in code


def test_export_a_selected_version_and_a_cell(make):
    pg = make()
    prompt(pg, "Version one")
    pg.run_button.click()
    run = pg.wait(10)
    prompt(pg, "Version two (not run)")
    pg.history.versions.value = (run.run_id,)
    pg.export.source.value = "version"
    pg.export.language.value = "curl"
    pg.export.show_button.click()
    assert "Version one" in pg.export.code.value
    pg.export.source.value = "editor"
    pg.export.language.value = CELL
    pg.export.show_button.click()
    assert pg.export.code.value.startswith("%%claude -m ")
    assert "Version two (not run)" in pg.export.code.value
    assert "to_cell()" in pg.export.note.value


def test_export_explains_an_invalid_request(make):
    pg = make()
    pg.export.show_button.click()
    assert pg.export.code.value == "" and "empty" in pg.export.note.value


# -- entry points --------------------------------------------------------------------------------


def test_without_a_widget_frontend_one_line_and_none(capsys):
    import workbench

    assert workbench.playground() is None
    assert capsys.readouterr().out.strip() == NO_WIDGETS_MESSAGE


def test_claude_playground_command_without_widgets(capsys, shell):
    assert shell.run_line_magic("claude", "playground") is None
    assert capsys.readouterr().out.strip() == NO_WIDGETS_MESSAGE


def test_frontends_without_widgets_see_a_clear_line(make):
    bundle = make()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert NO_WIDGETS_MESSAGE in bundle["text/plain"]


def test_module_and_function_are_both_callable():
    import workbench
    import workbench.playground as module

    assert callable(module) and callable(workbench.playground)

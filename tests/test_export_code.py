"""The exported source itself: no key, no machine paths, readable literals, the SDKs' real parameters,
recorded runs and the `workbench export` command."""

from __future__ import annotations

import argparse
import ast
import contextlib
import inspect
import io
import os
import re
from pathlib import Path

import nbformat
import pytest
from export_cases import CASES, RED, SYSTEM_PROMPT, b64, image, sha

from workbench.export import ExportError, languages, media_modes, run_to_code, spec_to_code, to_code
from workbench.export._program import SDK_BETA_PARAMS, SDK_PARAMS
from workbench.export.cli import add_commands
from workbench.runs import Ledger

SECRET = "sk-ant-api03-" + "SECRET-never-exported"  # built, so no key-shaped literal is tracked


def _exports(tmp_path: Path):
    for case in CASES:
        for lang in languages:
            for mode in media_modes:
                for stream in (False, True):
                    yield case, lang, mode, to_code(
                        case.request, lang=lang, api_version=case.api_version, betas=case.betas, stream=stream,
                        base_url=case.base_url, media=case.media(str(tmp_path)), media_mode=mode,
                        media_root=tmp_path,
                    )  # fmt: skip


def test_exports_hold_no_key_and_no_path_of_this_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
    machine_paths = {str(tmp_path), "/tmp/", "/work/", str(Path.home()) + "/", os.getcwd()}
    count = 0
    for case, lang, mode, code in _exports(tmp_path):
        where = f"{case.name} {lang} {mode}"
        assert "sk-ant" not in code, where
        assert SECRET not in code, where
        for path in machine_paths:
            assert path not in code, f"{where}: {path}"
        count += 1
    assert count == len(CASES) * len(languages) * len(media_modes) * 2


def test_paths_are_relative_to_the_notebook_or_just_the_file_name(tmp_path):
    request = {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": [image(RED)]}]}
    inside = to_code(request, lang="python", media={sha(RED): {"path": str(tmp_path / "img" / "red.png")}},
                     media_mode="path", media_root=tmp_path)  # fmt: skip
    assert 'Path("img/red.png")' in inside
    elsewhere = to_code(request, lang="curl", media={sha(RED): {"path": "/srv/data/red.png"}}, media_mode="path")
    assert "base64 < red.png" in elsewhere and "/srv" not in elsewhere


def test_base64_is_a_variable_not_a_line_of_the_prompt(tmp_path):
    for case, lang, mode, code in _exports(tmp_path):
        code_lines = code.splitlines()
        for data in {s["data"] for s in _base64_sources(case.request)}:
            found = [number for number, line in enumerate(code_lines) if data in line]
            assert len(found) <= 1, f"{case.name} {lang} {mode}"
            if found:  # inline: one assignment (its value wrapped to the next line when long), before the request
                line, previous = code_lines[found[0]], code_lines[found[0] - 1]
                assert re.match(r"(const \w+ = |[A-Za-z_]\w* = |[A-Z_0-9]+=)", line) or (
                    re.fullmatch(r"const \w+ =", previous) and line.startswith("  ")
                ), line[:60]


def _base64_sources(value):
    if isinstance(value, dict):
        if value.get("type") == "base64":
            yield value
        for item in value.values():
            yield from _base64_sources(item)
    elif isinstance(value, list):
        for item in value:
            yield from _base64_sources(item)


def test_python_exports_parse_and_keep_prompts_readable(tmp_path):
    for case, lang, _mode, code in _exports(tmp_path):
        if lang in ("python", "httpx"):
            ast.parse(code)
    code = to_code({"model": "m", "max_tokens": 9, "system": SYSTEM_PROMPT,
                    "messages": [{"role": "user", "content": "hi"}]}, lang="python")  # fmt: skip
    tree = ast.parse(code)
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)]
    assert SYSTEM_PROMPT in strings
    assert '"""You are a meticulous code reviewer.\n\nRules:' in code  # a triple-quoted literal, not "\n" escapes
    ts = to_code({"model": "m", "max_tokens": 9, "system": SYSTEM_PROMPT,
                  "messages": [{"role": "user", "content": "hi"}]}, lang="typescript")  # fmt: skip
    assert "system: `You are a meticulous code reviewer.\n\nRules:" in ts  # a template literal


def test_short_requests_give_short_programs():
    request = {"model": "claude-haiku-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": "Hello!"}]}
    python = to_code(request, lang="python", api_version="2026-10-21")
    assert python == (
        "import anthropic\n"
        "\n"
        "client = anthropic.Anthropic()\n"
        "\n"
        "message = client.messages.create(\n"
        '    model="claude-haiku-4-5",\n'
        "    max_tokens=256,\n"
        '    messages=[{"role": "user", "content": "Hello!"}],\n'
        ")\n"
        "for block in message.content:\n"
        '    if block.type == "text":\n'
        "        print(block.text)\n"
    )
    pinned = to_code(request, lang="python", api_version="2023-06-01")
    assert 'anthropic.Anthropic(default_headers={"anthropic-version": "2023-06-01"})' in pinned
    assert "extra_body" not in pinned and "os.environ" not in pinned


def test_sampling_parameters_go_through_extra_body_only_where_the_sdk_lacks_them():
    request = {"model": "m", "max_tokens": 5, "temperature": 0.3, "top_k": 4, "stop_sequences": ["X"],
               "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
    python = to_code(request, lang="python")
    assert 'extra_body={"temperature": 0.3, "top_k": 4}' in python
    assert 'stop_sequences=["X"]' in python
    assert "...{ temperature: 0.3, top_k: 4 }" in to_code(request, lang="typescript")
    assert '"temperature": 0.3' in to_code(request, lang="httpx")


def test_the_sdk_keyword_tables_match_the_installed_sdk():
    from anthropic.resources.beta.messages.messages import Messages as BetaMessages
    from anthropic.resources.messages.messages import Messages

    not_body = {"self", "stream", "user_profile_id", "workspace_id", "betas", "output_format",
                "extra_headers", "extra_query", "extra_body", "timeout"}  # fmt: skip
    for method, table in [
        (Messages.create, SDK_PARAMS),
        (Messages.stream, SDK_PARAMS),
        (BetaMessages.create, SDK_BETA_PARAMS),
    ]:
        assert set(inspect.signature(method).parameters) - not_body == table, method.__qualname__


def test_custom_base_url_is_the_fallback_of_the_environment():
    request = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    url = "https://gateway.example.com/anthropic"
    assert f'os.environ.get("ANTHROPIC_BASE_URL", "{url}")' in to_code(request, lang="python", base_url=url)
    assert f"process.env.ANTHROPIC_BASE_URL ?? '{url}'" in to_code(request, lang="typescript", base_url=url)
    assert f'"${{ANTHROPIC_BASE_URL:-{url}}}/v1/messages"' in to_code(request, lang="curl", base_url=url)
    assert "Anthropic()" in to_code(request, lang="python", base_url="https://api.anthropic.com/", api_version="2026-10-21")


def test_bad_options_are_one_line_value_errors():
    request = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    cases = [
        (dict(lang="cobol"), "unknown language 'cobol'"),
        (dict(lang="python", media_mode="url"), "unknown media mode 'url'"),
    ]
    for options, message in cases:
        with pytest.raises(ValueError, match=message) as error:
            to_code(request, **options)
        assert "\n" not in str(error.value)
    with pytest.raises(ExportError, match="needs at least `model` and `messages`"):
        to_code({"model": "m"}, lang="curl")
    with pytest.raises(ExportError, match="blob refs"):
        to_code({**request, "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": {"$blob": "sha256:" + "0" * 64}}}]}]}, lang="python")  # fmt: skip


@pytest.fixture
def recorded(tmp_path):
    notebook = tmp_path / "study.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%%claude\nDescribe")]), notebook)
    ledger = Ledger(notebook)
    request = {"model": "claude-haiku-4-5", "max_tokens": 200, "temperature": 0.5,
               "messages": [{"role": "user", "content": [image(RED), {"type": "text", "text": "Describe"}]}]}  # fmt: skip
    run = ledger.start(request=request, api_version="2023-06-01", betas=["context-1m-2025-08-07"],
                       backend="simulator")  # fmt: skip
    run = ledger.finish(run, response={"id": "msg_1", "type": "message", "role": "assistant", "model": "m",
                                       "content": [{"type": "text", "text": "Red."}], "stop_reason": "end_turn",
                                       "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}})  # fmt: skip
    return notebook, ledger, run, request


def test_a_recorded_run_exports_its_request_with_blobs_restored(recorded):
    _notebook, ledger, run, request = recorded
    assert run.request["messages"][0]["content"][0]["source"]["data"] == {"$blob": "sha256:" + sha(RED)}
    code = run_to_code(run, "httpx", blobs=ledger.blob_sources())
    assert b64(RED) in code and '"anthropic-beta": "context-1m-2025-08-07"' in code
    assert '"anthropic-version": "2023-06-01"' in code
    by_callable = run_to_code(run, "httpx", blobs=lambda ref: RED if ref == "sha256:" + sha(RED) else None)
    assert by_callable == code
    assert run.to_code("curl", blobs=ledger.blob_sources()) == to_code(
        request, lang="curl", api_version="2023-06-01", betas=("context-1m-2025-08-07",)
    )
    with pytest.raises(ExportError, match="blob sha256:"):
        run_to_code(run, "python", blobs=lambda ref: None)


def test_a_composed_prompt_exports_with_its_media_paths(tmp_path):
    from workbench.prompt.spec import MediaRef, PromptSpec

    photo = tmp_path / "photo.png"
    photo.write_bytes(RED)
    spec = PromptSpec(
        request={"model": "claude-haiku-4-5", "max_tokens": 100,
                 "messages": [{"role": "user", "content": [image(RED), {"type": "text", "text": "What?"}]}]},
        api_version="2026-10-21",
        media={sha(RED): MediaRef(kind="path", media_type="image/png", path=str(photo), size=len(RED))},
    )  # fmt: skip
    code = spec_to_code(spec, "typescript", media_mode="path", media_root=tmp_path)
    assert "const photoPng = fs.readFileSync('photo.png', 'base64');" in code
    assert "data: photoPng" in code and "anthropic-version" not in code


def _cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="workbench")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = args.handler(args)
    return code, out.getvalue()


def test_workbench_export_prints_or_writes_the_code_of_a_saved_run(recorded, tmp_path):
    notebook, ledger, run, _request = recorded
    code, out = _cli("export", str(notebook), run.run_id[:8], "--lang", "python", "--stream")
    assert code == 0
    assert out == run_to_code(run, "python", blobs=ledger.blob_sources(), stream=True)
    assert "client.beta.messages.stream(" in out and b64(RED) in out
    target = tmp_path / "resend.sh"
    assert _cli("export", str(notebook), "last", "--lang", "curl", "-o", str(target))[0] == 0
    assert target.read_text().startswith("IMAGE=")
    with pytest.raises(ValueError, match="no such notebook"):
        _cli("export", str(tmp_path / "missing.ipynb"), "last")


def test_media_variables_never_shadow_the_program_or_a_keyword():
    request = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [image(RED)]}]}
    for path, lang, expected in [
        ("client", "python", 'client_2 = base64.b64encode(Path("client").read_bytes())'),
        ("class", "httpx", 'class_2 = base64.b64encode(Path("class").read_bytes())'),
        ("new", "typescript", "const new2 = fs.readFileSync('new', 'base64');"),
    ]:
        # Media maps are keyed by the bare sha256 hex (PromptSpec) or by a ledger ref ("sha256:<hex>").
        for key in (sha(RED), "sha256:" + sha(RED)):
            assert expected in to_code(request, lang=lang, media={key: {"path": path}}, media_mode="path")


def test_a_run_sent_to_another_endpoint_exports_it_as_the_fallback_url():
    from types import SimpleNamespace

    run = SimpleNamespace(
        request={"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
        api_version="2026-10-21", betas=[], backend="http://llm-gateway.internal:8080", notebook_path=None,
    )  # fmt: skip
    assert 'base_url=os.environ.get("ANTHROPIC_BASE_URL", "http://llm-gateway.internal:8080")' in run_to_code(
        run, "python"
    )
    assert "Anthropic()" in run_to_code(SimpleNamespace(**{**vars(run), "backend": "simulator"}), "python")


def test_a_recorded_file_id_is_reused_without_uploading():
    request = {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": [image(RED)]}]}
    media = {sha(RED): {"path": "/srv/red.png", "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}}
    file_id = "file_011CNha8iCJcU1wXNR6q4V8w"
    expected = {
        "python": f'"file_id": "{file_id}"',
        "httpx": f'"file_id": "{file_id}"',
        "curl": f'"file_id": "{file_id}"',
        "typescript": f"file_id: '{file_id}'",
    }
    for lang in languages:
        code = to_code(request, lang=lang, media=media, media_mode="file_id")
        assert expected[lang] in code, lang
        assert "upload" not in code and "/v1/files" not in code and b64(RED) not in code


def test_the_workbench_command_has_export(recorded, capsys):
    from workbench.cli import main

    notebook, ledger, run, _request = recorded
    assert main(["export", str(notebook), "last", "--lang", "typescript", "--media", "path"]) == 0
    assert capsys.readouterr().out == run_to_code(run, "typescript", blobs=ledger.blob_sources(), media_mode="path")
    assert main(["export", str(notebook.with_name("missing.ipynb")), "last"]) == 2
    assert capsys.readouterr().err.startswith("workbench: ")

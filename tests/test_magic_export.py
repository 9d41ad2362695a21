"""%claude export in a real kernel: code for a recorded run, printed or inserted as the next cell."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import TEST_KEY, Kernel

PROMPT = "Which planet has the most moons?"


@pytest.fixture(scope="module")
def recorded(kernel: Kernel) -> Kernel:
    execution = kernel.run(f"%%claude -n moons -s 'Be brief.'\n{PROMPT}")
    assert execution.ok, execution.error
    return kernel


def next_inputs(execution: Any) -> list[dict[str, Any]]:
    return [p for p in execution.reply["content"].get("payload", []) if p.get("source") == "set_next_input"]


def test_export_prints_code_for_the_last_run(recorded: Kernel, simulator: Any) -> None:
    execution = recorded.run("%claude export")
    assert execution.ok, execution.error
    code = execution.stdout
    assert "import anthropic" in code and PROMPT in code and "Be brief." in code
    assert TEST_KEY not in code and "sk-ant-" not in code
    assert simulator.url in code  # the run's backend is the base URL the program falls back to
    assert not next_inputs(execution)
    compile(code, "<export>", "exec")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("--lang httpx --stream", ["import httpx", '"stream": True', PROMPT]),
        ("moons curl", ["curl", PROMPT, "$ANTHROPIC_API_KEY"]),
        ("moons@1 --lang typescript", ["@anthropic-ai/sdk", PROMPT]),
    ],
)
def test_export_languages_and_options(recorded: Kernel, options: str, expected: list[str]) -> None:
    execution = recorded.run(f"%claude export {options}")
    assert execution.ok, execution.error
    for fragment in expected:
        assert fragment in execution.stdout, (options, fragment)
    assert TEST_KEY not in execution.stdout


@pytest.mark.parametrize(
    ("lang", "first_line"),
    [("python", "import os"), ("curl", "%%bash"), ("typescript", "%%writefile claude_request.ts")],
)
def test_export_cell_inserts_the_next_cell(recorded: Kernel, lang: str, first_line: str) -> None:
    execution = recorded.run(f"%claude export moons --lang {lang} --cell")
    assert execution.ok, execution.error
    (payload,) = next_inputs(execution)
    assert payload["replace"] is False
    assert payload["text"].splitlines()[0] == first_line and PROMPT in payload["text"]
    assert TEST_KEY not in payload["text"]
    assert execution.stdout == ""  # inserted, not printed


def test_bad_export_options_are_one_line(recorded: Kernel) -> None:
    for line, fragment in [
        ("%claude export --media everywhere", "argument --media: invalid choice: 'everywhere'"),
        ("%claude export moons cobol", "unknown language 'cobol'"),
        ("%claude export moons curl --lang python", "give the language once"),
        ("%claude export --bogus", "unrecognized arguments: --bogus"),
    ]:
        error = recorded.run(line).error
        assert error is not None and error["ename"] == "UsageError", line
        assert fragment in error["evalue"] and "\n" not in error["evalue"], (line, error["evalue"])

"""Every bad input gives one clear line (a UsageError, no traceback) and nothing reaches the simulator.

The composition table (prompt_bad_inputs.py) is replayed through `%%claude` option by option, plus mistakes only
the magic can make. All of them run in one kernel.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import Kernel
from prompt_bad_inputs import BAD_INPUTS, BAD_INPUTS_WITH_SETUP

from workbench.prompt import PromptOptions

_FLAGS = {
    "model": "--model",
    "api_version": "--api-version",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "top_k": "--top-k",
    "max_tokens": "--max-tokens",
    "thinking": "--thinking",
    "effort": "--effort",
    "cache": "--cache",
    "cache_ttl": "--cache-ttl",
    "tool_choice": "--tool-choice",
}

_NUMERIC = ("temperature", "top_p", "top_k", "max_tokens")


def magic_line(options: dict[str, Any]) -> str | None:
    """The %%claude line for a composition options dict, or None when the magic has no way to say it."""
    words: list[str] = []
    options = {"max_tokens": PromptOptions().max_tokens, **options}  # the table assumes composition's default
    for key, value in options.items():
        if key in _FLAGS:
            if value == "" or (key in _NUMERIC and not isinstance(value, (int, float))):
                return None  # argparse rejects these itself (covered by MAGIC_CASES)
            words += [_FLAGS[key], str(value)]
        elif key == "stop_sequences" and isinstance(value, list) and all("\n" not in v for v in value):
            words += [part for v in value for part in ("--stop", v)]
        elif key == "betas" and all(value):
            words += [part for v in value for part in ("--beta", v)]
        elif key == "tools":
            words += ["--tools", ",".join(value)]
        else:
            return None
    return shlex.join(words)


def cases_from_the_composition_table() -> Iterator[tuple[str, str, str, str]]:
    for options, cell, fragment in BAD_INPUTS:
        line = magic_line(options)
        if line is not None and cell.strip():  # IPython itself rejects an empty cell body
            yield ("", line, cell, fragment)
    for setup, options, cell, fragment in BAD_INPUTS_WITH_SETUP:
        line = magic_line(options)
        if line is not None:
            yield (setup, line, cell, fragment)


MAGIC_CASES = [
    ("", "--bogus", "Hi", "unrecognized arguments: --bogus"),
    ("", "--temperature 0.5 --api-version 2026-10-21", "Hi", "temperature is not accepted by API version 2026-10-21"),
    ("", "--top-k 5 --api-version 2026-10-21", "Hi", "top_k is not accepted by API version 2026-10-21"),
    ("", "--max-tokens lots", "Hi", "argument --max-tokens: invalid int value: 'lots'"),
    ("", "--temperature warm", "Hi", "argument --temperature: invalid float value: 'warm'"),
    ("", "--model", "Hi", "argument -m/--model: expected one argument"),
    ("", "--out 1st", "Hi", "--out: '1st' is not a Python identifier"),
    ("", "--max-steps 0 --run-tools", "Hi", "--max-steps: must be at least 1"),
    ("", "--thinking maybe", "Hi", "thinking must be 'off', 'adaptive' or a token budget"),
    ("", "--thinking 100", "Hi", "thinking budget must be at least 1024 tokens, got 100"),
    ("", "--tools nowhere", "Hi", "unknown tool 'nowhere'"),
    ("", "--tool-choice any", "Hi", "tool_choice 'any' needs tools"),
    ("", "--cache tools", "Hi", "cache"),
    ("", "--effort extreme", "Hi", "effort must be one of"),
    ("", "--api-version 1999-01-01", "Hi", "api_version must be one of 2023-06-01, 2026-10-21"),
    ("", "-s 'unbalanced", "Hi", "No closing quotation"),
    ("", "--dry-run --temperature 3", "Hi", "temperature must be between 0 and 1, got 3.0"),
    ("", "--chat t1", "Hello {{ missing }}", "undefined name 'missing'"),
    ("", "--repeat 0", "Hi", "--repeat: must be at least 1"),
    ("", "--models ,", "Hi", "--models: give model ids separated by commas"),
    ("", "--model claude-haiku-4-5 --models claude-haiku-4-5,claude-sonnet-4-5", "Hi", "either --model or --models"),
    ("", "--chat t1 --repeat 2", "Hi", "--chat continues one conversation"),
    ("", "--models claude-haiku-4-5,claude-sonnet-4-5 --temperature 2", "Hi", "temperature must be between 0 and 1"),
    # last: it changes the kernel's replay policy to "never call the API"
    ("%config Claude.replay = 'replay'", "-n unseen", "A prompt nobody answered yet.",
     "no recorded run answers this prompt"),
]


def bad_cases() -> list[tuple[str, str, str, str]]:
    return [*cases_from_the_composition_table(), *MAGIC_CASES]


LINE_MAGIC_CASES = [
    ("%claude frobnicate", "unknown %claude command 'frobnicate'"),
    ("%claude export", "usage: %claude export RUN"),
    ("%claude export last cobol", "unknown language 'cobol'"),
    ("%claude compare", "%claude compare needs runs"),
    ("%claude compare no-such-run-anywhere", "no run with this id, name or version"),
    ("%claude config extra", "%claude config takes no arguments"),
]


@pytest.fixture(scope="module")
def strict_kernel(kernel_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    live = Kernel(kernel_env, tmp_path_factory.mktemp("bad-inputs"))
    yield live
    live.shutdown()


def test_the_table_is_large_enough() -> None:
    assert len(bad_cases()) + len(LINE_MAGIC_CASES) >= 30


def assert_one_line_usage_error(execution: Any, fragment: str, label: str) -> None:
    error = execution.error
    assert error is not None, f"{label}: no error"
    assert error["ename"] == "UsageError", f"{label}: {error['ename']}: {error['evalue']}"
    assert "\n" not in error["evalue"] and fragment in error["evalue"], f"{label}: {error['evalue']!r}"
    assert not execution.outputs, f"{label}: something was displayed"


def test_bad_inputs_fail_early_with_one_line(strict_kernel: Kernel, simulator: Any) -> None:
    received = len(simulator.engine.received)
    for setup, line, cell, fragment in bad_cases():
        if setup:
            assert strict_kernel.run(setup).ok
        execution = strict_kernel.run(f"%%claude {line}\n{cell}")
        assert_one_line_usage_error(execution, fragment, f"%%claude {line} / {cell!r}")
    for code, fragment in LINE_MAGIC_CASES:
        assert_one_line_usage_error(strict_kernel.run(code), fragment, code)
    assert len(simulator.engine.received) == received, "a bad input reached the simulator"


def test_help_lists_the_options(strict_kernel: Kernel) -> None:
    reply = strict_kernel.client.execute_interactive("%%claude?", timeout=30, output_hook=lambda m: None)
    pages = [p for p in reply["content"].get("payload", []) if p.get("source") == "page"]
    text = pages[0]["data"]["text/plain"]
    for option in ("--model", "--thinking", "--dry-run", "--chat", "--run-tools", "--out", "--fresh", "--no-stream"):
        assert option in text

"""Composed requests against the embedded simulator: what compose() accepts, the API accepts."""

import itertools
from pathlib import Path

import pytest

from workbench.api.client import Client
from workbench.prompt import PromptError, PromptOptions, compose
from workbench.simulator import SimulatorTransport

DATA = Path(__file__).resolve().parent / "data"
CELL = """%system
You review documents. {{ cache('1h') }}
%user
{{ image('tiny.png') }} {{ document('tiny.pdf', title='Tiny', citations=True) }}
{{ document(notes) }} {{ cache() }}
What do these say?"""


@pytest.fixture(scope="module")
def transport():
    return SimulatorTransport()


def client(transport, api_version):
    return Client(api_key="sk-ant-prompt-tests", api_version=api_version, transport=transport, max_retries=0)


@pytest.fixture(scope="module")
def models(transport):
    return list(client(transport, "2023-06-01").models.list())


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@pytest.mark.parametrize("api_version", ["2023-06-01", "2026-10-21"])
def test_every_request_compose_accepts_is_accepted(transport, models, api_version):
    """Across the model catalogue, thinking and effort settings: compose() with the model's info either
    refuses with one line, or builds a request the simulator answers with 200."""
    accepted = refused = 0
    for info, thinking, effort in itertools.product(models, [None, "off", "adaptive", 2048], [None, "low", "xhigh"]):
        options = PromptOptions(model=info.id, api_version=api_version, thinking=thinking, effort=effort,
                                max_tokens=4096, tools=["add"], cache="tools", cache_ttl="1h")
        try:
            spec = compose(options, CELL, {"notes": "Plain notes.", "add": add}, base_dir=DATA, model_info=info)
        except PromptError as exc:
            assert "\n" not in str(exc)
            refused += 1
            continue
        message = client(transport, api_version).messages.create(**spec.to_request())
        assert message.stop_reason in ("end_turn", "tool_use", "max_tokens")
        accepted += 1
    assert accepted and refused


def test_streamed_prefill_request(transport):
    spec = compose(PromptOptions(model="claude-haiku-4-5", temperature=0.2, stop_sequences=["###"]),
                   "Give JSON.\n%assistant\n{", {})
    with client(transport, "2023-06-01").messages.stream(**spec.to_request()) as stream:
        assert stream.get_final_message().role == "assistant"

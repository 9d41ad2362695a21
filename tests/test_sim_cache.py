"""Prompt-cache accounting: write, read, expiry (injected clock), prefix order, TTL breakdown, minimum length."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
import pytest
from PIL import Image

from workbench.simulator import Engine, ManualClock, SimulatorTransport
from workbench.simulator.tokens import count_text, image_tokens, truncate_to_tokens

MODEL = "claude-opus-4-8"  # minimum cacheable prefix: 1024 tokens
LONG = "The quick brown fox jumps over the lazy dog. " * 200  # about 2000 tokens
CC5 = {"type": "ephemeral"}
CC1H = {"type": "ephemeral", "ttl": "1h"}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def client(clock):
    with httpx.Client(transport=SimulatorTransport(Engine(clock=clock)), base_url="http://simulator",
                      headers={"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}) as c:
        yield c


def request(system_ttl: dict[str, Any] | None = CC5, question: str = "Summarise.", **extra: Any) -> dict[str, Any]:
    system = [{"type": "text", "text": LONG, **({"cache_control": system_ttl} if system_ttl else {})}]
    return {"model": MODEL, "max_tokens": 50, "system": system,
            "messages": [{"role": "user", "content": question}], **extra}


def usage(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()["usage"]


def counted(client: httpx.Client, body: dict[str, Any]) -> int:
    fields = {k: v for k, v in body.items() if k not in ("max_tokens", "stream")}
    return client.post("/v1/messages/count_tokens", json=fields).json()["input_tokens"]


def test_write_then_read_then_write_after_ttl(client, clock):
    body = request()
    first = usage(client, body)
    total = counted(client, body)
    assert first["cache_read_input_tokens"] == 0
    assert first["cache_creation_input_tokens"] > 1024
    assert first["cache_creation"] == {"ephemeral_5m_input_tokens": first["cache_creation_input_tokens"],
                                       "ephemeral_1h_input_tokens": 0}
    assert first["input_tokens"] + first["cache_creation_input_tokens"] == total

    clock.advance(200)
    second = usage(client, body)
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0
    assert second["input_tokens"] == first["input_tokens"]

    clock.advance(250)  # 450 s after the write, but 250 s after the read that refreshed the entry
    assert usage(client, body)["cache_read_input_tokens"] == first["cache_creation_input_tokens"]

    clock.advance(301)
    expired = usage(client, body)
    assert expired["cache_read_input_tokens"] == 0
    assert expired["cache_creation_input_tokens"] == first["cache_creation_input_tokens"]


def test_one_hour_ttl(client, clock):
    body = request(CC1H)
    first = usage(client, body)
    assert first["cache_creation"]["ephemeral_1h_input_tokens"] == first["cache_creation_input_tokens"] > 0
    assert first["cache_creation"]["ephemeral_5m_input_tokens"] == 0
    clock.advance(1800)
    assert usage(client, body)["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    clock.advance(3601)
    assert usage(client, body)["cache_creation"]["ephemeral_1h_input_tokens"] == first["cache_creation_input_tokens"]


def test_mixed_ttls_are_broken_down(client):
    body = request(CC1H)
    body["messages"] = [{"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": CC5}]}]
    first = usage(client, body)
    breakdown = first["cache_creation"]
    assert breakdown["ephemeral_1h_input_tokens"] > 1024 and breakdown["ephemeral_5m_input_tokens"] > 1024
    assert sum(breakdown.values()) == first["cache_creation_input_tokens"]
    assert first["input_tokens"] == 0
    assert first["cache_creation_input_tokens"] == counted(client, body)


def test_below_minimum_is_not_cached(client):
    body = request()
    body["system"][0]["text"] = "Short system prompt."
    for _ in range(2):
        result = usage(client, body)
        assert result["cache_creation_input_tokens"] == result["cache_read_input_tokens"] == 0
    haiku = request(model="claude-haiku-4-5")  # minimum 4096: a 2000-token prefix is not cached
    assert usage(client, haiku)["cache_creation_input_tokens"] == 0


def test_prefix_order_tools_system_messages(client):
    tool = {"name": "lookup", "input_schema": {"type": "object", "properties": {}}}
    body = request(tools=[tool])
    written = usage(client, body)["cache_creation_input_tokens"]
    # a different question after the breakpoint still reads the tools + system prefix
    assert usage(client, request(tools=[tool], question="Another question"))["cache_read_input_tokens"] == written
    # changing the tools (earlier in the prefix) or the model misses
    changed = dict(tool, description="changed")
    assert usage(client, request(tools=[changed]))["cache_read_input_tokens"] == 0
    assert usage(client, request(tools=[tool], model="claude-opus-4-7"))["cache_read_input_tokens"] == 0


def test_conversation_reads_the_previous_turn(client):
    turn1 = [{"role": "user", "content": [{"type": "text", "text": LONG, "cache_control": CC5}]}]
    body = {"model": MODEL, "max_tokens": 50, "messages": turn1}
    first = usage(client, body)["cache_creation_input_tokens"]
    turn2 = [{"role": "user", "content": [{"type": "text", "text": LONG}]},
             {"role": "assistant", "content": "Noted."},
             {"role": "user", "content": [{"type": "text", "text": "And now?", "cache_control": CC5}]}]
    second = usage(client, {**body, "messages": turn2})
    assert second["cache_read_input_tokens"] == first
    assert second["cache_creation_input_tokens"] > 0 and second["input_tokens"] == 0


def test_top_level_cache_control_marks_the_last_block(client):
    body = request(None, cache_control=CC5)
    body["messages"][0]["content"] = LONG
    first = usage(client, body)
    assert first["cache_creation_input_tokens"] == counted(client, body)
    assert usage(client, body)["cache_read_input_tokens"] == first["cache_creation_input_tokens"]


def test_streamed_usage_matches(client):
    body = request()
    usage(client, body)
    with client.stream("POST", "/v1/messages", json={**body, "stream": True}) as response:
        text = response.read().decode()
    assert f'"cache_read_input_tokens":{counted(client, body) - usage(client, body)["input_tokens"]}' in text


def test_documented_tokenizer():
    assert count_text("Hello, world!") == 6  # Hello(2) ,(1) world(2) !(1)
    assert count_text("   ") == 0
    assert image_tokens((1000, 1000)) == 1334  # ceil(1000*1000/750)
    assert image_tokens((3136, 1568)) == image_tokens((1568, 784))  # scaled to 1568 px on the long edge
    assert image_tokens(None) == 1600
    assert truncate_to_tokens("one two three", 3) == ("one two", 2)  # one(1) two(1) three(2)


def test_count_tokens_agrees_with_usage_for_every_block_kind(client):
    out = io.BytesIO()
    Image.new("RGB", (300, 200)).save(out, "PNG")
    pdf = b"%PDF-1.4 << /Type /Page >> << /Type /Page >> << /Type /Pages >>"
    body = {
        "model": MODEL, "max_tokens": 50, "system": "Be exact.",
        "tools": [{"name": "lookup", "description": "Find things", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                             "data": base64.b64encode(out.getvalue()).decode()}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                                "data": base64.b64encode(pdf).decode()}},
                {"type": "text", "text": "Look these up"}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup",
                                               "input": {"q": "x"}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "found"}]},
        ],
    }
    total = counted(client, body)
    assert total > 2 * 1500 + 80  # two PDF pages and a 300x200 image (80 tokens)
    assert usage(client, body)["input_tokens"] == total

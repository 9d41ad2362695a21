"""What the simulated model answers: deterministic, derived from the request, honouring every limit."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import jsonschema
import pytest

from workbench.simulator import Engine, SimRequest, SimulatorOptions, SimulatorTransport

HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "minLength": 2},
        "when": {"type": "string", "format": "date"},
        "unit": {"enum": ["celsius", "fahrenheit"]},
        "days": {"type": "integer", "minimum": 1, "maximum": 10},
        "detailed": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2},
        "where": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                  "required": ["lat", "lon"]},
        "note": {"type": ["string", "null"]},
        "contact": {"type": "string", "format": "email"},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "maximum": 5},
        "offset": {"type": "integer", "maximum": -3},
    },
    "required": ["city", "unit", "days", "where"],
    "additionalProperties": False,
}
FORECAST = {"name": "forecast", "description": "Weather forecast", "input_schema": SCHEMA}


def client_for(engine: Engine | None = None) -> httpx.Client:
    return httpx.Client(transport=SimulatorTransport(engine), base_url="http://simulator", headers=HEADERS)


@pytest.fixture
def engine() -> Engine:
    return Engine()


@pytest.fixture
def client(engine):
    with client_for(engine) as c:
        yield c


def create(client: httpx.Client, content: Any = "Hello", **params: Any) -> dict[str, Any]:
    body = {"model": "claude-haiku-4-5", "max_tokens": 1000, "messages": [{"role": "user", "content": content}],
            **params}
    response = client.post("/v1/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def text_of(message: dict[str, Any]) -> str:
    return "".join(b["text"] for b in message["content"] if b["type"] == "text")


def test_deterministic_for_a_seed():
    replies = [create(client_for(Engine(seed=7)), "Tell me about tea") for _ in range(2)]
    assert replies[0] == replies[1]  # same seed, same request: same id, same text, same usage
    other = create(client_for(Engine(seed=8)), "Tell me about tea")
    assert other["id"] != replies[0]["id"] and other["content"] == replies[0]["content"]


def test_reply_describes_the_request_in_markdown(client):
    content = [{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
               {"type": "image", "source": {"type": "url", "url": "https://example.com/b.png"}},
               {"type": "text", "text": "Compare these two charts"}]
    text = text_of(create(client, content, system="You are a meticulous data analyst who loves tables."))
    assert "Compare these two charts" in text
    assert "claude-haiku-4-5-20251001" in text and "Claude Haiku 4.5" in text
    assert "You are a meticulous data analyst" in text
    assert "2 images" in text
    assert "**" in text and "\n- " in text and "```" in text


def test_n_words(client):
    text = text_of(create(client, "Write 1500 words about rivers", max_tokens=8000))
    assert 1400 <= len(text.split()) <= 1600


def test_max_tokens_cuts_the_reply(client):
    full = create(client, "Write 300 words about tea")
    cut = create(client, "Write 300 words about tea", max_tokens=20)
    assert cut["stop_reason"] == "max_tokens" and full["stop_reason"] == "end_turn"
    assert cut["usage"]["output_tokens"] <= 20
    assert text_of(full).startswith(text_of(cut)) and len(text_of(cut)) < len(text_of(full))


def test_max_tokens_zero(client):
    reply = create(client, max_tokens=0)
    assert reply["content"] == [] and reply["stop_reason"] == "max_tokens"
    assert reply["usage"]["output_tokens"] == 0 and reply["usage"]["input_tokens"] > 0


def test_stop_sequences(client):
    reply = create(client, stop_sequences=["nothing here", "System prompt"])
    assert reply["stop_reason"] == "stop_sequence" and reply["stop_sequence"] == "System prompt"
    assert "System prompt" not in text_of(reply) and text_of(reply).endswith("**")


def test_prefill_is_continued(client):
    messages = [{"role": "user", "content": "Give me JSON about cats"}, {"role": "assistant", "content": "{"}]
    reply = client.post("/v1/messages", json={"model": "claude-haiku-4-5", "max_tokens": 200, "messages": messages}).json()
    assert json.loads("{" + text_of(reply))["simulated"] is True
    messages[-1]["content"] = "Once upon a time"
    reply = client.post("/v1/messages", json={"model": "claude-haiku-4-5", "max_tokens": 200, "messages": messages}).json()
    assert text_of(reply).startswith(" continuing your prefill")


def test_forced_tool_input_matches_schema(client):
    for choice in ({"type": "any"}, {"type": "tool", "name": "forecast"}):
        reply = create(client, "Plan my trip to Lisbon", tools=[FORECAST], tool_choice=choice)
        assert reply["stop_reason"] == "tool_use"
        assert [b["type"] for b in reply["content"]] == ["tool_use"]  # forced: no text first
        jsonschema.validate(reply["content"][0]["input"], SCHEMA)
        assert reply["content"][0]["input"]["city"] == "Lisbon"


def test_tools_used_only_when_asked(client):
    assert create(client, "Hello there", tools=[FORECAST])["stop_reason"] == "end_turn"
    asked = create(client, "Please use the forecast tool", tools=[FORECAST])
    assert asked["stop_reason"] == "tool_use" and asked["content"][0]["type"] == "text"
    assert create(client, "Please use the forecast tool", tools=[FORECAST],
                  tool_choice={"type": "none"})["stop_reason"] == "end_turn"


def test_tool_error_result_is_reported(client):
    messages = [
        {"role": "user", "content": "Use the forecast tool"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "forecast", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True,
                                      "content": [{"type": "text", "text": "service down"}]}]},
    ]
    reply = client.post("/v1/messages", json={"model": "claude-haiku-4-5", "max_tokens": 300, "tools": [FORECAST],
                                              "messages": messages}).json()
    assert reply["stop_reason"] == "end_turn" and "service down" in text_of(reply)


def test_thinking_display_and_defaults(client):
    summarized = create(client, max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024})
    assert summarized["content"][0]["type"] == "thinking" and summarized["content"][0]["thinking"]
    omitted = create(client, model="claude-opus-5-5")  # always thinks; display defaults to omitted
    block = omitted["content"][0]
    assert block["type"] == "thinking" and block["thinking"] == "" and block["signature"]
    assert omitted["usage"]["output_tokens_details"]["thinking_tokens"] > 0
    assert create(client, model="claude-opus-4-8")["content"][0]["type"] == "text"  # thinking off unless asked


def test_scripted_replies(engine, client):
    engine.script_reply(text="Exactly this.")
    engine.script_reply(thinking="Hmm.", tool_uses=[{"name": "forecast", "input": {"city": "Oslo"}}])
    engine.script_reply(text="Truncated on purpose", stop_reason="refusal")
    engine.script_reply(text="Thought about it.", thinking="Exact thoughts.")
    first = create(client)
    assert first["content"] == [{"type": "text", "text": "Exactly this."}] and first["stop_reason"] == "end_turn"
    second = create(client, tools=[FORECAST])
    assert [b["type"] for b in second["content"]] == ["thinking", "tool_use"]
    assert second["content"][0]["thinking"] == "Hmm."
    assert second["content"][1]["input"] == {"city": "Oslo"} and second["stop_reason"] == "tool_use"
    assert create(client)["stop_reason"] == "refusal"
    thought = create(client, max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024})
    assert [b.get("thinking") for b in thought["content"]] == ["Exact thoughts.", None]
    assert text_of(create(client)).startswith("**Simulated reply**")  # queue empty: derived replies again


def test_received_requests_are_recorded_without_keys(engine, client):
    create(client, "Recorded?")
    seen = engine.received[-1]
    assert seen.method == "POST" and seen.path == "/v1/messages"
    assert seen.json["messages"][0]["content"] == "Recorded?"
    assert seen.headers["x-api-key"] == "<redacted>" and "sk-ant-test" not in repr(engine.received)
    assert "sk-ant-test" not in repr(SimRequest("POST", "/v1/messages", {"x-api-key": "sk-ant-test"}))


def test_pdf_and_content_documents_are_cited(client):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Page >> stream BT (Rivers flow to the sea.) Tj ET endstream\n%%EOF"
    content = [
        {"type": "document", "title": "Rivers", "citations": {"enabled": True},
         "source": {"type": "base64", "media_type": "application/pdf", "data": base64.b64encode(pdf).decode()}},
        {"type": "document", "citations": {"enabled": False},
         "source": {"type": "text", "media_type": "text/plain", "data": "Not cited."}},
        {"type": "document", "citations": {"enabled": True},
         "source": {"type": "content", "content": [{"type": "text", "text": "Chunk one."}]}},
        {"type": "text", "text": "What do these say?"},
    ]
    reply = create(client, content)
    citations = [c for b in reply["content"] for c in b.get("citations") or []]
    assert [c["type"] for c in citations] == ["page_location", "content_block_location"]
    assert citations[0]["cited_text"] == "Rivers flow to the sea." and citations[0]["document_title"] == "Rivers"
    assert citations[1]["document_index"] == 2 and citations[1]["cited_text"] == "Chunk one."


def test_structured_output_matches_the_schema(client):
    reply = create(client, "Forecast for Lisbon", model="claude-opus-4-8",
                   output_config={"format": {"type": "json_schema", "schema": SCHEMA}})
    jsonschema.validate(json.loads(text_of(reply)), SCHEMA)


def test_received_keeps_only_the_most_recent_requests():
    engine = Engine(options=SimulatorOptions(keep_received=3))
    client = client_for(engine)
    for n in range(5):
        create(client, f"question {n}")
    assert [r.json["messages"][0]["content"] for r in engine.received] == ["question 2", "question 3", "question 4"]

"""Every request rule the simulator enforces: real status, real error JSON, the API's message."""

from __future__ import annotations

import base64
import copy
import io
import json
import random
from typing import Any

import httpx
import pytest
from PIL import Image

from workbench.simulator import SimRequest, SimulatorTransport

NEW, OLD = "2026-10-21", "2023-06-01"
BASE = {"model": "claude-haiku-4-5", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}
TOOL = {"name": "lookup", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}
CC = {"type": "ephemeral"}


@pytest.fixture(scope="module")
def client():
    with httpx.Client(transport=SimulatorTransport(), base_url="http://simulator") as c:
        yield c


def send(client: httpx.Client, body: Any, version: str = OLD, *, headers: dict[str, str] | None = None,
         path: str = "/v1/messages") -> httpx.Response:
    sent = {"x-api-key": "sk-ant-test", "anthropic-version": version, **(headers or {})}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=content, headers={k: v for k, v in sent.items() if v is not None})


def png_b64(width: int = 8, height: int = 8) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def image(data: str | None = None, media_type: str = "image/png") -> dict[str, Any]:
    return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data or png_b64()}}


def body(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


def user(*blocks: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(blocks)}]


TOOL_TURNS = [
    {"role": "user", "content": "Look it up"},
    {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}]},
]

# (id, body, status, exact message) — checked under both API versions
BOTH_VERSIONS = [
    ("missing-model", body(model=None), 400, "model: Field required"),
    ("missing-max-tokens", body(max_tokens=None), 400, "max_tokens: Field required"),
    ("missing-messages", body(messages=None), 400, "messages: Field required"),
    ("bad-type", body(max_tokens="ten"), 400, "max_tokens: Input should be a valid integer"),
    ("negative-max-tokens", body(max_tokens=-1), 400, "max_tokens: Input should be greater than or equal to 0"),
    ("extra-top-level", body(colour="blue"), 400, "colour: Extra inputs are not permitted"),
    ("extra-nested", body(messages=[{"role": "user", "content": "Hi", "name": "x"}]), 400,
     "messages.0.name: Extra inputs are not permitted"),
    ("extra-in-block", body(messages=user({"type": "text", "text": "Hi", "bold": True})), 400,
     "messages.0.content.0.text.bold: Extra inputs are not permitted"),
    ("unknown-block", body(messages=user({"type": "video", "url": "x"})), 400,
     "messages.0.content.0: Input tag 'video' found using 'type' does not match any of the expected tags: 'text', "
     "'image', 'document', 'search_result', 'thinking', 'redacted_thinking', 'tool_use', 'tool_result', "
     "'server_tool_use', 'web_search_tool_result', 'web_fetch_tool_result', 'code_execution_tool_result', "
     "'bash_code_execution_tool_result', 'text_editor_code_execution_tool_result', 'tool_search_tool_result', "
     "'container_upload'"),
    ("bad-role", body(messages=[{"role": "robot", "content": "Hi"}]), 400,
     "messages.0.role: Input should be 'user', 'assistant' or 'system'"),
    ("no-messages", body(messages=[]), 400, "messages: at least one message is required"),
    ("first-role", body(messages=[{"role": "assistant", "content": "Hi"}, {"role": "user", "content": "Hi"}]), 400,
     'messages: first message must use the "user" role'),
    ("empty-content", body(messages=[{"role": "user", "content": ""}]), 400,
     "messages.0: all messages must have non-empty content except for the optional final assistant message"),
    ("empty-list-content", body(messages=[{"role": "user", "content": []}]), 400,
     "messages.0: all messages must have non-empty content except for the optional final assistant message"),
    ("empty-text-block", body(messages=user({"type": "text", "text": ""})), 400,
     "messages: text content blocks must be non-empty"),
    ("orphan-tool-use", body(tools=[TOOL], messages=[*TOOL_TURNS, {"role": "user", "content": "and?"}]), 400,
     "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each "
     "`tool_use` block must have a corresponding `tool_result` block in the next message."),
    ("orphan-tool-result", body(messages=user({"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"})), 400,
     "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_9. Each `tool_result` "
     "block must have a corresponding `tool_use` block in the previous message."),
    ("duplicate-tool-use-ids", body(tools=[TOOL], messages=[
        {"role": "user", "content": "x"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}},
                                          {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1"}]}]), 400,
     "messages.1: `tool_use` ids must be unique"),
    ("budget-too-small", body(max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 1000}), 400,
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
    ("budget-not-below-max", body(max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 2000}), 400,
     "`max_tokens` must be greater than `thinking.budget_tokens`."),
    ("budget-thinking-unsupported",
     body(model="claude-opus-4-8", max_tokens=4000, thinking={"type": "enabled", "budget_tokens": 2000}), 400,
     "thinking.type.enabled is not supported for claude-opus-4-8. Use thinking.type.adaptive and "
     "output_config.effort to control thinking behavior."),
    ("adaptive-unsupported", body(thinking={"type": "adaptive"}), 400,
     "thinking.type.adaptive is not supported for claude-haiku-4-5-20251001. Use thinking.type.enabled with "
     "budget_tokens."),
    ("thinking-cannot-be-disabled", body(model="claude-fable-5", thinking={"type": "disabled"}), 400,
     "thinking.type.disabled: thinking cannot be disabled for claude-fable-5"),
    ("forced-tool-with-thinking", body(max_tokens=4000, tools=[TOOL], tool_choice={"type": "any"},
                                       thinking={"type": "enabled", "budget_tokens": 1024}), 400,
     "Thinking may not be enabled when tool_choice forces tool use."),
    ("forced-tool-always-thinking-model", body(model="claude-opus-5-5", tools=[TOOL],
                                               tool_choice={"type": "tool", "name": "lookup"}), 400,
     "Thinking may not be enabled when tool_choice forces tool use."),
    ("unknown-forced-tool", body(tools=[TOOL], tool_choice={"type": "tool", "name": "nope"}), 400,
     "tool_choice.tool.name: tool 'nope' was not found in `tools`"),
    ("duplicate-tool-names", body(tools=[TOOL, TOOL]), 400, "tools: Tool names must be unique."),
    ("five-breakpoints", body(system=[{"type": "text", "text": f"s{i}", "cache_control": CC} for i in range(5)]), 400,
     "A maximum of 4 blocks with cache_control may be provided. Found 5."),
    ("top-level-breakpoint-counts", body(cache_control=CC, system=[
        {"type": "text", "text": f"s{i}", "cache_control": CC} for i in range(4)]), 400,
     "A maximum of 4 blocks with cache_control may be provided. Found 5."),
    ("1h-after-5m", body(system=[{"type": "text", "text": "a", "cache_control": CC},
                                 {"type": "text", "text": "b", "cache_control": {"type": "ephemeral", "ttl": "1h"}}]),
     400, "cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block"),
    ("bad-ttl", body(system=[{"type": "text", "text": "a", "cache_control": {"type": "ephemeral", "ttl": "2h"}}]), 400,
     "system.0.text.cache_control.ttl: Input should be '5m' or '1h'"),
    ("unsupported-media-type", body(messages=user(image(media_type="image/bmp"))), 400,
     "messages.0.content.0.image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', "
     "'image/gif' or 'image/webp'"),
    ("media-type-mismatch", body(messages=user(image(media_type="image/jpeg"))), 400,
     "messages.0.content.0.image.source.base64.data: Image does not match the provided media type image/jpeg"),
    ("not-an-image", body(messages=user(image(base64.b64encode(b"hello").decode()))), 400,
     "messages.0.content.0.image.source.base64.data: Could not process image"),
    ("pdf-media-type", body(messages=user({"type": "document", "source": {
        "type": "base64", "media_type": "application/msword", "data": "AAAA"}})), 400,
     "messages.0.content.0.document.source.base64.media_type: Input should be 'application/pdf'"),
    ("too-many-images", body(messages=user(*[image()] * 101)), 400,
     "messages: too many images: 101 > 100 maximum for claude-haiku-4-5-20251001"),
    ("image-too-large-bytes", body(messages=user(image(base64.b64encode(
        base64.b64decode(png_b64()) + b"\0" * (5 * 1024 * 1024)).decode()))), 400,
     "messages.0.content.0.image.source.base64: image exceeds 5 MB maximum: 5242949 bytes > 5242880 bytes"),
    ("image-too-large-pixels", body(messages=user(image(png_b64(8001, 2)))), 400,
     "messages.0.content.0.image.source: At least one of the image dimensions exceed max allowed size: 8000 pixels"),
    ("many-images-smaller-limit", body(messages=user(*[image()] * 20, image(png_b64(2001, 2)))), 400,
     "messages.0.content.20.image.source: At least one of the image dimensions exceed max allowed size for "
     "many-image requests: 2000 pixels"),
    ("max-tokens-above-model", body(max_tokens=64_001), 400,
     "max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5-20251001"),
    ("prompt-too-long", body(messages=[{"role": "user", "content": "word " * 200_000}]), 400,
     "prompt is too long: 200003 tokens > 200000 maximum"),
    ("prefill-unsupported", body(model="claude-opus-4-8", messages=[{"role": "user", "content": "Hi"},
                                                                   {"role": "assistant", "content": "Sure"}]), 400,
     "This model does not support assistant message prefill. The conversation must end with a user message."),
    ("prefill-trailing-space", body(messages=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "So "}]),
     400, "messages: final assistant content cannot end with trailing whitespace"),
    ("effort-unsupported", body(output_config={"effort": "high"}), 400,
     "output_config.effort: claude-haiku-4-5-20251001 does not support the effort parameter"),
    ("invalid-input-schema", body(tools=[{"name": "t", "input_schema": {"type": "object", "properties": []}}]), 400,
     "tools.0.custom.input_schema: JSON schema is invalid - please consult https://json-schema.org or our "
     "documentation at https://docs.anthropic.com/en/docs/tool-use"),
    ("unknown-model", body(model="claude-nope"), 404, "model: claude-nope"),
]


def check(response: httpx.Response, status: int, message: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    payload = response.json()
    assert payload["type"] == "error"
    assert payload["error"]["message"] == message
    assert payload["request_id"] == response.headers["request-id"]
    assert payload["request_id"].startswith("req_")
    return payload


@pytest.mark.parametrize("version", [OLD, NEW])
@pytest.mark.parametrize(("request_body", "status", "message"), [c[1:] for c in BOTH_VERSIONS],
                         ids=[c[0] for c in BOTH_VERSIONS])
def test_rule(client, version, request_body, status, message):
    payload = check(send(client, request_body, version), status, message)
    expected_type = {400: "invalid_request_error", 404: "not_found_error"}[status]
    assert payload["error"]["type"] == expected_type


def test_image_dimension_error_has_error_code(client):
    payload = check(send(client, body(messages=user(image(png_b64(8001, 2))))), 400,
                    "messages.0.content.0.image.source: At least one of the image dimensions exceed max allowed "
                    "size: 8000 pixels")
    assert payload["error"]["details"] == {"error_code": "image_dimensions_too_large", "max_side_length_pixels": 8000,
                                           "paths": ["messages.0.content.0.image.source"]}


@pytest.mark.parametrize("param", ["temperature", "top_p", "top_k"])
def test_sampling_params_removed_in_new_version(client, param):
    value = 1 if param == "top_k" else 0.5
    check(send(client, body(**{param: value}), NEW), 400, f"{param}: Extra inputs are not permitted")
    assert send(client, body(**{param: value}), OLD).status_code == 200


def test_sampling_params_old_version_rules(client):
    check(send(client, body(temperature=1.5)), 400, "temperature: Input should be less than or equal to 1.0")
    check(send(client, body(model="claude-opus-4-8", temperature=0.2)), 400,
          "temperature: claude-opus-4-8 does not accept a non-default `temperature`; remove it")
    assert send(client, body(model="claude-opus-4-8", temperature=1)).status_code == 200
    thinking = {"type": "enabled", "budget_tokens": 1024}
    check(send(client, body(max_tokens=3000, thinking=thinking, temperature=0.5)), 400,
          "`temperature` may only be set to 1 when thinking is enabled.")
    check(send(client, body(max_tokens=3000, thinking=thinking, top_k=5)), 400,
          "`top_k` must be unset when thinking is enabled.")


def test_new_version_rejects_assistant_documents_and_user_citations(client):
    doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "A fact."}}
    messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": [doc]},
                {"role": "user", "content": "and?"}]
    check(send(client, body(messages=messages), NEW), 400,
          "messages.1.content.0: document blocks are not permitted in assistant messages in API version 2026-10-21")
    assert send(client, body(messages=messages), OLD).status_code == 200
    cited = {"type": "text", "text": "A fact", "citations": [{"type": "char_location", "cited_text": "A fact",
                                                              "document_index": 0, "start_char_index": 0,
                                                              "end_char_index": 6}]}
    check(send(client, body(messages=user(cited)), NEW), 400,
          "messages.0.content.0.text.citations: citations are not permitted in user messages in API version 2026-10-21")
    assert send(client, body(messages=user(cited)), OLD).status_code == 200


def test_count_tokens_validates_too(client):
    check(send(client, {"model": "claude-haiku-4-5", "messages": [], "max_tokens": 5}, path="/v1/messages/count_tokens"),
          400, "max_tokens: Extra inputs are not permitted")
    check(send(client, {"model": "claude-haiku-4-5", "messages": []}, path="/v1/messages/count_tokens"), 400,
          "messages: at least one message is required")
    check(send(client, {"model": "claude-x", "messages": BASE["messages"]}, path="/v1/messages/count_tokens"), 404,
          "model: claude-x")


def test_authentication(client):
    response = send(client, BASE, headers={"x-api-key": None})
    assert check(response, 401, "x-api-key header is required")["error"]["type"] == "authentication_error"
    check(send(client, BASE, headers={"x-api-key": "not-a-key"}), 401, "invalid x-api-key")
    bearer = send(client, BASE, headers={"x-api-key": None, "authorization": "Bearer sk-ant-oat-1"})
    assert bearer.status_code == 200
    restricted = httpx.Client(transport=SimulatorTransport(api_keys=("sk-ant-only",)), base_url="http://simulator")
    check(send(restricted, BASE), 401, "invalid x-api-key")
    assert send(restricted, BASE, headers={"x-api-key": "sk-ant-only"}).status_code == 200


def test_version_header(client):
    check(send(client, BASE, headers={"anthropic-version": None}), 400, "anthropic-version: header is required")
    check(send(client, BASE, "2024-01-01"), 400, "anthropic-version: '2024-01-01' is not a valid version")


def test_body_too_large(client):
    huge = json.dumps(body(messages=[{"role": "user", "content": "x" * (32 * 1024 * 1024)}])).encode()
    payload = check(send(client, huge), 413, "Request exceeds the maximum allowed number of bytes.")
    assert payload["error"]["type"] == "request_too_large"


def test_invalid_json_and_unknown_path(client):
    response = send(client, b"{not json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("There was an error parsing the body of your request")
    check(send(client, BASE, path="/v1/nothing"), 404, "Not found: POST /v1/nothing")


def test_bad_knob_header(client):
    check(send(client, BASE, headers={"x-simulator": "explode=1"}), 400,
          "x-simulator: unknown knob 'explode=1' (known: fail, fail-rate, fail-status, error-after, error-type, "
          "drop-after, first-byte-delay, first-token-delay, deltas-per-second, retry-after)")


FUZZ_BASES = [
    body(model="claude-sonnet-4-6", max_tokens=3000, system=[{"type": "text", "text": "sys", "cache_control": CC}],
         tools=[TOOL], tool_choice={"type": "auto"}, thinking={"type": "enabled", "budget_tokens": 1024},
         stop_sequences=["x"], metadata={"user_id": "u"}, messages=[
             {"role": "user", "content": [
                 {"type": "text", "text": "hi"}, {"type": "image", "source": {"type": "url", "url": "u"}},
                 {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"},
                  "citations": {"enabled": True}}]},
             {"role": "assistant", "content": [{"type": "thinking", "thinking": "t", "signature": "s"},
                                               {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {}}]},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                           "content": [{"type": "text", "text": "r"}]}]}]),
    body(system="s", cache_control={"type": "ephemeral", "ttl": "1h"},
         tools=[{"type": "web_search_20250305", "name": "web_search", "max_uses": 2},
                {"name": "f", "input_schema": {"type": "object", "properties": {
                    "n": {"type": "integer", "minimum": 2}, "l": {"type": "array", "items": {"enum": [1]}}}}}],
         tool_choice={"type": "tool", "name": "f"}, output_config={"format": {"type": "json_schema", "schema": {}}},
         messages=[{"role": "user", "content": [
             {"type": "search_result", "source": "s", "title": "t", "content": [{"type": "text", "text": "c"}]},
             {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "a"}]},
              "citations": {"enabled": True}},
             {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="},
              "citations": {"enabled": True}},
             image()]}, {"role": "assistant", "content": "{"}]),
]
FUZZ_VALUES = [None, 0, -1, 1.5, "", "x", [], {}, [1], {"type": "text"}, True, {"type": "ephemeral", "ttl": "1h"},
               [{"type": "text", "text": ""}]]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        found += _paths(inner, (*prefix, key))
    return found


def test_malformed_bodies_never_crash_the_engine():
    engine = SimulatorTransport().engine
    rng = random.Random(0)
    for i in range(1500):
        mutated = copy.deepcopy(FUZZ_BASES[i % len(FUZZ_BASES)])
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(_paths(mutated) or [("model",)])
            target = mutated
            try:
                for key in path[:-1]:
                    target = target[key]
                target[path[-1]] = copy.deepcopy(rng.choice(FUZZ_VALUES))
            except (KeyError, IndexError, TypeError):
                continue
        for version in (OLD, NEW):
            response = engine.handle(SimRequest("POST", "/v1/messages", {"x-api-key": "sk-ant-t",
                                                "anthropic-version": version}, json.dumps(mutated).encode()))
            list(response.body)
            assert response.status < 500, json.dumps(mutated)[:500]

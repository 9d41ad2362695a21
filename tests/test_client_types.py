"""Request validation per API version, forward-compatible response models, error formatting, import weight."""
from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import TypeAdapter

from workbench.api.errors import APIStatusError, OverloadedError, RequestValidationError, status_error
from workbench.api.types import (
    ContentBlockDeltaEvent,
    ErrorBody,
    Message,
    TextBlock,
    UnknownBlock,
    UnknownDelta,
    UnknownEvent,
    Usage,
    StreamEvent,
    validate_request,
)

BASE = {"model": "claude-opus-4-8", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}]}
PNG = "iVBORw0KGgo="


def user(*blocks):
    return {**BASE, "messages": [{"role": "user", "content": list(blocks)}]}


EVERY_BLOCK = [
    {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
    {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    {"type": "image", "source": {"type": "file", "file_id": "file_1"}},
    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}, "title": "t",
     "context": "c", "citations": {"enabled": True}},
    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain"}},
    {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "a"}]}},
    {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
    {"type": "document", "source": {"type": "file", "file_id": "file_2"}},
    {"type": "search_result", "source": "https://x", "title": "X", "content": [{"type": "text", "text": "x"}],
     "citations": {"enabled": True}},
    {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "42"}], "is_error": False},
    {"type": "tool_result", "tool_use_id": "toolu_2", "content": "plain"},
    {"type": "container_upload", "file_id": "file_3"},
]


@pytest.mark.parametrize("version", ["2023-06-01", "2026-10-21"])
def test_every_request_block_kind_is_accepted_and_returned_unchanged(version):
    body = {
        **user(*EVERY_BLOCK),
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "tools": [
            {"name": "get_weather", "description": "d", "input_schema": {"type": "object", "properties": {}}, "strict": True},
            {"type": "web_search_20250305", "name": "web_search", "max_uses": 3},
        ],
        "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
        "thinking": {"type": "adaptive", "display": "summarized"},
        "output_config": {"effort": "high", "format": {"type": "json_schema", "schema": {"type": "object"}}},
        "metadata": {"user_id": "u1"},
        "stop_sequences": ["END"],
        "service_tier": "auto",
    }
    assert validate_request(body, version) == body


def test_assistant_turn_blocks_and_echoed_server_results():
    assistant = [
        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "Let me look."},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "q"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
         "content": [{"type": "web_search_result", "url": "u", "title": "t", "encrypted_content": "e"}]},
        {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"a": 1}},
    ]
    body = {**BASE, "messages": [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": assistant},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]},
    ]}
    assert validate_request(body, "2026-10-21") == body


@pytest.mark.parametrize(
    "body, version, message",
    [
        ({**BASE, "temperature": 0.5}, "2026-10-21", "temperature: not accepted by API version 2026-10-21"),
        ({**BASE, "top_p": 0.9}, "2026-10-21", "top_p: not accepted by API version 2026-10-21"),
        ({**BASE, "top_k": 5}, "2026-10-21", "top_k: not accepted by API version 2026-10-21"),
        ({**BASE, "temperature": 1.5}, "2023-06-01", "temperature: Input should be less than or equal to 1"),
        ({**BASE, "colour": "blue"}, "2023-06-01", "colour: Extra inputs are not permitted"),
        ({"model": "m", "messages": BASE["messages"]}, "2023-06-01", "max_tokens: Field required"),
        ({**BASE, "messages": []}, "2023-06-01", "messages: at least one message is required"),
        ({**BASE, "messages": [{"role": "assistant", "content": "x"}]}, "2023-06-01",
         'messages: first message must use the "user" role'),
        (user({"type": "text", "text": "a", "bogus": 1}), "2023-06-01",
         "messages.0.content.0.bogus: Extra inputs are not permitted"),
        (user({"type": "image", "source": {"type": "base64", "media_type": "image/bmp", "data": "x"}}), "2023-06-01",
         "messages.0.content.0.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"),
        (user({"type": "hologram"}), "2023-06-01", "messages.0.content.0: unknown type 'hologram'"),
        ({**BASE, "thinking": {"type": "enabled", "budget_tokens": 500}}, "2023-06-01",
         "thinking.budget_tokens: Input should be greater than or equal to 1024"),
        ({**BASE, "thinking": {"type": "enabled", "budget_tokens": 2048}}, "2023-06-01",
         "max_tokens: must be greater than thinking.budget_tokens"),
        ({**BASE, "thinking": {"type": "adaptive"}, "temperature": 0.3}, "2023-06-01",
         "temperature: may only be set to 1 when thinking is enabled"),
        (user(*[{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}] * 5), "2023-06-01",
         "cache_control: a maximum of 4 blocks with cache_control may be provided, found 5"),
        ({**BASE, "cache_control": {"type": "ephemeral", "ttl": "2h"}}, "2023-06-01",
         "cache_control.ttl: Input should be '5m' or '1h'"),
        ({**BASE, "tool_choice": {"type": "sometimes"}}, "2023-06-01", "tool_choice: unknown type 'sometimes'"),
        ({**BASE, "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": [
            {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "d"}}]}]}, "2026-10-21",
         "messages.1.content.0: document blocks in assistant messages are not accepted by API version 2026-10-21"),
        (user({"type": "text", "text": "a", "citations": [{"type": "char_location"}]}), "2026-10-21",
         "messages.0.content.0: citations in user text are not accepted by API version 2026-10-21"),
    ],
)
def test_bad_requests_get_one_line(body, version, message):
    with pytest.raises(RequestValidationError) as caught:
        validate_request(body, version)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_2023_accepts_what_2026_refuses():
    body = {**BASE, "temperature": 0.2, "top_p": 0.9, "top_k": 40}
    assert validate_request(body, "2023-06-01") == body


def test_count_tokens_body_has_no_max_tokens():
    body = {"model": "m", "messages": BASE["messages"]}
    assert validate_request(body, count_tokens=True) == body
    with pytest.raises(RequestValidationError, match="max_tokens: Extra inputs"):
        validate_request(BASE, count_tokens=True)


# ---- responses --------------------------------------------------------------------------------------------------


def test_usage_with_cache_and_thinking_details():
    usage = Usage.model_validate({
        "input_tokens": 10, "output_tokens": 50, "cache_creation_input_tokens": 3000, "cache_read_input_tokens": 200,
        "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
        "output_tokens_details": {"thinking_tokens": 30}, "service_tier": "standard", "brand_new_counter": 1,
    })
    assert usage.cache_creation.ephemeral_1h_input_tokens == 2000
    assert usage.output_tokens_details.thinking_tokens == 30
    assert usage.model_dump()["brand_new_counter"] == 1


def test_unknown_event_and_delta_types_are_kept():
    adapter = TypeAdapter(StreamEvent)
    future = adapter.validate_python({"type": "message_teleport", "where": "mars"})
    assert isinstance(future, UnknownEvent) and future.model_dump() == {"type": "message_teleport", "where": "mars"}
    delta = adapter.validate_python({"type": "content_block_delta", "index": 0, "delta": {"type": "hologram_delta", "f": 1}})
    assert isinstance(delta, ContentBlockDeltaEvent) and isinstance(delta.delta, UnknownDelta)
    assert delta.model_dump() == {"type": "content_block_delta", "index": 0, "delta": {"type": "hologram_delta", "f": 1}}


def test_message_keeps_unknown_blocks_and_citation_types():
    wire = {"id": "m", "type": "message", "role": "assistant", "model": "x", "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 1},
            "content": [{"type": "text", "text": "a", "citations": [{"type": "future_location", "cited_text": "a"}]},
                        {"type": "hologram", "frames": 3}]}
    message = Message.model_validate(wire)
    assert isinstance(message.content[0], TextBlock) and isinstance(message.content[1], UnknownBlock)
    assert message.model_dump(mode="json", exclude_unset=True) == wire


def test_error_body_and_status_error_formatting():
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}, "request_id": "req_1"}
    assert ErrorBody.model_validate(body).error.type == "overloaded_error"
    err = status_error(529, body)
    assert isinstance(err, OverloadedError)
    assert str(err) == "529 overloaded_error: Overloaded (request_id req_1)"
    gateway = status_error(502, "<html>Bad gateway\n</html>", "req_2")
    assert isinstance(gateway, APIStatusError) and gateway.status_code == 502
    assert str(gateway) == "502 error: <html>Bad gateway </html> (request_id req_2)"


def test_importing_the_wire_layer_stays_light():
    code = (
        "import sys, workbench.api\n"
        "heavy = {'ipywidgets', 'nbformat', 'jinja2', 'IPython', 'markdown_it', 'pydantic', 'anthropic'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
        "from workbench.api import Client\n"
        "print(sorted({'ipywidgets', 'nbformat', 'jinja2', 'IPython', 'markdown_it', 'anthropic'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[]", "[]"]

"""The official `anthropic` SDK, pointed at the loopback simulator, works for both API versions."""

from __future__ import annotations

import base64
import io

import anthropic
import jsonschema
import pytest
from PIL import Image

from workbench.simulator import Engine, ManualClock, SimulatorServer

VERSIONS = {"2026-10-21": {}, "2023-06-01": {"anthropic-version": "2023-06-01"}}
WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1},
        },
        "required": ["city"],
    },
}


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def server(clock):
    with SimulatorServer(engine=Engine(clock=clock)) as srv:
        yield srv


@pytest.fixture(params=list(VERSIONS), ids=list(VERSIONS))
def sdk(request, server) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="sk-ant-test", base_url=server.url, default_headers=VERSIONS[request.param],
                               max_retries=0)


def same(a: anthropic.types.Message, b: anthropic.types.Message) -> bool:
    """Equal apart from the ids the simulator mints per call."""

    def shape(message):
        dumped = message.model_dump(exclude={"id"})
        for block in dumped["content"]:
            block.pop("id", None)
        return dumped

    return shape(a) == shape(b)


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_create_and_stream_agree(sdk, server):
    params = dict(model="claude-opus-4-8", max_tokens=400, system="You are terse.",
                  messages=[{"role": "user", "content": "Name three primes."}])
    message = sdk.messages.create(**params)
    assert message.stop_reason == "end_turn"
    assert "Name three primes." in message.content[0].text
    assert message._request_id.startswith("req_")
    with sdk.messages.stream(**params) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == final.content[0].text
    assert same(final, message)
    assert server.engine.received[-1].headers["anthropic-version"] == sdk.default_headers.get(
        "anthropic-version", "2026-10-21")


def test_stream_thinking(sdk):
    params = dict(model="claude-sonnet-4-6", max_tokens=3000,
                  thinking={"type": "enabled", "budget_tokens": 1024, "display": "summarized"},
                  messages=[{"role": "user", "content": "Why is the sky blue?"}])
    with sdk.messages.stream(**params) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert "thinking" in kinds and "signature" in kinds
    assert [b.type for b in final.content] == ["thinking", "text"]
    assert final.content[0].thinking and final.content[0].signature
    assert final.usage.output_tokens_details.thinking_tokens > 0
    assert same(final, sdk.messages.create(**params))


def test_stream_tool_use(sdk):
    params = dict(model="claude-haiku-4-5", max_tokens=500, tools=[WEATHER],
                  messages=[{"role": "user", "content": "What's the weather in Paris? Use get_weather."}])
    with sdk.messages.stream(**params) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    use = next(b for b in final.content if b.type == "tool_use")
    assert use.name == "get_weather" and use.id.startswith("toolu_")
    jsonschema.validate(use.input, WEATHER["input_schema"])
    assert use.input["city"] == "Paris"
    assert same(final, sdk.messages.create(**params))

    # the tool loop ends: a tool_result gets a text answer that uses it
    answer = sdk.messages.create(
        model="claude-haiku-4-5", max_tokens=500, tools=[WEATHER],
        messages=[*params["messages"], {"role": "assistant", "content": final.content},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "18°C, sunny"}]}],
    )
    assert answer.stop_reason == "end_turn"
    assert "18°C, sunny" in answer.content[0].text


def test_stream_citations(sdk):
    doc = {"type": "document", "title": "Facts",
           "source": {"type": "text", "media_type": "text/plain", "data": "Water boils at 100 C at sea level. Ice melts."},
           "citations": {"enabled": True}}
    params = dict(model="claude-opus-4-8", max_tokens=500,
                  messages=[{"role": "user", "content": [doc, {"type": "text", "text": "When does water boil?"}]}])
    with sdk.messages.stream(**params) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert "citation" in kinds
    cited = [b for b in final.content if b.type == "text" and b.citations]
    citation = cited[0].citations[0]
    assert citation.type == "char_location" and citation.cited_text == "Water boils at 100 C at sea level."
    assert citation.document_title == "Facts" and citation.document_index == 0
    assert same(final, sdk.messages.create(**params))


def test_count_tokens_matches_usage(sdk):
    params = dict(model="claude-opus-4-8", system="Be brief.",
                  messages=[{"role": "user", "content": "Count the tokens of this sentence, please."}])
    counted = sdk.messages.count_tokens(**params).input_tokens
    usage = sdk.messages.create(max_tokens=50, **params).usage
    assert counted == usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens > 0


def test_models_list_pages(sdk):
    page = sdk.models.list(limit=3)
    assert len(page.data) == 3 and page.has_more
    everything = [m.id for m in sdk.models.list(limit=3)]  # auto-pagination across pages
    assert len(everything) == len(set(everything)) > 6
    assert "claude-opus-4-8" in everything
    haiku = sdk.models.retrieve("claude-haiku-4-5")
    assert haiku.id == "claude-haiku-4-5-20251001" and haiku.max_tokens == 64_000
    assert haiku.capabilities.thinking.types.enabled.supported
    assert not sdk.models.retrieve("claude-opus-4-8").capabilities.thinking.types.enabled.supported
    with pytest.raises(anthropic.NotFoundError):
        sdk.models.retrieve("claude-nonexistent")


def test_batches_create_poll_results(sdk, clock):
    batch = sdk.messages.batches.create(requests=[
        {"custom_id": "ok", "params": {"model": "claude-haiku-4-5", "max_tokens": 100,
                                       "messages": [{"role": "user", "content": "Hello"}]}},
        {"custom_id": "bad", "params": {"model": "claude-haiku-4-5", "max_tokens": 100, "messages": []}},
    ])
    assert batch.processing_status == "in_progress" and batch.results_url is None
    assert batch.request_counts.processing == 2
    clock.advance(5)
    polled = sdk.messages.batches.retrieve(batch.id)
    assert polled.processing_status == "ended" and polled.results_url.endswith(f"/v1/messages/batches/{batch.id}/results")
    assert (polled.request_counts.succeeded, polled.request_counts.errored) == (1, 1)
    results = {r.custom_id: r.result for r in sdk.messages.batches.results(batch.id)}
    assert results["ok"].type == "succeeded" and results["ok"].message.usage.service_tier == "batch"
    assert results["bad"].type == "errored"
    assert results["bad"].error.error.message == "messages: at least one message is required"
    assert batch.id in [b.id for b in sdk.messages.batches.list()]
    assert sdk.messages.batches.delete(batch.id).type == "message_batch_deleted"


def test_batch_cancel(sdk):
    batch = sdk.messages.batches.create(requests=[
        {"custom_id": f"r{i}", "params": {"model": "claude-haiku-4-5", "max_tokens": 50,
                                          "messages": [{"role": "user", "content": "Hi"}]}} for i in range(3)
    ])
    canceling = sdk.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
    ended = sdk.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.request_counts.canceled == 3
    assert {r.result.type for r in sdk.messages.batches.results(batch.id)} == {"canceled"}


def test_files_upload_use_delete(sdk):
    uploaded = sdk.files.upload(file=("red.png", png(), "image/png"))
    assert uploaded.id.startswith("file_") and uploaded.mime_type == "image/png" and uploaded.size_bytes > 0
    assert sdk.files.retrieve_metadata(uploaded.id).filename == "red.png"
    assert uploaded.id in [f.id for f in sdk.files.list()]
    reply = sdk.messages.create(model="claude-opus-4-8", max_tokens=300, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "file", "file_id": uploaded.id}},
        {"type": "text", "text": "Describe this image."}]}])
    assert "1 image" in reply.content[0].text
    assert sdk.files.delete(uploaded.id).type == "file_deleted"
    with pytest.raises(anthropic.NotFoundError):
        sdk.files.retrieve_metadata(uploaded.id)


def test_base64_image_and_pdf_document(sdk):
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n2 0 obj << /Type /Page >> endobj\n%%EOF"
    content = [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(png()).decode()}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                        "data": base64.b64encode(pdf).decode()}},
        {"type": "text", "text": "What do you see?"},
    ]
    reply = sdk.messages.create(model="claude-opus-4-8", max_tokens=300, messages=[{"role": "user", "content": content}])
    assert "1 image and 1 document" in reply.content[0].text
    assert reply.usage.input_tokens > 2 * 1500


def test_sdk_retries_and_mid_stream_errors(sdk, server):
    params = dict(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "Hi"}])
    before = len(server.engine.received)
    retried = sdk.with_options(max_retries=2).messages.create(
        **params, extra_headers={"x-simulator": "fail=529,529; retry-after=0.01"})
    assert retried.content and len(server.engine.received) - before == 3
    with pytest.raises(anthropic.RateLimitError) as limited:
        sdk.messages.create(**params, extra_headers={"x-simulator": "fail=429"})
    assert limited.value.response.headers["retry-after"] == "1"
    with pytest.raises(anthropic.APIStatusError) as caught:
        with sdk.messages.stream(**params, extra_headers={"x-simulator": "error-after=4"}) as stream:
            stream.get_final_message()
    assert caught.value.status_code == 200 and caught.value.type == "overloaded_error"
    # the SDK surfaces a connection dropped mid-body as its transport's own error
    with pytest.raises(Exception, match="incomplete chunked read"):
        with sdk.messages.stream(**params, extra_headers={"x-simulator": "drop-after=4"}) as stream:
            stream.get_final_message()


def test_omitted_thinking_streams_a_signature_only(sdk):
    params = dict(model="claude-opus-5-5", max_tokens=500, messages=[{"role": "user", "content": "Think quietly"}])
    with sdk.messages.stream(**params) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_message()
    assert "signature" in kinds and "thinking" not in kinds
    assert final.content[0].type == "thinking" and final.content[0].thinking == "" and final.content[0].signature
    assert same(final, sdk.messages.create(**params))

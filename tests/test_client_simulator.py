"""The client against the embedded simulator (in-process transport) and its loopback server."""
from __future__ import annotations

import asyncio
import warnings

import anthropic
import pytest
from test_client_loopback import isolated_env  # noqa: F401 - autouse fixture

from workbench.api import AsyncClient, Client
from workbench.api.errors import APIStatusError, BadRequestError
from workbench.simulator import Engine, SimulatorServer, SimulatorTransport

PARAMS = {"model": "claude-opus-4-8", "max_tokens": 300, "messages": [{"role": "user", "content": "Weather in Paris?"}]}


def scripted(engine: Engine, times: int) -> Engine:
    for _ in range(times):
        engine.script_reply(
            text="Let me check.",
            thinking="The user wants the weather.",
            tool_uses=[{"name": "get_weather", "input": {"city": "Paris", "days": [1, 2], "unit": "celsius"}}],
        )
    return engine


def test_default_client_is_the_simulator_and_says_so():
    client = Client()
    assert client.backend == "simulator"
    assert "simulator" in repr(client)
    message = client.messages.create(**PARAMS)
    assert message.content and message.usage.input_tokens > 0


def test_streamed_reply_equals_the_official_sdk_on_the_simulator_server():
    engine = scripted(Engine(seed=3), 2)
    tools = [{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}]
    with SimulatorServer(engine=engine) as server:
        with Client("sk-ant-test", base_url=server.url) as client, client.messages.stream(**PARAMS, tools=tools) as stream:
            ours = stream.get_final_message().model_dump(mode="json")
        sdk = anthropic.Anthropic(api_key="sk-ant-test", base_url=server.url, max_retries=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with sdk.messages.stream(**PARAMS, tools=tools) as sdk_stream:
                theirs = sdk_stream.get_final_message().model_dump(mode="json")
    for dump in (ours, theirs):
        dump.pop("id")
        for block in dump["content"]:
            block.pop("id", None)
    assert ours == theirs
    assert [b["type"] for b in ours["content"]] == ["thinking", "text", "tool_use"]
    assert ours["content"][2]["input"] == {"city": "Paris", "days": [1, 2], "unit": "celsius"}


def test_simulated_failures_are_retried_and_mid_stream_errors_are_not():
    engine = Engine(seed=1)
    client = Client(transport=SimulatorTransport(engine, retry_after=0.01))
    message = client.messages.create(**PARAMS, extra_headers={"x-simulator": "fail=529,529"})
    assert message.content
    assert len(engine.received) == 3
    with client.messages.stream(**PARAMS, extra_headers={"x-simulator": "error-after=4"}) as stream:
        with pytest.raises(APIStatusError) as caught:
            stream.get_final_message()
    assert (caught.value.status_code, caught.value.error_type) == (200, "overloaded_error")
    assert len(engine.received) == 4


def test_simulator_validation_errors_surface_as_typed_errors():
    client = Client(transport=SimulatorTransport(Engine()))
    with pytest.raises(BadRequestError) as caught:
        client.messages.create(**{**PARAMS, "model": "claude-opus-4-8", "max_tokens": 10_000_000}, timeout=60)
    assert caught.value.error_type == "invalid_request_error" and caught.value.request_id


def test_async_client_on_the_simulator():
    async def scenario():
        async with AsyncClient() as client:
            async with client.messages.stream(**PARAMS) as stream:
                texts = [t async for t in stream.text_stream]
                final = await stream.get_final_message()
            models = [m.id async for m in client.models.list(limit=3)]
        return texts, final, models

    texts, final, models = asyncio.run(scenario())
    assert "".join(texts) == final.text
    assert len(models) > 3


def test_batches_and_files_on_the_simulator(tmp_path):
    engine = Engine()
    client = Client(transport=SimulatorTransport(engine, batch_seconds=0))
    batch = client.messages.batches.create(requests=[{"custom_id": "one", "params": PARAMS}])
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    results = list(client.messages.batches.results(batch.id))
    assert [(r.custom_id, r.result.type) for r in results] == [("one", "succeeded")]
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    uploaded = client.files.upload(path)
    assert uploaded.filename == "notes.txt" and uploaded.size_bytes == 5
    assert uploaded.id in [f.id for f in client.files.list()]
    client.files.delete(uploaded.id)

"""The client's surface: settings, headers, backends, every endpoint, streaming behaviour, async twin."""
from __future__ import annotations

import _thread
import asyncio
import json
import sys
import threading
import types

import httpx
import pytest
from test_client_loopback import (  # noqa: F401 - isolated_env is an autouse fixture
    Loopback,
    Reply,
    isolated_env,
    json_reply,
    message_json,
    sse,
    sse_reply,
    text_stream_events,
)

from workbench.api import AsyncClient, Client, Message
from workbench.api.errors import RequestValidationError
from workbench.api.types import ContentBlockDeltaEvent, MessageStartEvent, TextBlock, ToolUseBlock

PARAMS = {"model": "claude-opus-4-8", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}


# ---- settings, headers, backends ------------------------------------------------------------------------------


def test_create_sends_the_documented_headers_and_a_normalized_body():
    with Loopback([json_reply(200, message_json("Hi there"), **{"request-id": "req_123"})]) as server:
        client = Client(
            "sk-ant-key",
            base_url=server.url,
            betas=["files-api-2025-04-14", "context-1m-2025-08-07"],
            default_headers={"x-custom": "1"},
        )
        message = client.messages.create(**PARAMS, temperature=0.2, extra_headers={"x-extra": "2"})
    request = server.requests[0]
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.headers["x-api-key"] == "sk-ant-key"
    assert "authorization" not in request.headers
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["anthropic-beta"] == "files-api-2025-04-14,context-1m-2025-08-07"
    assert request.headers["content-type"] == "application/json"
    assert (request.headers["x-custom"], request.headers["x-extra"]) == ("1", "2")
    assert request.json() == {**PARAMS, "temperature": 0.2}
    assert isinstance(message, Message) and message.text == "Hi there"
    assert message.request_id == "req_123"
    t = message.timings
    assert t.started <= t.first_byte <= t.finished
    assert client.backend == server.url


def test_auth_token_is_sent_as_bearer():
    with Loopback([json_reply(200, message_json())]) as server:
        Client(auth_token="tok-123", base_url=server.url).messages.create(**PARAMS)
    headers = server.requests[0].headers
    assert headers["authorization"] == "Bearer tok-123"
    assert "x-api-key" not in headers


def test_environment_supplies_key_token_and_base_url(monkeypatch):
    with Loopback([json_reply(200, message_json()), json_reply(200, message_json())]) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
        Client().messages.create(**PARAMS)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "")
        monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", "token-from-env")
        client = Client()
        client.messages.create(**PARAMS)
    assert server.requests[0].headers["x-api-key"] == "sk-ant-from-env"
    assert server.requests[1].headers["authorization"] == "Bearer token-from-env"
    assert client.backend == server.url


def test_gateway_base_url_with_path_prefix_and_no_key():
    with Loopback([json_reply(200, message_json("from the gateway"))]) as server:
        client = Client(base_url=server.url + "/litellm/anthropic/")
        assert client.messages.create(**PARAMS).text == "from the gateway"
    request = server.requests[0]
    assert request.path == "/litellm/anthropic/v1/messages"
    assert "x-api-key" not in request.headers and "authorization" not in request.headers
    assert client.backend == server.url + "/litellm/anthropic"


def test_api_version_2026_rejects_sampling_params_before_sending():
    with Loopback([json_reply(200, message_json())]) as server:
        client = Client("sk-ant-key", base_url=server.url, api_version="2026-10-21")
        with pytest.raises(RequestValidationError, match="^temperature: not accepted by API version 2026-10-21$"):
            client.messages.create(**PARAMS, temperature=0.5)
        client.messages.create(**PARAMS)
    assert len(server.requests) == 1
    assert server.requests[0].headers["anthropic-version"] == "2026-10-21"


def test_unknown_api_version_is_one_clear_line():
    with pytest.raises(RequestValidationError, match="api_version"):
        Client("sk-ant-key", base_url="http://127.0.0.1:9", api_version="2024-01-01")


@pytest.fixture
def fake_simulator(monkeypatch):
    """Stands in for workbench.simulator until it exists: the client must import it lazily and use it."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=message_json("simulated"))

    module = types.ModuleType("workbench.simulator")
    module.SimulatorTransport = lambda: httpx.MockTransport(handler)
    monkeypatch.setitem(sys.modules, "workbench.simulator", module)
    return seen


def test_no_credentials_and_no_base_url_means_the_embedded_simulator(fake_simulator):
    client = Client()
    assert client.backend == "simulator"
    assert client.messages.create(**PARAMS).text == "simulated"
    assert fake_simulator[0].headers["x-api-key"].startswith("sk-ant-")


def test_workbench_backend_env_forces_the_simulator(fake_simulator, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-real")
    monkeypatch.setenv("WORKBENCH_BACKEND", "simulator")
    client = Client()
    assert client.backend == "simulator"
    client.messages.create(**PARAMS)
    assert fake_simulator[0].headers["x-api-key"] != "sk-ant-real"


def test_a_key_alone_means_the_real_api():
    client = Client("sk-ant-key")
    assert client.backend == "anthropic"
    assert client.base_url == "https://api.anthropic.com"
    assert repr(client) == "Client(backend='anthropic', api_version='2023-06-01', base_url='https://api.anthropic.com')"


def test_transport_plugs_in():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=message_json("mock")))
    assert Client("sk-ant-key", transport=transport).messages.create(**PARAMS).text == "mock"


# ---- endpoints ------------------------------------------------------------------------------------------------


def test_count_tokens():
    with Loopback([json_reply(200, {"input_tokens": 42})]) as server:
        count = Client("k", base_url=server.url).messages.count_tokens(
            model="claude-opus-4-8", messages=[{"role": "user", "content": "Hi"}], system="Be brief."
        )
    assert count.input_tokens == 42
    assert server.requests[0].path == "/v1/messages/count_tokens"
    assert server.requests[0].json()["system"] == "Be brief."


def model(i: int) -> dict:
    return {"type": "model", "id": f"claude-{i}", "display_name": f"Claude {i}", "created_at": "2026-01-01T00:00:00Z",
            "lifecycle": "active", "capabilities": {"image_input": {"supported": True}}, "future": i}


def test_models_list_follows_pages_and_retrieve():
    pages = [
        json_reply(200, {"data": [model(1), model(2)], "has_more": True, "first_id": "claude-1", "last_id": "claude-2"}),
        json_reply(200, {"data": [model(3)], "has_more": False, "first_id": "claude-3", "last_id": "claude-3"}),
        json_reply(200, model(7)),
    ]
    with Loopback(pages) as server:
        client = Client("k", base_url=server.url)
        ids = [m.id for m in client.models.list(limit=2)]
        one = client.models.retrieve("claude-7")
    assert ids == ["claude-1", "claude-2", "claude-3"]
    assert [r.path for r in server.requests] == ["/v1/models?limit=2", "/v1/models?limit=2&after_id=claude-2", "/v1/models/claude-7"]
    assert one.capabilities["image_input"]["supported"] is True
    assert one.model_dump(mode="json")["future"] == 7


def batch(status: str = "in_progress", results_url: str | None = None) -> dict:
    return {"id": "msgbatch_1", "type": "message_batch", "processing_status": status,
            "request_counts": {"processing": 1, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
            "created_at": "2026-11-20T18:37:24.100435Z", "expires_at": "2026-11-21T18:37:24.100435Z",
            "ended_at": None, "cancel_initiated_at": None, "archived_at": None, "results_url": results_url}


def test_batches_lifecycle():
    lines = [
        {"custom_id": "a", "result": {"type": "succeeded", "message": message_json("done")}},
        {"custom_id": "b", "result": {"type": "errored", "error": {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}}},
        {"custom_id": "c", "result": {"type": "canceled"}},
        {"custom_id": "d", "result": {"type": "expired"}},
        {"custom_id": "e", "result": {"type": "some_new_outcome", "x": 1}},
    ]
    with Loopback() as server:
        results_url = server.url + "/v1/messages/batches/msgbatch_1/results"
        server.replies += [
            json_reply(200, batch()),
            json_reply(200, batch()),
            json_reply(200, {"data": [batch()], "has_more": False, "first_id": "msgbatch_1", "last_id": "msgbatch_1"}),
            json_reply(200, {**batch("canceling"), "cancel_initiated_at": "2026-11-20T19:00:00Z"}),
            json_reply(200, batch("ended", results_url)),
            Reply(200, "\r\n".join(json.dumps(line) for line in lines).encode() + b"\n\n", {"content-type": "application/binary"}),
            json_reply(200, {"id": "msgbatch_1", "type": "message_batch_deleted"}),
        ]
        batches = Client("k", base_url=server.url).messages.batches
        created = batches.create(requests=[{"custom_id": "a", "params": PARAMS}])
        assert batches.retrieve("msgbatch_1").processing_status == "in_progress"
        assert [b.id for b in batches.list()] == ["msgbatch_1"]
        assert batches.cancel("msgbatch_1").processing_status == "canceling"
        results = list(batches.results("msgbatch_1"))
        deleted = batches.delete("msgbatch_1")
    assert created.id == "msgbatch_1"
    assert server.requests[0].json() == {"requests": [{"custom_id": "a", "params": PARAMS}]}
    assert [(r.method, r.path.split("?")[0]) for r in server.requests] == [
        ("POST", "/v1/messages/batches"),
        ("GET", "/v1/messages/batches/msgbatch_1"),
        ("GET", "/v1/messages/batches"),
        ("POST", "/v1/messages/batches/msgbatch_1/cancel"),
        ("GET", "/v1/messages/batches/msgbatch_1"),
        ("GET", "/v1/messages/batches/msgbatch_1/results"),
        ("DELETE", "/v1/messages/batches/msgbatch_1"),
    ]
    assert server.requests[5].headers["accept"] == "application/binary"
    assert [r.result.type for r in results] == ["succeeded", "errored", "canceled", "expired", "some_new_outcome"]
    assert results[0].result.message.text == "done"
    assert results[1].result.error.error.type == "invalid_request_error"
    assert deleted.type == "message_batch_deleted"


def test_batch_results_before_the_end_is_a_clear_error():
    with Loopback([json_reply(200, batch())]) as server:
        with pytest.raises(RequestValidationError, match="no results yet"):
            list(Client("k", base_url=server.url).messages.batches.results("msgbatch_1"))


def test_batch_params_are_validated_before_sending():
    with Loopback() as server:
        with pytest.raises(RequestValidationError, match=r"^requests\[x\]\.params\.max_tokens: Field required$"):
            Client("k", base_url=server.url).messages.batches.create(
                requests=[{"custom_id": "x", "params": {"model": "m", "messages": PARAMS["messages"]}}]
            )
    assert server.requests == []


def file_meta(i: int) -> dict:
    return {"id": f"file_{i}", "type": "file", "filename": "notes.txt", "mime_type": "text/plain", "size_bytes": 5,
            "created_at": "2026-11-20T10:00:00Z", "downloadable": False}


def test_files_upload_list_retrieve_delete(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello")
    replies = [
        json_reply(200, file_meta(1)),
        json_reply(200, file_meta(2)),
        json_reply(200, {"data": [file_meta(1)], "next_page": "page_2"}),
        json_reply(200, {"data": [file_meta(2)], "next_page": None}),
        json_reply(200, file_meta(1)),
        json_reply(200, {"id": "file_1", "type": "file_deleted"}),
    ]
    with Loopback(replies) as server:
        files = Client("k", base_url=server.url).files
        uploaded = files.upload(path)
        files.upload(b"%PDF-1.4 raw", filename="doc.pdf")
        listed = [f.id for f in files.list()]
        assert files.retrieve("file_1").filename == "notes.txt"
        assert files.delete("file_1").type == "file_deleted"
    assert uploaded.id == "file_1" and listed == ["file_1", "file_2"]
    upload = server.requests[0]
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'filename="notes.txt"' in upload.body and b"hello" in upload.body and b"text/plain" in upload.body
    assert b'filename="doc.pdf"' in server.requests[1].body and b"application/pdf" in server.requests[1].body
    assert server.requests[3].path == "/v1/files?page=page_2"


# ---- streaming ------------------------------------------------------------------------------------------------


def test_stream_typed_events_text_stream_and_timings():
    body = text_stream_events("Hello", " world")
    with Loopback([sse_reply(body), sse_reply(body)]) as server:
        client = Client("k", base_url=server.url)
        with client.messages.stream(**PARAMS) as stream:
            events = list(stream)
            final = stream.get_final_message()
        with client.messages.stream(**PARAMS) as stream:
            texts = list(stream.text_stream)
    assert server.requests[0].json() == {**PARAMS, "stream": True}
    assert isinstance(events[0], MessageStartEvent)
    deltas = [e for e in events if isinstance(e, ContentBlockDeltaEvent)]
    assert [d.delta.text for d in deltas] == ["Hello", " world"]
    assert texts == ["Hello", " world"]
    assert final.text == "Hello world" and final.stop_reason == "end_turn" and final.usage.output_tokens == 2
    assert stream.request_id == "req_stream" and stream.response_headers["content-type"] == "text/event-stream"
    t = stream.timings
    assert t.started <= t.first_byte <= t.first_delta <= t.finished
    assert set(t.as_dict()) == {"first_byte", "first_delta", "total"}


def test_tool_use_input_is_parsed_from_fragments():
    events = [
        {"type": "message_start", "message": {**message_json(), "content": [], "stop_reason": None}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '{"a": [1, {"b": "c'}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "input_json_delta", "partial_json": '"}]}'}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}},
        {"type": "message_stop"},
    ]
    with Loopback([sse_reply([sse(e) for e in events])]) as server:
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            block = stream.get_final_message().content[0]
    assert isinstance(block, ToolUseBlock) and block.input == {"a": [1, {"b": "c"}]}


def test_close_mid_stream_keeps_what_arrived():
    body = text_stream_events("one ", "two ", "three ", "four")
    with Loopback([sse_reply(body, pause=0.05)]) as server:
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            received = []
            for text in stream.text_stream:
                received.append(text)
                if len(received) == 2:
                    stream.close()
                    break
            snapshot = stream.current_message_snapshot
    assert received == ["one ", "two "]
    assert isinstance(snapshot.content[0], TextBlock) and snapshot.text == "one two "
    assert snapshot.stop_reason is None
    assert stream.timings.finished is not None


def test_keyboard_interrupt_mid_stream_keeps_what_arrived():
    body = text_stream_events(*[f"w{i} " for i in range(40)])
    received: list[str] = []
    third = threading.Event()
    interrupter = threading.Thread(target=lambda: third.wait(10) and _thread.interrupt_main())
    with Loopback([sse_reply(body, pause=0.02)]) as server:
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            interrupter.start()
            with pytest.raises(KeyboardInterrupt):
                for text in stream.text_stream:
                    received.append(text)
                    if len(received) == 3:
                        third.set()
            snapshot = stream.current_message_snapshot
    interrupter.join()
    assert len(received) >= 3
    assert snapshot.text.startswith("".join(received))
    assert 3 <= len(snapshot.text.split()) < 40


def test_abort_from_another_thread_ends_a_silent_stream_and_keeps_what_arrived():
    events = text_stream_events("one ", "two ", "three")
    arrived_at_once = b"".join(events[:4])  # message_start, the block's start, "one ", "two "
    with Loopback([sse_reply([arrived_at_once, *events[4:]], pause=30)]) as server:  # then 30 s of silence
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            received = []
            for text in stream.text_stream:
                received.append(text)
                if len(received) == 2:
                    threading.Thread(target=stream.abort).start()
            snapshot = stream.current_message_snapshot
    assert received == ["one ", "two "] and stream.aborted  # ended by the abort, not by the server
    assert snapshot.text == "one two " and snapshot.stop_reason is None
    assert stream.timings.finished is not None


def test_a_stream_aborted_before_it_opens_sends_nothing():
    with Loopback([sse_reply(text_stream_events("x"))]) as server:
        stream = Client("k", base_url=server.url).messages.stream(**PARAMS)
        stream.abort()
        with stream:
            assert list(stream) == [] and stream.current_message_snapshot is None
    assert server.requests == [] and stream.aborted


def test_abort_after_the_end_changes_nothing():
    with Loopback([sse_reply(text_stream_events("x"))]) as server:
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            message = stream.get_final_message()
            stream.abort()
    assert not stream.aborted and message.text == "x" and message.stop_reason == "end_turn"


def test_snapshot_before_any_event_is_none():
    with Loopback([sse_reply(text_stream_events("x"))]) as server:
        with Client("k", base_url=server.url).messages.stream(**PARAMS) as stream:
            assert stream.current_message_snapshot is None
            stream.until_done()
            assert stream.current_message_snapshot.text == "x"


def test_stream_param_on_create_is_refused():
    with pytest.raises(RequestValidationError):
        Client("k", base_url="http://127.0.0.1:9").messages.create(**PARAMS, stream=True)


# ---- async ----------------------------------------------------------------------------------------------------


def test_async_client_create_stream_and_pages():
    async def scenario(url: str):
        async with AsyncClient("k", base_url=url) as client:
            message = await client.messages.create(**PARAMS)
            async with client.messages.stream(**PARAMS) as stream:
                events = [type(e).__name__ async for e in stream]
                final = await stream.get_final_message()
            models = [m.id async for m in client.models.list()]
            count = await client.messages.count_tokens(model="m", messages=PARAMS["messages"])
            return message, events, final, models, count

    replies = [
        json_reply(200, message_json("async hi")),
        sse_reply(text_stream_events("a", "b")),
        json_reply(200, {"data": [model(1)], "has_more": True, "first_id": "claude-1", "last_id": "claude-1"}),
        json_reply(200, {"data": [model(2)], "has_more": False, "first_id": "claude-2", "last_id": "claude-2"}),
        json_reply(200, {"input_tokens": 3}),
    ]
    with Loopback(replies) as server:
        message, events, final, models, count = asyncio.run(scenario(server.url))
    assert message.text == "async hi"
    assert events[0] == "MessageStartEvent" and events.count("ContentBlockDeltaEvent") == 2
    assert final.text == "ab" and final.timings.first_delta is not None
    assert models == ["claude-1", "claude-2"]
    assert count.input_tokens == 3


def test_async_retries_and_errors(monkeypatch):
    from test_client_loopback import error_reply

    from workbench.api.errors import BadRequestError

    async def scenario(url: str):
        async with AsyncClient("k", base_url=url) as client:
            first = await client.messages.create(**PARAMS)
            with pytest.raises(BadRequestError):
                await client.messages.create(**PARAMS)
            return first

    replies = [
        error_reply(529, "overloaded_error", "Overloaded", **{"retry-after-ms": "10"}),
        json_reply(200, message_json("after retry")),
        error_reply(400, "invalid_request_error", "bad"),
    ]
    with Loopback(replies) as server:
        assert asyncio.run(scenario(server.url)).text == "after retry"
    assert len(server.requests) == 3


def test_array_query_params_use_brackets():
    with Loopback([json_reply(200, {"data": [], "has_more": False, "first_id": None, "last_id": None})]) as server:
        assert list(Client("k", base_url=server.url).models.list(lifecycle=["active", "retired"])) == []
    assert server.requests[0].path == "/v1/models?lifecycle%5B%5D=active&lifecycle%5B%5D=retired"


def test_long_non_streaming_request_needs_streaming_or_a_timeout():
    with Loopback([json_reply(200, message_json()), json_reply(200, message_json())]) as server:
        client = Client("k", base_url=server.url)
        with pytest.raises(RequestValidationError, match="^max_tokens: above 21,333"):
            client.messages.create(**{**PARAMS, "max_tokens": 21_334})
        client.messages.create(**{**PARAMS, "max_tokens": 21_333})
        client.messages.create(**{**PARAMS, "max_tokens": 64_000}, timeout=1200)
    assert len(server.requests) == 2


def test_a_body_of_the_wrong_shape_is_one_clear_api_error():
    from workbench.api.errors import APIError

    replies = [Reply(200, b"<html>hello</html>", {"content-type": "text/html"}), json_reply(200, {"choices": []})]
    with Loopback(replies) as server:
        client = Client(base_url=server.url)
        with pytest.raises(APIError, match="^/v1/messages answered 200 with a body that is not JSON \\(text/html\\)$"):
            client.messages.create(**PARAMS)
        with pytest.raises(APIError, match="^the response is not a valid Message: id: Field required$"):
            client.messages.create(**PARAMS)

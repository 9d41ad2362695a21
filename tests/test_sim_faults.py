"""Fault knobs, pacing and rate limits, exercised through workbench's own client (loopback and in-process)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from workbench.api.client import AsyncClient, Client
from workbench.api.errors import (
    APIConnectionError,
    APIStatusError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)
from workbench.simulator import Drop, Engine, ManualClock, Pause, SimRequest, SimulatorServer, SimulatorTransport

PARAMS = {"model": "claude-haiku-4-5", "max_tokens": 300, "messages": [{"role": "user", "content": "Hello"}]}
FAST_RETRY = "retry-after=0.01"


@pytest.fixture(scope="module")
def server():
    with SimulatorServer() as srv:
        yield srv


@pytest.fixture
def engine(server) -> Engine:
    server.engine.options = server.engine.options.replace(fail=[], fail_rate=0.0, deltas_per_second=None,
                                                          error_after=None, drop_after=None, retry_after=0.01)
    return server.engine


def client(server: SimulatorServer, max_retries: int = 0) -> Client:
    return Client(api_key="sk-ant-test", base_url=server.url, max_retries=max_retries)


def knobs(value: str) -> dict[str, dict[str, str]]:
    return {"extra_headers": {"x-simulator": value}}


def test_fail_sequence_header_is_retried_through(server, engine):
    before = len(engine.received)
    message = client(server, max_retries=2).messages.create(**PARAMS, **knobs(f"fail=529,500; {FAST_RETRY}"))
    assert message.stop_reason == "end_turn"
    assert len(engine.received) - before == 3  # 529, 500, then success


def test_fail_sequence_exhausts_retries(server, engine):
    with pytest.raises(OverloadedError) as caught:
        client(server, max_retries=1).messages.create(**PARAMS, **knobs(f"fail=529,529; {FAST_RETRY}"))
    err = caught.value
    assert err.status_code == 529 and err.error_type == "overloaded_error"
    assert err.request_id.startswith("req_") and str(err).startswith("529 overloaded_error: Overloaded")
    # the sequence was spent by those two attempts: the same header now succeeds, then starts over
    assert client(server).messages.create(**PARAMS, **knobs(f"fail=529,529; {FAST_RETRY}")).content


def test_retry_after_header_is_sent(server, engine):
    response = httpx.post(f"{server.url}/v1/messages", json=PARAMS, headers={
        "x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01", "x-simulator": "fail=429; retry-after=7"})
    assert response.status_code == 429 and response.headers["retry-after"] == "7"
    assert response.json()["error"]["type"] == "rate_limit_error"


def test_fail_option_sequence(server, engine):
    engine.options.fail = [500]
    with pytest.raises(InternalServerError) as caught:
        client(server).messages.create(**PARAMS)
    assert caught.value.status_code == 500 and caught.value.error_type == "api_error"
    assert engine.options.fail == []
    assert client(server).messages.create(**PARAMS).content


def test_fail_rate(server, engine):
    engine.options.fail_rate = 1.0
    engine.options.fail_status = 503
    with pytest.raises(InternalServerError) as caught:
        client(server).messages.create(**PARAMS)
    assert caught.value.status_code == 503
    engine.options.fail_rate = 0.0
    half = Engine(seed=3, options=Engine().options.replace(fail_rate=0.5))
    transport = SimulatorTransport(half)
    outcomes = []
    for _ in range(40):
        try:
            Client(transport=transport, max_retries=0).messages.create(**PARAMS)
            outcomes.append("ok")
        except OverloadedError:
            outcomes.append("529")
    assert 5 < outcomes.count("529") < 35  # a seeded share fails, not all, not none


def test_error_event_mid_stream(server, engine):
    with client(server).messages.stream(**PARAMS, **knobs("error-after=5")) as stream:
        with pytest.raises(APIStatusError) as caught:
            for _ in stream:
                pass
        snapshot = stream.current_message_snapshot
    assert caught.value.status_code == 200 and caught.value.error_type == "overloaded_error"
    assert snapshot.content and snapshot.content[0].text  # the partial reply survives


def test_error_event_option_and_type(server, engine):
    engine.options.error_after = 3
    engine.options.error_type = "api_error"
    with pytest.raises(APIStatusError) as caught:
        client(server).messages.stream(**PARAMS).get_final_message()
    assert caught.value.error_type == "api_error"
    engine.options.error_type = "overloaded_error"


def test_dropped_connection(server, engine):
    with pytest.raises(APIConnectionError):
        with client(server).messages.stream(**PARAMS, **knobs("drop-after=10")) as stream:
            stream.get_final_message()
    with pytest.raises(APIConnectionError):  # the in-process transport drops too
        Client(transport=SimulatorTransport(drop_after=4)).messages.stream(**PARAMS).get_final_message()


def test_pacing_is_planned_as_pauses():
    engine = Engine()
    request = SimRequest("POST", "/v1/messages", {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01",
                         "x-simulator": "first-byte-delay=0.25; first-token-delay=0.5; deltas-per-second=100"},
                         httpx.Request("POST", "http://x", json={**PARAMS, "stream": True}).read())
    response = engine.handle(request)
    items = list(response.body)
    pauses = [item.seconds for item in items if isinstance(item, Pause)]
    assert response.delay == 0.25
    assert pauses[0] == 0.5 and set(pauses[1:]) == {0.01}
    deltas = sum(1 for item in items if isinstance(item, bytes) and b"content_block_delta" in item)
    assert len(pauses) == deltas
    assert not any(isinstance(item, Drop) for item in items)


def test_paced_streams_complete_and_options_change_live(server, engine):
    engine.options.deltas_per_second = 2000
    engine.options.first_byte_delay = 0.05
    with client(server).messages.stream(**PARAMS) as stream:
        text = "".join(stream.text_stream)
        timings = stream.timings
    assert text.startswith("**Simulated reply**")
    assert timings.first_byte is not None and timings.finished is not None
    engine.options.first_byte_delay = 0.0


def test_async_client_over_transport():
    async def run() -> str:
        async_client = AsyncClient(transport=SimulatorTransport(deltas_per_second=5000, first_token_delay=0.01))
        async with async_client.messages.stream(**PARAMS) as stream:
            return "".join([text async for text in stream.text_stream])

    assert asyncio.run(run()).startswith("**Simulated reply**")


def test_rate_limits():
    clock = ManualClock()
    engine = Engine(clock=clock, options=Engine().options.replace(requests_per_minute=2, retry_after=0.01))
    sim = Client(transport=SimulatorTransport(engine), max_retries=0)
    http = httpx.Client(transport=SimulatorTransport(engine), base_url="http://simulator",
                        headers={"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"})
    first = http.post("/v1/messages", json=PARAMS)
    assert first.headers["anthropic-ratelimit-requests-limit"] == "2"
    assert first.headers["anthropic-ratelimit-requests-remaining"] == "1"
    assert first.headers["anthropic-ratelimit-input-tokens-limit"] == "2000000"
    assert "anthropic-ratelimit-tokens-reset" in first.headers
    sim.messages.create(**PARAMS)
    with pytest.raises(RateLimitError) as caught:
        sim.messages.create(**PARAMS)
    assert "rate limit of 2 requests per minute" in str(caught.value)
    limited = http.post("/v1/messages", json=PARAMS)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "30"
    clock.advance(30)
    assert sim.messages.create(**PARAMS).content

    engine.options.requests_per_minute = None
    engine.options.input_tokens_per_minute = 10
    too_big = http.post("/v1/messages", json={**PARAMS, "messages": [{"role": "user", "content": "word " * 50}]})
    assert too_big.status_code == 429 and "input tokens per minute" in too_big.json()["error"]["message"]
    engine.options.input_tokens_per_minute = None
    engine.options.output_tokens_per_minute = 50
    assert http.post("/v1/messages", json=PARAMS).status_code == 200  # spends more than 50 output tokens
    assert http.post("/v1/messages", json=PARAMS).status_code == 429


def test_transport_yields_event_by_event():
    engine = Engine()
    http = httpx.Client(transport=SimulatorTransport(engine), base_url="http://simulator",
                        headers={"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"})
    with http.stream("POST", "/v1/messages", json={**PARAMS, "stream": True}) as response:
        chunks = list(response.iter_raw())
    assert len(chunks) > 10 and all(chunk.startswith(b"event: ") and chunk.endswith(b"\n\n") for chunk in chunks)
    assert chunks[-1] == b'event: message_stop\ndata: {"type":"message_stop"}\n\n'

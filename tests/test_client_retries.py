"""Retries, backoff and the error hierarchy, over real sockets."""
from __future__ import annotations

import email.utils
import random
import time

import pytest
from test_client_loopback import (
    isolated_env,  # noqa: F401 - autouse fixture
    Hang,
    Loopback,
    Reset,
    error_reply,
    json_reply,
    message_json,
    sse,
    sse_reply,
    text_stream_events,
)

from workbench.api import Client
from workbench.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    OverloadedError,
    RateLimitError,
)
from workbench.api.retry import retry_delay, should_retry

PARAMS = {"model": "claude-opus-4-8", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}


def client_for(server, **kwargs) -> Client:
    return Client(api_key="sk-ant-test", base_url=server.url, **kwargs)


def test_429_waits_at_least_retry_after_then_succeeds():
    replies = [error_reply(429, "rate_limit_error", "Slow down", **{"retry-after": "1"}), json_reply(200, message_json("ok"))]
    with Loopback(replies) as server, client_for(server) as client:
        message = client.messages.create(**PARAMS)
    assert message.text == "ok"
    first, second = server.requests
    assert second.at - first.at >= 1.0


def test_retry_after_ms_wins_over_retry_after(monkeypatch):
    slept = []
    monkeypatch.setattr("workbench.api.client.time.sleep", slept.append)
    headers = {"retry-after-ms": "250", "retry-after": "30"}
    replies = [error_reply(429, "rate_limit_error", "Slow down", **headers), json_reply(200, message_json())]
    with Loopback(replies) as server, client_for(server) as client:
        client.messages.create(**PARAMS)
    assert slept == [0.25]


def test_529_twice_then_success():
    overloaded = error_reply(529, "overloaded_error", "Overloaded")
    with Loopback([overloaded, overloaded, json_reply(200, message_json("third time"))]) as server, client_for(server) as client:
        message = client.messages.create(**PARAMS)
    assert message.text == "third time"
    assert len(server.requests) == 3
    assert server.requests[0].body == server.requests[2].body


def test_529_three_times_gives_up_after_default_two_retries(monkeypatch):
    monkeypatch.setattr("workbench.api.client.time.sleep", lambda s: None)
    overloaded = error_reply(529, "overloaded_error", "Overloaded")
    with Loopback(default=overloaded) as server, client_for(server) as client:
        with pytest.raises(OverloadedError) as caught:
            client.messages.create(**PARAMS)
    assert len(server.requests) == 3
    err = caught.value
    assert isinstance(err, InternalServerError)
    assert (err.status_code, err.error_type, err.request_id) == (529, "overloaded_error", "req_err")
    assert str(err) == "529 overloaded_error: Overloaded (request_id req_err)"


def test_400_is_not_retried():
    reply = json_reply(
        400,
        {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "messages.0: bad", "details": {"error_code": "some_code"}},
            "request_id": "req_400",
        },
    )
    with Loopback([reply, json_reply(200, message_json())]) as server, client_for(server) as client:
        with pytest.raises(BadRequestError) as caught:
            client.messages.create(**PARAMS)
    assert len(server.requests) == 1
    err = caught.value
    assert (err.status_code, err.error_type, err.error_code, err.message, err.request_id) == (
        400,
        "invalid_request_error",
        "some_code",
        "messages.0: bad",
        "req_400",
    )
    assert err.body["error"]["details"] == {"error_code": "some_code"}


def test_x_should_retry_overrides_status_rules(monkeypatch):
    monkeypatch.setattr("workbench.api.client.time.sleep", lambda s: None)
    no = error_reply(529, "overloaded_error", "Overloaded", **{"x-should-retry": "false"})
    with Loopback([no]) as server, client_for(server) as client:
        with pytest.raises(OverloadedError):
            client.messages.create(**PARAMS)
    assert len(server.requests) == 1
    yes = error_reply(400, "invalid_request_error", "try again", **{"x-should-retry": "true"})
    with Loopback([yes, json_reply(200, message_json())]) as server, client_for(server) as client:
        client.messages.create(**PARAMS)
    assert len(server.requests) == 2


def test_connection_reset_before_headers_is_retried():
    with Loopback([Reset(), json_reply(200, message_json("after reset"))]) as server, client_for(server) as client:
        assert client.messages.create(**PARAMS).text == "after reset"
    assert len(server.requests) == 2


def test_stream_open_is_retried_until_the_first_event():
    replies = [error_reply(529, "overloaded_error", "Overloaded", **{"retry-after-ms": "10"}), sse_reply(text_stream_events("a", "b"))]
    with Loopback(replies) as server, client_for(server) as client:
        with client.messages.stream(**PARAMS) as stream:
            assert stream.get_final_message().text == "ab"
    assert len(server.requests) == 2


def test_mid_stream_error_event_is_raised_and_not_retried():
    events = text_stream_events("partial ", "answer")[:4]
    events.append(sse({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}))
    replies = [sse_reply(events), sse_reply(text_stream_events("should never be fetched"))]
    with Loopback(replies) as server, client_for(server) as client:
        with client.messages.stream(**PARAMS) as stream:
            with pytest.raises(APIStatusError) as caught:
                stream.get_final_message()
            snapshot = stream.current_message_snapshot
    assert len(server.requests) == 1
    err = caught.value
    assert (err.status_code, err.error_type, err.request_id) == (200, "overloaded_error", "req_stream")
    assert snapshot.text == "partial answer"


def test_connection_broken_mid_stream_is_raised_and_not_retried():
    body = b"".join(text_stream_events("kept ", "text ", "and more"))
    cut = body.index(b"and more")
    replies = [sse_reply(body, reset_after=cut), sse_reply(body)]
    with Loopback(replies) as server, client_for(server) as client:
        with client.messages.stream(**PARAMS) as stream:
            with pytest.raises(APIConnectionError):
                stream.get_final_message()
            assert stream.current_message_snapshot.text == "kept text "
    assert len(server.requests) == 1


def test_timeout_is_raised_as_timeout_error():
    with Loopback([Hang(5)]) as server, client_for(server, timeout=0.3, max_retries=0) as client:
        with pytest.raises(APITimeoutError) as caught:
            client.messages.create(**PARAMS)
    assert isinstance(caught.value, APIConnectionError)


def test_timeouts_are_retried(monkeypatch):
    monkeypatch.setattr("workbench.api.client.time.sleep", lambda s: None)
    with Loopback([Hang(5), json_reply(200, message_json("second try"))]) as server, client_for(server, timeout=0.3) as client:
        assert client.messages.create(**PARAMS).text == "second try"


def test_per_call_max_retries():
    with Loopback(default=error_reply(429, "rate_limit_error", "no")) as server, client_for(server) as client:
        with pytest.raises(RateLimitError):
            client.messages.create(**PARAMS, max_retries=0)
    assert len(server.requests) == 1


def test_refused_connection_is_a_connection_error(monkeypatch):
    monkeypatch.setattr("workbench.api.client.time.sleep", lambda s: None)
    with Loopback() as server:
        url = server.url
    with Client(api_key="sk-ant-test", base_url=url) as client:
        with pytest.raises(APIConnectionError):
            client.messages.create(**PARAMS)


# ---- the policy itself ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, headers, expected",
    [
        (408, {}, True),
        (409, {}, True),
        (429, {}, True),
        (500, {}, True),
        (503, {}, True),
        (529, {}, True),
        (400, {}, False),
        (401, {}, False),
        (404, {}, False),
        (413, {}, False),
        (529, {"x-should-retry": "false"}, False),
        (400, {"x-should-retry": "true"}, True),
    ],
)
def test_should_retry(status, headers, expected):
    assert should_retry(status, headers) is expected


def test_backoff_doubles_caps_at_eight_seconds_and_jitters_down_by_at_most_a_quarter():
    rng = random.Random(0)
    for n, base in enumerate([0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        for _ in range(50):
            assert base * 0.75 <= retry_delay(n, {}, rng=rng) <= base


def test_server_delays():
    assert retry_delay(0, {"retry-after": "2.5"}) == 2.5
    assert retry_delay(0, {"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    future = email.utils.formatdate(time.time() + 100, usegmt=True)
    assert 90 < retry_delay(0, {"retry-after": future}) <= 101
    assert retry_delay(0, {"retry-after": "soon"}) <= 0.5
    assert retry_delay(0, {"retry-after": "0"}) <= 0.5


def test_a_body_cut_short_after_the_headers_is_retried(monkeypatch):
    from test_client_loopback import Reply

    monkeypatch.setattr("workbench.api.client.time.sleep", lambda s: None)
    body = b'{"id": "msg_01", "type": "message", "content": ['
    replies = [Reply(200, body, {"content-type": "application/json"}, reset_after=10), json_reply(200, message_json("whole"))]
    with Loopback(replies) as server, client_for(server) as client:
        assert client.messages.create(**PARAMS).text == "whole"
    assert len(server.requests) == 2

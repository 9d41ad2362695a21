"""The credential never shows up in a repr, an exception or a log record."""
from __future__ import annotations

import logging
import traceback
import warnings

import pytest
from test_client_loopback import (  # noqa: F401 - isolated_env is an autouse fixture
    Hang,
    Loopback,
    Reset,
    error_reply,
    isolated_env,
    json_reply,
    sse,
    sse_reply,
    text_stream_events,
)

from workbench.api import AsyncClient, Client
from workbench.api.errors import APIError

KEY = "sk-ant-api03-" + "VERY-SECRET-KEY-0123456789abcdef"  # built, so no key-shaped literal is tracked
TOKEN = "oauth-VERY-SECRET-TOKEN-9876543210"
PARAMS = {"model": "claude-opus-4-8", "max_tokens": 100, "messages": [{"role": "user", "content": "Hi"}]}


def failures(server_url: str, **credentials) -> list[BaseException]:
    """Provoke every kind of failure the client can raise; return the exceptions."""
    caught: list[BaseException] = []
    (secret,) = credentials.values()
    # A careless gateway quoting the credential back must not get it into our exception.
    echo = json_reply(401, {"type": "error", "error": {"type": "authentication_error", "message": f"bad credential {secret}"}})
    mid_stream = text_stream_events("a")[:3] + [sse({"type": "error", "error": {"type": "api_error", "message": "boom"}})]
    replies = [
        echo,
        error_reply(400, "invalid_request_error", "bad"),
        error_reply(529, "overloaded_error", "Overloaded"),
        Reset(),
        Hang(3),
        sse_reply(mid_stream),
    ]
    with Loopback(replies) as server:
        with Client(base_url=server.url, max_retries=0, timeout=0.3, **credentials) as client:
            for _ in range(5):
                try:
                    client.messages.create(**PARAMS)
                except APIError as exc:
                    caught.append(exc)
            try:
                with client.messages.stream(**PARAMS) as stream:
                    stream.get_final_message()
            except APIError as exc:
                caught.append(exc)
    with Client(base_url=server_url, max_retries=0, **credentials) as client:
        try:
            client.messages.create(**PARAMS)
        except APIError as exc:
            caught.append(exc)
    try:
        Client(api_version="1999-01-01", **credentials)
    except ValueError as exc:
        caught.append(exc)
    return caught


@pytest.mark.parametrize("credentials", [{"api_key": KEY}, {"auth_token": TOKEN}], ids=["api_key", "auth_token"])
def test_credential_never_in_repr_errors_or_logs(credentials, caplog):
    caplog.set_level(logging.DEBUG)
    with Loopback() as closed:
        refused_url = closed.url
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        errors = failures(refused_url, **credentials)
        client = Client(base_url=refused_url, **credentials)
        async_client = AsyncClient(base_url=refused_url, **credentials)
    assert len(errors) == 8
    texts = [repr(client), str(client), repr(async_client), repr(client.__dict__), repr(client._settings.__dict__)]
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(vars(exc))]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    texts += [str(w.message) for w in warned]
    assert caplog.records, "the client and httpx log at DEBUG: the check must have seen log lines"
    for text in texts:
        assert KEY not in text and TOKEN not in text

"""`Client` and `AsyncClient`: the Messages API over httpx, shaped like the official SDK.

Where requests go (the backend rule): with no credential (argument or ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN)
and no base_url (argument or ANTHROPIC_BASE_URL), or with WORKBENCH_BACKEND=simulator, requests go to the
embedded offline simulator. A base_url alone is enough for gateways (LiteLLM, vLLM, Ollama, llama.cpp ...):
no key is required then, and a path prefix in the base_url is kept.
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from .errors import APIConnectionError, APIError, APIStatusError, APITimeoutError, RequestValidationError, status_error
from .retry import retry_delay, should_retry
from .streaming import AsyncMessageStream, MessageStream, Timings
from .versions import DEFAULT_API_VERSION, check_api_version

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .types import (
        DeletedFile,
        DeletedMessageBatch,
        FileMetadata,
        Message,
        MessageBatch,
        MessageBatchIndividualResponse,
        MessageTokensCount,
        ModelInfo,
    )

__all__ = ["Client", "AsyncClient", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

logger = logging.getLogger("workbench.api")

DEFAULT_BASE_URL = "https://api.anthropic.com"
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
# The embedded simulator wants a key shaped like a real one; this one is public and worthless.
SIMULATOR_KEY = "sk-ant-simulator"
_CALL_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries")


class _Secret:
    """Holds a credential so that no repr, log line or traceback variable dump can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


@dataclass
class _Call:
    """One API call before it is sent: what both clients execute."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    files: Any = None
    timeout: Any = None
    max_retries: int | None = None


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


class _Settings:
    """Resolves credentials, base URL and backend; builds `_Call`s into httpx requests. Shared by both clients."""

    def __init__(
        self,
        api_key: str | None,
        auth_token: str | None,
        base_url: str | None,
        api_version: str,
        betas: Iterable[str],
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        check_api_version(api_version)
        if api_key is None and auth_token is None:
            api_key, auth_token = _env("ANTHROPIC_API_KEY"), _env("ANTHROPIC_AUTH_TOKEN")
        base_url = base_url or _env("ANTHROPIC_BASE_URL")
        self.simulated = os.environ.get("WORKBENCH_BACKEND") == "simulator" or (
            api_key is None and auth_token is None and base_url is None
        )
        if self.simulated:
            api_key, auth_token, base_url = SIMULATOR_KEY, None, None
        self._api_key = _Secret(api_key) if api_key else None
        self._auth_token = _Secret(auth_token) if auth_token else None
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.backend = "simulator" if self.simulated else ("anthropic" if base_url is None else self.base_url)
        self.api_version = api_version
        self.betas = tuple(betas)
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})

    def auth_headers(self) -> dict[str, str]:
        if self._api_key is not None:
            return {"x-api-key": self._api_key.reveal()}
        if self._auth_token is not None:
            return {"authorization": f"Bearer {self._auth_token.reveal()}"}
        return {}

    def scrub(self, body: bytes) -> bytes:
        """Remove our own credential from a response body before it can reach an exception message."""
        for secret in (self._api_key, self._auth_token):
            if secret is not None:
                body = body.replace(secret.reveal().encode(), b"<redacted>")
        return body

    def build(self, http: httpx.Client | httpx.AsyncClient, call: _Call) -> httpx.Request:
        headers = {"accept": "application/json", "anthropic-version": self.api_version}
        if self.betas:
            headers["anthropic-beta"] = ",".join(self.betas)
        headers.update(self.default_headers)
        headers.update(self.auth_headers())
        headers.update(call.headers)
        timeout = self.timeout if call.timeout is None else call.timeout
        return http.build_request(
            call.method,
            call.path,
            json=call.json,
            params=call.params,
            headers=headers,
            files=call.files,
            timeout=timeout,
        )

    def describe(self, cls: str) -> str:
        where = "" if self.simulated else f", base_url={self.base_url!r}"
        return f"{cls}(backend={self.backend!r}, api_version={self.api_version!r}{where})"


def _split_options(params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    options = {name: params.pop(name) for name in _CALL_OPTIONS if name in params}
    return params, options


def _apply_options(call: _Call, options: dict[str, Any]) -> _Call:
    call.headers.update(options.get("extra_headers") or {})
    if options.get("extra_query"):
        call.params = {**(call.params or {}), **options["extra_query"]}
    if options.get("extra_body"):
        call.json = {**(call.json or {}), **options["extra_body"]}
    call.timeout = options.get("timeout")
    call.max_retries = options.get("max_retries")
    return call


# Like the official SDK: without streaming, a reply this long may outlast the default 10-minute timeout.
NONSTREAMING_MAX_TOKENS = 21_333


def _messages_call(params: dict[str, Any], settings: _Settings, *, stream: bool) -> _Call:
    from .types import validate_request

    params, options = _split_options(dict(params))
    params.pop("stream", None)
    body = validate_request(params, settings.api_version)
    if stream:
        body["stream"] = True
    elif (
        body["max_tokens"] > NONSTREAMING_MAX_TOKENS
        and options.get("timeout") is None
        and settings.timeout is DEFAULT_TIMEOUT
    ):
        raise RequestValidationError(
            f"max_tokens: above {NONSTREAMING_MAX_TOKENS:,} a reply may take longer than 10 minutes;"
            " use messages.stream(...) or pass timeout="
        )
    return _apply_options(_Call("POST", "/v1/messages", json=body), options)


def _count_tokens_call(params: dict[str, Any], api_version: str) -> _Call:
    from .types import validate_request

    params, options = _split_options(dict(params))
    body = validate_request(params, api_version, count_tokens=True)
    return _apply_options(_Call("POST", "/v1/messages/count_tokens", json=body), options)


def _upload_call(file: str | os.PathLike[str] | bytes, filename: str | None, mime_type: str | None) -> _Call:
    if isinstance(file, (bytes, bytearray)):
        content, name = bytes(file), filename or "upload"
    else:
        path = Path(file)
        content, name = path.read_bytes(), filename or path.name
    if mime_type is None:
        import mimetypes

        mime_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return _Call("POST", "/v1/files", files={"file": (name, content, mime_type)})


def _page_params(limit: int | None, extra: Mapping[str, Any]) -> dict[str, Any]:
    # Array query params go out with brackets, as the API expects: lifecycle[]=active&lifecycle[]=retired
    params = {
        (f"{key}[]" if isinstance(value, (list, tuple)) else key): (list(value) if isinstance(value, tuple) else value)
        for key, value in extra.items()
        if value is not None
    }
    if limit is not None:
        params["limit"] = limit
    return params


def _next_page(page: dict[str, Any], params: dict[str, Any]) -> dict[str, Any] | None:
    """Query of the following page, or None at the end (ID pages: has_more/last_id; cursor pages: next_page)."""
    if "next_page" in page:
        return {**params, "page": page["next_page"]} if page.get("next_page") else None
    if not page.get("has_more"):
        return None
    if "before_id" in params:
        return {**params, "before_id": page["first_id"]} if page.get("first_id") else None
    return {**params, "after_id": page["last_id"]} if page.get("last_id") else None


def _error_from(response: httpx.Response, body_bytes: bytes) -> APIStatusError:
    try:
        body: Any = json.loads(body_bytes)
    except ValueError:
        body = body_bytes.decode("utf-8", "replace")
    return status_error(response.status_code, body, response.headers.get("request-id"))


def _log_response(call: _Call, response: httpx.Response) -> None:
    logger.debug(
        "%s %s -> %s (request-id %s)", call.method, call.path, response.status_code, response.headers.get("request-id")
    )


def _connection_error(exc: Exception) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError()
    return APIConnectionError(f"Connection error: {type(exc).__name__}")


def _decode_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content-type")
        raise APIError(f"{response.request.url.path} answered {response.status_code} with a body that is not JSON ({kind})") from None


def _parse(model: type[BaseModel], data: Any) -> Any:
    """Validate a response body; a body of the wrong shape (a gateway speaking another API...) is one clear error."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "body"
        raise APIError(f"the response is not a valid {model.__name__}: {where}: {error['msg']}") from None


def _jsonl(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    for line in lines:
        if line.strip():
            yield json.loads(line)


# ----------------------------------------------------------------------------------------------------------------
# Sync
# ----------------------------------------------------------------------------------------------------------------


class Client:
    """The Messages API client: `client.messages.create(...)`, `client.messages.stream(...)`, models, batches, files."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        betas: Iterable[str] = (),
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key, auth_token, base_url, api_version, betas, timeout, max_retries, default_headers
        )
        if transport is None and self._settings.simulated:
            from workbench.simulator import SimulatorTransport

            transport = SimulatorTransport()
        self._transport = transport
        self._http_client: httpx.Client | None = None
        self.messages = Messages(self)
        self.models = Models(self)
        self.files = Files(self)

    backend = property(lambda self: self._settings.backend, doc='"simulator", "anthropic", or the base_url.')
    api_version = property(lambda self: self._settings.api_version)
    betas = property(lambda self: self._settings.betas)
    base_url = property(lambda self: self._settings.base_url)

    def __repr__(self) -> str:
        return self._settings.describe(type(self).__name__)

    @property
    def _http(self) -> httpx.Client:
        # Made on first use: creating one loads the TLS trust store, tens of milliseconds.
        if self._http_client is None:
            self._http_client = httpx.Client(
                base_url=self._settings.base_url, transport=self._transport, timeout=self._settings.timeout
            )
        return self._http_client

    def close(self) -> None:
        if self._http_client is not None:
            self._http_client.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def _send(self, call: _Call, *, stream: bool = False, timings: Timings | None = None) -> httpx.Response:
        """Send with retries; return a 2xx response (body unread when `stream`), else raise."""
        max_retries = self._settings.max_retries if call.max_retries is None else call.max_retries
        retries_taken = 0
        while True:
            request = self._settings.build(self._http, call)
            try:
                response = self._http.send(request, stream=True)
                if timings is not None:
                    timings.first_byte = time.monotonic()
                if response.is_success and not stream:
                    try:
                        response.read()
                    finally:
                        response.close()
            except httpx.TransportError as exc:
                if retries_taken < max_retries:
                    delay = retry_delay(retries_taken)
                    logger.debug("%s %s failed (%s); retrying in %.2fs", call.method, call.path, type(exc).__name__, delay)
                    time.sleep(delay)
                    retries_taken += 1
                    continue
                raise _connection_error(exc) from None
            _log_response(call, response)
            if response.is_success:
                return response
            try:
                body = response.read()
            except httpx.TransportError:
                body = b""
            finally:
                response.close()
            if retries_taken < max_retries and should_retry(response.status_code, response.headers):
                delay = retry_delay(retries_taken, response.headers)
                logger.debug("retrying %s %s in %.2fs", call.method, call.path, delay)
                time.sleep(delay)
                retries_taken += 1
                continue
            raise _error_from(response, self._settings.scrub(body))

    def _json(self, call: _Call) -> Any:
        return _decode_json(self._send(call))

    def _paginate(self, path: str, params: dict[str, Any], model: type[BaseModel]) -> Iterator[Any]:
        query: dict[str, Any] | None = params
        while query is not None:
            page = self._json(_Call("GET", path, params=query))
            for item in page.get("data", []):
                yield _parse(model, item)
            query = _next_page(page, query)


class Messages:
    def __init__(self, client: Client) -> None:
        self._client = client
        self.batches = Batches(client)

    def create(self, **params: Any) -> Message:
        """POST /v1/messages. `params` are the body fields, plus extra_headers / extra_query / extra_body / timeout / max_retries."""
        from .types import Message

        if params.get("stream"):
            raise RequestValidationError("stream: use messages.stream(...) for streaming")
        call = _messages_call(params, self._client._settings, stream=False)
        timings = Timings(time.monotonic())
        response = self._client._send(call, timings=timings)
        message = _parse(Message, _decode_json(response))
        timings.finished = time.monotonic()
        message._request_id = response.headers.get("request-id")
        message._timings = timings
        return message

    def stream(self, **params: Any) -> MessageStream:
        """POST /v1/messages with `stream: true`. Use as `with client.messages.stream(...) as stream:`."""
        call = _messages_call(params, self._client._settings, stream=True)
        timings = Timings(time.monotonic())
        return MessageStream(lambda: self._client._send(call, stream=True, timings=timings), timings)

    def count_tokens(self, **params: Any) -> MessageTokensCount:
        from .types import MessageTokensCount

        call = _count_tokens_call(params, self._client._settings.api_version)
        return _parse(MessageTokensCount, self._client._json(call))


class Models:
    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self, *, limit: int | None = None, **query: Any) -> Iterator[ModelInfo]:
        """Every model, page after page (fetched as you iterate)."""
        from .types import ModelInfo

        return self._client._paginate("/v1/models", _page_params(limit, query), ModelInfo)

    def retrieve(self, model_id: str) -> ModelInfo:
        from .types import ModelInfo

        return _parse(ModelInfo, self._client._json(_Call("GET", f"/v1/models/{model_id}")))


class Batches:
    def __init__(self, client: Client) -> None:
        self._client = client

    def create(self, *, requests: list[dict[str, Any]]) -> MessageBatch:
        from .types import MessageBatch

        body = {"requests": [_batch_request(r, self._client._settings.api_version) for r in requests]}
        return _parse(MessageBatch, self._client._json(_Call("POST", "/v1/messages/batches", json=body)))

    def retrieve(self, batch_id: str) -> MessageBatch:
        from .types import MessageBatch

        return _parse(MessageBatch, self._client._json(_Call("GET", f"/v1/messages/batches/{batch_id}")))

    def list(self, *, limit: int | None = None, **query: Any) -> Iterator[MessageBatch]:
        from .types import MessageBatch

        return self._client._paginate("/v1/messages/batches", _page_params(limit, query), MessageBatch)

    def cancel(self, batch_id: str) -> MessageBatch:
        from .types import MessageBatch

        call = _Call("POST", f"/v1/messages/batches/{batch_id}/cancel")
        return _parse(MessageBatch, self._client._json(call))

    def delete(self, batch_id: str) -> DeletedMessageBatch:
        from .types import DeletedMessageBatch

        call = _Call("DELETE", f"/v1/messages/batches/{batch_id}")
        return _parse(DeletedMessageBatch, self._client._json(call))

    def results(self, batch_id: str) -> Iterator[MessageBatchIndividualResponse]:
        """The JSONL results of an ended batch, one entry per request (in no particular order)."""
        from .types import MessageBatchIndividualResponse

        batch = self.retrieve(batch_id)
        if not batch.results_url:
            raise RequestValidationError(f"batch {batch_id}: no results yet (processing_status {batch.processing_status})")
        call = _Call("GET", batch.results_url, headers={"accept": "application/binary"})
        response = self._client._send(call)
        return (_parse(MessageBatchIndividualResponse, r) for r in _jsonl(response.content.splitlines()))


class Files:
    def __init__(self, client: Client) -> None:
        self._client = client

    def upload(
        self, file: str | os.PathLike[str] | bytes, filename: str | None = None, mime_type: str | None = None
    ) -> FileMetadata:
        from .types import FileMetadata

        return _parse(FileMetadata, self._client._json(_upload_call(file, filename, mime_type)))

    def list(self, *, limit: int | None = None, **query: Any) -> Iterator[FileMetadata]:
        from .types import FileMetadata

        return self._client._paginate("/v1/files", _page_params(limit, query), FileMetadata)

    def retrieve(self, file_id: str) -> FileMetadata:
        from .types import FileMetadata

        return _parse(FileMetadata, self._client._json(_Call("GET", f"/v1/files/{file_id}")))

    def delete(self, file_id: str) -> DeletedFile:
        from .types import DeletedFile

        return _parse(DeletedFile, self._client._json(_Call("DELETE", f"/v1/files/{file_id}")))


def _batch_request(request: dict[str, Any], api_version: str) -> dict[str, Any]:
    from .types import validate_request

    custom_id = request.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise RequestValidationError("requests: every request needs a custom_id string")
    try:
        params = validate_request(dict(request.get("params") or {}), api_version)
    except RequestValidationError as exc:
        raise RequestValidationError(f"requests[{custom_id}].params.{exc}") from None
    return {"custom_id": custom_id, "params": params}


# ----------------------------------------------------------------------------------------------------------------
# Async
# ----------------------------------------------------------------------------------------------------------------


class AsyncClient:
    """The async twin of `Client`: same settings, same resources, awaitable methods."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth_token: str | None = None,
        base_url: str | None = None,
        api_version: str = DEFAULT_API_VERSION,
        betas: Iterable[str] = (),
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._settings = _Settings(
            api_key, auth_token, base_url, api_version, betas, timeout, max_retries, default_headers
        )
        if transport is None and self._settings.simulated:
            from workbench.simulator import SimulatorTransport

            transport = SimulatorTransport()
        self._transport = transport
        self._http_client: httpx.AsyncClient | None = None
        self.messages = AsyncMessages(self)
        self.models = AsyncModels(self)
        self.files = AsyncFiles(self)

    backend = Client.backend
    api_version = Client.api_version
    betas = Client.betas
    base_url = Client.base_url
    __repr__ = Client.__repr__

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(
                base_url=self._settings.base_url, transport=self._transport, timeout=self._settings.timeout
            )
        return self._http_client

    async def close(self) -> None:
        if self._http_client is not None:
            await self._http_client.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    async def _send(self, call: _Call, *, stream: bool = False, timings: Timings | None = None) -> httpx.Response:
        import asyncio

        max_retries = self._settings.max_retries if call.max_retries is None else call.max_retries
        retries_taken = 0
        while True:
            request = self._settings.build(self._http, call)
            try:
                response = await self._http.send(request, stream=True)
                if timings is not None:
                    timings.first_byte = time.monotonic()
                if response.is_success and not stream:
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except httpx.TransportError as exc:
                if retries_taken < max_retries:
                    delay = retry_delay(retries_taken)
                    logger.debug("%s %s failed (%s); retrying in %.2fs", call.method, call.path, type(exc).__name__, delay)
                    await asyncio.sleep(delay)
                    retries_taken += 1
                    continue
                raise _connection_error(exc) from None
            _log_response(call, response)
            if response.is_success:
                return response
            try:
                body = await response.aread()
            except httpx.TransportError:
                body = b""
            finally:
                await response.aclose()
            if retries_taken < max_retries and should_retry(response.status_code, response.headers):
                delay = retry_delay(retries_taken, response.headers)
                logger.debug("retrying %s %s in %.2fs", call.method, call.path, delay)
                await asyncio.sleep(delay)
                retries_taken += 1
                continue
            raise _error_from(response, self._settings.scrub(body))

    async def _json(self, call: _Call) -> Any:
        return _decode_json(await self._send(call))

    async def _paginate(self, path: str, params: dict[str, Any], model: type[BaseModel]) -> AsyncIterator[Any]:
        query: dict[str, Any] | None = params
        while query is not None:
            page = await self._json(_Call("GET", path, params=query))
            for item in page.get("data", []):
                yield _parse(model, item)
            query = _next_page(page, query)


class AsyncMessages:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client
        self.batches = AsyncBatches(client)

    async def create(self, **params: Any) -> Message:
        from .types import Message

        if params.get("stream"):
            raise RequestValidationError("stream: use messages.stream(...) for streaming")
        call = _messages_call(params, self._client._settings, stream=False)
        timings = Timings(time.monotonic())
        response = await self._client._send(call, timings=timings)
        message = _parse(Message, _decode_json(response))
        timings.finished = time.monotonic()
        message._request_id = response.headers.get("request-id")
        message._timings = timings
        return message

    def stream(self, **params: Any) -> AsyncMessageStream:
        """Use as `async with client.messages.stream(...) as stream:`."""
        call = _messages_call(params, self._client._settings, stream=True)
        timings = Timings(time.monotonic())
        return AsyncMessageStream(lambda: self._client._send(call, stream=True, timings=timings), timings)

    async def count_tokens(self, **params: Any) -> MessageTokensCount:
        from .types import MessageTokensCount

        call = _count_tokens_call(params, self._client._settings.api_version)
        return _parse(MessageTokensCount, await self._client._json(call))


class AsyncModels:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    def list(self, *, limit: int | None = None, **query: Any) -> AsyncIterator[ModelInfo]:
        from .types import ModelInfo

        return self._client._paginate("/v1/models", _page_params(limit, query), ModelInfo)

    async def retrieve(self, model_id: str) -> ModelInfo:
        from .types import ModelInfo

        return _parse(ModelInfo, await self._client._json(_Call("GET", f"/v1/models/{model_id}")))


class AsyncBatches:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def create(self, *, requests: list[dict[str, Any]]) -> MessageBatch:
        from .types import MessageBatch

        body = {"requests": [_batch_request(r, self._client._settings.api_version) for r in requests]}
        return _parse(MessageBatch, await self._client._json(_Call("POST", "/v1/messages/batches", json=body)))

    async def retrieve(self, batch_id: str) -> MessageBatch:
        from .types import MessageBatch

        return _parse(MessageBatch, await self._client._json(_Call("GET", f"/v1/messages/batches/{batch_id}")))

    def list(self, *, limit: int | None = None, **query: Any) -> AsyncIterator[MessageBatch]:
        from .types import MessageBatch

        return self._client._paginate("/v1/messages/batches", _page_params(limit, query), MessageBatch)

    async def cancel(self, batch_id: str) -> MessageBatch:
        from .types import MessageBatch

        call = _Call("POST", f"/v1/messages/batches/{batch_id}/cancel")
        return _parse(MessageBatch, await self._client._json(call))

    async def delete(self, batch_id: str) -> DeletedMessageBatch:
        from .types import DeletedMessageBatch

        call = _Call("DELETE", f"/v1/messages/batches/{batch_id}")
        return _parse(DeletedMessageBatch, await self._client._json(call))

    async def results(self, batch_id: str) -> AsyncIterator[MessageBatchIndividualResponse]:
        from .types import MessageBatchIndividualResponse

        batch = await self.retrieve(batch_id)
        if not batch.results_url:
            raise RequestValidationError(f"batch {batch_id}: no results yet (processing_status {batch.processing_status})")
        response = await self._client._send(_Call("GET", batch.results_url, headers={"accept": "application/binary"}))
        for record in _jsonl(response.content.splitlines()):
            yield _parse(MessageBatchIndividualResponse, record)


class AsyncFiles:
    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def upload(
        self, file: str | os.PathLike[str] | bytes, filename: str | None = None, mime_type: str | None = None
    ) -> FileMetadata:
        from .types import FileMetadata

        return _parse(FileMetadata, await self._client._json(_upload_call(file, filename, mime_type)))

    def list(self, *, limit: int | None = None, **query: Any) -> AsyncIterator[FileMetadata]:
        from .types import FileMetadata

        return self._client._paginate("/v1/files", _page_params(limit, query), FileMetadata)

    async def retrieve(self, file_id: str) -> FileMetadata:
        from .types import FileMetadata

        return _parse(FileMetadata, await self._client._json(_Call("GET", f"/v1/files/{file_id}")))

    async def delete(self, file_id: str) -> DeletedFile:
        from .types import DeletedFile

        return _parse(DeletedFile, await self._client._json(_Call("DELETE", f"/v1/files/{file_id}")))

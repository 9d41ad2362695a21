"""The simulator's engine: one request in, one response out (status, headers, body items).

Pure and deterministic: replies and ids come from the seed, time comes from the injected clock, and the engine
never sleeps or touches a socket. Pacing and dropped connections are items in the body (`Pause`, `Drop`) that
the adapters (transport.py, server.py) act on.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from workbench.simulator._batches import BatchStore
from workbench.simulator._cache import PromptCache, prefix_blocks
from workbench.simulator._errors import SimError, fault, invalid
from workbench.simulator._files import FileStore
from workbench.simulator._pages import id_page
from workbench.simulator._ratelimit import RateLimiter
from workbench.simulator._replies import ScriptedReply, compose_reply
from workbench.simulator._rules import validate_messages_body
from workbench.simulator._schema import API_VERSIONS, Ctx
from workbench.simulator._sse import Drop, Item, Pause, StreamPlan, stream_items
from workbench.simulator.models import CATALOGUE, SimModel, find_model, model_info
from workbench.simulator.options import Knobs, SimulatorOptions, parse_knobs

__all__ = ["Engine", "SimRequest", "SimResponse", "ReceivedRequest", "Pause", "Drop"]

MB = 1024 * 1024
BODY_LIMITS = {"/v1/messages/batches": 256 * MB, "/v1/files": 500 * MB}
DEFAULT_BODY_LIMIT = 32 * MB
ORGANIZATION_ID = "00000000-0000-4000-8000-00000000c1a0"
REDACTED_HEADERS = ("x-api-key", "authorization")
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class SimRequest:
    """An HTTP request as the adapters hand it over. `path` may carry a query string."""

    method: str
    path: str
    # kept out of the repr: the headers carry the API key
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = field(default=(), repr=False)
    body: bytes = field(default=b"", repr=False)
    base_url: str = "http://127.0.0.1"

    def __post_init__(self) -> None:
        pairs = self.headers.items() if isinstance(self.headers, Mapping) else self.headers
        merged: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        self.headers = merged
        self.method = self.method.upper()


@dataclass
class SimResponse:
    status: int
    headers: list[tuple[str, str]]
    body: Iterable[Item]
    # seconds to wait before sending the status line (a slow first byte)
    delay: float = 0.0

    @property
    def streaming(self) -> bool:
        return any(k.lower() == "content-type" and v.startswith("text/event-stream") for k, v in self.headers)


@dataclass(frozen=True)
class _Call:
    """A routed request and what the router learned about it."""

    request: SimRequest
    ctx: Ctx
    knobs: Knobs
    query: dict[str, list[str]]
    request_id: str


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    json: Any


class Engine:
    """The offline Messages API. Thread-safe: adapters may call `handle` from many threads."""

    def __init__(
        self,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        options: SimulatorOptions | None = None,
    ) -> None:
        self.seed = seed
        self.clock = clock
        self.options = options or SimulatorOptions()
        self.received: list[ReceivedRequest] = []
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._scripts: deque[ScriptedReply] = deque()
        self._cache = PromptCache()
        self._limits = RateLimiter()
        self._fail_positions: dict[tuple[tuple[int, ...], str], int] = {}
        self._files = FileStore()
        self._batches = BatchStore()

    # ---- public ----------------------------------------------------------------------------------------

    def script_reply(
        self,
        text: str | None = None,
        thinking: str | None = None,
        tool_uses: list[dict[str, Any]] | None = None,
        stop_reason: str | None = None,
    ) -> None:
        """Queue an exact reply for the next POST /v1/messages (tool_uses: [{"name", "input", "id"?}])."""
        with self._lock:
            self._scripts.append(ScriptedReply(text, thinking, tool_uses, stop_reason))

    def handle(self, request: SimRequest) -> SimResponse:
        with self._lock:
            request_id = self._new_id("req_")
            self._record(request)
            try:
                response = self._route(request, request_id)
            except SimError as err:
                response = self._error(err, request_id)
            except Exception as exc:  # a simulator bug: answer like a server would, with the cause in the message
                response = self._error(SimError(500, f"Internal simulator error: {type(exc).__name__}: {exc}"),
                                       request_id)
            response.headers.append(("request-id", request_id))
            response.headers.append(("anthropic-organization-id", ORGANIZATION_ID))
            return response

    # ---- plumbing --------------------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return prefix + "01" + "".join(self._rng.choice(_ALPHABET) for _ in range(22))

    def _record(self, request: SimRequest) -> None:
        headers = {k: ("<redacted>" if k in REDACTED_HEADERS else v) for k, v in request.headers.items()}
        try:
            parsed = json.loads(request.body) if request.body else None
        except ValueError:
            parsed = None
        self.received.append(ReceivedRequest(request.method, request.path, headers, parsed))
        if len(self.received) > self.options.keep_received:
            del self.received[: len(self.received) - self.options.keep_received]

    def _json_response(self, payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None,
                       delay: float = 0.0) -> SimResponse:
        data = json.dumps(payload, ensure_ascii=False).encode()
        return SimResponse(status, [("content-type", "application/json"), *(headers or [])], [data], delay)

    def _error(self, err: SimError, request_id: str) -> SimResponse:
        return self._json_response(err.body(request_id), err.status, list(err.headers))

    def _file_lookup(self, file_id: str) -> tuple[str, bytes] | None:
        return self._files.lookup(file_id, self.clock())

    # ---- routing ---------------------------------------------------------------------------------------

    def _route(self, request: SimRequest, request_id: str) -> SimResponse:
        url = urlsplit(request.path)
        path = url.path.rstrip("/") or "/"
        query = parse_qs(url.query)
        limit = next((v for k, v in BODY_LIMITS.items() if path.startswith(k)), DEFAULT_BODY_LIMIT)
        if len(request.body) > limit:
            raise SimError(413, "Request exceeds the maximum allowed number of bytes.")
        self._authenticate(request.headers)
        version = request.headers.get("anthropic-version")
        if version is None:
            raise invalid("anthropic-version: header is required")
        if version not in API_VERSIONS:
            raise invalid(f"anthropic-version: '{version}' is not a valid version")
        betas = tuple(b.strip() for b in request.headers.get("anthropic-beta", "").split(",") if b.strip())
        ctx = Ctx(version, betas)
        try:
            knobs = parse_knobs(request.headers.get("x-simulator"))
        except ValueError as exc:
            raise invalid(str(exc)) from None
        method = request.method

        for pattern, handlers in self._routes():
            match = re.fullmatch(pattern, path)
            if match is None:
                continue
            handler = handlers.get(method)
            if handler is None:
                raise SimError(405, f"Method {method} is not allowed for {path}")
            return handler(_Call(request, ctx, knobs, query, request_id), *map(unquote, match.groups()))
        raise SimError(404, f"Not found: {method} {path}")

    def _routes(self) -> list[tuple[str, dict[str, Callable[..., SimResponse]]]]:
        return [
            (r"/v1/messages", {"POST": self._messages}),
            (r"/v1/messages/count_tokens", {"POST": self._count_tokens}),
            (r"/v1/models", {"GET": self._list_models}),
            (r"/v1/models/([^/]+)", {"GET": self._get_model}),
            (r"/v1/messages/batches", {"POST": self._create_batch, "GET": self._list_batches}),
            (r"/v1/messages/batches/([^/]+)", {"GET": self._get_batch, "DELETE": self._delete_batch}),
            (r"/v1/messages/batches/([^/]+)/cancel", {"POST": self._cancel_batch}),
            (r"/v1/messages/batches/([^/]+)/results", {"GET": self._batch_results}),
            (r"/v1/files", {"POST": self._upload_file, "GET": self._list_files}),
            (r"/v1/files/([^/]+)", {"GET": self._get_file, "DELETE": self._delete_file}),
            (r"/v1/files/([^/]+)/content", {"GET": self._file_content}),
        ]

    def _authenticate(self, headers: Mapping[str, str]) -> None:
        key = headers.get("x-api-key")
        if key is None and headers.get("authorization", "").lower().startswith("bearer "):
            key = headers["authorization"][7:].strip()
        if not key:
            raise SimError(401, "x-api-key header is required")
        allowed = self.options.api_keys
        if (allowed is not None and key not in allowed) or (allowed is None and not key.startswith("sk-ant-")):
            raise SimError(401, "invalid x-api-key")

    @staticmethod
    def _body_json(request: SimRequest) -> Any:
        try:
            return json.loads(request.body or b"null")
        except ValueError as exc:
            raise invalid(f"There was an error parsing the body of your request: {exc}") from None

    # ---- messages --------------------------------------------------------------------------------------

    def _input_tokens(self, body: dict[str, Any], model: SimModel) -> tuple[list[Any], int]:
        blocks = prefix_blocks(body, self._file_lookup)
        total = sum(b.tokens for b in blocks)
        if total > model.context_window:
            raise invalid(f"prompt is too long: {total} tokens > {model.context_window} maximum")
        return blocks, total

    def _count_tokens(self, call: _Call) -> SimResponse:
        body = self._body_json(call.request)
        model = validate_messages_body(body, call.ctx, self._file_lookup, count_only=True)
        _, total = self._input_tokens(body, model)
        return self._json_response({"input_tokens": total})

    def _fault_status(self, request: SimRequest, knobs: Knobs) -> int | None:
        """The failure this request gets, if any: header sequence, options sequence, then probability."""
        if knobs.fail:
            attempt = request.headers.get("x-stainless-retry-count", "")
            if attempt.isdigit():  # the official SDKs number their attempts: no state needed
                position = int(attempt)
                return knobs.fail[position] if position < len(knobs.fail) else None
            key = (knobs.fail, hashlib.sha256(request.body).hexdigest())
            position = self._fail_positions.get(key, 0)
            if position < len(knobs.fail):
                self._fail_positions[key] = position + 1
                return knobs.fail[position]
            # the sequence is spent: this attempt succeeds and the next identical request starts over
            self._fail_positions.pop(key, None)
            return None
        if self.options.fail:
            return self.options.fail.pop(0)
        rate = knobs.fail_rate if knobs.fail_rate is not None else self.options.fail_rate
        if rate and self._rng.random() < rate:
            return knobs.fail_status or self.options.fail_status
        return None

    def _retry_after(self, knobs: Knobs) -> str:
        return f"{_pick(knobs.retry_after, self.options.retry_after):g}"

    def _build_message(self, body: dict[str, Any], model: SimModel, *, service_tier: str = "standard",
                       use_cache: bool = True, scripted: ScriptedReply | None = None) -> dict[str, Any]:
        blocks, total = self._input_tokens(body, model)
        reply = compose_reply(body, model, seed=self.seed, new_id=self._new_id, files=self._file_lookup,
                              scripted=scripted)
        if use_cache:
            cache = self._cache.account(blocks, model.min_cache_tokens, self.clock()).usage_fields()
        else:
            cache = {"input_tokens": total, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                     "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}
        return {
            "id": self._new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": reply.content,
            "stop_reason": reply.stop_reason,
            "stop_sequence": reply.stop_sequence,
            "stop_details": None,
            "container": None,
            "usage": {
                **cache,
                "output_tokens": reply.output_tokens,
                "server_tool_use": None,
                "service_tier": service_tier,
                "inference_geo": body.get("inference_geo") or "global",
                "output_tokens_details": {"thinking_tokens": reply.thinking_tokens},
                "speed": body.get("speed") or "standard",
            },
        }

    def _messages(self, call: _Call) -> SimResponse:
        body = self._body_json(call.request)
        model = validate_messages_body(body, call.ctx, self._file_lookup)
        _, total = self._input_tokens(body, model)
        delay = _pick(call.knobs.first_byte_delay, self.options.first_byte_delay)
        status = self._fault_status(call.request, call.knobs)
        if status is not None:
            err = fault(status)
            if status in (429, 529):
                err.headers.append(("retry-after", self._retry_after(call.knobs)))
            response = self._error(err, call.request_id)
            response.delay = delay
            return response
        headers = self._limits.admit(self.options, total, self.clock())
        scripted = self._scripts.popleft() if self._scripts else None
        message = self._build_message(body, model, scripted=scripted)
        self._limits.spend_output(message["usage"]["output_tokens"])
        if not body.get("stream"):
            return self._json_response(message, headers=headers, delay=delay)
        plan = StreamPlan(
            words_per_delta=self.options.words_per_delta,
            first_token_delay=_pick(call.knobs.first_token_delay, self.options.first_token_delay) or 0.0,
            deltas_per_second=_pick(call.knobs.deltas_per_second, self.options.deltas_per_second),
            error_after=_pick(call.knobs.error_after, self.options.error_after),
            error=_stream_error(call.knobs.error_type or self.options.error_type, call.request_id),
            drop_after=_pick(call.knobs.drop_after, self.options.drop_after),
        )
        sse_headers = [("content-type", "text/event-stream; charset=utf-8"), ("cache-control", "no-cache"), *headers]
        return SimResponse(200, sse_headers, stream_items(message, plan), delay)

    # ---- models ----------------------------------------------------------------------------------------

    def _list_models(self, call: _Call) -> SimResponse:
        lifecycles = call.query.get("lifecycle[]") or call.query.get("lifecycle") or ["active", "deprecated"]
        items = [model_info(m) for m in CATALOGUE if m.lifecycle in lifecycles]
        return self._json_response(id_page(items, call.query))

    def _get_model(self, call: _Call, model_id: str) -> SimResponse:
        model = find_model(model_id)
        if model is None:
            raise SimError(404, f"model: {model_id}")
        return self._json_response(model_info(model))

    # ---- batches ---------------------------------------------------------------------------------------

    def _create_batch(self, call: _Call) -> SimResponse:
        batch = self._batches.create(
            self._body_json(call.request),
            lambda params: self._batch_result(params, call.ctx),
            self._new_id("msgbatch_"),
            self.clock(),
            self.options.batch_seconds,
        )
        return self._json_response(self._batches.view(batch, call.request.base_url, self.clock()))

    def _batch_result(self, params: Any, ctx: Ctx) -> dict[str, Any]:
        try:
            if isinstance(params, dict) and params.get("stream"):
                raise invalid("stream: streaming is not supported in batches")
            model = validate_messages_body(params, ctx, self._file_lookup)
            return {"type": "succeeded",
                    "message": self._build_message(params, model, service_tier="batch", use_cache=False)}
        except SimError as err:
            return {"type": "errored", "error": err.body(self._new_id("req_"))}

    def _get_batch(self, call: _Call, batch_id: str) -> SimResponse:
        return self._json_response(self._batches.view(self._batches.find(batch_id), call.request.base_url,
                                                      self.clock()))

    def _list_batches(self, call: _Call) -> SimResponse:
        now = self.clock()
        items = [self._batches.view(b, call.request.base_url, now) for b in self._batches.newest_first()]
        return self._json_response(id_page(items, call.query))

    def _cancel_batch(self, call: _Call, batch_id: str) -> SimResponse:
        batch = self._batches.find(batch_id)
        return self._json_response(self._batches.cancel(batch, call.request.base_url, self.clock()))

    def _delete_batch(self, call: _Call, batch_id: str) -> SimResponse:
        return self._json_response(self._batches.delete(batch_id, self.clock()))

    def _batch_results(self, call: _Call, batch_id: str) -> SimResponse:
        data = self._batches.results(self._batches.find(batch_id), self.clock())
        return SimResponse(200, [("content-type", "application/binary")], [data])

    # ---- files -----------------------------------------------------------------------------------------

    def _upload_file(self, call: _Call) -> SimResponse:
        request = call.request
        meta = self._files.upload(request.body, request.headers.get("content-type", ""), self._new_id("file_"),
                                  self.clock())
        return self._json_response(meta)

    def _list_files(self, call: _Call) -> SimResponse:
        return self._json_response(self._files.page(call.query, self.clock()))

    def _get_file(self, call: _Call, file_id: str) -> SimResponse:
        return self._json_response(self._files.find(file_id, self.clock()).meta)

    def _delete_file(self, call: _Call, file_id: str) -> SimResponse:
        return self._json_response(self._files.delete(file_id, self.clock()))

    def _file_content(self, call: _Call, file_id: str) -> SimResponse:
        found = self._files.content(file_id, self.clock())
        return SimResponse(200, [("content-type", found.meta["mime_type"])], [found.data])


def _pick(override: Any, default: Any) -> Any:
    return default if override is None else override


def _stream_error(error_type: str, request_id: str) -> dict[str, Any]:
    """The payload of a mid-stream `error` event."""
    status = {"overloaded_error": 529, "rate_limit_error": 429}.get(error_type, 500)
    return {"error": SimError(status, fault(status).message, error_type=error_type).error_object(),
            "request_id": request_id}

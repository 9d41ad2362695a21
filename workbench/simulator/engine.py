"""The simulator's engine: one request in, one response out (status, headers, body items).

Pure and deterministic: replies and ids come from the seed, time comes from the injected clock, and the engine
never sleeps or touches a socket. Pacing and dropped connections are items in the body (`Pause`, `Drop`) that
the adapters (transport.py, server.py) act on.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import random
import re
import string
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from workbench.simulator._cache import PromptCache, prefix_blocks
from workbench.simulator._errors import SimError, fault, invalid
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
# Limits shown in the anthropic-ratelimit-* headers when no limit is enforced.
NOMINAL_LIMITS = {"requests": 4000, "input-tokens": 2_000_000, "output-tokens": 400_000}
REDACTED_HEADERS = ("x-api-key", "authorization")
_ALPHABET = string.ascii_letters + string.digits


@dataclass
class SimRequest:
    """An HTTP request as the adapters hand it over. `path` may carry a query string."""

    method: str
    path: str
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = ()
    body: bytes = b""
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


def _rfc3339(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Bucket:
    """A token bucket refilled continuously at `capacity` per minute."""

    def __init__(self, capacity: int, now: float) -> None:
        self.capacity = capacity
        self.level = float(capacity)
        self.updated = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.capacity / 60)
        self.updated = now

    def wait_for(self, amount: float) -> float:
        if amount > self.capacity:
            return 60.0  # larger than the whole budget: never fits; say "a minute", as the API does
        return 0.0 if self.level >= amount else (amount - self.level) * 60 / self.capacity

    def reset_at(self, now: float) -> str:
        return _rfc3339(now + (self.capacity - self.level) * 60 / self.capacity)


@dataclass
class _File:
    meta: dict[str, Any]
    data: bytes
    created: float
    expires: float | None


@dataclass
class _Batch:
    id: str
    created: float
    # (custom_id, result when the request completes normally)
    entries: list[tuple[str, dict[str, Any]]]
    processing_seconds: float
    cancel_at: float | None = None
    cancel_seen: bool = False
    ended_at: float | None = None
    outcome: list[dict[str, Any]] = field(default_factory=list)


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
        self._buckets: dict[str, _Bucket] = {}
        self._fail_positions: dict[tuple[tuple[int, ...], str], int] = {}
        self._files: dict[str, _File] = {}
        self._batches: dict[str, _Batch] = {}

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

    def _json_response(self, payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None,
                       delay: float = 0.0) -> SimResponse:
        data = json.dumps(payload, ensure_ascii=False).encode()
        return SimResponse(status, [("content-type", "application/json"), *(headers or [])], [data], delay)

    def _error(self, err: SimError, request_id: str) -> SimResponse:
        return self._json_response(err.body(request_id), err.status, list(err.headers))

    def _file_lookup(self, file_id: str) -> tuple[str, bytes] | None:
        found = self._files.get(file_id)
        if found is None or (found.expires is not None and found.expires <= self.clock()):
            return None
        return found.meta["mime_type"], found.data

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

    def _rate_limit(self, input_tokens: int) -> list[tuple[str, str]]:
        """Check the buckets (429 when one is empty) and return the anthropic-ratelimit-* headers."""
        now = self.clock()
        configured = {
            "requests": self.options.requests_per_minute,
            "input-tokens": self.options.input_tokens_per_minute,
            "output-tokens": self.options.output_tokens_per_minute,
        }
        for name, value in configured.items():
            capacity = value or NOMINAL_LIMITS[name]
            bucket = self._buckets.get(name)
            if bucket is None or bucket.capacity != capacity:
                bucket = self._buckets[name] = _Bucket(capacity, now)
            bucket.refill(now)
        needs = {"requests": 1, "input-tokens": input_tokens, "output-tokens": 1}
        for name, amount in needs.items():
            if configured[name] is None:
                continue
            wait = self._buckets[name].wait_for(amount)
            if wait > 0:
                unit = "requests" if name == "requests" else name.replace("-", " ")
                raise SimError(
                    429,
                    f"This request would exceed your organization's rate limit of {configured[name]} {unit} per minute.",
                    headers=[("retry-after", str(max(1, int(wait + 0.999)))), *self._limit_headers(now)],
                )
        self._buckets["requests"].level -= 1
        self._buckets["input-tokens"].level -= input_tokens
        return self._limit_headers(now)

    def _limit_headers(self, now: float) -> list[tuple[str, str]]:
        headers = []
        for name in ("requests", "input-tokens", "output-tokens"):
            bucket = self._buckets[name]
            headers += [
                (f"anthropic-ratelimit-{name}-limit", str(bucket.capacity)),
                (f"anthropic-ratelimit-{name}-remaining", str(max(0, int(bucket.level)))),
                (f"anthropic-ratelimit-{name}-reset", bucket.reset_at(now)),
            ]
        tokens = [self._buckets["input-tokens"], self._buckets["output-tokens"]]
        headers += [
            ("anthropic-ratelimit-tokens-limit", str(sum(b.capacity for b in tokens))),
            ("anthropic-ratelimit-tokens-remaining", str(sum(max(0, int(b.level)) for b in tokens))),
            ("anthropic-ratelimit-tokens-reset", max(b.reset_at(now) for b in tokens)),
        ]
        return headers

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
        headers = self._rate_limit(total)
        scripted = self._scripts.popleft() if self._scripts else None
        message = self._build_message(body, model, scripted=scripted)
        self._buckets["output-tokens"].level -= message["usage"]["output_tokens"]
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
        return self._json_response(_id_page(items, call.query))

    def _get_model(self, call: _Call, model_id: str) -> SimResponse:
        model = find_model(model_id)
        if model is None:
            raise SimError(404, f"model: {model_id}")
        return self._json_response(model_info(model))

    # ---- batches ---------------------------------------------------------------------------------------

    def _create_batch(self, call: _Call) -> SimResponse:
        body = self._body_json(call.request)
        if not isinstance(body, dict):
            raise invalid("Input should be a valid dictionary")
        for key in body:
            if key != "requests":
                raise invalid(f"{key}: Extra inputs are not permitted")
        requests = body.get("requests")
        if requests is None:
            raise invalid("requests: Field required")
        if not isinstance(requests, list):
            raise invalid("requests: Input should be a valid list")
        if not 1 <= len(requests) <= 100_000:
            raise invalid(f"requests: List should have between 1 and 100000 items, not {len(requests)}")
        seen: set[str] = set()
        entries = []
        for i, item in enumerate(requests):
            if not isinstance(item, dict) or set(item) - {"custom_id", "params"}:
                extra = sorted(set(item) - {"custom_id", "params"}) if isinstance(item, dict) else []
                raise invalid(f"requests.{i}.{extra[0]}: Extra inputs are not permitted" if extra
                              else f"requests.{i}: Input should be a valid dictionary")
            for key in ("custom_id", "params"):
                if key not in item:
                    raise invalid(f"requests.{i}.{key}: Field required")
            custom_id = item["custom_id"]
            if not isinstance(custom_id, str) or not re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", custom_id):
                raise invalid(f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
            if custom_id in seen:
                raise invalid(f"requests.{i}.custom_id: custom_id '{custom_id}' is not unique within the batch")
            seen.add(custom_id)
            entries.append((custom_id, self._batch_result(item["params"], call.ctx)))
        batch = _Batch(self._new_id("msgbatch_"), self.clock(), entries, self.options.batch_seconds)
        self._batches[batch.id] = batch
        return self._json_response(self._batch_view(batch, call.request.base_url))

    def _batch_result(self, params: Any, ctx: Ctx) -> dict[str, Any]:
        try:
            if isinstance(params, dict) and params.get("stream"):
                raise invalid("stream: streaming is not supported in batches")
            model = validate_messages_body(params, ctx, self._file_lookup)
            return {"type": "succeeded",
                    "message": self._build_message(params, model, service_tier="batch", use_cache=False)}
        except SimError as err:
            return {"type": "errored", "error": err.body(self._new_id("req_"))}

    def _settle(self, batch: _Batch) -> None:
        """Advance a batch along in_progress -> (canceling) -> ended, as far as the clock says."""
        if batch.ended_at is not None:
            return
        now = self.clock()
        count = len(batch.entries)
        finish = [batch.created + batch.processing_seconds * (i + 1) / count for i in range(count)]
        expires = batch.created + 24 * 3600
        if batch.cancel_at is not None:
            if not batch.cancel_seen:
                return
            cutoff, end, late = batch.cancel_at, max(now, batch.cancel_at), {"type": "canceled"}
        elif now >= finish[-1] and finish[-1] <= expires:
            cutoff, end, late = finish[-1], finish[-1], {"type": "expired"}
        elif now >= expires:
            cutoff, end, late = expires, expires, {"type": "expired"}
        else:
            return
        batch.outcome = [result if done <= cutoff else late for (_, result), done in zip(batch.entries, finish)]
        batch.ended_at = end

    def _batch_view(self, batch: _Batch, base_url: str) -> dict[str, Any]:
        self._settle(batch)
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if batch.ended_at is None:
            counts["processing"] = len(batch.entries)
            status = "canceling" if batch.cancel_at is not None else "in_progress"
        else:
            for result in batch.outcome:
                counts[result["type"]] += 1
            status = "ended"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _rfc3339(batch.created),
            "expires_at": _rfc3339(batch.created + 24 * 3600),
            "ended_at": _rfc3339(batch.ended_at) if batch.ended_at is not None else None,
            "cancel_initiated_at": _rfc3339(batch.cancel_at) if batch.cancel_at is not None else None,
            "archived_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{batch.id}/results" if batch.ended_at is not None else None,
        }

    def _find_batch(self, batch_id: str) -> _Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise SimError(404, f"Message batch {batch_id} not found")
        return batch

    def _get_batch(self, call: _Call, batch_id: str) -> SimResponse:
        return self._json_response(self._batch_view(self._find_batch(batch_id), call.request.base_url))

    def _list_batches(self, call: _Call) -> SimResponse:
        items = [self._batch_view(b, call.request.base_url) for b in reversed(self._batches.values())]
        return self._json_response(_id_page(items, call.query))

    def _cancel_batch(self, call: _Call, batch_id: str) -> SimResponse:
        batch = self._find_batch(batch_id)
        self._settle(batch)
        if batch.ended_at is not None or batch.cancel_at is not None:
            return self._json_response(self._batch_view(batch, call.request.base_url))
        batch.cancel_at = self.clock()
        view = self._batch_view(batch, call.request.base_url)
        batch.cancel_seen = True  # the next look at the batch finds it ended
        return self._json_response(view)

    def _delete_batch(self, call: _Call, batch_id: str) -> SimResponse:
        batch = self._find_batch(batch_id)
        self._settle(batch)
        if batch.ended_at is None:
            raise invalid(f"Message batch {batch_id} is still processing; cancel it before deleting it")
        del self._batches[batch_id]
        return self._json_response({"id": batch_id, "type": "message_batch_deleted"})

    def _batch_results(self, call: _Call, batch_id: str) -> SimResponse:
        batch = self._find_batch(batch_id)
        self._settle(batch)
        if batch.ended_at is None:
            raise invalid(f"Message batch {batch_id} has not finished processing")
        lines = [
            json.dumps({"custom_id": custom_id, "result": result}, ensure_ascii=False) + "\n"
            for (custom_id, _), result in zip(batch.entries, batch.outcome)
        ]
        return SimResponse(200, [("content-type", "application/binary")], ["".join(lines).encode()])

    # ---- files -----------------------------------------------------------------------------------------

    def _upload_file(self, call: _Call) -> SimResponse:
        parts = _multipart(call.request.body, call.request.headers.get("content-type", ""))
        if "file" not in parts:
            raise invalid("file: Field required")
        headers, data = parts["file"]
        filename = headers.get("filename") or "unnamed"
        filename = filename.replace("\\", "/").rsplit("/", 1)[-1] or "unnamed"
        mime = headers.get("content-type") or ""
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        expires = None
        if "expires_in_seconds" in parts:
            raw = parts["expires_in_seconds"][1].decode("utf-8", "replace")
            seconds = int(raw) if raw.strip().isdigit() else -1
            if not 3600 <= seconds <= 7_776_000:
                raise invalid("expires_in_seconds: Input should be between 3600 and 7776000")
            expires = self.clock() + seconds
        now = self.clock()
        file_id = self._new_id("file_")
        meta = {
            "id": file_id,
            "type": "file",
            "filename": filename,
            "mime_type": mime,
            "size_bytes": len(data),
            "created_at": _rfc3339(now),
            "downloadable": False,
            "expires_at": _rfc3339(expires) if expires is not None else None,
        }
        self._files[file_id] = _File(meta, data, now, expires)
        return self._json_response(meta)

    def _find_file(self, file_id: str) -> _File:
        found = self._files.get(file_id)
        if found is None:
            raise SimError(404, f"File not found: {file_id}")
        if found.expires is not None and found.expires <= self.clock():
            raise SimError(404, f"File expired: {file_id}", error_code="file_expired")
        return found

    def _list_files(self, call: _Call) -> SimResponse:
        now = self.clock()
        alive = [f.meta for f in reversed(self._files.values()) if f.expires is None or f.expires > now]
        ids = call.query.get("ids[]") or call.query.get("ids")
        if ids:
            return self._json_response({"data": [m for m in alive if m["id"] in ids], "next_page": None})
        limit = _limit(call.query)
        start = 0
        cursor = (call.query.get("page") or [None])[0]
        if cursor:
            after = cursor.removeprefix("page_")
            start = next((i + 1 for i, m in enumerate(alive) if m["id"] == after), len(alive))
        page = alive[start : start + limit]
        more = start + limit < len(alive)
        return self._json_response({"data": page, "next_page": f"page_{page[-1]['id']}" if more and page else None})

    def _get_file(self, call: _Call, file_id: str) -> SimResponse:
        return self._json_response(self._find_file(file_id).meta)

    def _delete_file(self, call: _Call, file_id: str) -> SimResponse:
        self._find_file(file_id)
        del self._files[file_id]
        return self._json_response({"id": file_id, "type": "file_deleted"})

    def _file_content(self, call: _Call, file_id: str) -> SimResponse:
        found = self._find_file(file_id)
        if not found.meta["downloadable"]:
            raise invalid(f"File {file_id} is not downloadable", error_code="file_not_downloadable")
        return SimResponse(200, [("content-type", found.meta["mime_type"])], [found.data])


def _pick(override: Any, default: Any) -> Any:
    return default if override is None else override


def _stream_error(error_type: str, request_id: str) -> dict[str, Any]:
    """The payload of a mid-stream `error` event."""
    status = {"overloaded_error": 529, "rate_limit_error": 429}.get(error_type, 500)
    return {"error": SimError(status, fault(status).message, error_type=error_type).error_object(),
            "request_id": request_id}


def _limit(query: dict[str, list[str]]) -> int:
    raw = (query.get("limit") or ["20"])[0]
    try:
        limit = int(raw)
    except ValueError:
        raise invalid("limit: Input should be a valid integer") from None
    if not 1 <= limit <= 1000:
        raise invalid("limit: Input should be between 1 and 1000")
    return limit


def _id_page(items: list[dict[str, Any]], query: dict[str, list[str]]) -> dict[str, Any]:
    """An ID-based page (`after_id` / `before_id` / `limit`), as models and batches list."""
    limit = _limit(query)
    ids = [item["id"] for item in items]
    after = (query.get("after_id") or [None])[0]
    before = (query.get("before_id") or [None])[0]
    if before is not None:
        end = ids.index(before) if before in ids else len(ids)
        page = items[max(0, end - limit) : end]
        more = end - limit > 0
    else:
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start : start + limit]
        more = start + limit < len(items)
    return {
        "data": page,
        "has_more": more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }


def _multipart(body: bytes, content_type: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Form parts by name: ({"filename", "content-type"}, bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise invalid("content-type: expected multipart/form-data with a boundary")
    parts: dict[str, tuple[dict[str, str], bytes]] = {}
    for chunk in body.split(b"--" + match.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        info: dict[str, str] = {}
        name = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "content-disposition":
                name_match = re.search(r'\bname="([^"]*)"', value)
                file_match = re.search(r'filename="([^"]*)"', value)
                name = name_match.group(1) if name_match else None
                if file_match:
                    info["filename"] = file_match.group(1)
            elif key.lower() == "content-type":
                info["content-type"] = value.strip()
        if name:
            parts[name] = (info, data)
    return parts

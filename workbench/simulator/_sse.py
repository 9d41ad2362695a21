"""A finished Message as the API streams it: SSE events in the API's order, paced, with optional faults."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Pause:
    """The adapter sleeps this long before sending the next item."""

    seconds: float


@dataclass(frozen=True)
class Drop:
    """The adapter drops the connection here, without ending the body."""


Item = bytes | Pause | Drop


@dataclass(frozen=True)
class StreamPlan:
    words_per_delta: int = 3
    first_token_delay: float = 0.0
    deltas_per_second: float | None = None
    error_after: int | None = None
    error: dict[str, Any] | None = None  # the `error` event's payload when error_after is set
    drop_after: int | None = None


def encode_event(event: dict[str, Any]) -> bytes:
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


def _text_chunks(text: str, per_delta: int) -> list[str]:
    pieces = re.findall(r"\s*\S+\s*", text) or ([text] if text else [])
    per_delta = max(1, per_delta)
    return ["".join(pieces[i : i + per_delta]) for i in range(0, len(pieces), per_delta)]


def _json_chunks(value: Any) -> list[str]:
    text = json.dumps(value, ensure_ascii=False)
    return ["", *(text[i : i + 12] for i in range(0, len(text), 12))]


def _block_events(index: int, block: dict[str, Any], plan: StreamPlan) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(content_block_start payload, deltas) for one finished block."""
    kind = block["type"]
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas: list[dict[str, Any]] = []
        if block.get("citations"):
            start["citations"] = []
            deltas += [{"type": "citations_delta", "citation": c} for c in block["citations"]]
        deltas += [{"type": "text_delta", "text": t} for t in _text_chunks(block["text"], plan.words_per_delta)]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        deltas = [{"type": "thinking_delta", "thinking": t} for t in _text_chunks(block["thinking"], plan.words_per_delta)]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind == "tool_use":
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in _json_chunks(block["input"])]
    else:
        return block, []
    return start, [{"type": "content_block_delta", "index": index, "delta": d} for d in deltas]


def message_events(message: dict[str, Any], plan: StreamPlan) -> Iterator[dict[str, Any] | Pause]:
    usage = message["usage"]
    start_usage = dict(usage, output_tokens=min(1, usage["output_tokens"]))
    yield {"type": "message_start",
           "message": dict(message, content=[], stop_reason=None, stop_sequence=None, usage=start_usage)}
    delay = 1.0 / plan.deltas_per_second if plan.deltas_per_second else 0.0
    first_delta = True
    for index, block in enumerate(message["content"]):
        start, deltas = _block_events(index, block, plan)
        yield {"type": "content_block_start", "index": index, "content_block": start}
        if index == 0:
            yield {"type": "ping"}
        for delta in deltas:
            if first_delta and plan.first_token_delay:
                yield Pause(plan.first_token_delay)
            elif delay:
                yield Pause(delay)
            first_delta = False
            yield delta
        yield {"type": "content_block_stop", "index": index}
    final_usage = {key: usage[key] for key in (
        "input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens",
        "output_tokens_details") if key in usage}
    yield {"type": "message_delta",
           "delta": {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]},
           "usage": final_usage}
    yield {"type": "message_stop"}


def stream_items(message: dict[str, Any], plan: StreamPlan) -> Iterator[Item]:
    """Encoded events with pauses; ends early with an `error` event or a dropped connection when asked."""
    sent = 0
    for event in message_events(message, plan):
        if isinstance(event, Pause):
            yield event
            continue
        if plan.error_after is not None and sent >= plan.error_after:
            yield encode_event({"type": "error", **(plan.error or {})})
            return
        if plan.drop_after is not None and sent >= plan.drop_after:
            yield Drop()
            return
        yield encode_event(event)
        sent += 1

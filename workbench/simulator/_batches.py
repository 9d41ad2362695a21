"""Message Batches: creation checks and the state machine in_progress -> (canceling) -> ended.

Requests are answered when the batch is created; the clock decides when each one counts as done: request i
of n finishes `batch_seconds * (i + 1) / n` after creation. Requests not done when the batch is canceled end
`canceled`; requests not done 24 hours after creation end `expired`. Counts stay in `processing` until the
whole batch has ended, as the API reports them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.simulator._errors import SimError, invalid
from workbench.simulator.clock import rfc3339

MAX_REQUESTS = 100_000
LIFETIME = 24 * 3600.0
_CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")


@dataclass
class Batch:
    id: str
    created: float
    # (custom_id, the result the request gets when it completes)
    entries: list[tuple[str, dict[str, Any]]]
    processing_seconds: float
    cancel_at: float | None = None
    # the cancel response itself says "canceling"; any later look finds the batch ended
    cancel_seen: bool = False
    ended_at: float | None = None
    outcome: list[dict[str, Any]] = field(default_factory=list)


def _check_requests(body: Any) -> list[dict[str, Any]]:
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
    if not 1 <= len(requests) <= MAX_REQUESTS:
        raise invalid(f"requests: List should have between 1 and {MAX_REQUESTS} items, not {len(requests)}")
    seen: set[str] = set()
    for i, item in enumerate(requests):
        if not isinstance(item, dict):
            raise invalid(f"requests.{i}: Input should be a valid dictionary")
        for key in item:
            if key not in ("custom_id", "params"):
                raise invalid(f"requests.{i}.{key}: Extra inputs are not permitted")
        for key in ("custom_id", "params"):
            if key not in item:
                raise invalid(f"requests.{i}.{key}: Field required")
        custom_id = item["custom_id"]
        if not isinstance(custom_id, str) or not _CUSTOM_ID.fullmatch(custom_id):
            raise invalid(f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'")
        if custom_id in seen:
            raise invalid(f"requests.{i}.custom_id: custom_id '{custom_id}' is not unique within the batch")
        seen.add(custom_id)
    return requests


class BatchStore:
    def __init__(self) -> None:
        self._batches: dict[str, Batch] = {}

    def create(self, body: Any, answer: Callable[[Any], dict[str, Any]], batch_id: str, now: float,
               processing_seconds: float) -> Batch:
        """Check the body, answer every request (`answer(params)` gives its result) and store the batch."""
        requests = _check_requests(body)
        entries = [(item["custom_id"], answer(item["params"])) for item in requests]
        batch = self._batches[batch_id] = Batch(batch_id, now, entries, processing_seconds)
        return batch

    def find(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise SimError(404, f"Message batch {batch_id} not found")
        return batch

    def newest_first(self) -> list[Batch]:
        return list(reversed(self._batches.values()))

    def cancel(self, batch: Batch, base_url: str, now: float) -> dict[str, Any]:
        self.settle(batch, now)
        if batch.ended_at is None and batch.cancel_at is None:
            batch.cancel_at = now
            view = self.view(batch, base_url, now)
            batch.cancel_seen = True
            return view
        return self.view(batch, base_url, now)

    def delete(self, batch_id: str, now: float) -> dict[str, Any]:
        batch = self.find(batch_id)
        self.settle(batch, now)
        if batch.ended_at is None:
            raise invalid(f"Message batch {batch_id} is still processing; cancel it before deleting it")
        del self._batches[batch_id]
        return {"id": batch_id, "type": "message_batch_deleted"}

    def results(self, batch: Batch, now: float) -> bytes:
        """The JSONL body served at results_url."""
        self.settle(batch, now)
        if batch.ended_at is None:
            raise invalid(f"Message batch {batch.id} has not finished processing")
        return "".join(
            json.dumps({"custom_id": custom_id, "result": result}, ensure_ascii=False) + "\n"
            for (custom_id, _), result in zip(batch.entries, batch.outcome)
        ).encode()

    @staticmethod
    def settle(batch: Batch, now: float) -> None:
        """Advance the batch as far as the clock says."""
        if batch.ended_at is not None:
            return
        count = len(batch.entries)
        finish = [batch.created + batch.processing_seconds * (i + 1) / count for i in range(count)]
        expires = batch.created + LIFETIME
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

    def view(self, batch: Batch, base_url: str, now: float) -> dict[str, Any]:
        """The MessageBatch JSON."""
        self.settle(batch, now)
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
            "created_at": rfc3339(batch.created),
            "expires_at": rfc3339(batch.created + LIFETIME),
            "ended_at": rfc3339(batch.ended_at) if batch.ended_at is not None else None,
            "cancel_initiated_at": rfc3339(batch.cancel_at) if batch.cancel_at is not None else None,
            "archived_at": None,
            "results_url": f"{base_url}/v1/messages/batches/{batch.id}/results" if batch.ended_at is not None else None,
        }

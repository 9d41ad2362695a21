"""Runs as stored JSON: the helpers that need no Run object (listing thousands of runs stays cheap)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


_SUMMARY_ONLY = ("input_tokens", "output_tokens", "total_s", "preview", "label")


def label_of(name: str | None, version: int) -> str:
    return f"{name}@{version}" if name else f"v{version}"


def summarize(data: dict[str, Any]) -> dict[str, Any]:
    """The summary of a run given as stored JSON (what ``Run.summary`` returns, without building a Run)."""
    usage = data.get("usage") or {}
    text = data["text"] if "text" in data else reply_text(data.get("response") or {})
    version = data.get("version", 1)
    return {
        "run_id": data.get("run_id"),
        "label": label_of(data.get("name"), version),
        "name": data.get("name"),
        "cell_id": data.get("cell_id"),
        "group": data.get("group"),
        "version": version,
        "parent_id": data.get("parent_id"),
        "created_at": data.get("created_at"),
        "status": data.get("status", "partial"),
        "error": data.get("error"),
        "model": data.get("model"),
        "fingerprint": data.get("fingerprint"),
        "stop_reason": data.get("stop_reason"),
        "input_tokens": int(usage.get("input_tokens") or 0),
        "output_tokens": int(usage.get("output_tokens") or 0),
        "cost": data.get("cost"),
        "total_s": (data.get("timings") or {}).get("total"),
        "replayed": bool(data.get("replayed")),
        "preview": _preview(text or ""),
    }


def _preview(text: str, limit: int = 120) -> str:
    flat = " ".join(text[: limit * 4].split())  # a prefix is enough, however long the reply
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_empty(value: Any) -> bool:
    # Identity checks: a cost of 0.0 (a replay) must not pass for False.
    return value is None or value is False or (isinstance(value, (list, dict)) and not value)


def reply_text(message: dict[str, Any]) -> str:
    """The concatenated text blocks of a Message JSON."""
    return "".join(b.get("text", "") for b in message.get("content") or [] if isinstance(b, dict) and b.get("type") == "text")


def restore_text(data: dict[str, Any]) -> dict[str, Any]:
    """Stored data with its ``text`` put back from the response when it was left out."""
    if "text" not in data and isinstance(data.get("response"), dict):
        return {**data, "text": reply_text(data["response"])}
    return data


def stored_from_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """Stored run data rebuilt from a summary: a partial run whose request and response are unknown."""
    data = {k: v for k, v in summary.items() if k not in _SUMMARY_ONLY}
    data["usage"] = {"input_tokens": summary.get("input_tokens", 0), "output_tokens": summary.get("output_tokens", 0)}
    if summary.get("total_s") is not None:
        data["timings"] = {"total": summary["total_s"]}
    data["text"] = summary.get("preview") or ""
    return data

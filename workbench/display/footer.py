"""The line under every run: model, stop reason, tokens, cost, timings, backend.

The backend is always named, and the embedded simulator is shown as a badge: a reader must never mistake a
simulated reply for Claude's.
"""

from __future__ import annotations

import html
from typing import Any


def token_parts(usage: dict[str, Any]) -> list[str]:
    def count(value: Any) -> int:
        return int(value or 0)

    parts = [f"in {count(usage.get('input_tokens')):,}", f"out {count(usage.get('output_tokens')):,}"]
    split = usage.get("cache_creation") or {}
    write_5m = count(split.get("ephemeral_5m_input_tokens"))
    write_1h = count(split.get("ephemeral_1h_input_tokens"))
    if not split:
        write_5m = count(usage.get("cache_creation_input_tokens"))
    if write_5m:
        parts.append(f"cache write 5m {write_5m:,}")
    if write_1h:
        parts.append(f"cache write 1h {write_1h:,}")
    if usage.get("cache_read_input_tokens"):
        parts.append(f"cache read {count(usage['cache_read_input_tokens']):,}")
    thinking = (usage.get("output_tokens_details") or {}).get("thinking_tokens")
    if thinking:
        parts.append(f"thinking {count(thinking):,}")
    return parts


def cost_label(run: Any) -> str:
    from workbench.pricing import format_usd

    if run.replayed:
        return "replayed · $0"
    if run.cost is None:
        return "price unknown"
    return format_usd(run.cost)


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def footer_parts(run: Any) -> list[str]:
    parts = [run.model or "?"]
    if run.status != "ok":
        parts.append(run.status + (f": {run.error}" if run.error else ""))
    parts.append(f"stop {run.stop_reason or '–'}")
    parts.append(" · ".join(token_parts(run.usage or {})))
    parts.append(cost_label(run))
    parts.append(f"first token {_seconds(run.timings.first_delta)}")
    parts.append(f"total {_seconds(run.timings.total)}")
    return parts


def backend_label(backend: str | None) -> str:
    if backend == "simulator":
        return "SIMULATOR (offline, not Claude)"
    if backend == "anthropic":
        return "Anthropic API"
    return f"API at {backend}" if backend else "unknown backend"


def footer_text(run: Any) -> str:
    return " | ".join([backend_label(run.backend), *footer_parts(run)])


def backend_badge(backend: str | None) -> str:
    style = "background:#b45309;color:#fff" if backend == "simulator" else "background:#e5e7eb;color:#111"
    return (
        f'<span class="wb-backend" style="{style};padding:0 .4em;border-radius:3px;font-weight:600">'
        f"{html.escape(backend_label(backend))}</span>"
    )


def footer_html(run: Any) -> str:
    parts = " · ".join(html.escape(part) for part in footer_parts(run))
    return (
        '<div class="wb-footer" style="font-size:85%;opacity:.85;margin-top:.4em">'
        f"{backend_badge(run.backend)} {parts}</div>"
    )

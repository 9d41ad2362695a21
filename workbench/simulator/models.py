"""The simulator's model catalogue: limits and capabilities per model, also served by GET /v1/models.

Figures follow the public model pages where they are known; where sources disagree (minimum cacheable
prefix, limits of the newest models) the catalogue picks one value and the simulator applies it
consistently. The list is ordered newest first, as the Models API lists it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["SimModel", "CATALOGUE", "find_model", "model_info"]

_LEVELS = ("low", "medium", "high", "xhigh", "max")


@dataclass(frozen=True)
class SimModel:
    id: str
    display_name: str
    created_at: str
    line: str
    context_window: int
    max_output: int
    min_cache_tokens: int
    aliases: tuple[str, ...] = ()
    lifecycle: str = "active"
    deprecated_at: str | None = None
    retires_at: str | None = None
    # thinking.type="enabled" (manual budget) accepted
    budget_thinking: bool = False
    adaptive_thinking: bool = True
    # thinks even when `thinking` is omitted; {"type": "disabled"} is rejected
    always_thinks: bool = False
    # thinks adaptively when `thinking` is omitted, but may be disabled
    thinks_by_default: bool = False
    # non-default temperature / top_p / top_k accepted (API 2023-06-01 only)
    sampling_params: bool = False
    prefill: bool = False
    effort_levels: tuple[str, ...] = ("low", "medium", "high", "max")
    thinking_display_default: str = "omitted"

    @property
    def max_images(self) -> int:
        return 100 if self.context_window <= 200_000 else 600


def _support(flag: bool) -> dict[str, bool]:
    return {"supported": flag}


def model_info(model: SimModel) -> dict[str, Any]:
    """The ModelInfo JSON of GET /v1/models."""
    effort = {level: _support(level in model.effort_levels) for level in _LEVELS}
    return {
        "type": "model",
        "id": model.id,
        "display_name": model.display_name,
        "created_at": model.created_at,
        "max_input_tokens": model.context_window,
        "max_tokens": model.max_output,
        "lifecycle": model.lifecycle,
        "line": model.line,
        "deprecated_at": model.deprecated_at,
        "retires_at": model.retires_at,
        "capabilities": {
            "batch": _support(True),
            "citations": _support(True),
            "code_execution": _support(True),
            "context_management": {
                "supported": True,
                "clear_thinking_20251015": _support(True),
                "clear_tool_uses_20250919": _support(True),
                "compact_20260112": _support(model.adaptive_thinking),
            },
            "effort": {"supported": bool(model.effort_levels), **effort},
            "image_input": _support(True),
            "pdf_input": _support(True),
            "server_tools": {"supported": True, "code_execution": _support(True), "web_search": _support(True)},
            "structured_outputs": _support(True),
            "thinking": {
                "supported": True,
                "types": {
                    "adaptive": _support(model.adaptive_thinking),
                    "between_tools": _support(model.adaptive_thinking),
                    "disabled": _support(not model.always_thinks),
                    "enabled": _support(model.budget_thinking),
                },
            },
        },
    }


_NEW = dict(effort_levels=_LEVELS)
_ALWAYS = dict(always_thinks=True, effort_levels=_LEVELS)
_LEGACY = dict(budget_thinking=True, sampling_params=True, thinking_display_default="summarized")

CATALOGUE: tuple[SimModel, ...] = (
    SimModel("claude-fable-5-2", "Claude Fable 5.2", "2026-11-12T00:00:00Z", "fable", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-mythos-5-2", "Claude Mythos 5.2", "2026-11-12T00:00:00Z", "mythos", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-haiku-5-5", "Claude Haiku 5.5", "2026-10-28T00:00:00Z", "haiku", 1_000_000, 128_000, 1024,
             thinks_by_default=False, effort_levels=("low", "medium", "high", "max")),
    SimModel("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-10-07T00:00:00Z", "sonnet", 1_000_000, 128_000, 1024,
             thinks_by_default=True, **_NEW),
    SimModel("claude-fable-5-1", "Claude Fable 5.1", "2026-09-15T00:00:00Z", "fable", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-opus-5-5", "Claude Opus 5.5", "2026-09-02T00:00:00Z", "opus", 1_000_000, 128_000, 1024, **_ALWAYS),
    SimModel("claude-mythos-5-1", "Claude Mythos 5.1", "2026-09-15T00:00:00Z", "mythos", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-sonnet-5", "Claude Sonnet 5", "2026-08-12T00:00:00Z", "sonnet", 1_000_000, 128_000, 1024,
             thinks_by_default=True, **_NEW),
    SimModel("claude-fable-5", "Claude Fable 5", "2026-06-09T00:00:00Z", "fable", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-mythos-5", "Claude Mythos 5", "2026-06-09T00:00:00Z", "mythos", 1_000_000, 128_000, 2048, **_ALWAYS),
    SimModel("claude-opus-5", "Claude Opus 5", "2026-07-24T00:00:00Z", "opus", 1_000_000, 128_000, 2048, **_NEW),
    SimModel("claude-opus-4-8", "Claude Opus 4.8", "2026-05-28T00:00:00Z", "opus", 1_000_000, 128_000, 1024, **_NEW),
    SimModel("claude-opus-4-7", "Claude Opus 4.7", "2026-04-16T00:00:00Z", "opus", 1_000_000, 128_000, 4096, **_NEW),
    SimModel("claude-mythos-preview", "Claude Mythos Preview", "2026-04-07T00:00:00Z", "mythos", 1_000_000, 128_000,
             4096, lifecycle="deprecated", deprecated_at="2026-05-01T00:00:00Z", retires_at="2026-06-30T00:00:00Z",
             budget_thinking=True),
    SimModel("claude-opus-4-6", "Claude Opus 4.6", "2026-02-05T00:00:00Z", "opus", 1_000_000, 128_000, 4096,
             budget_thinking=True, sampling_params=True, thinking_display_default="summarized"),
    SimModel("claude-sonnet-4-6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z", "sonnet", 1_000_000, 128_000, 2048,
             budget_thinking=True, sampling_params=True, thinking_display_default="summarized"),
    SimModel("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", "haiku", 200_000, 64_000, 4096,
             aliases=("claude-haiku-4-5",), adaptive_thinking=False, prefill=True, effort_levels=(), **_LEGACY),
    SimModel("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z", "opus", 200_000, 64_000, 4096,
             aliases=("claude-opus-4-5",), adaptive_thinking=False, prefill=True,
             effort_levels=("low", "medium", "high"), **_LEGACY),
    SimModel("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", "sonnet", 200_000, 64_000,
             1024, aliases=("claude-sonnet-4-5",), lifecycle="deprecated", deprecated_at="2026-08-01T00:00:00Z",
             retires_at="2026-11-30T00:00:00Z", adaptive_thinking=False, prefill=True, effort_levels=(), **_LEGACY),
)

_BY_NAME: dict[str, SimModel] = {name: m for m in CATALOGUE for name in (m.id, *m.aliases)}


def find_model(name: str) -> SimModel | None:
    """The model an id or alias names, or None."""
    return _BY_NAME.get(name)


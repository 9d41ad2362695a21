"""What a user can set besides the prompt text: the magic's arguments, the playground's controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

API_VERSIONS = ("2023-06-01", "2026-10-21")
DEFAULT_API_VERSION = "2023-06-01"
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
CACHE_TARGETS = ("system", "tools", "all")
CACHE_TTLS = ("5m", "1h")

Thinking = Union[None, Literal["off", "adaptive"], int]


@dataclass
class PromptOptions:
    """Settings for one request; `compose()` checks them and turns them into a Messages API body.

    system: a system prompt (literal text, not templated), placed before the cell's `%system` sections.
    thinking: None (not sent), "off" (`disabled`), "adaptive", or a token budget (`enabled`, >= 1024).
    cache: a shortcut for cache breakpoints: "system", "tools", or "all" (system, tools and the last
        user block), each with `cache_ttl`; `{{ cache() }}` in the cell places breakpoints by hand.
    tools: names looked up in the notebook namespace (functions or tool dicts), or the objects themselves.
    tool_choice: "auto", "any", "none", or the name of one of `tools`.
    history: earlier messages of a conversation (dicts with role and content), sent before the cell's turns.
    """

    model: str | None = None
    max_tokens: int = 4096
    system: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop_sequences: list[str] | None = None
    thinking: Thinking = None
    effort: str | None = None
    api_version: str = DEFAULT_API_VERSION
    betas: tuple[str, ...] = ()
    cache: str | None = None
    cache_ttl: str = "5m"
    tools: list[Any] = field(default_factory=list)
    tool_choice: str | None = None
    user_id: str | None = None
    name: str | None = None
    history: list[Any] = field(default_factory=list)

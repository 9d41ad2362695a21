"""Option checks that need no prompt text: each failure is one PromptError line."""

from __future__ import annotations

from typing import Any, Mapping

from workbench.prompt.errors import PromptError, kind_of
from workbench.prompt.options import API_VERSIONS, CACHE_TARGETS, CACHE_TTLS, EFFORT_LEVELS, PromptOptions

MIN_THINKING_BUDGET = 1024
SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def model_facts(model_info: Any) -> dict[str, Any]:
    """GET /v1/models/{id} as a plain dict (accepts the pydantic ModelInfo too)."""
    if model_info is None:
        return {}
    if hasattr(model_info, "model_dump"):
        return model_info.model_dump(mode="json")
    return dict(model_info)


def capability(facts: Mapping[str, Any], *path: str) -> bool | None:
    """capabilities.<path>.supported from model info; None when the model info does not say."""
    node: Any = facts.get("capabilities")
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    if isinstance(node, Mapping) and isinstance(node.get("supported"), bool):
        return node["supported"]
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def thinking_param(thinking: Any) -> dict[str, Any] | None:
    """The `thinking` body field for the option value: None, "off", "adaptive" or a budget."""
    if thinking is None:
        return None
    if thinking in ("off", "disabled"):
        return {"type": "disabled"}
    if thinking == "adaptive":
        return {"type": "adaptive"}
    if isinstance(thinking, str) and thinking.strip().isdigit():
        thinking = int(thinking)
    if _is_int(thinking):
        return {"type": "enabled", "budget_tokens": thinking}
    raise PromptError(f"thinking must be 'off', 'adaptive' or a token budget (an integer), got {thinking!r}")


def thinks(thinking: dict[str, Any] | None) -> bool:
    return thinking is not None and thinking["type"] in ("enabled", "adaptive")


def stop_sequences(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(s, str) for s in value):
        raise PromptError(f"stop_sequences must be a list of strings, got {value!r}")
    for sequence in value:
        if not sequence.strip():
            raise PromptError(f"stop sequences must contain non-whitespace text, got {sequence!r}")
    return list(value)


def betas(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(b, str) and b.strip() for b in value):
        raise PromptError(f"betas must be a list of beta names, got {value!r}")
    return tuple(b.strip() for b in value)


def check_options(options: PromptOptions, facts: Mapping[str, Any]) -> dict[str, Any] | None:
    """Check everything about the options alone; returns the `thinking` body field."""
    model = options.model
    if not isinstance(model, str) or not model.strip():
        raise PromptError("no model chosen: set a model, for example claude-sonnet-5-5")
    if options.api_version not in API_VERSIONS:
        raise PromptError(f"api_version must be one of {', '.join(API_VERSIONS)}, got {options.api_version!r}")
    _check_max_tokens(options, facts)
    _check_sampling(options)
    thinking = thinking_param(options.thinking)
    _check_thinking(options, thinking, facts)
    _check_effort(options, facts)
    if options.cache is not None and options.cache not in CACHE_TARGETS:
        raise PromptError(f"cache must be one of {', '.join(CACHE_TARGETS)}, got {options.cache!r}")
    if options.cache_ttl not in CACHE_TTLS:
        raise PromptError(f'cache ttl must be "5m" or "1h", got {options.cache_ttl!r}')
    if options.tool_choice is not None and (not isinstance(options.tool_choice, str) or not options.tool_choice):
        raise PromptError(f"tool_choice must be 'auto', 'any', 'none' or a tool name, got {options.tool_choice!r}")
    if options.tool_choice is not None and options.tool_choice not in ("auto", "none") and thinks(thinking):
        raise PromptError(
            f"tool_choice {options.tool_choice!r} forces tool use, which thinking does not allow (use 'auto' or 'none')"
        )
    if options.tool_choice is not None and not options.tools:
        raise PromptError(f"tool_choice {options.tool_choice!r} needs tools: set tools as well")
    if options.system is not None and not isinstance(options.system, str):
        raise PromptError(f"system must be a string, got {kind_of(options.system)}")
    if options.user_id is not None and not isinstance(options.user_id, str):
        raise PromptError(f"user_id must be a string, got {options.user_id!r}")
    if options.name is not None and (not isinstance(options.name, str) or not options.name.strip()):
        raise PromptError(f"name must be a non-empty string, got {options.name!r}")
    if not isinstance(options.tools, (list, tuple)):
        raise PromptError(f"tools must be a list of tool names, got {options.tools!r}")
    if not isinstance(options.history, (list, tuple)):
        raise PromptError("history must be a list of messages")
    return thinking


def _check_max_tokens(options: PromptOptions, facts: Mapping[str, Any]) -> None:
    if not _is_int(options.max_tokens) or options.max_tokens < 0:
        raise PromptError(f"max_tokens must be a non-negative integer, got {options.max_tokens!r}")
    limit = facts.get("max_tokens")
    if _is_int(limit) and options.max_tokens > limit:
        raise PromptError(f"max_tokens {options.max_tokens} is above the limit of {limit} for {options.model}")


def _check_sampling(options: PromptOptions) -> None:
    if options.api_version == "2026-10-21":
        for param in SAMPLING_PARAMS:
            if getattr(options, param) is not None:
                raise PromptError(
                    f"{param} is not accepted by API version 2026-10-21 (remove it, or use api_version 2023-06-01)"
                )
    if options.temperature is not None and (not _is_number(options.temperature) or not 0 <= options.temperature <= 1):
        raise PromptError(f"temperature must be between 0 and 1, got {options.temperature!r}")
    if options.top_p is not None and (not _is_number(options.top_p) or not 0 < options.top_p <= 1):
        raise PromptError(f"top_p must be greater than 0 and at most 1, got {options.top_p!r}")
    if options.top_k is not None and (not _is_int(options.top_k) or options.top_k < 1):
        raise PromptError(f"top_k must be a positive integer, got {options.top_k!r}")
    stop_sequences(options.stop_sequences)
    betas(options.betas)


def _check_thinking(options: PromptOptions, thinking: dict[str, Any] | None, facts: Mapping[str, Any]) -> None:
    if thinking is None:
        return
    model = options.model
    if thinking["type"] == "enabled":
        budget = thinking["budget_tokens"]
        if budget < MIN_THINKING_BUDGET:
            raise PromptError(f"thinking budget must be at least {MIN_THINKING_BUDGET} tokens, got {budget}")
        if budget >= options.max_tokens:
            raise PromptError(
                f"thinking budget ({budget}) must be less than max_tokens ({options.max_tokens}): raise max_tokens"
            )
        if capability(facts, "thinking", "types", "enabled") is False:
            raise PromptError(f"{model} does not accept a thinking budget: use thinking='adaptive'")
    elif capability(facts, "thinking", "types", thinking["type"]) is False:
        if thinking["type"] == "disabled":
            raise PromptError(f"thinking cannot be turned off on {model}: leave thinking unset")
        raise PromptError(f"{model} does not support {thinking['type']} thinking")
    if thinks(thinking):
        if capability(facts, "thinking") is False:
            raise PromptError(f"{model} does not support thinking")
        if options.temperature is not None and options.temperature != 1:
            raise PromptError(f"temperature must be 1 (or unset) with thinking, got {options.temperature}")
        if options.top_k is not None:
            raise PromptError("top_k cannot be used with thinking")
        if options.top_p is not None and options.top_p < 0.95:
            raise PromptError(f"top_p must be between 0.95 and 1 with thinking, got {options.top_p}")


def _check_effort(options: PromptOptions, facts: Mapping[str, Any]) -> None:
    effort = options.effort
    if effort is None:
        return
    if effort not in EFFORT_LEVELS:
        raise PromptError(f"effort must be one of {', '.join(EFFORT_LEVELS)}, got {effort!r}")
    if capability(facts, "effort") is False:
        raise PromptError(f"{options.model} does not support effort")
    if capability(facts, "effort", effort) is False:
        raise PromptError(f"{options.model} does not support effort {effort!r}")

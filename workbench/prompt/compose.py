"""compose(): options + cell text + namespace -> a checked Messages API request (a PromptSpec)."""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from workbench.prompt import _checks
from workbench.prompt.cell import CellContent, cache_control, read_cell
from workbench.prompt.errors import PromptError
from workbench.prompt.options import PromptOptions
from workbench.prompt.spec import PromptSpec
from workbench.prompt.tools import resolve_tools

MAX_CACHE_BREAKPOINTS = 4
MANY_IMAGES = 20  # above this many images the API caps each side at 2000 px
MANY_IMAGES_MAX_SIDE = 2000


def compose(
    options: PromptOptions | Mapping[str, Any],
    cell_text: str,
    namespace: Mapping[str, Any] | None = None,
    *,
    base_dir: Any = None,
    model_info: Any = None,
) -> PromptSpec:
    """Build and check the request for a prompt; raises PromptError (one line) before anything is sent.

    base_dir: where relative paths in image()/document()/include() start (the notebook's directory;
        default: the current directory). model_info: GET /v1/models/{id} (dict or ModelInfo), when known,
        to check max_tokens and the model's capabilities.
    """
    options = _as_options(options)
    namespace = namespace if namespace is not None else {}
    facts = _checks.model_facts(model_info)
    thinking = _checks.check_options(options, facts)

    cell = read_cell(cell_text, namespace, base_dir=base_dir)
    tools, functions = resolve_tools(list(options.tools), namespace)
    system = ([{"type": "text", "text": options.system}] if options.system and options.system.strip() else [])
    system += cell.system
    messages = _join(_history(options.history), cell.messages)
    _check_turns(messages, cell, options, thinking)
    _apply_cache_option(options, tools, system, messages)
    _check_cache(tools, system, messages)
    tool_choice = _tool_choice(options.tool_choice, tools)
    _check_media(messages, cell, options.model, facts)

    request: dict[str, Any] = {"model": options.model, "max_tokens": options.max_tokens}
    if system:
        request["system"] = _compact(system)
    request["messages"] = [{"role": m["role"], "content": _compact(m["content"])} for m in messages]
    if tools:
        request["tools"] = tools
    if tool_choice is not None:
        request["tool_choice"] = tool_choice
    if thinking is not None:
        request["thinking"] = thinking
    if options.effort is not None:
        request["output_config"] = {"effort": options.effort}
    stop = _checks.stop_sequences(options.stop_sequences)
    if stop:
        request["stop_sequences"] = stop
    for param in _checks.SAMPLING_PARAMS:
        if getattr(options, param) is not None:
            request[param] = getattr(options, param)
    if options.user_id is not None:
        request["metadata"] = {"user_id": options.user_id}
    _check_wire(request, options.api_version)
    return PromptSpec(
        request=request,
        api_version=options.api_version,
        betas=_checks.betas(options.betas),
        name=options.name,
        media=cell.media,
        tool_functions=functions,
    )


def _as_options(options: PromptOptions | Mapping[str, Any]) -> PromptOptions:
    if isinstance(options, PromptOptions):
        return options
    known = {f.name for f in dataclasses.fields(PromptOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise PromptError(f"unknown option {unknown[0]!r} (options: {', '.join(sorted(known))})")
    return PromptOptions(**options)


def _history(history: Any) -> list[dict[str, Any]]:
    """Earlier turns (dicts or Message objects) as {role, content: blocks}, with null fields dropped."""
    messages = []
    for index, message in enumerate(history):
        if hasattr(message, "model_dump"):
            message = message.model_dump(mode="json", exclude_none=True)
        if not isinstance(message, Mapping):
            raise PromptError(f"history[{index}] must be a message dict with role and content")
        role = message.get("role")
        if role not in ("user", "assistant"):
            raise PromptError(f"history[{index}]: role must be 'user' or 'assistant', got {role!r}")
        content = message.get("content")
        if isinstance(content, str):
            content = [{"type": "text", "text": content}] if content.strip() else []
        if not isinstance(content, (list, tuple)):
            raise PromptError(f"history[{index}]: content must be a string or a list of content blocks")
        blocks = []
        for block in content:
            if hasattr(block, "model_dump"):
                block = block.model_dump(mode="json", exclude_none=True)
            if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
                raise PromptError(f"history[{index}]: each content block must be a dict with a type")
            blocks.append({key: value for key, value in block.items() if value is not None})
        if not blocks:
            raise PromptError(f"history[{index}]: content is empty")
        messages.append({"role": role, "content": blocks})
    return messages


def _join(history: list[dict[str, Any]], cell: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive turns of one role become one turn (the API would merge them the same way)."""
    joined: list[dict[str, Any]] = []
    for message in [*history, *cell]:
        if joined and joined[-1]["role"] == message["role"]:
            joined[-1] = {"role": message["role"], "content": [*joined[-1]["content"], *message["content"]]}
        else:
            joined.append(message)
    return joined


def _check_turns(
    messages: list[dict[str, Any]], cell: CellContent, options: PromptOptions, thinking: dict[str, Any] | None
) -> None:
    if not messages:
        if cell.system:
            raise PromptError("the prompt has no user message: the cell only has a %system section")
        raise PromptError("the prompt is empty: write some text in the cell")
    if messages[0]["role"] != "user":
        where = "the history starts with an assistant message" if options.history else (
            f"the cell starts with %assistant (line {cell.first_line})"
        )
        raise PromptError(f"the first message must be from the user, but {where}")
    if messages[-1]["role"] == "assistant":
        last = messages[-1]["content"][-1]
        if last.get("type") == "text":
            last["text"] = last["text"].rstrip()
        if _checks.thinks(thinking):
            raise PromptError("an assistant prefill (a final %assistant section) cannot be used with thinking")


def _apply_cache_option(
    options: PromptOptions, tools: list[dict[str, Any]], system: list[dict[str, Any]], messages: list[dict[str, Any]]
) -> None:
    target = options.cache
    if target is None:
        return
    marker = cache_control(options.cache_ttl)
    if target == "system" and not system:
        raise PromptError("cache='system' but there is no system prompt to cache")
    if target == "tools" and not tools:
        raise PromptError("cache='tools' but no tools are offered")
    if target in ("tools", "all") and tools:
        tools[-1] = {**tools[-1], "cache_control": marker}
    if target in ("system", "all") and system:
        system[-1] = {**system[-1], "cache_control": marker}
    if target == "all":
        last_user = next(m for m in reversed(messages) if m["role"] == "user")
        last_user["content"][-1] = {**last_user["content"][-1], "cache_control": marker}


def _check_cache(tools: list[dict[str, Any]], system: list[dict[str, Any]], messages: list[dict[str, Any]]) -> None:
    """At most 4 breakpoints, and (in prefix order tools -> system -> messages) 1h ones before 5m ones."""
    blocks = [*tools, *system, *(block for m in messages for block in m["content"])]
    ttls = [block["cache_control"].get("ttl", "5m") for block in blocks if isinstance(block.get("cache_control"), dict)]
    if len(ttls) > MAX_CACHE_BREAKPOINTS:
        raise PromptError(f"too many cache breakpoints: {len(ttls)} (the API allows at most {MAX_CACHE_BREAKPOINTS})")
    if "5m" in ttls and "1h" in ttls[ttls.index("5m") :]:
        raise PromptError("a 1h cache breakpoint cannot come after a 5m one: put 1h breakpoints first")


def _tool_choice(choice: str | None, tools: list[dict[str, Any]]) -> dict[str, Any] | None:
    if choice is None:
        return None
    if choice in ("auto", "any", "none"):
        return {"type": choice}
    names = [tool["name"] for tool in tools]
    if choice not in names:
        raise PromptError(f"tool_choice {choice!r} is not one of the offered tools ({', '.join(names)})")
    return {"type": "tool", "name": choice}


def _check_media(messages: list[dict[str, Any]], cell: CellContent, model: str, facts: Mapping[str, Any]) -> None:
    blocks = [block for m in messages for block in m["content"]]
    images = sum(block.get("type") == "image" for block in blocks)
    pdfs = sum(
        block.get("type") == "document" and block.get("source", {}).get("type") in ("base64", "url", "file")
        for block in blocks
    )
    citations = any(isinstance(block.get("citations"), dict) for block in blocks)
    if images and _checks.capability(facts, "image_input") is False:
        raise PromptError(f"{model} does not accept images")
    if pdfs and _checks.capability(facts, "pdf_input") is False:
        raise PromptError(f"{model} does not accept PDF documents")
    if citations and _checks.capability(facts, "citations") is False:
        raise PromptError(f"{model} does not support citations")
    context = facts.get("max_input_tokens")
    limit = 100 if isinstance(context, int) and context <= 200_000 else 600
    if images > limit:
        raise PromptError(f"too many images: {images} (the API allows at most {limit} per request)")
    if images > MANY_IMAGES and cell.image_sides and max(cell.image_sides) > MANY_IMAGES_MAX_SIDE:
        raise PromptError(
            f"with more than {MANY_IMAGES} images each image must be at most {MANY_IMAGES_MAX_SIDE} px per side "
            f"(largest: {max(cell.image_sides)} px)"
        )


def _compact(blocks: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """Plain text (no cache_control, citations...) is sent as a string, the form people read and write."""
    if all(block.keys() == {"type", "text"} and block["type"] == "text" for block in blocks):
        return "\n\n".join(block["text"] for block in blocks)
    return blocks


def _check_wire(request: dict[str, Any], api_version: str) -> None:
    """The client's request validator, as a last line of defence for anything the checks above miss."""
    try:
        from workbench.api.types import validate_request
    except ImportError:
        return
    try:
        validate_request(request, api_version)
    except ValueError as exc:
        raise PromptError(f"invalid request: {exc}") from None

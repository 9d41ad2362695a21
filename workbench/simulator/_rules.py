"""The Messages API's rules beyond the body's shape: roles, tool pairing, thinking, caching, media, limits.

`validate_messages_body` runs the structural check, then these rules in roughly the order the API applies them,
and returns the model the request names. Every failure is a SimError with the API's status and message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.simulator import _schema
from workbench.simulator._errors import SimError, invalid
from workbench.simulator._schema import NEW_VERSION, Ctx
from workbench.simulator.models import SimModel, find_model
from workbench.simulator.tokens import decode_base64, image_size, sniff_image_type

FileLookup = Callable[[str], "tuple[str, bytes] | None"]

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MANY_IMAGES = 20
MANY_IMAGES_MAX_SIDE = 2000
MAX_BREAKPOINTS = 4


def validate_messages_body(
    body: Any, ctx: Ctx, files: FileLookup, *, count_only: bool = False
) -> SimModel:
    if count_only:
        _schema.check_count_tokens(body, ctx)
    else:
        _schema.check_create(body, ctx)
    model = find_model(body["model"])
    if model is None or model.lifecycle == "retired":
        raise SimError(404, f"model: {body['model']}")
    _check_messages(body["messages"], ctx, model)
    _check_tools(body)
    _check_thinking(body, ctx, model, count_only)
    if not count_only:
        _check_max_tokens(body, model)
        _check_sampling(body, ctx, model)
    _check_effort(body, model)
    _check_cache_control(body)
    _check_media(body, model, files)
    return model


def _check_messages(messages: list[dict[str, Any]], ctx: Ctx, model: SimModel) -> None:
    if not messages:
        raise invalid("messages: at least one message is required")
    if messages[0]["role"] != "user":
        raise invalid('messages: first message must use the "user" role')
    last = len(messages) - 1
    for i, message in enumerate(messages):
        content = message["content"]
        final_assistant = i == last and message["role"] == "assistant"
        if not content and not final_assistant:
            raise invalid(
                f"messages.{i}: all messages must have non-empty content except for the optional final assistant message"
            )
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        for j, block in enumerate(blocks):
            kind = block["type"]
            if kind == "text" and not block["text"] and not (final_assistant and isinstance(content, str)):
                raise invalid("messages: text content blocks must be non-empty")
            if message["role"] == "system" and kind != "text":
                raise invalid(f"messages.{i}.content.{j}: system messages may only contain text blocks")
            if ctx.api_version == NEW_VERSION:
                if kind == "document" and message["role"] == "assistant":
                    raise invalid(
                        f"messages.{i}.content.{j}: document blocks are not permitted in assistant messages "
                        f"in API version {NEW_VERSION}"
                    )
                if kind == "text" and message["role"] == "user" and block.get("citations"):
                    raise invalid(
                        f"messages.{i}.content.{j}.text.citations: citations are not permitted in user messages "
                        f"in API version {NEW_VERSION}"
                    )
        if final_assistant and content:
            text = content if isinstance(content, str) else "".join(
                b.get("text", "") for b in content if b["type"] == "text")
            if text and text != text.rstrip():
                raise invalid("messages: final assistant content cannot end with trailing whitespace")
    _check_tool_pairing(messages)
    if messages[-1]["role"] == "assistant" and not model.prefill:
        raise invalid(
            "This model does not support assistant message prefill. The conversation must end with a user message."
        )


def _tool_ids(message: dict[str, Any], kind: str, key: str) -> list[tuple[int, str]]:
    content = message["content"]
    if isinstance(content, str):
        return []
    return [(j, b[key]) for j, b in enumerate(content) if b["type"] == kind]


def _check_tool_pairing(messages: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for i, message in enumerate(messages):
        if message["role"] == "assistant":
            uses = [tool_id for _, tool_id in _tool_ids(message, "tool_use", "id")]
            if seen & set(uses) or len(set(uses)) != len(uses):
                raise invalid(f"messages.{i}: `tool_use` ids must be unique")
            seen.update(uses)
            if not uses or i == len(messages) - 1:
                continue
            following = messages[i + 1]
            answered = {tool_id for _, tool_id in _tool_ids(following, "tool_result", "tool_use_id")}
            missing = [u for u in uses if u not in answered] if following["role"] == "user" else uses
            if missing:
                raise invalid(
                    f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` block "
                    "in the next message."
                )
        elif message["role"] == "user":
            previous = messages[i - 1] if i > 0 and messages[i - 1]["role"] == "assistant" else None
            offered = {tool_id for _, tool_id in _tool_ids(previous, "tool_use", "id")} if previous else set()
            for j, tool_use_id in _tool_ids(message, "tool_result", "tool_use_id"):
                if tool_use_id not in offered:
                    raise invalid(
                        f"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: "
                        f"{tool_use_id}. Each `tool_result` block must have a corresponding `tool_use` block in the "
                        "previous message."
                    )


_JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def _is_schema(schema: Any, depth: int = 0) -> bool:
    """A light JSON Schema meta-check of the keywords the simulator reads to build tool inputs."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict) or depth > 32:
        return False
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    number = (int, float)
    checks = [
        all(k in _JSON_TYPES for k in kinds if isinstance(k, str)) and all(isinstance(k, str) for k in kinds),
        isinstance(schema.get("properties", {}), dict)
        and all(_is_schema(sub, depth + 1) for sub in schema.get("properties", {}).values()),
        isinstance(schema.get("required", []), list) and all(isinstance(r, str) for r in schema.get("required", [])),
        "enum" not in schema or (isinstance(schema["enum"], list) and bool(schema["enum"])),
        "items" not in schema or _is_schema(schema["items"], depth + 1),
        all(isinstance(schema.get(k, 0), number) and not isinstance(schema.get(k, 0), bool)
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")),
        all(isinstance(schema.get(k, 0), int) and not isinstance(schema.get(k, 0), bool) and schema.get(k, 0) >= 0
            for k in ("minLength", "maxLength", "minItems", "maxItems")),
        all(isinstance(schema.get(k, []), list) and all(_is_schema(sub, depth + 1) for sub in schema.get(k, []))
            for k in ("anyOf", "oneOf", "allOf")),
        _is_schema(schema.get("additionalProperties", True), depth + 1),
    ]
    return all(checks)


def _check_tools(body: dict[str, Any]) -> None:
    schema = ((body.get("output_config") or {}).get("format") or {}).get("schema")
    if schema is not None and not _is_schema(schema):
        raise invalid("output_config.format.schema: JSON schema is invalid - please consult https://json-schema.org")
    tools = body.get("tools") or []
    for i, tool in enumerate(tools):
        if "input_schema" in tool and tool.get("type") in (None, "custom") and not _is_schema(tool["input_schema"]):
            raise invalid(
                f"tools.{i}.custom.input_schema: JSON schema is invalid - please consult https://json-schema.org "
                "or our documentation at https://docs.anthropic.com/en/docs/tool-use"
            )
    names = [t.get("name") for t in tools if t.get("name")]
    if len(names) != len(set(names)):
        raise invalid("tools: Tool names must be unique.")
    choice = body.get("tool_choice")
    if choice and choice["type"] == "tool" and choice["name"] not in names:
        raise invalid(f"tool_choice.tool.name: tool '{choice['name']}' was not found in `tools`")
    if choice and choice["type"] in ("any", "tool") and not tools:
        raise invalid("tool_choice: tool_choice may only be specified while providing tools")


def _thinking_on(body: dict[str, Any], model: SimModel) -> bool:
    kind = (body.get("thinking") or {}).get("type")
    if kind is None:
        return model.always_thinks or model.thinks_by_default
    return kind != "disabled"


def _check_thinking(body: dict[str, Any], ctx: Ctx, model: SimModel, count_only: bool) -> None:
    thinking = body.get("thinking") or {}
    kind = thinking.get("type")
    if kind == "enabled" and not model.budget_thinking:
        raise invalid(
            f"thinking.type.enabled is not supported for {model.id}. Use thinking.type.adaptive and "
            "output_config.effort to control thinking behavior."
        )
    if kind in ("adaptive", "between_tools") and not model.adaptive_thinking:
        raise invalid(f"thinking.type.{kind} is not supported for {model.id}. Use thinking.type.enabled with budget_tokens.")
    if kind == "disabled" and model.always_thinks:
        raise invalid(f"thinking.type.disabled: thinking cannot be disabled for {model.id}")
    if kind == "enabled" and not count_only and thinking["budget_tokens"] >= body["max_tokens"]:
        raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`.")
    explicit = kind in ("enabled", "adaptive", "between_tools") or (kind is None and model.always_thinks)
    if explicit and (body.get("tool_choice") or {}).get("type") in ("any", "tool"):
        raise invalid("Thinking may not be enabled when tool_choice forces tool use.")
    if not _thinking_on(body, model):
        return
    if body["messages"][-1]["role"] == "assistant":
        content = body["messages"][-1]["content"]
        if isinstance(content, str) or not content or content[0]["type"] not in ("thinking", "redacted_thinking"):
            raise invalid(
                "messages.{}.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`. When "
                "`thinking` is enabled, a final `assistant` message must start with a thinking block.".format(
                    len(body["messages"]) - 1)
            )
    if ctx.api_version != NEW_VERSION and not count_only:
        if body.get("temperature", 1) != 1:
            raise invalid("`temperature` may only be set to 1 when thinking is enabled.")
        if "top_k" in body:
            raise invalid("`top_k` must be unset when thinking is enabled.")
        if not 0.95 <= body.get("top_p", 1) <= 1:
            raise invalid("`top_p` must be between 0.95 and 1 when thinking is enabled.")


def _check_max_tokens(body: dict[str, Any], model: SimModel) -> None:
    if body["max_tokens"] > model.max_output:
        raise invalid(
            f"max_tokens: {body['max_tokens']} > {model.max_output}, which is the maximum allowed number of output "
            f"tokens for {model.id}"
        )


def _check_sampling(body: dict[str, Any], ctx: Ctx, model: SimModel) -> None:
    if ctx.api_version == NEW_VERSION or model.sampling_params:
        return
    defaults = {"temperature": 1, "top_p": 1}
    for name in ("temperature", "top_p", "top_k"):
        if name in body and body[name] != defaults.get(name):
            raise invalid(f"{name}: {model.id} does not accept a non-default `{name}`; remove it")


def _check_effort(body: dict[str, Any], model: SimModel) -> None:
    effort = (body.get("output_config") or {}).get("effort")
    if effort is None:
        return
    if not model.effort_levels:
        raise invalid(f"output_config.effort: {model.id} does not support the effort parameter")
    if effort not in model.effort_levels:
        raise invalid(f"output_config.effort: '{effort}' is not supported by {model.id}")


def _cacheable(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [*(body.get("tools") or [])]
    if isinstance(body.get("system"), list):
        found += body["system"]
    for message in body["messages"]:
        if isinstance(message["content"], list):
            for block in message["content"]:
                found.append(block)
                if block["type"] == "tool_result" and isinstance(block.get("content"), list):
                    found += block["content"]
    return found


def _check_cache_control(body: dict[str, Any]) -> None:
    ttls = [b["cache_control"].get("ttl") or "5m" for b in _cacheable(body) if b.get("cache_control")]
    if body.get("cache_control"):
        ttls.append(body["cache_control"].get("ttl") or "5m")
    if len(ttls) > MAX_BREAKPOINTS:
        raise invalid(f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(ttls)}.")
    if "5m" in ttls and "1h" in ttls[ttls.index("5m"):]:
        raise invalid(
            "cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block"
        )


def _images(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for i, message in enumerate(body["messages"]):
        if isinstance(message["content"], str):
            continue
        for j, block in enumerate(message["content"]):
            if block["type"] == "image":
                found.append((f"messages.{i}.content.{j}.image.source", block))
            elif block["type"] == "tool_result" and isinstance(block.get("content"), list):
                for k, inner in enumerate(block["content"]):
                    if inner["type"] == "image":
                        found.append((f"messages.{i}.content.{j}.tool_result.content.{k}.image.source", inner))
    return found


def _check_media(body: dict[str, Any], model: SimModel, files: FileLookup) -> None:
    images = _images(body)
    if len(images) > model.max_images:
        raise invalid(f"messages: too many images: {len(images)} > {model.max_images} maximum for {model.id}")
    max_side = MANY_IMAGES_MAX_SIDE if len(images) > MANY_IMAGES else MAX_IMAGE_SIDE
    for path, block in images:
        source = block["source"]
        data: bytes | None = None
        if source["type"] == "base64":
            data = decode_base64(source["data"])
            if data is None:
                raise invalid(f"{path}.base64.data: The image data is not valid base64")
            if len(data) > MAX_IMAGE_BYTES:
                raise invalid(f"{path}.base64: image exceeds 5 MB maximum: {len(data)} bytes > {MAX_IMAGE_BYTES} bytes")
            sniffed = sniff_image_type(data)
            if sniffed is None:
                raise invalid(f"{path}.base64.data: Could not process image")
            if sniffed != source["media_type"]:
                raise invalid(f"{path}.base64.data: Image does not match the provided media type {source['media_type']}")
        elif source["type"] == "file":
            found = _file(files, source["file_id"])
            if not found[0].startswith("image/"):
                raise invalid(f"{path}.file.file_id: file {source['file_id']} has type {found[0]}, not an image")
            data = found[1]
        size = image_size(data) if data else None
        if size and max(size) > max_side:
            many = " for many-image requests" if max_side == MANY_IMAGES_MAX_SIDE else ""
            raise invalid(
                f"{path}: At least one of the image dimensions exceed max allowed size{many}: {max_side} pixels",
                error_code="image_dimensions_too_large",
                details={"max_side_length_pixels": max_side, "paths": [path]},
            )
    for i, message in enumerate(body["messages"]):
        if isinstance(message["content"], str):
            continue
        for j, block in enumerate(message["content"]):
            if block["type"] == "document" and block["source"]["type"] == "file":
                mime = _file(files, block["source"]["file_id"])[0]
                if not (mime == "application/pdf" or mime.startswith("text/")):
                    raise invalid(
                        f"messages.{i}.content.{j}.document.source.file.file_id: file "
                        f"{block['source']['file_id']} has type {mime}, which a document block cannot use"
                    )


def _file(files: FileLookup, file_id: str) -> tuple[str, bytes]:
    found = files(file_id)
    if found is None:
        raise SimError(404, f"File not found: {file_id}")
    return found

"""Structural validation of request bodies, with the API's pydantic-style messages.

Paths are dotted and name the union tag after an index, as the API does:
`messages.0.content.1.image.source.base64.media_type: Input should be 'image/jpeg', ...`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from workbench._media_header import API_IMAGE_TYPES
from workbench.simulator._errors import invalid

API_VERSIONS = ("2023-06-01", "2026-10-21")
NEW_VERSION = "2026-10-21"


@dataclass(frozen=True)
class Ctx:
    api_version: str
    betas: tuple[str, ...] = ()


Check = Callable[[Any, str, Ctx], None]


def join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def fail(path: str, message: str) -> None:
    raise invalid(f"{path}: {message}" if path else message)


def string(value: Any, path: str, ctx: Ctx) -> None:
    if not isinstance(value, str):
        fail(path, "Input should be a valid string")


def boolean(value: Any, path: str, ctx: Ctx) -> None:
    if not isinstance(value, bool):
        fail(path, "Input should be a valid boolean")


def dictionary(value: Any, path: str, ctx: Ctx) -> None:
    if not isinstance(value, dict):
        fail(path, "Input should be a valid dictionary")


def integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                fail(path, "Input should be a valid integer")
        _bounds(value, path, minimum, maximum)

    return check


def number(minimum: float | None = None, maximum: float | None = None) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail(path, "Input should be a valid number")
        _bounds(value, path, minimum, maximum)

    return check


def _bounds(value: float, path: str, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        fail(path, f"Input should be greater than or equal to {minimum}")
    if maximum is not None and value > maximum:
        fail(path, f"Input should be less than or equal to {maximum}")


def _quoted(values: tuple[Any, ...]) -> str:
    names = [f"'{v}'" for v in values]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def enum(*values: Any) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if value not in values:
            fail(path, f"Input should be {_quoted(values)}")

    return check


def nullable(inner: Check) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if value is not None:
            inner(value, path, ctx)

    return check


def array(item: Check, *, min_items: int = 0, max_items: int | None = None) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if not isinstance(value, list):
            fail(path, "Input should be a valid list")
        if len(value) < min_items:
            fail(path, f"List should have at least {min_items} item after validation, not {len(value)}")
        if max_items is not None and len(value) > max_items:
            fail(path, f"List should have at most {max_items} items after validation, not {len(value)}")
        for i, element in enumerate(value):
            item(element, join(path, i), ctx)

    return check


def string_or(inner: Check) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        if not isinstance(value, str):
            inner(value, path, ctx)

    return check


def obj(fields: Mapping[str, Check], required: tuple[str, ...] = (), *, open_: bool = False) -> Check:
    def check(value: Any, path: str, ctx: Ctx) -> None:
        dictionary(value, path, ctx)
        for name in required:
            if name not in value:
                fail(join(path, name), "Field required")
        for name, item in value.items():
            validator = fields.get(name)
            if validator is None:
                if not open_:
                    fail(join(path, name), "Extra inputs are not permitted")
                continue
            validator(item, join(path, name), ctx)

    return check


def tagged(variants: Mapping[str, Check]) -> Check:
    """A union discriminated by the `type` field."""

    def check(value: Any, path: str, ctx: Ctx) -> None:
        dictionary(value, path, ctx)
        kind = value.get("type")
        if kind is None:
            fail(path, "Unable to extract tag using discriminator 'type'")
        variant = variants.get(kind) if isinstance(kind, str) else None
        if variant is None:
            fail(
                path,
                f"Input tag '{kind}' found using 'type' does not match any of the expected tags: "
                + ", ".join(f"'{v}'" for v in variants),
            )
        variant(value, join(path, kind), ctx)

    return check


TYPE = string
CACHE_CONTROL = nullable(obj({"type": enum("ephemeral"), "ttl": enum("5m", "1h")}, ("type",)))
IMAGE_TYPES = API_IMAGE_TYPES

_CITATION_LOCATION = obj({}, open_=True)
TEXT = obj(
    {"type": TYPE, "text": string, "cache_control": CACHE_CONTROL, "citations": nullable(array(_CITATION_LOCATION))},
    ("text",),
)
_FILE_SOURCE = obj({"type": TYPE, "file_id": string}, ("file_id",))
_URL_SOURCE = obj({"type": TYPE, "url": string}, ("url",))
IMAGE = obj(
    {
        "type": TYPE,
        "source": tagged(
            {
                "base64": obj({"type": TYPE, "media_type": enum(*IMAGE_TYPES), "data": string}, ("media_type", "data")),
                "url": _URL_SOURCE,
                "file": _FILE_SOURCE,
            }
        ),
        "cache_control": CACHE_CONTROL,
        "transformations": nullable(obj({"oversized_image": enum("downsize", "error")})),
    },
    ("source",),
)
DOCUMENT = obj(
    {
        "type": TYPE,
        "source": tagged(
            {
                "base64": obj(
                    {"type": TYPE, "media_type": enum("application/pdf"), "data": string}, ("media_type", "data")
                ),
                "text": obj({"type": TYPE, "media_type": enum("text/plain"), "data": string}, ("media_type", "data")),
                "content": obj(
                    {"type": TYPE, "content": string_or(array(tagged({"text": TEXT, "image": IMAGE})))}, ("content",)
                ),
                "url": _URL_SOURCE,
                "file": _FILE_SOURCE,
            }
        ),
        "title": nullable(string),
        "context": nullable(string),
        "citations": nullable(obj({"enabled": boolean})),
        "cache_control": CACHE_CONTROL,
    },
    ("source",),
)
SEARCH_RESULT = obj(
    {
        "type": TYPE,
        "source": string,
        "title": string,
        "content": array(tagged({"text": TEXT})),
        "citations": nullable(obj({"enabled": boolean})),
        "cache_control": CACHE_CONTROL,
    },
    ("source", "title", "content"),
)
_CALLER = nullable(obj({}, open_=True))
TOOL_USE = obj(
    {
        "type": TYPE,
        "id": string,
        "name": string,
        "input": dictionary,
        "cache_control": CACHE_CONTROL,
        "caller": _CALLER,
        "toolset_name": nullable(string),
    },
    ("id", "name", "input"),
)
TOOL_RESULT = obj(
    {
        "type": TYPE,
        "tool_use_id": string,
        "content": string_or(
            array(
                tagged({"text": TEXT, "image": IMAGE, "document": DOCUMENT, "search_result": SEARCH_RESULT})
            )
        ),
        "is_error": boolean,
        "cache_control": CACHE_CONTROL,
        "toolset_name": nullable(string),
    },
    ("tool_use_id",),
)
_SERVER_RESULT = obj({"cache_control": CACHE_CONTROL}, open_=True)
CONTENT_BLOCK = tagged(
    {
        "text": TEXT,
        "image": IMAGE,
        "document": DOCUMENT,
        "search_result": SEARCH_RESULT,
        "thinking": obj({"type": TYPE, "thinking": string, "signature": string}, ("thinking", "signature")),
        "redacted_thinking": obj({"type": TYPE, "data": string}, ("data",)),
        "tool_use": TOOL_USE,
        "tool_result": TOOL_RESULT,
        "server_tool_use": obj(
            {"type": TYPE, "id": string, "name": string, "input": dictionary, "caller": _CALLER,
             "cache_control": CACHE_CONTROL},
            ("id", "name", "input"),
        ),
        "web_search_tool_result": _SERVER_RESULT,
        "web_fetch_tool_result": _SERVER_RESULT,
        "code_execution_tool_result": _SERVER_RESULT,
        "bash_code_execution_tool_result": _SERVER_RESULT,
        "text_editor_code_execution_tool_result": _SERVER_RESULT,
        "tool_search_tool_result": _SERVER_RESULT,
        "container_upload": obj({"type": TYPE, "file_id": string, "cache_control": CACHE_CONTROL}, ("file_id",)),
    }
)
MESSAGE = obj(
    {"role": enum("user", "assistant", "system"), "content": string_or(array(CONTENT_BLOCK))},
    ("role", "content"),
)
SYSTEM = string_or(array(tagged({"text": TEXT})))

_CUSTOM_TOOL = obj(
    {
        "type": nullable(enum("custom")),
        "name": string,
        "description": string,
        "input_schema": obj({"type": enum("object")}, ("type",), open_=True),
        "cache_control": CACHE_CONTROL,
        "strict": boolean,
        "input_examples": array(dictionary),
        "defer_loading": boolean,
        "eager_input_streaming": nullable(boolean),
        "allowed_callers": array(string),
    },
    ("name", "input_schema"),
)
# Versioned server and client tools (web_search_20250305, bash_20250124, ...) carry many options;
# the simulator only needs them to be objects with a type.
_VERSIONED_TOOL = obj({"type": string, "name": string, "cache_control": CACHE_CONTROL}, ("type",), open_=True)


def tool(value: Any, path: str, ctx: Ctx) -> None:
    dictionary(value, path, ctx)
    kind = value.get("type")
    if kind in (None, "custom"):
        _CUSTOM_TOOL(value, path, ctx)
    else:
        _VERSIONED_TOOL(value, path, ctx)


TOOL_CHOICE = tagged(
    {
        "auto": obj({"type": TYPE, "disable_parallel_tool_use": boolean}),
        "any": obj({"type": TYPE, "disable_parallel_tool_use": boolean}),
        "tool": obj({"type": TYPE, "name": string, "disable_parallel_tool_use": boolean}, ("name",)),
        "none": obj({"type": TYPE}),
    }
)
_DISPLAY = nullable(enum("summarized", "omitted"))
THINKING = tagged(
    {
        "enabled": obj({"type": TYPE, "budget_tokens": integer(minimum=1024), "display": _DISPLAY}, ("budget_tokens",)),
        "adaptive": obj({"type": TYPE, "display": _DISPLAY}),
        "disabled": obj({"type": TYPE}),
        "between_tools": obj({"type": TYPE, "display": _DISPLAY}),
    }
)
OUTPUT_CONFIG = obj(
    {
        "effort": nullable(enum("low", "medium", "high", "xhigh", "max")),
        "format": nullable(obj({"type": enum("json_schema"), "schema": dictionary}, ("type", "schema"))),
    }
)

_COMMON: dict[str, Check] = {
    "model": string,
    "messages": array(MESSAGE),
    "system": SYSTEM,
    "tools": array(tool),
    "tool_choice": TOOL_CHOICE,
    "thinking": THINKING,
    "output_config": OUTPUT_CONFIG,
    "cache_control": CACHE_CONTROL,
    "speed": nullable(enum("standard", "fast")),
}
_CREATE: dict[str, Check] = {
    **_COMMON,
    "max_tokens": integer(minimum=0),
    "stream": boolean,
    "stop_sequences": array(string),
    "metadata": nullable(obj({"user_id": nullable(string)})),
    "service_tier": enum("auto", "standard_only"),
    "inference_geo": nullable(string),
    "container": nullable(string_or(obj({"id": nullable(string), "skills": array(dictionary)}))),
    "diagnostics": nullable(obj({"previous_message_id": nullable(string)})),
}
_SAMPLING: dict[str, Check] = {
    "temperature": number(0.0, 1.0),
    "top_p": number(0.0, 1.0),
    "top_k": integer(minimum=0),
}
# Body params that only exist behind an `anthropic-beta` header.
_BETA: dict[str, Check] = {
    "context_management": dictionary,
    "mcp_servers": array(dictionary),
    "fallbacks": array(dictionary),
}


def _fields(base: dict[str, Check], ctx: Ctx, *, sampling: bool) -> dict[str, Check]:
    fields = dict(base)
    if sampling and ctx.api_version != NEW_VERSION:
        fields.update(_SAMPLING)
    if ctx.betas:
        fields.update(_BETA)
    return fields


def check_create(body: Any, ctx: Ctx) -> None:
    obj(_fields(_CREATE, ctx, sampling=True), ("max_tokens", "messages", "model"))(body, "", ctx)


def check_count_tokens(body: Any, ctx: Ctx) -> None:
    obj(_fields(_COMMON, ctx, sampling=False), ("messages", "model"))(body, "", ctx)

"""Tools: JSON schemas from Python functions, checks on tool dicts, and calling a function for a tool_use."""

from __future__ import annotations

import inspect
import json
import re
import typing
from typing import Any, Callable, Mapping

from workbench.prompt._docstring import parameter_docs, summary
from workbench.prompt.errors import PromptError, kind_of

TOOL_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


def tool_from_function(fn: Callable[..., Any]) -> dict[str, Any]:
    """A custom tool definition for `fn`: name, docstring summary, and an input schema from its type hints."""
    name = getattr(fn, "__name__", None) or type(fn).__name__
    if not TOOL_NAME.fullmatch(name):
        raise PromptError(f"tool name {name!r} must match ^[a-zA-Z0-9_-]{{1,64}}$ (lambdas need a def)")
    tool: dict[str, Any] = {"name": name}
    description = summary(inspect.getdoc(fn))
    if description:
        tool["description"] = description
    tool["input_schema"] = _input_model(fn).model_json_schema()
    _drop_titles(tool["input_schema"])
    tool["input_schema"].setdefault("properties", {})
    return tool


def _input_model(fn: Callable[..., Any]) -> Any:
    from pydantic import ConfigDict, Field, create_model
    from pydantic.errors import PydanticSchemaGenerationError, PydanticUserError

    name = getattr(fn, "__name__", "tool")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        raise PromptError(f"cannot read the parameters of tool {name!r}") from None
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # unresolvable forward references: fall back to the raw annotations
        hints = {}
    docs = parameter_docs(inspect.getdoc(fn))
    fields: dict[str, Any] = {}
    for param in signature.parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = hints.get(param.name, param.annotation)
        if annotation is inspect.Parameter.empty:
            annotation = Any
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, Field(default, description=docs.get(param.name)))
    try:
        model = create_model(f"{name}_input", __config__=ConfigDict(extra="forbid"), **fields)
        model.model_json_schema()
    except (PydanticSchemaGenerationError, PydanticUserError, TypeError, NameError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PromptError(f"cannot make a tool schema for {name!r}: {first_line}") from None
    return model


def _drop_titles(schema: Any) -> None:
    """pydantic's auto-generated titles repeat the property names; they only cost tokens."""
    if isinstance(schema, dict):
        schema.pop("title", None)
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    _drop_titles(prop)
            elif key != "default":
                _drop_titles(value)
    elif isinstance(schema, list):
        for item in schema:
            _drop_titles(item)


def check_tool_dict(tool: Mapping[str, Any], label: str) -> dict[str, Any]:
    """A tool dict from the namespace, checked like the API would, as a plain dict."""
    name = tool.get("name")
    if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
        raise PromptError(f"bad tool schema for {label!r}: name must match ^[a-zA-Z0-9_-]{{1,64}}$, got {name!r}")
    kind = tool.get("type", "custom")
    if kind not in (None, "custom"):
        return dict(tool)  # a versioned built-in tool (web_search_..., bash_...): the API knows its schema
    schema = tool.get("input_schema")
    if not isinstance(schema, Mapping):
        raise PromptError(f"bad tool schema for {name!r}: input_schema must be a JSON schema object")
    if schema.get("type") != "object":
        raise PromptError(f'bad tool schema for {name!r}: input_schema.type must be "object"')
    if "properties" in schema and not isinstance(schema["properties"], Mapping):
        raise PromptError(f"bad tool schema for {name!r}: input_schema.properties must be an object")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise PromptError(f"bad tool schema for {name!r}: input_schema.required must be a list of names")
    if "description" in tool and not isinstance(tool["description"], str):
        raise PromptError(f"bad tool schema for {name!r}: description must be a string")
    return dict(tool)


def resolve_tools(
    entries: list[Any], namespace: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Callable[..., Any]]]:
    """Tool names (looked up in the namespace), functions or dicts -> tool definitions and name -> function."""
    tools: list[dict[str, Any]] = []
    functions: dict[str, Callable[..., Any]] = {}
    for entry in entries:
        label = entry if isinstance(entry, str) else getattr(entry, "__name__", type(entry).__name__)
        value = entry
        if isinstance(entry, str):
            if entry not in namespace:
                raise PromptError(f"unknown tool {entry!r}: no function or tool dict of that name in the namespace")
            value = namespace[entry]
        if isinstance(value, Mapping):
            tool = check_tool_dict(value, label)
        elif callable(value):
            tool = tool_from_function(value)
            functions[tool["name"]] = value
        else:
            raise PromptError(f"tool {label!r} is {kind_of(value)}; a tool must be a function or a tool dict")
        if any(t["name"] == tool["name"] for t in tools):
            raise PromptError(f"duplicate tool name {tool['name']!r}")
        tools.append(tool)
    return tools, functions


def _invoke(fn: Callable[..., Any], input: Mapping[str, Any]) -> tuple[str, bool]:
    from pydantic import ValidationError

    try:
        arguments = _input_model(fn).model_validate(dict(input))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        return f"Error: invalid input for {getattr(fn, '__name__', 'tool')}: {problems}", True
    try:
        result = fn(**{name: getattr(arguments, name) for name in type(arguments).model_fields})
    except Exception as exc:  # the model sees the failure and can react; the notebook stays alive
        return f"Error: {type(exc).__name__}: {exc}", True
    return _as_text(result), False


def _as_text(result: Any) -> str:
    if result is None:
        return ""
    if isinstance(result, str):
        return result
    if hasattr(result, "model_dump_json"):
        return result.model_dump_json()
    if isinstance(result, (dict, list, tuple, int, float, bool)):
        return json.dumps(result, ensure_ascii=False, default=str)
    return str(result)


def call_tool(fn: Callable[..., Any], input: Mapping[str, Any]) -> str:
    """Run `fn` for a tool_use input (validated and coerced by its signature) and return the result as text.

    Exceptions and invalid inputs come back as text starting with "Error:", for an `is_error` tool_result.
    """
    return _invoke(fn, input)[0]


def tool_result(tool_use_id: str, fn: Callable[..., Any], input: Mapping[str, Any]) -> dict[str, Any]:
    """The `tool_result` block answering one tool_use, with `is_error` set when the call failed."""
    text, is_error = _invoke(fn, input)
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_use_id}
    if text:
        block["content"] = text
    if is_error:
        block["is_error"] = True
    return block

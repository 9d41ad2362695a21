"""Parse the JSON a tool call has streamed so far, the way the official SDK does (jiter's partial mode).

An incomplete object or array keeps the members that are complete; an unfinished string, literal or key is
left out. Used for snapshots of an interrupted stream; a finished tool call is plain `json.loads`.
"""
from __future__ import annotations

import json
import re
from json.decoder import scanstring
from typing import Any

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_NUMBER_PREFIX = re.compile(r"-?\d*(?:\.\d*)?(?:[eE][-+]?\d*)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}
_MISSING = object()


class _Incomplete(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def parse_partial(text: str) -> Any:
    """The value `text` starts to spell, or raise ValueError if it is not the beginning of JSON."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        value, end = _value(text, _skip(text, 0))
    except _Incomplete as partial:
        if partial.value is _MISSING:
            raise ValueError("no complete JSON value yet") from None
        return partial.value
    if text[end:].strip():
        raise ValueError(f"unexpected data after JSON at {end}")
    return value


def _skip(text: str, pos: int) -> int:
    return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]


def _value(text: str, pos: int) -> tuple[Any, int]:
    if pos >= len(text):
        raise _Incomplete(_MISSING)
    char = text[pos]
    if char == "{":
        return _object(text, pos + 1)
    if char == "[":
        return _array(text, pos + 1)
    if char == '"':
        return _string(text, pos + 1)
    for word, value in _LITERALS.items():
        if text.startswith(word, pos):
            return value, pos + len(word)
        if word.startswith(text[pos:]):
            raise _Incomplete(_MISSING)
    match = _NUMBER.match(text, pos)
    if match is None or match.end() < len(text) == _NUMBER_PREFIX.match(text, pos).end():  # type: ignore[union-attr]
        if _NUMBER_PREFIX.match(text, pos).end() == len(text):  # type: ignore[union-attr]
            raise _Incomplete(_MISSING)  # "2." or "-1e": not a number yet
        raise ValueError(f"invalid JSON at {pos}")
    number = match.group()
    value = float(number) if any(c in number for c in ".eE") else int(number)
    if match.end() == len(text):
        raise _Incomplete(value)
    return value, match.end()


def _string(text: str, pos: int) -> tuple[str, int]:
    try:
        return scanstring(text, pos)
    except json.JSONDecodeError:
        raise _Incomplete(_MISSING) from None


def _object(text: str, pos: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    pos = _skip(text, pos)
    if text.startswith("}", pos):
        return result, pos + 1
    while True:
        if pos >= len(text):
            raise _Incomplete(result)
        if text[pos] != '"':
            raise ValueError(f"expected a key at {pos}")
        try:
            key, pos = _string(text, pos + 1)
        except _Incomplete:
            raise _Incomplete(result) from None
        pos = _skip(text, pos)
        if pos >= len(text):
            raise _Incomplete(result)
        if text[pos] != ":":
            raise ValueError(f"expected ':' at {pos}")
        try:
            result[key], pos = _value(text, _skip(text, pos + 1))
        except _Incomplete as partial:
            if partial.value is not _MISSING:
                result[key] = partial.value
            raise _Incomplete(result) from None
        pos = _skip(text, pos)
        if pos >= len(text):
            raise _Incomplete(result)
        if text[pos] == "}":
            return result, pos + 1
        if text[pos] != ",":
            raise ValueError(f"expected ',' or '}}' at {pos}")
        pos = _skip(text, pos + 1)


def _array(text: str, pos: int) -> tuple[list[Any], int]:
    result: list[Any] = []
    pos = _skip(text, pos)
    if text.startswith("]", pos):
        return result, pos + 1
    while True:
        try:
            item, pos = _value(text, pos)
        except _Incomplete as partial:
            if partial.value is not _MISSING:
                result.append(partial.value)
            raise _Incomplete(result) from None
        result.append(item)
        pos = _skip(text, pos)
        if pos >= len(text):
            raise _Incomplete(result)
        if text[pos] == "]":
            return result, pos + 1
        if text[pos] != ",":
            raise ValueError(f"expected ',' or ']' at {pos}")
        pos = _skip(text, pos + 1)

"""JSON values as readable source literals: Python dicts, TypeScript objects, compact JSON.

Layout follows black / prettier: a container stays on one line when it fits, otherwise one item per
line with a trailing comma. Multi-line strings become triple-quoted strings (Python) or template
literals (TypeScript) so prompts read as prose, not as one line full of ``\\n``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass


class Expr(str):
    """Source code placed verbatim where a JSON value would go (a variable, an attribute access)."""


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
# Characters that make a multi-line literal unreadable or change its value; such strings stay escaped.
_UNSAFE_IN_BLOCK = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def _json_escaped(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _reads_as_block(text: str) -> bool:
    """Prose worth a multi-line literal; short strings like a stop sequence read better escaped."""
    return len(text) >= 40 and "\n" in text.strip() and not _UNSAFE_IN_BLOCK.search(text)


def _python_string(text: str) -> str:
    if _reads_as_block(text):
        body = text.replace("\\", "\\\\").replace('"""', '""\\"')
        if body.endswith('"'):
            body = body[:-1] + '\\"'
        return f'"""{body}"""'
    return _quoted(text, prefer='"')


def _quoted(text: str, *, prefer: str) -> str:
    """A one-line literal in the preferred quote, or the other one when that needs fewer escapes (black, prettier)."""
    other = "'" if prefer == '"' else '"'
    quote = other if text.count(prefer) > text.count(other) else prefer
    escaped = _json_escaped(text)  # JSON escapes are valid in Python and JavaScript literals alike
    if quote == "'":
        escaped = escaped.replace('\\"', '"').replace("'", "\\'")
    return f"{quote}{escaped}{quote}"


def _typescript_string(text: str) -> str:
    if _reads_as_block(text):
        body = text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
        return f"`{body}`"
    return _quoted(text, prefer="'")


@dataclass(frozen=True)
class Dialect:
    string: Callable[[str], str]
    true: str
    false: str
    null: str
    indent: str
    unquoted_keys: bool
    width: int
    trailing_comma: bool = True

    def key(self, name: str) -> str:
        if self.unquoted_keys and _IDENTIFIER.match(name):
            return name
        return self.string(name)


PYTHON = Dialect(_python_string, "True", "False", "None", "    ", unquoted_keys=False, width=88)
TYPESCRIPT = Dialect(_typescript_string, "true", "false", "null", "  ", unquoted_keys=True, width=100)
JSON = Dialect(
    lambda text: json.dumps(text, ensure_ascii=False), "true", "false", "null", "  ",
    unquoted_keys=False, width=100, trailing_comma=False,
)  # fmt: skip


def _scalar(value: object, dialect: Dialect) -> str:
    if isinstance(value, Expr):
        return str(value)
    if value is True:
        return dialect.true
    if value is False:
        return dialect.false
    if value is None:
        return dialect.null
    if isinstance(value, str):
        return dialect.string(value)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise TypeError(f"cannot write a {type(value).__name__} as a literal")


def _one_line(value: object, dialect: Dialect) -> str | None:
    """The value on a single line, or None when it holds a multi-line string."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            rendered = _one_line(item, dialect)
            if rendered is None:
                return None
            items.append(f"{dialect.key(key)}: {rendered}")
        if not items:
            return "{}"
        inner = ", ".join(items)
        return f"{{ {inner} }}" if dialect.unquoted_keys else f"{{{inner}}}"
    if isinstance(value, list):
        items = [_one_line(item, dialect) for item in value]
        if any(item is None for item in items):
            return None
        return "[" + ", ".join(items) + "]"  # type: ignore[arg-type]
    text = _scalar(value, dialect)
    return None if "\n" in text else text


def literal(value: object, dialect: Dialect, *, indent: int = 0, reserved: int = 0) -> str:
    """`value` as source at nesting depth `indent`; `reserved` counts characters around it on its line."""
    flat = _one_line(value, dialect)
    if flat is not None and len(dialect.indent) * indent + reserved + len(flat) <= dialect.width:
        return flat
    if not isinstance(value, (dict, list)) or not value:
        return flat if flat is not None else _scalar(value, dialect)
    pad = dialect.indent * (indent + 1)
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            prefix = f"{dialect.key(key)}: "
            lines.append(f"{pad}{prefix}{literal(item, dialect, indent=indent + 1, reserved=len(prefix) + 1)},")
        open_, close = "{", "}"
    else:
        lines = [f"{pad}{literal(item, dialect, indent=indent + 1, reserved=1)}," for item in value]
        open_, close = "[", "]"
    if not dialect.trailing_comma:
        lines[-1] = lines[-1][:-1]
    return "\n".join([open_, *lines, dialect.indent * indent + close])


def keyword_arguments(arguments: dict[str, object], dialect: Dialect, *, indent: int = 1) -> str:
    """`name=value,` lines (Python call arguments), one per line."""
    pad = dialect.indent * indent
    return "\n".join(
        f"{pad}{name}={literal(value, dialect, indent=indent, reserved=len(name) + 2)},"
        for name, value in arguments.items()
    )


def object_members(members: dict[str, object], dialect: Dialect, *, indent: int = 1) -> str:
    """`key: value,` lines (the inside of an object literal), one per line."""
    pad = dialect.indent * indent
    return "\n".join(
        f"{pad}{dialect.key(key)}: {literal(value, dialect, indent=indent, reserved=len(key) + 3)},"
        for key, value in members.items()
    )

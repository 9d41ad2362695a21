"""Word-level diff of two texts, rendered as escaped HTML or as wdiff-style plain text."""

from __future__ import annotations

import difflib
import html
import re
from typing import Literal

Op = tuple[Literal["equal", "delete", "insert"], str]

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[Op]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(b[j1:j2])))
    return ops


def is_unchanged(ops: list[Op]) -> bool:
    return all(kind == "equal" for kind, _ in ops)


def diff_html(ops: list[Op]) -> str:
    parts = []
    for kind, text in ops:
        escaped = html.escape(text)
        if kind == "delete":
            parts.append(f'<del class="wb-del">{escaped}</del>')
        elif kind == "insert":
            parts.append(f'<ins class="wb-ins">{escaped}</ins>')
        else:
            parts.append(escaped)
    return "".join(parts)


def diff_text(ops: list[Op]) -> str:
    marks = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "equal": ("", "")}
    return "".join(marks[kind][0] + text + marks[kind][1] for kind, text in ops)

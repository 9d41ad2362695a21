"""Just enough docstring reading for tool schemas: the summary and per-parameter descriptions."""

from __future__ import annotations

import inspect
import re

_GOOGLE_HEADERS = {"args:", "arguments:", "parameters:", "params:", "keyword args:", "keyword arguments:"}
_GOOGLE_PARAM = re.compile(r"\*{0,2}(\w+)\s*(?:\(.*\))?\s*:\s*(.*)")
_NUMPY_PARAM = re.compile(r"\*{0,2}(\w+)\s*(?::.*)?")
_SPHINX_PARAM = re.compile(r":param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)")


def summary(doc: str | None) -> str | None:
    """The first paragraph, on one line."""
    text = inspect.cleandoc(doc or "").strip()
    if not text:
        return None
    paragraph = []
    for line in text.split("\n\n", 1)[0].splitlines():
        if line.lstrip().startswith(":"):  # Sphinx fields start right after the summary
            break
        paragraph.append(line)
    return " ".join(" ".join(paragraph).split()) or None


def parameter_docs(doc: str | None) -> dict[str, str]:
    """Parameter descriptions from Google ("Args:"), NumPy ("Parameters / ----------") or Sphinx (":param x:")."""
    lines = inspect.cleandoc(doc or "").splitlines()
    found: dict[str, str] = {}
    found.update(_google(lines))
    found.update(_numpy(lines))
    found.update(_sphinx(lines))
    return {name: " ".join(text.split()) for name, text in found.items() if text.strip()}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _google(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start, line in enumerate(lines):
        if line.strip().lower() not in _GOOGLE_HEADERS:
            continue
        header_indent = _indent(line)
        param_indent = None
        current = None
        for body in lines[start + 1 :]:
            if not body.strip():
                continue
            indent = _indent(body)
            if indent <= header_indent:
                break
            if param_indent is None:
                param_indent = indent
            match = _GOOGLE_PARAM.fullmatch(body.strip())
            if indent == param_indent and match:
                current = match.group(1)
                found[current] = match.group(2)
            elif current is not None and indent > param_indent:
                found[current] += " " + body.strip()
    return found


def _numpy(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(len(lines) - 1):
        if lines[start].strip().lower() not in ("parameters", "other parameters") or not re.fullmatch(
            r"\s*-{3,}\s*", lines[start + 1]
        ):
            continue
        base = _indent(lines[start])
        current = None
        for body in lines[start + 2 :]:
            if not body.strip():
                continue
            indent = _indent(body)
            if indent == base:
                match = _NUMPY_PARAM.fullmatch(body.strip())
                if not match:
                    break
                current = match.group(1)
                found[current] = ""
            elif indent > base and current is not None:
                found[current] += " " + body.strip()
            else:
                break
    return found


def _sphinx(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        match = _SPHINX_PARAM.match(line.strip())
        if match:
            found[match.group(1)] = match.group(2)
    return found

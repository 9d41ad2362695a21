"""A Message's content blocks as inert HTML and as plain text.

Works on a streaming snapshot (pydantic `Message`) as well as on a recorded response (its JSON dict). With `tail`,
only the last characters of each long part are shown: the live view stays small however long the reply grows.
"""

from __future__ import annotations

import html
import json
from typing import Any

from workbench.display.markdown import render_html


def blocks_of(message: Any) -> list[Any]:
    if message is None:
        return []
    if isinstance(message, dict):
        return list(message.get("content") or [])
    return list(getattr(message, "content", None) or [])


def field(block: Any, name: str, default: Any = None) -> Any:
    if isinstance(block, dict):
        return block.get(name, default)
    value = getattr(block, name, default)
    if value is default and hasattr(block, "model_extra") and block.model_extra:
        return block.model_extra.get(name, default)
    return value


def text_of(message: Any) -> str:
    return "".join(field(b, "text") or "" for b in blocks_of(message) if field(b, "type") == "text")


def _tail(text: str, limit: int | None) -> tuple[str, int]:
    """The end of `text` starting at a line boundary, and how many characters were left out."""
    if limit is None or len(text) <= limit:
        return text, 0
    cut = len(text) - limit
    newline = text.find("\n", cut)
    start = newline + 1 if 0 <= newline < cut + limit // 2 else cut
    return text[start:], start


def _elided(count: int) -> str:
    return f'<div class="wb-elided">… {count:,} earlier characters (shown in full when the reply is complete)</div>'


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def block_html(block: Any, *, tail: int | None = None, streaming: bool = False, last: bool = False) -> str:
    kind = field(block, "type")
    if kind == "text":
        shown, skipped = _tail(field(block, "text") or "", tail)
        return (_elided(skipped) if skipped else "") + f'<div class="wb-text">{render_html(shown)}</div>'
    if kind == "thinking":
        shown, skipped = _tail(field(block, "thinking") or "", tail)
        label = "Thinking…" if streaming else "Thinking"
        body = render_html(shown) if shown else "<em>(thinking not shown by the API)</em>"
        # Open while the model is still thinking (nothing else to look at yet), collapsed once it answers.
        state = " open" if streaming and last else ""
        return (
            f'<details class="wb-thinking"{state}><summary>{label}</summary>'
            f"{_elided(skipped) if skipped else ''}{body}</details>"
        )
    if kind == "redacted_thinking":
        return '<details class="wb-thinking"><summary>Thinking (redacted)</summary></details>'
    if kind in ("tool_use", "server_tool_use"):
        shown, skipped = _tail(_json_text(field(block, "input") or {}), tail)
        name = html.escape(str(field(block, "name") or "?"))
        return (
            f'<div class="wb-tool"><strong>{html.escape(kind)}</strong> <code>{name}</code>'
            f"{_elided(skipped) if skipped else ''}<pre>{html.escape(shown)}</pre></div>"
        )
    if kind == "tool_result":
        shown, skipped = _tail(_json_text(field(block, "content") or ""), tail)
        error = " (error)" if field(block, "is_error") else ""
        return (
            f'<div class="wb-tool"><strong>tool_result{error}</strong>'
            f"{_elided(skipped) if skipped else ''}<pre>{html.escape(shown)}</pre></div>"
        )
    return f'<div class="wb-block"><code>[{html.escape(str(kind))} block]</code></div>'


def message_html(message: Any, *, tail: int | None = None, streaming: bool = False) -> str:
    blocks = blocks_of(message)
    return "".join(
        block_html(b, tail=tail, streaming=streaming, last=i == len(blocks) - 1) for i, b in enumerate(blocks)
    )


def block_plain(block: Any) -> str:
    kind = field(block, "type")
    if kind == "text":
        return field(block, "text") or ""
    if kind == "thinking":
        return f"[thinking]\n{field(block, 'thinking') or ''}\n[/thinking]"
    if kind in ("tool_use", "server_tool_use"):
        return f"[{kind} {field(block, 'name')}] {json.dumps(field(block, 'input') or {}, ensure_ascii=False)}"
    if kind == "tool_result":
        return f"[tool_result] {_json_text(field(block, 'content') or '')}"
    return f"[{kind} block]"


def message_plain(message: Any) -> str:
    return "\n\n".join(block_plain(b) for b in blocks_of(message))

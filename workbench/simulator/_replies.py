"""What the simulated model says: deterministic replies derived from the request.

A reply mentions the model, the question, the system prompt's gist and the attachments, and carries some
Markdown (bold, a list, a code block) so renderers have something to render. Tool results are answered in
text (so tool loops end), tools are called when the request forces or clearly asks for one, documents with
citations enabled are cited, "N words" gets about N words. Replies then honour stop_sequences and max_tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.simulator.models import SimModel
from workbench.simulator.tokens import count_text, decode_base64, json_tokens, truncate_to_tokens

__all__ = ["ScriptedReply", "Reply", "compose_reply", "thinking_enabled"]

FileLookup = Callable[[str], "tuple[str, bytes] | None"]

_WORDS = (
    "the simulator writes deterministic text so tests and demos behave the same on every run while still "
    "reading like a plausible answer about models prompts tokens streams caches tools documents images and "
    "notebooks with enough variety to exercise a renderer a parser and a progress display at realistic speed"
).split()


@dataclass
class ScriptedReply:
    text: str | None = None
    thinking: str | None = None
    tool_uses: list[dict[str, Any]] | None = None
    stop_reason: str | None = None


@dataclass
class Reply:
    content: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str | None
    output_tokens: int
    thinking_tokens: int
    # full thinking text per thinking block (the block itself is empty when display is "omitted")
    hidden_thinking: list[str] = field(default_factory=list)


def thinking_enabled(body: dict[str, Any], model: SimModel) -> bool:
    kind = (body.get("thinking") or {}).get("type")
    if kind in ("enabled", "adaptive", "between_tools"):
        return True
    if kind == "disabled":
        return False
    return model.always_thinks or model.thinks_by_default


def _gist(text: str, words: int = 14) -> str:
    parts = text.split()
    gist = " ".join(parts[:words])
    return gist + (" …" if len(parts) > words else "")


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass
class _Turn:
    """What the last user turn holds."""

    text: str = ""
    images: int = 0
    documents: int = 0
    tool_results: list[tuple[str, str, bool]] = field(default_factory=list)  # (tool name, result text, is_error)


def _last_turn(messages: list[dict[str, Any]]) -> tuple[_Turn, str | None]:
    """The last user turn and the assistant prefill (if the conversation ends with an assistant turn)."""
    prefill = None
    rest = messages
    if rest and rest[-1].get("role") == "assistant":
        prefill = _text_of(rest[-1].get("content"))
        rest = rest[:-1]
    turn = _Turn()
    names: dict[str, str] = {}
    for message in rest:
        if message.get("role") == "assistant" and isinstance(message.get("content"), list):
            for block in message["content"]:
                if block.get("type") == "tool_use":
                    names[block.get("id", "")] = block.get("name", "tool")
    user_turns = [m for m in rest if m.get("role") == "user"]
    if not user_turns:
        return turn, prefill
    content = user_turns[-1].get("content")
    if isinstance(content, str):
        turn.text = content
        return turn, prefill
    texts = []
    for block in content or []:
        kind = block.get("type")
        if kind == "text":
            texts.append(block.get("text", ""))
        elif kind == "image":
            turn.images += 1
        elif kind == "document":
            turn.documents += 1
        elif kind == "tool_result":
            name = names.get(block.get("tool_use_id", ""), "tool")
            result = block.get("content", "")
            result_text = result if isinstance(result, str) else _text_of(result)
            turn.tool_results.append((name, result_text, bool(block.get("is_error"))))
    turn.text = "\n".join(texts)
    return turn, prefill


def _system_text(system: Any) -> str:
    return system if isinstance(system, str) else _text_of(system)


# ---- tool inputs ---------------------------------------------------------------------------------------


def _sample(schema: Any, name: str, prompt: str, depth: int = 0) -> Any:
    if not isinstance(schema, dict) or depth > 6:
        return None
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return _sample(schema[key][0], name, prompt, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties") or {}
        return {key: _sample(sub, key, prompt, depth + 1) for key, sub in props.items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [_sample(schema.get("items") or {"type": "string"}, name, prompt, depth + 1) for _ in range(count)]
    if kind in ("integer", "number"):
        low = schema.get("minimum")
        if low is None and "exclusiveMinimum" in schema:
            low = schema["exclusiveMinimum"] + 1
        if low is None:
            low = min(1, schema.get("maximum", 1))
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string_for(name, schema, prompt)


_FORMATTED = {
    "date": "2026-11-22",
    "date-time": "2026-11-22T12:00:00Z",
    "time": "12:00:00Z",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _string_for(name: str, schema: dict[str, Any], prompt: str) -> str:
    capitalised = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)*)", prompt)
    if capitalised and re.search(r"city|location|place|country|name|query|topic", name, re.I):
        value = capitalised[-1]
    else:
        value = _gist(prompt, 8) or name
    value = _FORMATTED.get(schema.get("format", ""), value)
    minimum, maximum = int(schema.get("minLength", 0)), schema.get("maxLength")
    value = value.ljust(minimum, "x")
    return value[: int(maximum)] if maximum is not None else value


def _pick_tool(body: dict[str, Any], turn: _Turn) -> dict[str, Any] | None:
    tools = [t for t in body.get("tools") or [] if t.get("type") in (None, "custom") and "input_schema" in t]
    choice = body.get("tool_choice") or {"type": "auto"}
    if not tools or choice.get("type") == "none":
        return None
    if choice.get("type") == "tool":
        return next((t for t in tools if t["name"] == choice.get("name")), None)
    if choice.get("type") == "any":
        return _mentioned(tools, turn.text) or tools[0]
    if turn.tool_results:
        return None
    mentioned = _mentioned(tools, turn.text)
    if mentioned:
        return mentioned
    if re.search(r"\b(use|call|invoke|run)\b.{0,20}\btools?\b", turn.text, re.I):
        return tools[0]
    return None


def _mentioned(tools: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    lowered = text.lower()
    for tool in tools:
        name = tool["name"].lower()
        if name in lowered or name.replace("_", " ") in lowered:
            return tool
    return None


# ---- citations -----------------------------------------------------------------------------------------


def _first_sentence(text: str) -> str:
    text = text.strip()
    match = re.search(r"[.!?](\s|$)", text)
    end = match.end(0) if match else len(text)
    return text[: min(end, 300)].strip()


def _citations(body: dict[str, Any], files: FileLookup) -> list[dict[str, Any]]:
    """One citation per document that enables citations (document_index counts every document)."""
    found = []
    index = 0
    for message in body.get("messages") or []:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if block.get("type") != "document":
                continue
            if (block.get("citations") or {}).get("enabled"):
                found.append(_cite(block, index, files))
            index += 1
    return found


def _cite(block: dict[str, Any], index: int, files: FileLookup) -> dict[str, Any]:
    source = block.get("source") or {}
    base = {"document_index": index, "document_title": block.get("title")}
    kind = source.get("type")
    text = None
    if kind == "text":
        text = source.get("data", "")
    elif kind == "file":
        found = files(source.get("file_id", ""))
        if found and found[0].startswith("text/"):
            text = found[1].decode("utf-8", "replace")
        if found:
            base["file_id"] = source.get("file_id")
    elif kind == "content":
        inner = source.get("content")
        first = inner if isinstance(inner, str) else _text_of(inner[:1])
        return {"type": "content_block_location", "cited_text": first, **base,
                "start_block_index": 0, "end_block_index": 1}
    if text is not None:
        cited = _first_sentence(text)
        start = text.find(cited)
        return {"type": "char_location", "cited_text": cited, **base,
                "start_char_index": start, "end_char_index": start + len(cited)}
    data = decode_base64(source.get("data", "")) if kind == "base64" else None
    strings = re.findall(rb"\(([^()\\]{3,200})\)\s*Tj", data or b"")
    cited = strings[0].decode("latin-1") if strings else ""
    return {"type": "page_location", "cited_text": cited, **base, "start_page_number": 1, "end_page_number": 2}


# ---- text ----------------------------------------------------------------------------------------------


def _words_text(count: int, rng: random.Random) -> str:
    """About `count` words of Markdown: paragraphs, with a bold lead-in and a list now and then."""
    out: list[str] = []
    written = 0
    paragraph = 0
    while written < count:
        paragraph += 1
        size = min(count - written, rng.randint(40, 90))
        words = [rng.choice(_WORDS) for _ in range(size)]
        if paragraph % 4 == 2 and size >= 12:
            items = [" ".join(words[i : i + 4]) for i in range(0, 12, 4)]
            rest = " ".join(words[12:])
            out.append("\n".join(f"- {item}" for item in items) + (f"\n\n{rest.capitalize()}." if rest else ""))
        else:
            words[0] = f"**{words[0].capitalize()}**"
            out.append(" ".join(words) + ".")
        written += size
    return "\n\n".join(out)


def _default_text(body: dict[str, Any], model: SimModel, turn: _Turn) -> str:
    system = _system_text(body.get("system"))
    question = _gist(turn.text) or "(no text)"
    attachments = []
    if turn.images:
        attachments.append(_plural(turn.images, "image"))
    if turn.documents:
        attachments.append(_plural(turn.documents, "document"))
    turns = sum(1 for m in body.get("messages") or [] if m.get("role") == "user")
    lines = [
        f"**Simulated reply** from {model.display_name} (offline simulator: no API call was made).",
        "",
        f"You asked: “{question}”",
        "",
        f"- **Model:** `{model.id}`",
        f"- **System prompt:** {_gist(system, 10) if system else 'none'}",
    ]
    if attachments:
        lines.append(f"- **Attachments:** I received {' and '.join(attachments)}.")
    lines += [
        f"- **Turn:** {turns}",
        "",
        "A code sample, so renderers have something to highlight:",
        "",
        "```python",
        f"print({_gist(turn.text, 5)!r})",
        "```",
    ]
    return "\n".join(lines)


def _tool_result_text(turn: _Turn) -> str:
    parts = []
    for name, result, is_error in turn.tool_results:
        snippet = _gist(result, 30) or "(empty)"
        if is_error:
            parts.append(f"The `{name}` tool reported an error: “{snippet}”. I cannot complete that step.")
        else:
            parts.append(f"The `{name}` tool returned: **{snippet}**")
    summary = "\n".join(f"- {p}" for p in parts)
    return f"Here is what the tools told me:\n\n{summary}\n\nBased on these results, that answers your question."


def _thinking_text(turn: _Turn, tool: dict[str, Any] | None) -> str:
    plan = (
        f"the `{tool['name']}` tool fits, so I will call it."
        if tool
        else "a tool returned results, so I will summarise them."
        if turn.tool_results
        else "I will answer in Markdown with a short list, some bold text and a code sample."
    )
    return f"The user wrote: “{_gist(turn.text, 20) or 'nothing'}”. Plan: {plan}"


def _signature(seed: int, thinking: str) -> str:
    digest = hashlib.sha256(f"{seed}:{thinking}".encode()).digest()
    return base64.b64encode(b"simsig" + digest * 3).decode()


# ---- composing -----------------------------------------------------------------------------------------


def compose_reply(
    body: dict[str, Any],
    model: SimModel,
    *,
    seed: int,
    new_id: Callable[[str], str],
    files: FileLookup,
    scripted: ScriptedReply | None = None,
) -> Reply:
    turn, prefill = _last_turn(body.get("messages") or [])
    thinking = _thinking_text(turn, None) if thinking_enabled(body, model) else None
    if scripted is not None:
        thinking = scripted.thinking if scripted.thinking is not None else thinking
        blocks = _scripted_blocks(scripted, new_id)
    else:
        tool = _pick_tool(body, turn)
        if thinking is not None:
            thinking = _thinking_text(turn, tool)
        blocks = _derived_blocks(body, model, turn, prefill, tool, new_id, files, seed)
    if thinking is not None:
        blocks.insert(0, {"type": "thinking", "thinking": thinking, "signature": _signature(seed, thinking)})

    natural_stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    stop_reason = scripted.stop_reason if scripted and scripted.stop_reason else natural_stop
    blocks, stop_reason, stop_sequence = _apply_stop_sequences(blocks, body.get("stop_sequences") or [], stop_reason)
    display = (body.get("thinking") or {}).get("display") or model.thinking_display_default
    return _apply_budget(blocks, int(body.get("max_tokens", 0)), display, stop_reason, stop_sequence)


def _scripted_blocks(scripted: ScriptedReply, new_id: Callable[[str], str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if scripted.text:
        blocks.append({"type": "text", "text": scripted.text})
    for use in scripted.tool_uses or []:
        blocks.append({"type": "tool_use", "id": use.get("id") or new_id("toolu_"), "name": use["name"],
                       "input": dict(use.get("input") or {})})
    return blocks


def _derived_blocks(
    body: dict[str, Any],
    model: SimModel,
    turn: _Turn,
    prefill: str | None,
    tool: dict[str, Any] | None,
    new_id: Callable[[str], str],
    files: FileLookup,
    seed: int,
) -> list[dict[str, Any]]:
    """The reply's text and tool_use blocks, from the first rule that applies."""
    if tool is not None:
        forced = (body.get("tool_choice") or {}).get("type") in ("any", "tool")
        lead = [] if forced else [{"type": "text", "text": f"I'll use the `{tool['name']}` tool for this."}]
        return [*lead, {"type": "tool_use", "id": new_id("toolu_"), "name": tool["name"],
                        "input": _sample(tool["input_schema"], tool["name"], turn.text) or {}}]
    schema = ((body.get("output_config") or {}).get("format") or {}).get("schema")
    if schema:
        # structured outputs: the text is JSON that validates against the requested schema
        return [{"type": "text", "text": json.dumps(_sample(schema, "answer", turn.text), ensure_ascii=False)}]
    if prefill is not None and prefill.strip():
        return [{"type": "text", "text": _continue_prefill(prefill, turn, model)}]
    citations = _citations(body, files)
    if citations:
        blocks = [{"type": "text", "text": "According to the documents:\n\n"}]
        for citation in citations:
            title = citation.get("document_title") or f"Document {citation['document_index'] + 1}"
            said = citation["cited_text"] or "(the first page)"
            blocks.append({"type": "text", "text": f"- **{title}** says: {said}", "citations": [citation]})
        blocks.append({"type": "text", "text": "\n\nThat is what the documents cover (offline simulator)."})
        return blocks
    if turn.tool_results:
        return [{"type": "text", "text": _tool_result_text(turn)}]
    wanted = re.search(r"\b(\d{1,6})[- ]words?\b", turn.text)
    if wanted:
        # Seeded by what was asked, not by limits, so a shorter max_tokens cuts the same reply short.
        asked = {key: body.get(key) for key in ("model", "system", "messages", "tools")}
        rng = random.Random(f"{seed}:{json.dumps(asked, sort_keys=True, default=str)}")
        return [{"type": "text", "text": _words_text(int(wanted.group(1)), rng)}]
    return [{"type": "text", "text": _default_text(body, model, turn)}]


def _continue_prefill(prefill: str, turn: _Turn, model: SimModel) -> str:
    stripped = prefill.rstrip()
    if stripped.endswith("{"):
        return json.dumps({"answer": _gist(turn.text, 8), "model": model.id, "simulated": True})[1:]
    if stripped.endswith("["):
        return json.dumps(_gist(turn.text, 6).split() or ["simulated"])[1:]
    lead = "" if prefill[-1:].isspace() else " "
    return f"{lead}continuing your prefill: a simulated reply to “{_gist(turn.text, 8)}”."


def _apply_stop_sequences(
    blocks: list[dict[str, Any]], sequences: list[str], stop_reason: str
) -> tuple[list[dict[str, Any]], str, str | None]:
    for i, block in enumerate(blocks):
        if block["type"] != "text":
            continue
        hits = [(block["text"].find(s), s) for s in sequences if s and s in block["text"]]
        if hits:
            position, sequence = min(hits)
            cut = dict(block, text=block["text"][:position])
            return [*blocks[:i], cut], "stop_sequence", sequence
    return blocks, stop_reason, None


def _apply_budget(
    blocks: list[dict[str, Any]], budget: int, display: str, stop_reason: str, stop_sequence: str | None
) -> Reply:
    kept: list[dict[str, Any]] = []
    hidden: list[str] = []
    used = thinking_used = 0
    truncated = False
    for block in blocks:
        left = budget - used
        kind = block["type"]
        if kind in ("text", "thinking"):
            key = "text" if kind == "text" else "thinking"
            cost = count_text(block[key])
            if cost > left:
                cut, cost = truncate_to_tokens(block[key], left)
                block = dict(block, **{key: cut})
                truncated = True
            if kind == "thinking":
                thinking_used += cost
                hidden.append(block["thinking"])
                if display == "omitted":
                    block = dict(block, thinking="")
            if cost or not truncated:
                kept.append(block)
            used += cost
        else:
            cost = count_text(block.get("name", "")) + json_tokens(block.get("input", {}))
            if cost > left:
                truncated = True
            else:
                kept.append(block)
                used += cost
        if truncated:
            break
    if truncated or (budget == 0):
        return Reply([b for b in kept if b["type"] != "text" or b["text"]], "max_tokens", None, used, thinking_used,
                     hidden)
    return Reply(kept, stop_reason, stop_sequence, used, thinking_used, hidden)

"""The simulator's tokenizer: one documented approximation, used for count_tokens, usage and limits alike.

Rules (every count the simulator reports comes from these, so they always agree with each other):

- Text is split into words, numbers and single punctuation marks (regex ``\\w+|[^\\w\\s]``); each piece costs
  ``ceil(len(piece) / 4)`` tokens and whitespace is free. English prose comes out near 1.3 tokens per word.
- Every message costs 3 tokens of framing, on top of its content.
- An image costs ``ceil(width * height / 750)`` tokens after scaling it to fit 1568 px on its long edge and
  1.15 megapixels (the documented vision formula); an image whose size cannot be read costs 1600.
- A PDF costs 1500 tokens per page (pages are counted from the file's page objects).
- Tool definitions, tool inputs and any other structured block cost the tokens of their compact JSON text.
- Output costs the tokens of the text, thinking and tool-input JSON the reply contains.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Callable
from typing import Any

from workbench._media_header import API_IMAGE_TYPES, image_size, sniff_media_type

__all__ = [
    "count_text",
    "truncate_to_tokens",
    "image_size",
    "image_tokens",
    "pdf_pages",
    "sniff_image_type",
    "decode_base64",
    "block_tokens",
    "json_tokens",
    "MESSAGE_OVERHEAD",
    "IMAGE_FALLBACK_TOKENS",
    "PDF_PAGE_TOKENS",
]

MESSAGE_OVERHEAD = 3
IMAGE_FALLBACK_TOKENS = 1600
PDF_PAGE_TOKENS = 1500

_PIECE = re.compile(r"\w+|[^\w\s]")

# file_id -> (mime_type, bytes) or None when unknown
FileLookup = Callable[[str], "tuple[str, bytes] | None"]


def count_text(text: str) -> int:
    return sum((len(piece) + 3) // 4 for piece in _PIECE.findall(text))


def truncate_to_tokens(text: str, budget: int) -> tuple[str, int]:
    """The longest prefix of `text` (ending at a piece boundary) costing at most `budget`, and its cost."""
    used = 0
    end = 0
    for match in _PIECE.finditer(text):
        cost = (len(match.group()) + 3) // 4
        if used + cost > budget:
            return text[:end], used
        used += cost
        end = match.end()
    return text, used


def json_tokens(value: Any) -> int:
    return count_text(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def sniff_image_type(data: bytes) -> str | None:
    """The media type of an image the API takes, or None."""
    media_type = sniff_media_type(data)
    return media_type if media_type in API_IMAGE_TYPES else None


def image_tokens(size: tuple[int, int] | None) -> int:
    if size is None or min(size) <= 0:
        return IMAGE_FALLBACK_TOKENS
    w, h = size
    scale = min(1.0, 1568 / max(w, h), math.sqrt(1_150_000 / (w * h)))
    return max(1, math.ceil((w * scale) * (h * scale) / 750))


def pdf_pages(data: bytes) -> int:
    return max(1, len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)))


def decode_base64(data: str) -> bytes | None:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None


def _source_bytes(source: dict[str, Any], files: FileLookup) -> bytes | None:
    kind = source.get("type")
    if kind == "base64":
        return decode_base64(source.get("data", ""))
    if kind == "file":
        found = files(source.get("file_id", ""))
        return found[1] if found else None
    return None


def block_tokens(block: Any, files: FileLookup) -> int:
    """Tokens of one request content block (or a plain string)."""
    if isinstance(block, str):
        return count_text(block)
    if not isinstance(block, dict):
        return json_tokens(block)
    kind = block.get("type")
    if kind == "text":
        return count_text(block.get("text", ""))
    if kind == "image":
        data = _source_bytes(block.get("source") or {}, files)
        return image_tokens(image_size(data) if data else None)
    if kind == "document":
        return _document_tokens(block, files)
    if kind == "thinking":
        return count_text(block.get("thinking", ""))
    if kind == "redacted_thinking":
        return len(block.get("data", "")) // 4
    if kind == "tool_use":
        return count_text(block.get("name", "")) + json_tokens(block.get("input", {}))
    if kind == "tool_result":
        content = block.get("content", "")
        if isinstance(content, list):
            return 3 + sum(block_tokens(item, files) for item in content)
        return 3 + count_text(str(content))
    if kind == "search_result":
        inner = sum(block_tokens(item, files) for item in block.get("content", []))
        return inner + count_text(str(block.get("title", ""))) + count_text(str(block.get("source", "")))
    stripped = {k: v for k, v in block.items() if k != "cache_control"}
    return json_tokens(stripped)


def _document_tokens(block: dict[str, Any], files: FileLookup) -> int:
    source = block.get("source") or {}
    extra = count_text(str(block.get("title") or "")) + count_text(str(block.get("context") or ""))
    kind = source.get("type")
    if kind == "text":
        return extra + count_text(source.get("data", ""))
    if kind == "content":
        content = source.get("content", "")
        if isinstance(content, str):
            return extra + count_text(content)
        return extra + sum(block_tokens(item, files) for item in content)
    data = _source_bytes(source, files)
    if kind == "file" and data is not None:
        found = files(source.get("file_id", ""))
        if found and found[0].startswith("text/"):
            return extra + count_text(data.decode("utf-8", "replace"))
    if data is None:
        return extra + PDF_PAGE_TOKENS
    return extra + PDF_PAGE_TOKENS * pdf_pages(data)

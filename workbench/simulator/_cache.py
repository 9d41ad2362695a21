"""Prompt-cache accounting that behaves like the API's.

The prompt is a sequence of blocks in prefix order (tools, then system, then message content). Every block
has a digest of the whole prefix ending with it. A `cache_control` breakpoint writes an entry for its prefix
(when the prefix reaches the model's minimum cacheable length); a later request reads the longest entry it
finds at one of its breakpoints or up to 20 blocks before one. Entries live 5 minutes or 1 hour from their
last use.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workbench.simulator.tokens import MESSAGE_OVERHEAD, block_tokens

TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
LOOKBACK_BLOCKS = 20


@dataclass(frozen=True)
class PrefixBlock:
    digest: str
    tokens: int
    ttl: str | None  # set on cache breakpoints


@dataclass(frozen=True)
class CacheUsage:
    input_tokens: int
    read: int
    write_5m: int
    write_1h: int

    def usage_fields(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.write_5m + self.write_1h,
            "cache_read_input_tokens": self.read,
            "cache_creation": {"ephemeral_5m_input_tokens": self.write_5m, "ephemeral_1h_input_tokens": self.write_1h},
        }


def _ttl(block: Any) -> str | None:
    if isinstance(block, dict) and isinstance(block.get("cache_control"), dict):
        return block["cache_control"].get("ttl") or "5m"
    return None


def _canonical(value: Any) -> bytes:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "cache_control"}
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def prefix_blocks(body: dict[str, Any], files: Callable[[str], Any]) -> list[PrefixBlock]:
    """The request as cacheable blocks in prefix order: tools, system, messages."""
    running = hashlib.sha256(_canonical(body.get("model", "")))
    blocks: list[PrefixBlock] = []

    def add(kind: str, item: Any, tokens: int) -> None:
        running.update(kind.encode() + b"\0" + _canonical(item))
        blocks.append(PrefixBlock(running.copy().hexdigest(), tokens, _ttl(item)))

    for tool in body.get("tools") or []:
        add("tool", tool, block_tokens({k: v for k, v in tool.items() if k != "cache_control"}, files))
    system = body.get("system")
    if isinstance(system, str):
        if system:
            add("system", system, block_tokens(system, files))
    else:
        for item in system or []:
            add("system", item, block_tokens(item, files))
    for message in body.get("messages") or []:
        content = message.get("content")
        items = [content] if isinstance(content, str) else list(content or [])
        overhead = MESSAGE_OVERHEAD
        if not items:
            add(message.get("role", ""), "", overhead)
        for item in items:
            add(message.get("role", ""), item, block_tokens(item, files) + overhead)
            overhead = 0
    top = body.get("cache_control")
    if isinstance(top, dict) and blocks and blocks[-1].ttl is None:
        last = blocks[-1]
        blocks[-1] = PrefixBlock(last.digest, last.tokens, top.get("ttl") or "5m")
    return blocks


class PromptCache:
    """Entries keyed by prefix digest; each remembers when it expires and its TTL."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, float]] = {}

    def account(self, blocks: list[PrefixBlock], min_tokens: int, now: float) -> CacheUsage:
        cumulative: list[int] = []
        total = 0
        for block in blocks:
            total += block.tokens
            cumulative.append(total)
        breakpoints = [i for i, block in enumerate(blocks) if block.ttl]

        hit = -1
        for bp in breakpoints:
            for j in range(bp, max(bp - LOOKBACK_BLOCKS, -1), -1):
                entry = self._entries.get(blocks[j].digest)
                if entry and entry[0] > now:
                    hit = max(hit, j)
                    break
        if hit >= 0:
            _, ttl = self._entries[blocks[hit].digest]
            self._entries[blocks[hit].digest] = (now + ttl, ttl)

        written = {"5m": 0, "1h": 0}
        start = cumulative[hit] if hit >= 0 else 0
        for bp in breakpoints:
            if bp <= hit or cumulative[bp] < min_tokens:
                continue
            ttl_name = blocks[bp].ttl or "5m"
            written[ttl_name] += cumulative[bp] - start
            start = cumulative[bp]
            ttl = TTL_SECONDS[ttl_name]
            self._entries[blocks[bp].digest] = (now + ttl, ttl)
        read = cumulative[hit] if hit >= 0 else 0
        return CacheUsage(total - read - written["5m"] - written["1h"], read, written["5m"], written["1h"])

"""List prices per model and the cost of a call from its `usage`.

Prices are USD per million tokens, as of PRICES_AS_OF, from SOURCES. A model without a known price gives
None, which callers show as "price unknown" (never $0).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Mapping

PRICES_AS_OF = dt.date(2026, 11, 22)
SOURCES = (
    "platform.claude.com/docs/en/about-claude/pricing and the model overview pages"
    " (Opus, Sonnet 4.x, Fable, Haiku 4.5);"
    " third-party release notes for Sonnet 5.5 and Haiku 5.5 rates"
)
BATCH_DISCOUNT = 0.5  # the Batch API halves every token price; cache multipliers stack on top
_MILLION = 1_000_000


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens. `long_prompt` is (threshold, prices) for requests whose prompt exceeds it."""

    model: str
    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    long_prompt: tuple[int, ModelPrice] | None = None


@dataclass(frozen=True)
class Cost:
    """USD per part of one call; `total` is their sum."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    total: float


def _price(model: str, input: float, output: float, cache_read: float, **extra: Any) -> ModelPrice:
    """Cache writes cost 1.25x (5 minutes) and 2x (1 hour) the input price on every model priced here."""
    return ModelPrice(model, float(input), float(output), input * 1.25, input * 2.0, float(cache_read), **extra)


# model -> [(effective from, price)], oldest first; the newest entry not after the call's date applies.
_TABLE: dict[str, list[tuple[dt.date, ModelPrice]]] = {}


def _add(price: ModelPrice, since: dt.date = dt.date.min) -> None:
    _TABLE.setdefault(price.model, []).append((since, price))
    _TABLE[price.model].sort(key=lambda entry: entry[0])


for _model in ("claude-fable-5-1", "claude-mythos-5-1"):
    _add(_price(_model, 10, 50, 0.25))
for _model in ("claude-fable-5", "claude-mythos-5"):
    _add(_price(_model, 10, 50, 1.00))
_add(_price("claude-opus-5-5", 4, 20, 0.20))
for _model in ("claude-opus-5", "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5"):
    _add(_price(_model, 5, 25, 0.50))
for _model in ("claude-opus-4-1", "claude-opus-4-0"):
    _add(_price(_model, 15, 75, 1.50))
_add(_price("claude-sonnet-5-5", 2, 10, 0.20))
_add(_price("claude-sonnet-5-5", 2, 10, 0.10), since=dt.date(2026, 10, 7))
_add(_price("claude-sonnet-5", 2, 10, 0.20))
_add(_price("claude-sonnet-4-6", 3, 15, 0.30))
_add(_price("claude-sonnet-4-5", 3, 15, 0.30, long_prompt=(200_000, _price("claude-sonnet-4-5", 6, 22.50, 0.60))))
_add(_price("claude-haiku-5-5", 0.10, 0.50, 0.01, long_prompt=(100_000, _price("claude-haiku-5-5", 0.50, 2.50, 0.05))))
_add(_price("claude-haiku-4-5", 1, 5, 0.10))

_ALIASES = {"claude-opus-4": "claude-opus-4-0"}
_DATED = re.compile(r"(.+?)-(\d{8}|latest)")


def base_model(model: str) -> str:
    """`claude-haiku-4-5-20251001` -> `claude-haiku-4-5`: the id the price table uses."""
    match = _DATED.fullmatch(model)
    name = match.group(1) if match else model
    return _ALIASES.get(name, name)


def price_for(model: str, *, at: dt.date | None = None) -> ModelPrice | None:
    """The list price of `model` (id, alias or dated id) on date `at` (default: today); None when unknown."""
    entries = _TABLE.get(base_model(model))
    if not entries:
        return None
    day = at or dt.date.today()
    current = [price for since, price in entries if since <= day]
    return current[-1] if current else entries[0][1]


def _tokens(usage: Mapping[str, Any], key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) else 0


def cost(model: str, usage: Mapping[str, Any] | Any, *, batch: bool = False, at: dt.date | None = None) -> Cost | None:
    """The cost of one call from its `usage` (dict or pydantic Usage); None when the model has no known price.

    Thinking is billed as output and is part of `output_tokens`. Cache writes are priced by TTL from
    `usage.cache_creation`; without that breakdown, `cache_creation_input_tokens` counts as 5-minute writes.
    """
    price = price_for(model, at=at)
    if price is None:
        return None
    if hasattr(usage, "model_dump"):
        usage = usage.model_dump()
    usage = dict(usage or {})
    breakdown = usage.get("cache_creation") if isinstance(usage.get("cache_creation"), Mapping) else None
    if breakdown is not None:
        write_5m = _tokens(breakdown, "ephemeral_5m_input_tokens")
        write_1h = _tokens(breakdown, "ephemeral_1h_input_tokens")
    else:
        write_5m, write_1h = _tokens(usage, "cache_creation_input_tokens"), 0
    input_tokens = _tokens(usage, "input_tokens")
    read = _tokens(usage, "cache_read_input_tokens")
    if price.long_prompt and input_tokens + write_5m + write_1h + read > price.long_prompt[0]:
        price = price.long_prompt[1]
    scale = (BATCH_DISCOUNT if batch else 1.0) / _MILLION
    parts = {
        "input": input_tokens * price.input * scale,
        "output": _tokens(usage, "output_tokens") * price.output * scale,
        "cache_write_5m": write_5m * price.cache_write_5m * scale,
        "cache_write_1h": write_1h * price.cache_write_1h * scale,
        "cache_read": read * price.cache_read * scale,
    }
    return Cost(**parts, total=sum(parts.values()))


def estimate(model: str, input_tokens: int, max_tokens: int, *, batch: bool = False) -> Cost | None:
    """The most a call can cost: its input, plus `max_tokens` of output (for dry runs)."""
    return cost(model, {"input_tokens": input_tokens, "output_tokens": max_tokens}, batch=batch)


def format_usd(amount: float | None) -> str:
    """$1.23, $0.05, $0.000123: small amounts keep three significant digits; None is "price unknown"."""
    if amount is None:
        return "price unknown"
    if amount == 0:
        return "$0.00"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount >= 0.1:
        return f"{sign}${amount:,.2f}"
    digits = 2 - math.floor(math.log10(amount))  # three significant digits
    text = f"{amount:.{digits}f}".rstrip("0")
    if len(text.split(".")[1]) < 2:
        text = f"{amount:.2f}"
    return f"{sign}${text}"

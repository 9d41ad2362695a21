"""Rate limits: token buckets per minute for requests, input tokens and output tokens.

The anthropic-ratelimit-* headers are always sent; a bucket only refuses (429 with retry-after) when its
limit is configured in the options.
"""

from __future__ import annotations

from workbench.simulator._errors import SimError
from workbench.simulator.clock import rfc3339
from workbench.simulator.options import SimulatorOptions

# Limits shown in the headers when no limit is enforced.
NOMINAL_LIMITS = {"requests": 4000, "input-tokens": 2_000_000, "output-tokens": 400_000}


class _Bucket:
    """A token bucket refilled continuously at `capacity` per minute."""

    def __init__(self, capacity: int, now: float) -> None:
        self.capacity = capacity
        self.level = float(capacity)
        self.updated = now

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.updated) * self.capacity / 60)
        self.updated = now

    def wait_for(self, amount: float) -> float:
        if amount > self.capacity:
            return 60.0  # larger than the whole budget: never fits; say "a minute", as the API does
        return 0.0 if self.level >= amount else (amount - self.level) * 60 / self.capacity

    def reset_at(self, now: float) -> str:
        return rfc3339(now + (self.capacity - self.level) * 60 / self.capacity)


class RateLimiter:
    def __init__(self) -> None:
        self._buckets: dict[str, _Bucket] = {}

    def admit(self, options: SimulatorOptions, input_tokens: int, now: float) -> list[tuple[str, str]]:
        """Spend one request and its input tokens, or raise a 429; return the anthropic-ratelimit-* headers."""
        configured = {
            "requests": options.requests_per_minute,
            "input-tokens": options.input_tokens_per_minute,
            "output-tokens": options.output_tokens_per_minute,
        }
        for name, value in configured.items():
            capacity = value or NOMINAL_LIMITS[name]
            bucket = self._buckets.get(name)
            if bucket is None or bucket.capacity != capacity:
                bucket = self._buckets[name] = _Bucket(capacity, now)
            bucket.refill(now)
        needs = {"requests": 1, "input-tokens": input_tokens, "output-tokens": 1}
        for name, amount in needs.items():
            if configured[name] is None:
                continue
            wait = self._buckets[name].wait_for(amount)
            if wait > 0:
                unit = "requests" if name == "requests" else name.replace("-", " ")
                raise SimError(
                    429,
                    f"This request would exceed your organization's rate limit of {configured[name]} {unit} per minute.",
                    headers=[("retry-after", str(max(1, int(wait + 0.999)))), *self.headers(now)],
                )
        self._buckets["requests"].level -= 1
        self._buckets["input-tokens"].level -= input_tokens
        return self.headers(now)

    def spend_output(self, tokens: int) -> None:
        self._buckets["output-tokens"].level -= tokens

    def headers(self, now: float) -> list[tuple[str, str]]:
        headers = []
        for name in ("requests", "input-tokens", "output-tokens"):
            bucket = self._buckets[name]
            headers += [
                (f"anthropic-ratelimit-{name}-limit", str(bucket.capacity)),
                (f"anthropic-ratelimit-{name}-remaining", str(max(0, int(bucket.level)))),
                (f"anthropic-ratelimit-{name}-reset", bucket.reset_at(now)),
            ]
        tokens = [self._buckets["input-tokens"], self._buckets["output-tokens"]]
        headers += [
            ("anthropic-ratelimit-tokens-limit", str(sum(b.capacity for b in tokens))),
            ("anthropic-ratelimit-tokens-remaining", str(sum(max(0, int(b.level)) for b in tokens))),
            ("anthropic-ratelimit-tokens-reset", max(b.reset_at(now) for b in tokens)),
        ]
        return headers

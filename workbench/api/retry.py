"""When to retry a request and how long to wait first (the official SDK's policy)."""
from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
# Longest server-requested wait we honour: beyond this the answer is "not today", and sleeping would look like a hang.
MAX_SERVER_DELAY = 4_294_967.0
RETRYABLE_STATUS = frozenset({408, 409, 429})


def should_retry(status_code: int, headers: Mapping[str, str]) -> bool:
    """`x-should-retry` wins; otherwise 408, 409, 429 and every 5xx are worth another try."""
    verdict = headers.get("x-should-retry")
    if verdict == "true":
        return True
    if verdict == "false":
        return False
    return status_code in RETRYABLE_STATUS or status_code >= 500


def retry_delay(retries_taken: int, headers: Mapping[str, str] | None = None, *, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number `retries_taken + 1`.

    The server's `retry-after-ms`, then `retry-after` (seconds or HTTP date), else exponential backoff
    0.5 * 2**n capped at 8 s, shortened by up to 25 % of jitter so clients that failed together spread out.
    """
    requested = _requested_delay(headers) if headers is not None else None
    if requested is not None and requested > 0:
        return min(requested, MAX_SERVER_DELAY)
    n = min(retries_taken, 1000)
    base = min(INITIAL_DELAY * 2.0**n, MAX_DELAY)
    return base * (1 - 0.25 * (rng or random).random())


def _requested_delay(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    when = email.utils.parsedate_tz(value)
    if when is None:
        return None
    return email.utils.mktime_tz(when) - time.time()

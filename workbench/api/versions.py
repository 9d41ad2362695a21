"""The API versions this client speaks (the `anthropic-version` header)."""
from __future__ import annotations

from .errors import RequestValidationError

# 2023-06-01: what most tutorials use (temperature, top_p, top_k accepted).
# 2026-10-21: sampling params removed, stricter content rules.
API_VERSIONS = ("2023-06-01", "2026-10-21")
DEFAULT_API_VERSION = "2023-06-01"


def check_api_version(api_version: str) -> str:
    if api_version not in API_VERSIONS:
        raise RequestValidationError(f"api_version: expected one of {', '.join(API_VERSIONS)}, got {api_version!r}")
    return api_version

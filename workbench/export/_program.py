"""What an exported program must do, independent of the language it is written in."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from workbench.export._media import Blob, extract

DEFAULT_BASE_URL = "https://api.anthropic.com"
# The version the official SDKs send unless told otherwise (Python >= 2.0, TypeScript >= 1.0).
SDK_API_VERSION = "2026-10-21"

# Body fields `messages.create` / `messages.stream` take as keyword arguments in the official SDKs;
# anything else (temperature, top_p, top_k under 2023-06-01, newer fields) goes through `extra_body`.
SDK_PARAMS = frozenset(
    {
        "max_tokens", "messages", "model", "cache_control", "container", "diagnostics",
        "inference_geo", "metadata", "output_config", "service_tier", "speed",
        "stop_sequences", "system", "thinking", "tool_choice", "tools",
    }
)  # fmt: skip
# `client.beta.messages.*` (used when the run sent beta headers) types a few more.
SDK_BETA_PARAMS = SDK_PARAMS | {
    "billing_policy", "compaction", "context_management", "fallback_credit_token",
    "fallbacks", "mcp_servers", "thread",
}  # fmt: skip

# The SDKs refuse a non-streaming request they expect to outlast their 10-minute default timeout
# unless the call passes its own timeout.
_NONSTREAMING_MAX_TOKENS = 21_333
_NONSTREAMING_MODEL_LIMITS = {
    "claude-opus-4-20250514": 8_192,
    "claude-opus-4-0": 8_192,
    "claude-4-opus-20250514": 8_192,
    "anthropic.claude-opus-4-20250514-v1:0": 8_192,
    "claude-opus-4@20250514": 8_192,
    "anthropic.claude-opus-4-1-20250805-v1:0": 8_192,
    "claude-opus-4-1@20250805": 8_192,
}
LONG_REQUEST_TIMEOUT_SECONDS = 3600

_LEADING_PARAMS = ("model", "max_tokens", "system")


@dataclass(frozen=True)
class Program:
    request: dict  # the body to send, without `stream`; base64 sources still hold their data
    blobs: list[Blob]
    sources: list[tuple[dict, Blob]]  # each base64 source dict of `request` and the blob it carries
    api_version: str
    betas: tuple[str, ...]
    stream: bool
    base_url: str | None  # None: the default endpoint

    @property
    def uploads(self) -> list[Blob]:
        return [blob for blob in self.blobs if blob.source == "file_id" and blob.file_id is None]

    @property
    def needs_timeout(self) -> bool:
        if self.stream:
            return False
        max_tokens = self.request.get("max_tokens")
        if not isinstance(max_tokens, int):
            return False
        limit = _NONSTREAMING_MODEL_LIMITS.get(str(self.request.get("model")), _NONSTREAMING_MAX_TOKENS)
        return max_tokens > min(limit, _NONSTREAMING_MAX_TOKENS)

    def bind_media(self, data: Callable[[Blob], object], uploaded_id: Callable[[Blob], object]) -> None:
        """Point every base64 source of `request` at the program's variables (once per program).

        `data(blob)` is the expression holding the base64 text; `uploaded_id(blob)` the expression holding
        the Files API id of a blob the program uploads.
        """
        for source, blob in self.sources:
            if blob.source == "file_id":
                file_id = blob.file_id if blob.file_id is not None else uploaded_id(blob)
                source.clear()
                source.update(type="file", file_id=file_id)
            else:
                source["data"] = data(blob)

    def sdk_split(self) -> tuple[dict, dict]:
        """(typed keyword arguments, extra body fields) for the official SDKs."""
        typed = SDK_BETA_PARAMS if self.betas else SDK_PARAMS
        known = {key: value for key, value in self.request.items() if key in typed}
        extra = {key: value for key, value in self.request.items() if key not in typed}
        return known, extra


def build(
    request: dict,
    *,
    api_version: str,
    betas: tuple[str, ...],
    stream: bool,
    base_url: str | None,
    media: Mapping[str, object] | None,
    media_mode: str,
    media_root: str | os.PathLike | None,
) -> Program:
    body = {key: value for key, value in request.items() if key != "stream"}
    ordered = {key: body[key] for key in _LEADING_PARAMS if key in body}
    ordered.update((key, value) for key, value in body.items() if key not in ordered)
    copied, blobs, sources = extract(ordered, media, media_mode, media_root)
    if base_url is not None and base_url.rstrip("/") == DEFAULT_BASE_URL:
        base_url = None
    return Program(
        request=copied,
        blobs=blobs,
        sources=sources,
        api_version=api_version,
        betas=tuple(betas),
        stream=stream or bool(request.get("stream")),
        base_url=base_url.rstrip("/") if base_url else None,
    )

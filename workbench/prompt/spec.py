"""PromptSpec: a composed request, ready for the client, the ledger and the exporters."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class MediaRef:
    """Where the bytes of an image or PDF in a request came from.

    kind: "path", "bytes", "pil", "figure" (matplotlib) or "ipython_image".
    path: the absolute file path when kind is "path", else None.
    size: the length of the decoded bytes.
    """

    kind: str
    media_type: str
    path: str | None
    size: int


@dataclass
class PromptSpec:
    """A Messages API request body (without `stream`) plus what is needed to send, record and export it.

    media maps the sha256 hex of each inlined image/PDF to its origin, so exporters can point at the file
    instead of embedding base64. tool_functions maps tool names to the Python functions that implement them
    (not part of the request or its fingerprint).
    """

    request: dict[str, Any]
    api_version: str
    betas: tuple[str, ...] = ()
    name: str | None = None
    media: dict[str, MediaRef] = field(default_factory=dict)
    tool_functions: dict[str, Callable[..., Any]] = field(default_factory=dict, repr=False, compare=False)

    def fingerprint(self) -> str:
        """The identity of the request: same fingerprint, same call (replayable from the ledger)."""
        canonical = json.dumps(
            {"request": self.request, "api_version": self.api_version, "betas": sorted(self.betas)},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_request(self, stream: bool = False) -> dict[str, Any]:
        """A fresh copy of the body to send; `stream` is added only when true (the API's default is false)."""
        body = copy.deepcopy(self.request)
        if stream:
            body["stream"] = True
        return body

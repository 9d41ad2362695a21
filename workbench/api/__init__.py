"""The wire layer: the Messages API over httpx, with pydantic models. No Jupyter in here.

Names are imported on first use so that `import workbench.api` stays cheap (pydantic and the models load
only when a request is built or a response parsed).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from workbench._lazy import lazy_exports

if TYPE_CHECKING:
    from .client import AsyncClient, Client
    from .errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        InternalServerError,
        NotFoundError,
        OverloadedError,
        PermissionDeniedError,
        RateLimitError,
        RequestTooLargeError,
        RequestValidationError,
    )
    from .streaming import AsyncMessageStream, MessageAccumulator, MessageStream, Timings
    from .types import Message, Usage, validate_request

_EXPORTS = {
    "Client": ".client",
    "AsyncClient": ".client",
    "MessageStream": ".streaming",
    "AsyncMessageStream": ".streaming",
    "MessageAccumulator": ".streaming",
    "Timings": ".streaming",
    "Message": ".types",
    "Usage": ".types",
    "validate_request": ".types",
    "APIError": ".errors",
    "APIStatusError": ".errors",
    "BadRequestError": ".errors",
    "AuthenticationError": ".errors",
    "PermissionDeniedError": ".errors",
    "NotFoundError": ".errors",
    "RequestTooLargeError": ".errors",
    "RateLimitError": ".errors",
    "InternalServerError": ".errors",
    "OverloadedError": ".errors",
    "APIConnectionError": ".errors",
    "APITimeoutError": ".errors",
    "RequestValidationError": ".errors",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

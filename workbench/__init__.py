"""claude-workbench: work with Claude from Jupyter.

`%load_ext workbench` registers the `%%claude` and `%claude` magics. The same pieces work from plain Python:

    import workbench
    client = workbench.Client()          # the embedded simulator unless ANTHROPIC_API_KEY is set
    print(client.messages.create(model="claude-haiku-4-5", max_tokens=200,
                                 messages=[{"role": "user", "content": "Hello"}]).content[0].text)

Public names load on first use, so `import workbench` and `%load_ext workbench` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench._lazy import lazy_exports

__version__ = "0.1.0"

# name -> module that defines it
_EXPORTS = {
    "Client": "workbench.api.client",
    "AsyncClient": "workbench.api.client",
    "APIError": "workbench.api.errors",
    "APIStatusError": "workbench.api.errors",
    "APIConnectionError": "workbench.api.errors",
    "APITimeoutError": "workbench.api.errors",
    "RequestValidationError": "workbench.api.errors",
    "BadRequestError": "workbench.api.errors",
    "AuthenticationError": "workbench.api.errors",
    "PermissionDeniedError": "workbench.api.errors",
    "NotFoundError": "workbench.api.errors",
    "RequestTooLargeError": "workbench.api.errors",
    "RateLimitError": "workbench.api.errors",
    "InternalServerError": "workbench.api.errors",
    "OverloadedError": "workbench.api.errors",
    "Message": "workbench.api.types",
    "validate_request": "workbench.api.types",
    "MessageStream": "workbench.api.streaming",
    "AsyncMessageStream": "workbench.api.streaming",
    "Timings": "workbench.api.streaming",
    "PromptSpec": "workbench.prompt",
    "PromptOptions": "workbench.prompt",
    "PromptError": "workbench.prompt",
    "compose": "workbench.prompt",
    "Run": "workbench.runs",
    "Journal": "workbench.runs",
    "Ledger": "workbench.runs",
    "to_code": "workbench.export",
    "playground": "workbench.playground",
    "SimulatorServer": "workbench.simulator",
    "SimulatorTransport": "workbench.simulator",
}

__all__ = [*_EXPORTS, "load_ipython_extension", "__version__"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext workbench`: register `%%claude` and `%claude`."""
    from workbench._extension import load

    load(ipython)


if TYPE_CHECKING:  # pragma: no cover
    from workbench.api.client import AsyncClient, Client
    from workbench.api.errors import (
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
    from workbench.api.streaming import AsyncMessageStream, MessageStream, Timings
    from workbench.api.types import Message, validate_request
    from workbench.export import to_code
    from workbench.playground import playground
    from workbench.prompt import PromptError, PromptOptions, PromptSpec, compose
    from workbench.runs import Journal, Ledger, Run
    from workbench.simulator import SimulatorServer, SimulatorTransport

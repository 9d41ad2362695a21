"""The exceptions the client raises.

Every error carries what is needed to act on it (status, error type, error_code, request id) and nothing
secret: messages are built from the response body only, never from request headers.
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "RequestTooLargeError",
    "RateLimitError",
    "InternalServerError",
    "OverloadedError",
    "APIConnectionError",
    "APITimeoutError",
    "RequestValidationError",
    "status_error",
]


class APIError(Exception):
    """Base class of everything that went wrong talking to the API."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIStatusError(APIError):
    """The API answered with an error: an HTTP status >= 400, or an `error` event inside a 200 stream."""

    def __init__(
        self,
        status_code: int,
        error_type: str | None,
        error_code: str | None,
        message: str,
        request_id: str | None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.error_code = error_code
        self.request_id = request_id
        self.body = body
        line = f"{status_code} {error_type or 'error'}: {_one_line(message)}"
        if error_code:
            line += f" [{error_code}]"
        if request_id:
            line += f" (request_id {request_id})"
        super().__init__(line)
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args[0]!r})"


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class RequestTooLargeError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


class OverloadedError(InternalServerError):
    pass


class APIConnectionError(APIError):
    """The request never got a complete answer (refused, reset, DNS, TLS...)."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class RequestValidationError(ValueError):
    """A request the chosen API version would reject; raised before anything is sent. One line."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: RequestTooLargeError,
    429: RateLimitError,
    529: OverloadedError,
}


def status_error(status_code: int, body: Any, request_id: str | None = None) -> APIStatusError:
    """Build the right exception from an error response (or stream `error` event) body.

    `body` is the decoded JSON when it was JSON, else the raw text: gateways and proxies do not always
    answer with the API's error shape.
    """
    error_type = error_code = None
    message = ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            error_type = _str_or_none(error.get("type"))
            message = str(error.get("message") or "")
            details = error.get("details")
            if isinstance(details, dict):
                error_code = _str_or_none(details.get("error_code"))
        elif isinstance(error, str):
            message = error
        request_id = request_id or _str_or_none(body.get("request_id"))
        if not message:
            message = _str_or_none(body.get("message")) or ""
    elif isinstance(body, str):
        message = body
    if not message:
        message = f"HTTP {status_code}"
    if status_code in _BY_STATUS:
        cls = _BY_STATUS[status_code]
    elif status_code >= 500:
        cls = InternalServerError
    else:
        cls = APIStatusError
    return cls(status_code, error_type, error_code, message, request_id, body)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 500 else text[:497] + "..."

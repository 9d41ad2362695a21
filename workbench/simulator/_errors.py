"""API errors as the simulator raises them internally; the engine turns them into the API's error JSON."""

from __future__ import annotations

from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    408: "timeout_error",
    409: "conflict_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

DEFAULT_MESSAGES = {
    408: "Request timed out",
    409: "Conflict",
    429: "Number of request tokens has exceeded your per-minute rate limit",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
    529: "Overloaded",
}


class SimError(Exception):
    """An error response: status, error type, one-line message, optional details.error_code."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str | None = None,
        error_code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type or ERROR_TYPES.get(status, "api_error")
        self.details = dict(details or {})
        if error_code:
            self.details["error_code"] = error_code
        self.headers = headers or []

    def error_object(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.details:
            error["details"] = self.details
        return error

    def body(self, request_id: str) -> dict[str, Any]:
        return {"type": "error", "error": self.error_object(), "request_id": request_id}


def invalid(message: str, **kwargs: Any) -> SimError:
    return SimError(400, message, **kwargs)


def fault(status: int) -> SimError:
    return SimError(status, DEFAULT_MESSAGES.get(status, "Simulated failure"))

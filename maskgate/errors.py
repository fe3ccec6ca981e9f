"""Local replies in each API's own error format, so SDKs raise their usual exception with a readable message.

Every message here is a fixed sentence chosen by maskgate, completed at most with entity *type* names: a
refusal must never quote the request it refuses, since the request is the personal data.
"""

from __future__ import annotations

import json

from maskgate.formats import ApiFormat

__all__ = ["GateError", "error_body"]


class GateError(Exception):
    """A request maskgate refuses: HTTP ``status``, a stable machine ``code`` and a PII-free ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Anthropic names its error types after the status (docs: "Errors"); OpenAI uses two broad types.
_ANTHROPIC_TYPES = {
    400: "invalid_request_error",
    403: "permission_error",
    413: "request_too_large",
    415: "invalid_request_error",
    500: "api_error",
}


def error_body(fmt: ApiFormat | None, error: GateError) -> bytes:
    """The body of a local reply to a request in ``fmt`` (OpenAI's shape when the format is unknown)."""
    message = f"maskgate: {error.message}"
    if fmt == ApiFormat.ANTHROPIC_MESSAGES:
        fallback = "api_error" if error.status >= 500 else "invalid_request_error"
        kind = _ANTHROPIC_TYPES.get(error.status, fallback)
        body: dict[str, object] = {"type": "error", "error": {"type": kind, "message": message}}
    else:
        kind = "server_error" if error.status >= 500 else "invalid_request_error"
        body = {"error": {"message": message, "type": kind, "param": None, "code": error.code}}
    return json.dumps(body).encode()

"""Refusing a request from a hook, so that the client gets the API's own error format and a clear message.

The proxy renders a raised ``ProxyException`` itself, in the error shape of the route it came in on (OpenAI's
``{"error": {...}}`` on chat, completions, embeddings and Responses; Anthropic's ``{"type": "error", ...}`` on
``/v1/messages``), with our status code. So a refusal carries the status, type and message of the core's own
error body, which is a fixed sentence with at most entity *type* names: it never quotes the request.
"""

from __future__ import annotations

import json

from litellm.proxy._types import ProxyException

from maskgate import ApiFormat, Outcome
from maskgate.errors import GateError, error_body

__all__ = ["refusal", "refusal_for_failure"]


def refusal(outcome: Outcome) -> ProxyException:
    """The exception that turns a BLOCK outcome into the client's error reply."""
    error = json.loads(outcome.error_body or b"{}").get("error") or {}
    return ProxyException(
        message=str(error.get("message") or "maskgate: the request was refused"),
        type=str(error.get("type") or "invalid_request_error"),
        param=None,
        code=outcome.status,
        openai_code=outcome.error_code,
    )


def refusal_for_failure(fmt: ApiFormat, reason: str) -> ProxyException:
    """Masking could not run at all (e.g. the detector failed to load): refuse, never forward unmasked."""
    failure = GateError(500, "masking_unavailable", f"{reason}; the request was not forwarded")
    error = json.loads(error_body(fmt, failure))["error"]
    return ProxyException(message=error["message"], type=error["type"], param=None, code=500,
                          openai_code=failure.code)

"""Refusing a request from a hook: the client gets its API's own error format with a clear, PII-free message.

The proxy renders any exception that carries ``status_code``, ``type``, ``code`` and ``message`` in the error
shape of the route it came in on (OpenAI's ``{"error": {...}}`` on chat, completions, embeddings and
Responses; Anthropic's ``{"type": "error", ...}`` on ``/v1/messages``). The message is the core's fixed
sentence, with at most entity *type* names: it never quotes the request.

It is deliberately not one of the exception types the proxy treats as "refused before routing"
(``ProxyException``, ``HTTPException``, ``GuardrailRaisedException``): for those, some routes (completions,
embeddings, Responses) log the failure from the request body exactly as the client sent it, a copy the hook
never sees and cannot withhold. The hook logs the refusal itself instead, from the withheld request
(:func:`litellm_hooks.log_hygiene.log_refusal`).
"""

from __future__ import annotations

import json

from maskgate import ApiFormat, Outcome
from maskgate.errors import GateError, error_body

__all__ = ["Refusal", "refusal", "refusal_for_failure"]


class Refusal(Exception):
    """A request maskgate refused; nothing of it was forwarded."""

    def __init__(self, status: int, kind: str, code: str | None, message: str) -> None:
        super().__init__(message)
        self.status_code = status
        self.type = kind
        self.code = code
        self.param = None
        self.message = message


def _from_error_body(status: int, code: str | None, body: bytes) -> Refusal:
    error = json.loads(body).get("error") or {}
    return Refusal(status, str(error.get("type") or "invalid_request_error"), code,
                   str(error.get("message") or "maskgate: the request was refused"))


def refusal(outcome: Outcome) -> Refusal:
    """The exception that turns a BLOCK outcome into the client's error reply."""
    return _from_error_body(outcome.status, outcome.error_code, outcome.error_body or b"{}")


def refusal_for_failure(fmt: ApiFormat, reason: str) -> Refusal:
    """Masking could not run at all (e.g. the detector failed to load): refuse, never forward unmasked."""
    failure = GateError(500, "masking_unavailable", f"{reason}; the request was not forwarded")
    return _from_error_body(failure.status, failure.code, error_body(fmt, failure))

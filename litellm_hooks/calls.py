"""What a LiteLLM call is, in maskgate's terms: its wire format, and which part of LiteLLM's request dict is
the body the client sent.

The proxy names each route's call (``acompletion``, ``aresponses``, ...) and hands the hooks one dict that
mixes the client's JSON body with its own bookkeeping (the logging object, the metadata bucket, a snapshot of
the raw request, secrets). The core must see only the former: it never needs the rest, and some of it (the
logging object) is neither data nor cheap to copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from maskgate.formats import ApiFormat

__all__ = ["format_for_call", "logged_messages", "main_input", "request_size", "wire_body"]

_FORMATS: Mapping[str, ApiFormat] = {
    "acompletion": ApiFormat.OPENAI_CHAT,
    "completion": ApiFormat.OPENAI_CHAT,
    "atext_completion": ApiFormat.COMPLETIONS,
    "text_completion": ApiFormat.COMPLETIONS,
    "aembedding": ApiFormat.EMBEDDINGS,
    "embedding": ApiFormat.EMBEDDINGS,
    "aresponses": ApiFormat.OPENAI_RESPONSES,
    "responses": ApiFormat.OPENAI_RESPONSES,
    "anthropic_messages": ApiFormat.ANTHROPIC_MESSAGES,
    "aanthropic_messages": ApiFormat.ANTHROPIC_MESSAGES,
}

# The request field LiteLLM's logging object shows as the call's "messages".
_MAIN_INPUT: Mapping[ApiFormat, str] = {
    ApiFormat.OPENAI_CHAT: "messages",
    ApiFormat.ANTHROPIC_MESSAGES: "messages",
    ApiFormat.COMPLETIONS: "prompt",
    ApiFormat.EMBEDDINGS: "input",
    ApiFormat.OPENAI_RESPONSES: "input",
}

# Keys the proxy adds to the request dict. Its metadata bucket is one of them when it is called ``metadata``
# (chat, completions, embeddings); where the bucket is ``litellm_metadata``, ``metadata`` is the caller's.
_BOOKKEEPING = frozenset({"proxy_server_request", "secret_fields", "provider_specific_header"})


def format_for_call(call_type: object) -> ApiFormat | None:
    """The wire format of a LiteLLM call type; None for calls maskgate does not handle (passed through)."""
    return _FORMATS.get(str(getattr(call_type, "value", call_type)))


def _is_bookkeeping(key: str, data: Mapping[str, Any]) -> bool:
    if key in _BOOKKEEPING or key.startswith(("litellm_", "_litellm")):
        return True
    return key == "metadata" and "litellm_metadata" not in data


def wire_body(data: Mapping[str, Any]) -> dict[str, Any]:
    """The client's body inside the proxy's request dict: a shallow view, its values shared with ``data``."""
    return {key: value for key, value in data.items() if not _is_bookkeeping(key, data)}


def request_size(data: Mapping[str, Any]) -> int | None:
    """The body's size in bytes as the client declared it (``content-length``), if it did."""
    request = data.get("proxy_server_request")
    headers = request.get("headers") if isinstance(request, Mapping) else None
    try:
        return int(headers["content-length"]) if isinstance(headers, Mapping) else None
    except (KeyError, TypeError, ValueError):
        return None


def main_input(fmt: ApiFormat) -> str:
    return _MAIN_INPUT[fmt]


def logged_messages(value: object) -> object:
    """A call's main input as LiteLLM's logging object shows it: text inputs become user messages."""
    if isinstance(value, str):
        return [{"role": "user", "content": value}]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return [{"role": "user", "content": item} for item in value]
    return value

"""Which wire format a request path speaks; ``None`` means "not an API we mask": pass it through untouched.

Providers and gateways mount the same APIs under different prefixes (``/v1``, none at all, a gateway's own
``/llm``, Azure's ``/openai/deployments/{name}``), so the match is on the path's tail. The path is
normalised first (query dropped, percent-escapes decoded, ``//`` and dot segments resolved) because a
spelling the upstream accepts but this table did not would forward PII unmasked.
"""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import unquote

from maskgate.formats import ApiFormat

__all__ = ["format_for_path"]

_ENDPOINTS: dict[str, ApiFormat] = {
    "chat/completions": ApiFormat.OPENAI_CHAT,
    "responses": ApiFormat.OPENAI_RESPONSES,
    "responses/input_tokens": ApiFormat.OPENAI_RESPONSES,  # counting sends the whole input upstream too
    "messages": ApiFormat.ANTHROPIC_MESSAGES,
    "messages/count_tokens": ApiFormat.ANTHROPIC_MESSAGES,
    "completions": ApiFormat.COMPLETIONS,
    "embeddings": ApiFormat.EMBEDDINGS,
}

# [/openai] [/deployments/{name}] [/v1] /endpoint — Azure's classic and v1 paths, OpenAI's and Anthropic's.
_API_PATH = re.compile(r"(?:/openai)?(?:/deployments/[^/]+)?(?:/v1)?/(?P<endpoint>.+)")


@functools.lru_cache(maxsize=1024)
def format_for_path(path: str, prefix: str = "") -> ApiFormat | None:
    """The format of ``path`` (an HTTP ``:path``, query allowed) below an optional gateway ``prefix``.
    Remembered: a gateway asks about the same few paths on every request (bounded: clients choose paths)."""
    path = _normalise(path.split("?", 1)[0].split("#", 1)[0])
    prefix = _normalise(prefix) if prefix else ""
    if prefix and prefix != "/" and (path == prefix or path.startswith(prefix + "/")):
        path = path[len(prefix) :]
    match = _API_PATH.fullmatch(path)
    return _ENDPOINTS.get(match["endpoint"]) if match else None


def _normalise(path: str) -> str:
    path = posixpath.normpath("/" + unquote(path))
    return "/" + path.lstrip("/")

"""Telling a body's API from its shape, for the CLI, which has no request path to route by.

Some shapes fit two APIs (``{"messages": [{"role": "user", "content": "hi"}]}`` is valid Chat Completions
and valid Anthropic Messages); they are read the same way going out, so the guess only has to be right where
the APIs differ, and it prefers the OpenAI reading otherwise. Gateways never guess: they route by path.
"""

from __future__ import annotations

from typing import Any

from maskgate.formats import ApiFormat

__all__ = ["event_format", "request_format", "response_format"]

_ANTHROPIC_BLOCKS = {"tool_use", "tool_result", "thinking", "redacted_thinking", "document"}
_OPENAI_ROLES = {"system", "developer", "tool", "function"}
_RESPONSES_KEYS = {"instructions", "previous_response_id", "reasoning", "text", "tools", "store", "include"}


def request_format(body: Any) -> ApiFormat | None:
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("messages"), list):
        return ApiFormat.ANTHROPIC_MESSAGES if _looks_anthropic(body) else ApiFormat.OPENAI_CHAT
    if "prompt" in body:
        return ApiFormat.COMPLETIONS
    if "input" in body:
        value = body["input"]
        items = isinstance(value, list) and any(isinstance(v, dict) for v in value)
        if items or _RESPONSES_KEYS & body.keys():
            return ApiFormat.OPENAI_RESPONSES
        return ApiFormat.EMBEDDINGS
    return ApiFormat.OPENAI_RESPONSES if "instructions" in body else None


def _looks_anthropic(body: dict[str, Any]) -> bool:
    if "system" in body or "anthropic_version" in body or "stop_sequences" in body:
        return True
    for message in body["messages"]:
        if not isinstance(message, dict) or message.get("role") in _OPENAI_ROLES or "tool_calls" in message:
            return False
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(block, dict) and (block.get("type") in _ANTHROPIC_BLOCKS or "source" in block)
            for block in content
        ):
            return True
    return False


def response_format(body: Any) -> ApiFormat | None:
    if not isinstance(body, dict):
        return None
    kind = body.get("object") or body.get("type")
    if kind == "message" or (isinstance(body.get("content"), list) and "stop_reason" in body):
        return ApiFormat.ANTHROPIC_MESSAGES
    if kind == "response" or isinstance(body.get("output"), list):
        return ApiFormat.OPENAI_RESPONSES
    choices = body.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return ApiFormat.COMPLETIONS if "text" in choices[0] else ApiFormat.OPENAI_CHAT
    if kind == "list" and isinstance(body.get("data"), list):
        return ApiFormat.EMBEDDINGS
    return None


def event_format(event: Any) -> ApiFormat | None:
    """The API of a stream, from its first JSON event."""
    if not isinstance(event, dict):
        return None
    kind = str(event.get("type") or "")
    if kind.startswith("response."):
        return ApiFormat.OPENAI_RESPONSES
    if kind.startswith(("message_", "content_block_")) or kind == "ping":
        return ApiFormat.ANTHROPIC_MESSAGES
    if event.get("object") == "text_completion":
        return ApiFormat.COMPLETIONS
    if event.get("object") == "chat.completion.chunk":
        return ApiFormat.OPENAI_CHAT
    choices = event.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return ApiFormat.OPENAI_CHAT if "delta" in choices[0] else ApiFormat.COMPLETIONS
    return None

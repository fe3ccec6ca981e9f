"""OpenAI Chat Completions (``/v1/chat/completions``; Azure OpenAI uses it under its deployment paths).

Going out: every message's ``content`` (a string, or parts of which only the text parts are text), ``name``,
an assistant's ``refusal``, ``tool_calls[].function.arguments`` and the legacy ``function_call.arguments``
(JSON documents: their string values are masked), ``tool``/``function`` results, and ``prediction``.
Coming back: each choice's ``content``, ``refusal``, tool-call and function-call arguments, audio transcript
— all choices when ``n > 1``; streamed ``delta`` fields per choice and per tool call.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

from maskgate.formats import ApiFormat
from maskgate.formats.base import (
    ChoicesStream,
    Path,
    Restoration,
    TextCollector,
    TextField,
    WireFormat,
    as_dict,
    as_list,
)

__all__ = ["FORMAT", "ChatStream", "OpenAIChat"]

_TEXT_PARTS = {"text": "text", "refusal": "refusal"}
_TOOL_ROLES = ("tool", "function")
# OpenAI accepts only these characters in a message's ``name``; "<<PERSON_1>>" would be rejected.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class OpenAIChat(WireFormat):
    api = ApiFormat.OPENAI_CHAT

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector()
        for i, message in enumerate(as_list(body.get("messages"))):
            if isinstance(message, dict):
                collector.text(("messages", i, "name"), message.get("name"))
                _message(collector, ("messages", i), message)
        prediction = as_dict(body.get("prediction")).get("content")  # predicted output: the user's own text
        collector.content(("prediction", "content"), prediction, _TEXT_PARTS)
        return collector.fields

    def fit(self, field: TextField, masked: str) -> str:
        if field.path[0] == "messages" and field.path[-1] == "name":
            return _NAME_UNSAFE.sub("", masked)
        return masked

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector(restoring=True)
        for i, choice in enumerate(as_list(body.get("choices"))):
            message = as_dict(as_dict(choice).get("message"))
            _message(collector, ("choices", i, "message"), message)
            transcript = as_dict(message.get("audio")).get("transcript")
            collector.text(("choices", i, "message", "audio", "transcript"), transcript)
        return collector.fields

    def event_stream(self, restoration: Restoration) -> ChatStream:
        return ChatStream(restoration)


def _message(collector: TextCollector, path: Path, message: dict[str, Any]) -> None:
    """The text of one message, sent (``messages[i]``) or received (``choices[i].message``)."""
    tool_output = message.get("role") in _TOOL_ROLES
    collector.content((*path, "content"), message.get("content"), _TEXT_PARTS, tool_output)
    collector.text((*path, "refusal"), message.get("refusal"))
    for j, call in enumerate(as_list(message.get("tool_calls"))):
        arguments = as_dict(as_dict(call).get("function")).get("arguments")
        collector.document((*path, "tool_calls", j, "function", "arguments"), arguments)
    legacy = as_dict(message.get("function_call")).get("arguments")
    collector.document((*path, "function_call", "arguments"), legacy)


class ChatStream(ChoicesStream):
    """``chat.completion.chunk`` events. A choice's held text is merged into the chunk that carries its
    ``finish_reason``; whatever is still held at ``[DONE]`` goes out in an extra chunk of the same shape."""

    def restore_choice(self, index: Hashable, choice: dict[str, Any]) -> bool:
        changed = False
        delta = choice.get("delta")
        if isinstance(delta, dict):
            changed = self._restore_delta(index, delta)
        if choice.get("finish_reason") is not None:
            held = self._release(index)
            if held:
                choice["delta"] = _merge(delta if isinstance(delta, dict) else {}, held)
                changed = True
        return changed

    def finish(self) -> list[dict[str, Any]]:
        events = []
        for index in dict.fromkeys(key[0] for key in self.open_fields()):
            held = self._release(index)
            if held:
                events.append(self.chunk({"index": index, "delta": _merge({}, held), "finish_reason": None}))
        return events

    def _restore_delta(self, index: Hashable, delta: dict[str, Any]) -> bool:
        changed = False
        for name in ("content", "refusal"):
            text = delta.get(name)
            if isinstance(text, str) and text:
                restored = self.fragment((index, name), text)
                if restored != text:
                    delta[name] = restored
                    changed = True
        for position, call in enumerate(as_list(delta.get("tool_calls"))):
            key = (index, "tool_calls", as_dict(call).get("index", position))
            changed |= self._restore_arguments(key, as_dict(call).get("function"))
        changed |= self._restore_arguments((index, "function_call"), delta.get("function_call"))
        return changed

    def _restore_arguments(self, key: Hashable, function: object) -> bool:
        if not isinstance(function, dict):
            return False
        arguments = function.get("arguments")
        if not isinstance(arguments, str) or not arguments:
            return False
        restored = self.fragment(key, arguments, json_escape=True)
        if restored == arguments:
            return False
        function["arguments"] = restored
        return True

    def _release(self, index: Hashable) -> dict[Hashable, str]:
        """Flush every field of choice ``index``; the held texts by field key (without the choice)."""
        held = {}
        for key in self.open_fields():
            if key[0] == index:
                text = self.flush(key)
                if text:
                    held[key[1:]] = text
        return held


def _merge(delta: dict[str, Any], held: dict[Hashable, str]) -> dict[str, Any]:
    """Append held texts to a delta, in the shape a delta carries them."""
    for key, text in held.items():
        if key[0] == "tool_calls":
            calls = delta.setdefault("tool_calls", [])
            call = next((c for c in calls if isinstance(c, dict) and c.get("index") == key[1]), None)
            if call is None:
                call = {"index": key[1], "function": {}}
                calls.append(call)
            function = call.setdefault("function", {})
            function["arguments"] = (function.get("arguments") or "") + text
        elif key[0] == "function_call":
            function = delta.setdefault("function_call", {})
            function["arguments"] = (function.get("arguments") or "") + text
        else:
            delta[key[0]] = (delta.get(key[0]) or "") + text
    return delta


FORMAT = OpenAIChat()

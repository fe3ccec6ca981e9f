"""Anthropic Messages (``/v1/messages``, and ``/v1/messages/count_tokens`` which sends the same body).

Going out: ``system`` (a string or text blocks), then each message's ``content``: a string, ``text`` blocks,
``tool_use.input`` (an object: its string values), ``tool_result`` content (a string or blocks), plain-text
``document`` sources. Coming back: ``text`` and ``tool_use`` blocks; streamed ``text_delta`` and
``input_json_delta`` (partial JSON) per content block.

``thinking`` and ``redacted_thinking`` blocks are signed by Anthropic and sent back verbatim in later turns:
they are never masked, never restored, and no ``signature`` is ever touched — a changed byte would make the
next request fail. The client therefore sees placeholders inside thinking text, by design.
"""

from __future__ import annotations

from typing import Any

from maskgate.formats import ApiFormat
from maskgate.formats.base import (
    EventStream,
    Path,
    Restoration,
    TextCollector,
    TextField,
    WireFormat,
    as_dict,
    as_list,
    restore_fields,
)

__all__ = ["FORMAT", "AnthropicMessages", "MessagesStream"]

_TEXT_BLOCKS = {"text": "text"}
# Streamed block deltas: delta type -> (field holding the fragment, whether it is JSON source).
_DELTAS = {"text_delta": ("text", False), "input_json_delta": ("partial_json", True)}


def _block(collector: TextCollector, path: Path, block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind == "text":
        collector.text((*path, "text"), block.get("text"))
    elif kind == "tool_use":
        collector.object_document((*path, "input"), block.get("input"))
    elif kind == "tool_result":
        collector.content((*path, "content"), block.get("content"), _TEXT_BLOCKS, tool_output=True)
    elif kind == "document":
        source = as_dict(block.get("source"))
        if source.get("type") == "text":
            collector.text((*path, "source", "data"), source.get("data"))
        elif source.get("type") == "content":
            collector.content((*path, "source", "content"), source.get("content"), _TEXT_BLOCKS)
    # thinking, redacted_thinking (signed), images, server tools: not ours to change


class AnthropicMessages(WireFormat):
    api = ApiFormat.ANTHROPIC_MESSAGES

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector()
        collector.text_or_items(("system",), body.get("system"), _block)
        for i, message in enumerate(as_list(body.get("messages"))):
            if isinstance(message, dict):
                collector.text_or_items(("messages", i, "content"), message.get("content"), _block)
        return collector.fields

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector(restoring=True)
        collector.text_or_items(("content",), body.get("content"), _block)
        return collector.fields

    def event_stream(self, restoration: Restoration) -> MessagesStream:
        return MessagesStream(restoration)


class MessagesStream(EventStream):
    """Messages stream events. A block's held text goes out as one more ``content_block_delta`` of the
    block's delta type right before its ``content_block_stop`` (or before ``message_stop``)."""

    def __init__(self, restoration: Restoration) -> None:
        super().__init__(restoration)
        self._delta_types: dict[object, str] = {}

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        kind = event.get("type") or event_type
        if kind == "content_block_delta":
            return [], self._delta(event)
        if kind == "content_block_stop":
            return self._flush_block(event.get("index")), False
        if kind == "content_block_start":
            block = event.get("content_block")
            if isinstance(block, dict):
                collector = TextCollector(restoring=True)
                _block(collector, (), block)
                return [], restore_fields(block, collector.fields, self.restoration)
            return [], False
        if kind == "message_start":
            message = as_dict(event.get("message"))
            return [], restore_fields(message, FORMAT.response_fields(message), self.restoration)
        if kind == "message_stop":
            return self.finish(), False
        if kind == "error":
            return [], self.restore_error(event)
        return [], False

    def finish(self) -> list[dict[str, Any]]:
        events = []
        for index in self.open_fields():
            events += self._flush_block(index)
        return events

    def _delta(self, event: dict[str, Any]) -> bool:
        delta = event.get("delta")
        if not isinstance(delta, dict) or delta.get("type") not in _DELTAS:
            return False  # thinking_delta, signature_delta, citations_delta: passed as they are
        name, json_escape = _DELTAS[delta["type"]]
        text = delta.get(name)
        if not isinstance(text, str) or not text:
            return False
        index = event.get("index")
        self._delta_types[index] = delta["type"]
        restored = self.fragment(index, text, json_escape)
        if restored == text:
            return False
        delta[name] = restored
        return True

    def _flush_block(self, index: object) -> list[dict[str, Any]]:
        held = self.flush(index)
        kind = self._delta_types.pop(index, None)
        if not held or kind is None:
            return []
        name = _DELTAS[kind][0]
        return [{"type": "content_block_delta", "index": index, "delta": {"type": kind, name: held}}]


FORMAT = AnthropicMessages()

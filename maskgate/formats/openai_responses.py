"""OpenAI Responses (``/v1/responses``).

Going out: ``instructions``, then ``input`` — a string, or items: messages with input/output text and
refusal parts, earlier ``function_call`` arguments (a JSON document), ``function_call_output``, custom tool
calls and their output, reasoning summaries. ``encrypted_content`` is the provider's and is never touched.
Coming back: the same item shapes in ``output[]``. A stream carries each text as ``*.delta`` events closed
by a ``*.done`` event with the whole text; ``response.completed`` repeats everything once more.

Events are numbered (``sequence_number``); when a flush has to insert a delta event, every later event is
renumbered so the sequence stays gap-free and strictly increasing, as the API promises.
"""

from __future__ import annotations

from collections.abc import Callable
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
    restore_fields,
)

__all__ = ["FORMAT", "OpenAIResponses", "ResponsesStream"]

_CONTENT_PARTS = {"input_text": "text", "output_text": "text", "text": "text", "refusal": "refusal"}
_TEXT_PARTS = {"summary_text": "text", "reasoning_text": "text"}
_TOOL_OUTPUTS = ("function_call_output", "custom_tool_call_output")


def _item(collector: TextCollector, path: Path, item: dict[str, Any]) -> None:
    kind = item.get("type", "message")  # an "easy" input message has a role and no type
    if kind == "message":
        collector.content((*path, "content"), item.get("content"), _CONTENT_PARTS)
    elif kind == "function_call":
        collector.document((*path, "arguments"), item.get("arguments"))
    elif kind == "custom_tool_call":
        collector.text((*path, "input"), item.get("input"))
    elif kind in _TOOL_OUTPUTS:
        collector.content((*path, "output"), item.get("output"), _CONTENT_PARTS, tool_output=True)
    elif kind == "reasoning":
        collector.content((*path, "summary"), item.get("summary"), _TEXT_PARTS)
        collector.content((*path, "content"), item.get("content"), _TEXT_PARTS)


def _response_object(body: dict[str, Any]) -> list[TextField]:
    collector = TextCollector(restoring=True)
    # echoed back as sent, i.e. masked
    collector.text_or_items(("instructions",), body.get("instructions"), _item)
    collector.text_or_items(("output",), body.get("output"), _item)
    return collector.fields


class OpenAIResponses(WireFormat):
    api = ApiFormat.OPENAI_RESPONSES

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector()
        collector.text_or_items(("instructions",), body.get("instructions"), _item)
        collector.text_or_items(("input",), body.get("input"), _item)
        return collector.fields

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        return _response_object(body)

    def event_stream(self, restoration: Restoration) -> ResponsesStream:
        return ResponsesStream(restoration)


# Streamed text fields: event name prefix -> (indices that tell fields apart, field of the .done event,
# whether the text is JSON source).
_STREAMED: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "response.output_text": (("output_index", "content_index"), "text", False),
    "response.refusal": (("output_index", "content_index"), "refusal", False),
    "response.function_call_arguments": (("output_index",), "arguments", True),
    "response.custom_tool_call_input": (("output_index",), "input", False),
    "response.reasoning_summary_text": (("output_index", "summary_index"), "text", False),
    "response.reasoning_text": (("output_index", "content_index"), "text", False),
}
_RESPONSE_EVENTS = ("response.created", "response.queued", "response.in_progress")
_FINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")


class ResponsesStream(EventStream):
    """Responses API events. Held text is flushed as one more ``*.delta`` event right before the field's
    ``.done`` event (or before ``response.completed`` if a ``.done`` never came)."""

    def __init__(self, restoration: Restoration) -> None:
        super().__init__(restoration)
        self._quiet = restoration.quietly()
        self._last_delta: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._inserted = 0  # delta events added so far: later sequence numbers move up by this much
        self._last_sequence: int | None = None

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        kind = event.get("type") or event_type or ""
        prefix, _, suffix = kind.rpartition(".")
        before: list[dict[str, Any]] = []
        changed = False
        if prefix in _STREAMED and suffix in ("delta", "done"):
            indices, done_field, json_escape = _STREAMED[prefix]
            key = (prefix, *(event.get(name) for name in indices))
            if suffix == "delta":
                changed = self._delta(key, event, json_escape)
            else:
                before = self._flush_key(key)
                changed = self._restore_whole(event, done_field, json_escape)
        elif kind in _FINAL_EVENTS:
            for key in self.open_fields():
                before += self._flush_key(key)
            changed = self._restore_response(event)
        elif kind in _RESPONSE_EVENTS:
            changed = self._restore_response(event)
        elif kind in ("response.output_item.added", "response.output_item.done"):
            changed = self._restore_part(event, "item", _item)
        elif kind in ("response.content_part.added", "response.content_part.done"):
            changed = self._restore_part(event, "part", _part)
        elif kind == "error":
            changed = self.restore_error(event)
        return before, self._renumber(event, before) or changed

    def finish(self) -> list[dict[str, Any]]:
        events = []
        for key in self.open_fields():
            events += self._flush_key(key)
        for extra in events:  # after the last event seen: continue its numbering
            if self._last_sequence is not None:
                self._last_sequence += 1
                extra["sequence_number"] = self._last_sequence
        return events

    def _delta(self, key: tuple[Any, ...], event: dict[str, Any], json_escape: bool) -> bool:
        text = event.get("delta")
        if not isinstance(text, str) or not text:
            return False
        self._last_delta[key] = event
        restored = self.fragment(key, text, json_escape)
        if restored == text:
            return False
        event["delta"] = restored
        return True

    def _flush_key(self, key: tuple[Any, ...]) -> list[dict[str, Any]]:
        held = self.flush(key)
        template = self._last_delta.pop(key, None)
        if not held or template is None:
            return []
        extra = {**template, "delta": held}
        if "logprobs" in extra:
            extra["logprobs"] = []  # the template's logprobs belong to its own delta
        return [extra]

    def _restore_whole(self, event: dict[str, Any], name: str, json_escape: bool) -> bool:
        text = event.get(name)
        if not isinstance(text, str) or not text:
            return False
        restored = self._quiet.text(text, json_escape)
        event[name] = restored
        return restored != text

    def _restore_response(self, event: dict[str, Any]) -> bool:
        response = as_dict(event.get("response"))
        fields = _response_object(response)
        if response.get("error"):
            collector = TextCollector(restoring=True)
            collector.string_values(("error",), response["error"])
            fields += collector.fields
        return restore_fields(response, fields, self._quiet)

    def _restore_part(
        self, event: dict[str, Any], name: str, collect: Callable[[TextCollector, Path, dict[str, Any]], None]
    ) -> bool:
        part = event.get(name)
        if not isinstance(part, dict):
            return False
        collector = TextCollector(restoring=True)
        collect(collector, (), part)
        return restore_fields(part, collector.fields, self._quiet)

    def _renumber(self, event: dict[str, Any], before: list[dict[str, Any]]) -> bool:
        """Give inserted events the number of the event they precede, and move that event and all later
        ones up. True when ``event`` itself was renumbered."""
        sequence = event.get("sequence_number")
        if not isinstance(sequence, int):
            return False
        for extra in before:
            extra["sequence_number"] = sequence + self._inserted
            self._inserted += 1
        self._last_sequence = sequence + self._inserted
        if not self._inserted:
            return False
        event["sequence_number"] = self._last_sequence
        return True


def _part(collector: TextCollector, path: Path, part: dict[str, Any]) -> None:
    name = _CONTENT_PARTS.get(part.get("type")) or _TEXT_PARTS.get(part.get("type"))  # type: ignore[arg-type]
    if name is not None:
        collector.text((*path, name), part.get(name))


FORMAT = OpenAIResponses()

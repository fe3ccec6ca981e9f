"""Legacy OpenAI Completions (``/v1/completions``): ``prompt`` (a string, or a list of strings; token-id
arrays are not text) and ``suffix`` go out; each choice's ``text`` comes back, streamed per choice."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from maskgate.formats import ApiFormat
from maskgate.formats.base import ChoicesStream, Restoration, TextCollector, TextField, WireFormat, as_list

__all__ = ["FORMAT", "Completions", "CompletionsStream"]


class Completions(WireFormat):
    api = ApiFormat.COMPLETIONS

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector()
        collector.string_values(("prompt",), body.get("prompt"))
        collector.text(("suffix",), body.get("suffix"))
        return collector.fields

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector(restoring=True)
        for i, choice in enumerate(as_list(body.get("choices"))):
            if isinstance(choice, dict):
                collector.text(("choices", i, "text"), choice.get("text"))
        return collector.fields

    def event_stream(self, restoration: Restoration) -> CompletionsStream:
        return CompletionsStream(restoration)


class CompletionsStream(ChoicesStream):
    """``text_completion`` chunks: a choice's held text joins the chunk carrying its ``finish_reason``;
    whatever is still held at ``[DONE]`` goes out in one more chunk."""

    def restore_choice(self, index: Hashable, choice: dict[str, Any]) -> bool:
        text = choice.get("text")
        restored = self.fragment(index, text) if isinstance(text, str) and text else text
        held = self.flush(index) if choice.get("finish_reason") is not None else ""
        if held:
            restored = (restored or "") + held
        if restored == text:
            return False
        choice["text"] = restored
        return True

    def finish(self) -> list[dict[str, Any]]:
        events = []
        for index in self.open_fields():
            held = self.flush(index)
            if held:
                choice = {"index": index, "text": held, "logprobs": None, "finish_reason": None}
                events.append(self.chunk(choice))
        return events


FORMAT = Completions()

"""OpenAI Embeddings (``/v1/embeddings``): ``input`` — a string or a list of strings — goes out masked;
token-id arrays are not text. A response is vectors: nothing to restore except an error body."""

from __future__ import annotations

from typing import Any

from maskgate.formats import ApiFormat
from maskgate.formats.base import EventStream, Restoration, TextCollector, TextField, WireFormat

__all__ = ["FORMAT", "Embeddings"]


class Embeddings(WireFormat):
    api = ApiFormat.EMBEDDINGS

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        collector = TextCollector()
        collector.string_values(("input",), body.get("input"))
        return collector.fields

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        return []

    def event_stream(self, restoration: Restoration) -> EventStream:
        return _NoStream(restoration)


class _NoStream(EventStream):
    """Embeddings are never streamed; should a proxy stream anything here, error events are still restored."""

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        return [], bool(event.get("error")) and self.restore_error(event)

    def finish(self) -> list[dict[str, Any]]:
        return []


FORMAT = Embeddings()

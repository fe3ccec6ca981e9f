"""Restoring a streamed answer chunk by chunk, in every shape LiteLLM streams.

The proxy's stream iterator hook sees chat chunks (``ModelResponseStream``), completion chunks
(``TextCompletionResponse``), Responses event objects, and for ``/v1/messages`` the provider's raw Anthropic
SSE bytes, split anywhere (some raw SSE streams arrive as ``str``). Objects go through the core's event
restorer as dicts; bytes and text through its SSE stream restorer. Either way the core holds back only a
suffix that could still become a placeholder and flushes it at the end of its field, so every chunk is passed
on as soon as it arrives: the stream is never collected. Whatever is still held when the provider's stream
ends comes out of :meth:`ChunkRestorer.finish`.

Telemetry is the core's: its restorers report the ``maskgate.restore_stream`` span and metrics. This module
only hands them the request's trace context and, through :meth:`ChunkRestorer.close`, tells them when a
stream ended without :meth:`~ChunkRestorer.finish` (the client went away), so it is reported as aborted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opentelemetry.context import Context
from pydantic import BaseModel

from litellm_hooks.objects import as_wire, copy_json, rebuild
from maskgate import ApiFormat, EventRestorer, Gate, Ledger, StreamRestorer

__all__ = ["ChunkRestorer"]


class ChunkRestorer:
    """One streamed response: pass each upstream chunk through :meth:`feed`, then emit :meth:`finish`;
    :meth:`close` in a ``finally`` (after :meth:`finish` a no-op). ``trace_context``: the parent of the
    stream's span (None: the context current when the first restorer is made)."""

    def __init__(self, gate: Gate, fmt: ApiFormat, ledger: Ledger,
                 trace_context: Context | None = None) -> None:
        self._gate = gate
        self._fmt = fmt
        self._ledger = ledger
        self._parent = trace_context
        self._bytes: StreamRestorer | None = None
        self._events: EventRestorer | None = None
        self._shape: BaseModel | None = None  # the last object chunk: the class of events made at the end
        self._text = False  # the stream is SSE text, not bytes

    def feed(self, chunk: Any) -> Iterator[Any]:
        if isinstance(chunk, (bytes, bytearray)):
            restored = self._byte_stream().feed(bytes(chunk))
            if restored:
                yield restored
        elif isinstance(chunk, str):  # the restorer answers in whole events, so its bytes always decode
            self._text = True
            restored = self._byte_stream().feed(chunk.encode("utf-8"))
            if restored:
                yield restored.decode("utf-8")
        elif isinstance(chunk, BaseModel):
            self._shape = chunk
            wire, pristine = as_wire(chunk), as_wire(chunk)  # dumping twice is cheaper than copying the dict
            *flushes, restored = self._event_stream().feed(wire, _event_type(wire))
            for event in flushes:
                yield rebuild(self._fmt, event, chunk)
            # Most chunks carry no placeholder: they go on as they came (rebuilding costs more than restoring)
            yield chunk if restored == pristine else rebuild(self._fmt, restored, chunk)
        elif isinstance(chunk, dict):
            event = copy_json(chunk)
            yield from self._event_stream().feed(event, _event_type(event))
        else:
            yield chunk  # not a shape that carries text (a keep-alive, a proxy marker): passed on untouched

    def finish(self) -> Iterator[Any]:
        if self._bytes is not None:
            tail = self._bytes.finish()
            if tail:
                yield tail.decode("utf-8") if self._text else tail
        if self._events is not None:
            for event in self._events.finish():
                yield event if self._shape is None else rebuild(self._fmt, event, self._shape)

    def close(self) -> None:
        """The stream ended without :meth:`finish` (the client disconnected, the upstream broke off): the
        core reports it as aborted. After :meth:`finish` it does nothing."""
        for restorer in (self._bytes, self._events):
            if restorer is not None:
                restorer.close()

    def _byte_stream(self) -> StreamRestorer:
        if self._bytes is None:
            self._bytes = self._gate.stream_restorer(self._fmt, self._ledger, trace_context=self._parent)
        return self._bytes

    def _event_stream(self) -> EventRestorer:
        if self._events is None:
            self._events = self._gate.event_restorer(self._fmt, self._ledger, trace_context=self._parent)
        return self._events


def _event_type(event: dict[str, Any]) -> str | None:
    kind = event.get("type")
    return kind if isinstance(kind, str) else None

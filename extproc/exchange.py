"""One HTTP request/response pair as Envoy shows it to the processor: the state kept between its messages.

Envoy opens one gRPC stream per HTTP stream and sends, in order, request headers, the request body
(BUFFERED: one message), response headers and — only if asked for — the response body. Every message gets
exactly one answer. What to answer is decided by the core (``maskgate.Gate``); this class only carries the
state between messages and owns the transport rules the notes found the hard way:

- ``accept-encoding`` is removed, so the provider answers uncompressed and the answer can be restored;
- a rewritten body always comes with its exact ``content-length`` (a stale one makes Envoy fail or hang);
- the response body is requested per content type: BUFFERED for JSON, STREAMED for ``text/event-stream``
  (``content-length`` removed in the same answer), nothing at all when nothing was masked;
- body chunks are handled the same way whichever body mode Envoy actually uses, so a filter statically
  configured with STREAMED still works: JSON chunks are held back and released restored with the last one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.context import Context

from extproc import contract
from extproc.logs import elapsed_ms
from extproc.messages import (
    ProcessingRequest,
    ProcessingResponse,
    body_response,
    extend_timeout,
    headers_of,
    headers_response,
    immediate_response,
    trailers_response,
)
from maskgate import (
    Action,
    ApiFormat,
    Gate,
    Mode,
    Outcome,
    ReadRequest,
    RestoredBody,
    format_for_path,
    telemetry,
)
from maskgate.errors import GateError, error_body

MODES = frozenset(mode.value for mode in Mode)
INLINE_BYTES = 16 * 1024
"""Work on a body up to this size that detects nothing new (restoring an answer; masking a request whose
texts are all in the detector's cache) takes well under a millisecond, about what the hop to the thread
pool and back costs (~0.3 ms measured in the processor), so it runs right on the event loop. Detection and
larger bodies go to the pool, where they cannot stall other streams' chunks."""
_REQUEST_HEADERS_TO_REMOVE = ("accept-encoding", contract.MODE_KEY)
# The answers to request headers never vary: built once (grpc serialises a message on each write and nothing
# changes it afterwards), which spares building them on every request.
_PASS_THROUGH = headers_response(True, mode=contract.PASS_THROUGH)
_CONTINUE = headers_response(True, remove=_REQUEST_HEADERS_TO_REMOVE)
_CONTINUE_REROUTED = headers_response(
    True, remove=(*_REQUEST_HEADERS_TO_REMOVE, contract.ROUTE_HEADER), clear_route_cache=True
)
_READ_HEADERS = frozenset(contract.FORWARDED_HEADERS)
"""Envoy forwards only these with the generated config; a hand-written config may send them all."""


@dataclass
class Summary:
    """What one exchange did, for the log line written when it ends: formats, counts and times, no text."""

    api_format: str | None = None
    mode: str | None = None
    action: str = "pass_through"
    status: int | None = None
    entities: dict[str, int] = field(default_factory=dict)
    detect_ms: float | None = None  # the core's own time on the request body (detection, masking)
    restore_ms: float | None = None  # the core's own time on a buffered answer
    response: str | None = None  # "buffered" | "streamed" | "skipped"
    unrestored: int = 0
    error: str | None = None
    messages: int = 0  # ext_proc messages Envoy sent for this HTTP stream

    def fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, {}, 0) or k == "action"}


class Exchange:
    """The processor's state for one HTTP stream. Not shared: one instance per gRPC stream."""

    def __init__(
        self,
        gate: Gate,
        executor: Executor,
        send: Callable[[ProcessingResponse], Awaitable[None]],
        path_prefix: str = "",
        route_mode: str | None = None,
        grpc_metadata: Mapping[str, str] | None = None,
    ):
        """``send`` writes an extra message to Envoy ahead of an answer (a longer deadline).
        ``grpc_metadata``: the ext_proc stream's invocation metadata, which carries Envoy's own trace context
        when Envoy traces."""
        self._gate = gate
        self._executor = executor
        self._send = send
        self._prefix = path_prefix
        self._route_mode = route_mode
        self._grpc_metadata = grpc_metadata or {}
        self.summary = Summary()
        self._format: ApiFormat | None = None
        self._content_type: str | None = None
        self._content_encoding: str | None = None
        self._response_encoding: str | None = None
        self._request_chunks: list[bytes] = []
        self._outcome: Any = None
        self._restorer: Any = None  # a stream restorer when the response is SSE
        self._response_chunks: list[bytes] | None = None  # held JSON response when chunks arrive streamed
        self._body_messages = 0
        self._trace_parent: Context | None = None  # the core's spans' parent: Envoy's or the client's span

    async def handle(self, request: ProcessingRequest) -> ProcessingResponse:
        self.summary.messages += 1
        kind = request.WhichOneof("request")
        if kind == "request_headers":
            return await self._request_headers(request.request_headers)
        if kind == "request_body":
            return await self._request_body(request.request_body.body, request.request_body.end_of_stream)
        if kind == "response_headers":
            return self._response_headers(request.response_headers)
        if kind == "response_body":
            return await self._response_body(request.response_body.body, request.response_body.end_of_stream)
        return trailers_response(kind == "request_trailers")

    # -- request -------------------------------------------------------------------------------------------

    async def _request_headers(self, message: Any) -> ProcessingResponse:
        headers = headers_of(message.headers, _READ_HEADERS)
        api_format = format_for_path(headers.get(":path", ""), self._prefix)
        if api_format is None or headers.get(":method", "POST") != "POST":
            # Not an API we mask: untouched, and Envoy is told not to send anything more.
            return _PASS_THROUGH
        self._format = api_format
        self.summary.api_format = api_format.value
        if self._route_mode is not None and self._route_mode not in MODES:
            return self._refuse(
                GateError(
                    500,
                    "invalid_route_mode",
                    "this route's mode is misconfigured; the request was not forwarded",
                )
            )
        self._content_type = headers.get("content-type")
        self._content_encoding = headers.get("content-encoding")
        # Envoy's ext_proc call span, when Envoy traces, is the closer parent than the client's traceparent.
        self._trace_parent = telemetry.extract_context(self._grpc_metadata, headers)
        if message.end_of_stream:  # no body will follow: decide on the empty body now
            blocked = await self._decide(b"")
            if blocked is not None:
                return blocked
        # A client-sent routing mark would pick the alternate route itself: drop it and route again.
        return _CONTINUE_REROUTED if contract.ROUTE_HEADER in headers else _CONTINUE

    async def _request_body(self, chunk: bytes, end_of_stream: bool) -> ProcessingResponse:
        if self._format is None:  # a pass-through stream whose override Envoy did not apply
            return body_response(True, None)
        self._body_messages += 1
        self._request_chunks.append(chunk)
        if not end_of_stream:  # only with a STREAMED request mode: hold chunks until the body is whole
            return body_response(True, b"")
        single = self._body_messages == 1
        body = b"".join(self._request_chunks)
        self._request_chunks.clear()
        blocked = await self._decide(body)
        if blocked is not None:
            return blocked
        outcome = self._outcome
        new_body = outcome.body if outcome.body is not None else (None if single else body)
        set_headers: dict[str, str] = {}
        if outcome.body is not None and single:
            set_headers["content-length"] = str(len(outcome.body))
        if outcome.route_alternate:
            set_headers[contract.ROUTE_HEADER] = contract.ROUTE_VALUE
        return body_response(
            True, new_body, set_headers=set_headers, clear_route_cache=outcome.route_alternate
        )

    async def _decide(self, body: bytes) -> ProcessingResponse | None:
        """Run the core on the whole request body — in the thread pool if it detects anything new: detection
        takes milliseconds and must not stall other streams' chunks. A small body is read here first to tell
        which, and the read is handed on (parsed once). A local reply if it blocks, else None."""
        if len(body) > contract.LARGE_BODY_BYTES:
            await self._send(extend_timeout(contract.LONG_MESSAGE_TIMEOUT_S))
        started = time.perf_counter()
        read = None
        if len(body) <= INLINE_BYTES:
            read = self._gate.read_request(self._format, body, self._content_type, self._content_encoding)
        if read is not None and not self._gate.needs_detection(read):
            outcome = self._process_request(body, read, time.perf_counter() - started)
        else:
            outcome = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._process_request, body, read, time.perf_counter() - started
            )
        self._outcome = outcome
        report = outcome.report
        self.summary.mode = str(report.mode)
        self.summary.entities = dict(report.entities)
        if outcome.action is Action.BLOCK:
            self.summary.action = "block"
            self.summary.status = outcome.status
        else:
            self.summary.action = "route" if outcome.route_alternate else "forward"
        if outcome.action is Action.BLOCK:
            headers = {"content-type": "application/json", **outcome.headers()}
            return immediate_response(outcome.status, outcome.error_body, headers, "maskgate_blocked")
        return None

    def _process_request(self, body: bytes, read: ReadRequest | None, reading_s: float) -> Outcome:
        """``reading_s``: the time already spent reading the body ahead, part of the core's own time."""
        started = time.perf_counter() - reading_s
        outcome = self._gate.process_request(
            self._format,
            body,
            self._route_mode,
            self._content_type,
            self._content_encoding,
            trace_context=self._trace_parent,
            read=read,
        )
        self.summary.detect_ms = elapsed_ms(started)
        return outcome

    def _refuse(self, error: GateError) -> ProcessingResponse:
        self.summary.action = "block"
        self.summary.status = error.status
        self.summary.error = error.code
        body = error_body(self._format, error)
        return immediate_response(
            error.status, body, {"content-type": "application/json"}, "maskgate_" + error.code
        )

    # -- response ------------------------------------------------------------------------------------------

    def _response_headers(self, message: Any) -> ProcessingResponse:
        headers = headers_of(message.headers, _READ_HEADERS)
        self.summary.status = int(headers.get(":status", "0") or 0)
        self._response_encoding = headers.get("content-encoding")
        outcome = self._outcome
        if outcome is None:  # a pass-through stream whose override Envoy did not apply
            return headers_response(False)
        set_headers = outcome.headers()  # a new dict on every call: adding to it is safe
        if not outcome.ledger or message.end_of_stream:
            # Nothing was masked, so nothing can need restoring: the body bypasses the processor entirely.
            self.summary.response = "skipped"
            set_headers[contract.UNRESTORED_HEADER] = "0"
            return headers_response(False, set_headers=set_headers)
        self._body_messages = 0
        event_stream = _is_event_stream(headers.get("content-type", ""))
        if event_stream and (self._response_encoding or "identity").lower() != "identity":
            # accept-encoding was removed, yet the provider compressed its stream: it cannot be restored,
            # and holds placeholders only, so it passes as it is.
            self.summary.response = "compressed_stream"
            return headers_response(False, set_headers=set_headers)
        if event_stream:
            self.summary.response = "streamed"
            self._restorer = self._gate.stream_restorer(
                self._format, outcome.ledger, trace_context=self._trace_parent
            )
            # The restored stream's length is unknown in advance: Envoy must not keep the provider's.
            return headers_response(
                False, set_headers=set_headers, remove=("content-length",), mode=contract.STREAMED_RESPONSE
            )
        self.summary.response = "buffered"
        self._response_chunks = []
        return headers_response(False, set_headers=set_headers, mode=contract.BUFFERED_RESPONSE)

    async def _response_body(self, chunk: bytes, end_of_stream: bool) -> ProcessingResponse:
        self._body_messages += 1
        if self._restorer is not None:
            return self._stream_chunk(chunk, end_of_stream)
        if self._response_chunks is None:  # a body nobody asked for (no restore needed): leave it
            return body_response(False, None)
        self._response_chunks.append(chunk)
        if not end_of_stream:  # a statically STREAMED filter: hold JSON back until it is complete
            return body_response(False, b"")
        body = b"".join(self._response_chunks)
        self._response_chunks = []
        if len(body) <= INLINE_BYTES:
            restored = self._restore_body(body)
        else:
            restored = await asyncio.get_running_loop().run_in_executor(
                self._executor, self._restore_body, body
            )
        self.summary.unrestored = restored.stats.unrestored
        set_headers = {contract.UNRESTORED_HEADER: str(restored.stats.unrestored)}
        if self._body_messages == 1:  # BUFFERED: Envoy keeps the headers until now, so the length can be set
            set_headers["content-length"] = str(len(restored.body))
        return body_response(False, restored.body, set_headers=set_headers)

    def _restore_body(self, body: bytes) -> RestoredBody:
        started = time.perf_counter()
        ledger = self._outcome.ledger
        restored = self._gate.restore_body(
            self._format, body, ledger, self._response_encoding, trace_context=self._trace_parent
        )
        self.summary.restore_ms = elapsed_ms(started)
        return restored

    def _stream_chunk(self, chunk: bytes, end_of_stream: bool) -> ProcessingResponse:
        """One answer per chunk: the restored bytes ready so far (b"" holds everything back); the final
        chunk (Envoy sends an empty one with end_of_stream) flushes what is still held. Restoring a chunk
        takes microseconds, so it runs right here on the event loop."""
        out = self._restorer.feed(chunk) if chunk else b""
        if end_of_stream:
            out += self._restorer.finish()
            self.summary.unrestored = self._restorer.stats.unrestored
        return body_response(False, None if out == chunk else out)

    def close(self) -> None:
        """The gRPC stream ended (normally, or because Envoy reset it when the client went away): a response
        stream still open is reported as aborted. After the stream's last chunk this does nothing."""
        if self._restorer is not None:
            self._restorer.close()


def _is_event_stream(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"

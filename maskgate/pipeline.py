"""The adapter-facing API: one request in, one decision out; one response (or stream) in, restored out.

The adapters (Envoy ext_proc, LiteLLM hooks) only translate their host's messages into these calls, so
everything that decides what is masked, how a body is read, what a refusal looks like and how a stream is
restored lives here once, and both packagings behave identically on the same traffic.

Two rules shape this module:

* **Fail closed.** ``process_request`` never raises for bad input and never forwards what it could not
  mask: unreadable bodies get a local reply in the API's own error format (400/413/415), an internal
  failure a 500. The messages are fixed sentences; no request text ever reaches an error, a log or a header.
* **Restoring cannot leak.** A response holds placeholders, not personal data, so the response phase
  degrades gracefully instead: a body it cannot read is passed on as it came.
"""

from __future__ import annotations

import json
import logging
import weakref
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from maskgate import telemetry
from maskgate.errors import GateError, error_body
from maskgate.formats import ApiFormat, wire_format
from maskgate.formats.base import (
    EventStream,
    Restoration,
    TextField,
    error_fields,
    restore_fields,
    write_back,
)
from maskgate.ledger import Ledger
from maskgate.masking import mask
from maskgate.placeholders import NEUTRAL_TYPE
from maskgate.policy import Policy
from maskgate.restoring import RestoreStats
from maskgate.sse import SSEEvent, SSEReader

if TYPE_CHECKING:
    from opentelemetry.context import Context

    from maskgate.masking import Detector

__all__ = [
    "Action",
    "DetectionReport",
    "EventRestorer",
    "Gate",
    "Mode",
    "Outcome",
    "ReadRequest",
    "RestoredBody",
    "StreamRestorer",
    "restore_body",
]

logger = logging.getLogger("maskgate")

_MIN_RESPONSE_LIMIT = 64 * 1024 * 1024
"""Responses are inflated up to this size at least: the request limit guards against abuse by clients,
while a long answer is legitimate."""


class Mode(StrEnum):
    """What happens to a request that carries PII (the policy's ``mode`` unless a call says otherwise)."""

    MASK = "mask"  # replace it by tokens, restore the answer
    BLOCK = "block"  # refuse the request with a local error reply
    DETECT = "detect"  # forward it untouched; report only (headers, telemetry)
    ROUTE = "route"  # forward it untouched and ask the gateway to route it elsewhere (a local model)


class Action(StrEnum):
    FORWARD = "forward"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class DetectionReport:
    """What a request carried, by entity type and count only: safe for headers, logs and telemetry."""

    mode: Mode
    entities: Mapping[str, int] = field(default_factory=dict)
    """Occurrences per entity type (detected and swept), whether or not they were masked."""
    masked: int = 0
    """Occurrences replaced by tokens in the forwarded body (0 unless the mode is ``mask``)."""

    @property
    def detected(self) -> bool:
        return bool(self.entities)

    @property
    def types(self) -> list[str]:
        return sorted(self.entities)


@dataclass(slots=True)
class Outcome:
    """The decision on one request. Keep ``ledger`` with the request: the response phase needs it."""

    action: Action
    report: DetectionReport
    ledger: Ledger
    body: bytes | None = None
    """FORWARD: the bytes to send instead of the original, or None to send the original unchanged."""
    changed: bool = False
    """Whether the body was rewritten (for the dict API, which rewrites the given dict in place)."""
    status: int = 200
    error_body: bytes | None = None
    """BLOCK: the local reply, in the API's own error format."""
    error_code: str | None = None
    """BLOCK: a stable reason (``pii_detected``, ``invalid_json``, ``request_too_large``, ...)."""
    route_alternate: bool = False
    """``route`` mode found PII: the gateway should send this request to its alternate destination."""

    def headers(self) -> dict[str, str]:
        """``x-maskgate-*`` headers describing the request: types and counts, never values."""
        headers = {
            "x-maskgate-mode": str(self.report.mode),
            "x-maskgate-pii-detected": "true" if self.report.detected else "false",
            "x-maskgate-pii-masked": str(self.report.masked),
        }
        if self.report.entities:
            headers["x-maskgate-entities"] = ",".join(self.report.types)
        return headers


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """A request body read once (:meth:`Gate.read_request`): parsed, its texts found, its coding noted.
    Handed to :meth:`Gate.process_request`, which masks ``body`` in place: use it for one call only."""

    body: dict[str, Any]
    fields: list[TextField]
    coding: str | None


@dataclass(slots=True)
class RestoredBody:
    body: bytes
    stats: RestoreStats

    def headers(self) -> dict[str, str]:
        """``x-maskgate-unrestored``: placeholders in the answer that could not be mapped back."""
        return {"x-maskgate-unrestored": str(self.stats.unrestored)}


class Gate:
    """The masking core behind both adapters. One per process and policy; safe to share between threads
    (all per-request state lives in the ledger each request gets)."""

    def __init__(self, policy: Policy | None = None, detector: Detector | None = None) -> None:
        self.policy = policy if policy is not None else Policy()
        if detector is None:
            from maskgate.detection import Detector  # loads spaCy: only when a Gate is really built

            detector = Detector(self.policy)
        self.detector = detector
        # Telemetry reports cache hits per request if the detector counts them per thread (read before and
        # after a request's detection: a process-wide count would include other threads' requests).
        self._cache_hits: Callable[[], int] | None = getattr(detector, "cache_hits", None)

    def new_ledger(self) -> Ledger:
        return Ledger(self.policy.placeholder)

    # -- request phase ---------------------------------------------------------------------------------

    def process_request(
        self,
        fmt: ApiFormat | None,
        raw_body: bytes,
        mode: Mode | str | None = None,
        content_type: str | None = None,
        content_encoding: str | None = None,
        *,
        trace_context: Context | None = None,
        read: ReadRequest | None = None,
    ) -> Outcome:
        """Decide on one request body. ``fmt`` None (a path :func:`~maskgate.format_for_path` does not know)
        forwards it untouched. A ``gzip`` or ``deflate`` body is read and re-compressed the same way; any
        other encoding is refused (415), since a body that cannot be read cannot be masked.

        The decision is reported as the span ``maskgate.mask_request`` (child of ``trace_context``, by
        default of the current context) and in the request metrics; see :mod:`maskgate.telemetry`.
        ``read``: this very body as :meth:`read_request` read it, so that it is not parsed again."""
        mode = self._mode(mode)
        if fmt is None:
            return Outcome(Action.FORWARD, DetectionReport(mode), self.new_ledger())
        with telemetry.RequestPhase(str(fmt), str(mode), trace_context) as phase:
            outcome = self._request_bytes(fmt, raw_body, mode, content_type, content_encoding, phase, read)
            forwarded = len(raw_body) if outcome.body is None else len(outcome.body)
            _finish(phase, outcome, bytes_in=len(raw_body),
                    bytes_out=forwarded if outcome.action is Action.FORWARD else 0)
        return outcome

    def _request_bytes(self, fmt: ApiFormat, raw_body: bytes, mode: Mode, content_type: str | None,
                       content_encoding: str | None, phase: telemetry.RequestPhase,
                       read: ReadRequest | None) -> Outcome:
        try:
            if read is None:
                read = self._read(ApiFormat(fmt), raw_body, content_type, content_encoding)
            outcome = self._process(ApiFormat(fmt), read.body, mode, phase, read.fields)
            if outcome.changed:
                outcome.body = _encode(_dumps(read.body).encode("utf-8"), read.coding)
            return outcome
        except GateError as error:
            return self._refuse(fmt, mode, error)
        except Exception as exc:  # fail closed; the message may quote the request, so only the type is logged
            logger.error("maskgate: request processing failed (%s); request refused", type(exc).__name__)
            phase.failed(type(exc).__name__)
            return self._refuse(fmt, mode, _INTERNAL_ERROR)

    def _read(self, fmt: ApiFormat, raw_body: bytes, content_type: str | None,
              content_encoding: str | None) -> ReadRequest:
        _check_content_type(content_type)
        coding = _coding(content_encoding)
        limit = self.policy.limits.max_body_bytes
        if len(raw_body) > limit:
            raise _too_large(limit)
        body = _parse_request(_decode(raw_body, coding, limit))
        return ReadRequest(body, wire_format(fmt).request_fields(body), coding)

    def read_request(self, fmt: ApiFormat | None, raw_body: bytes, content_type: str | None = None,
                     content_encoding: str | None = None) -> ReadRequest | None:
        """Parse a request body and find its texts, ahead of :meth:`process_request`, for a host that decides
        where to run it by :meth:`needs_detection` — the read is handed on, so the body is parsed once.

        None when there is nothing to read ahead: a path no format claims, a body ``process_request`` will
        refuse (it then says why), or a compressed one (inflating is left to ``process_request``, which such
        a host runs off its event loop)."""
        if fmt is None:
            return None
        try:
            if _coding(content_encoding) is not None:
                return None
            return self._read(ApiFormat(fmt), raw_body, content_type, None)
        except Exception:  # refused by process_request, in the API's own words
            return None

    def needs_detection(self, read: ReadRequest) -> bool:
        """Whether :meth:`process_request` on this request would run the detector on some text instead of
        answering every text from the span cache (a conversation's history, a retried request).

        For hosts that keep detection off their event loop (milliseconds per new text): a request that
        detects nothing new takes a fraction of a millisecond and can run in line, saving the hand-off to a
        thread and back."""
        is_cached = getattr(self.detector, "is_cached", None)
        return is_cached is None or not all(is_cached(field.text) for field in read.fields)

    def process_request_json(self, fmt: ApiFormat | None, body: dict[str, Any],
                             mode: Mode | str | None = None, *,
                             trace_context: Context | None = None) -> Outcome:
        """The same for a parsed body: ``body`` is masked in place (``outcome.changed`` tells whether)."""
        mode = self._mode(mode)
        if fmt is None:
            return Outcome(Action.FORWARD, DetectionReport(mode), self.new_ledger())
        with telemetry.RequestPhase(str(fmt), str(mode), trace_context) as phase:
            outcome = self._request_json(fmt, body, mode, phase)
            _finish(phase, outcome)
        return outcome

    def _request_json(self, fmt: ApiFormat, body: dict[str, Any], mode: Mode,
                      phase: telemetry.RequestPhase) -> Outcome:
        try:
            if not isinstance(body, dict):
                raise _NOT_AN_OBJECT
            return self._process(ApiFormat(fmt), body, mode, phase)
        except GateError as error:
            return self._refuse(fmt, mode, error)
        except Exception as exc:
            logger.error("maskgate: request processing failed (%s); request refused", type(exc).__name__)
            phase.failed(type(exc).__name__)
            return self._refuse(fmt, mode, _INTERNAL_ERROR)

    def _process(self, fmt: ApiFormat, body: dict[str, Any], mode: Mode, phase: telemetry.RequestPhase,
                 fields: list[TextField] | None = None) -> Outcome:
        handler = wire_format(fmt)
        if fields is None:
            fields = handler.request_fields(body)
        # Detection only (detect/block/route) masks into a scratch ledger: the outcome's ledger must stay
        # empty, or a token the model writes by chance would be "restored" although nothing was masked.
        ledger = self.new_ledger()
        scratch = ledger if mode is Mode.MASK else self.new_ledger()
        result = None
        if fields:
            with phase.detecting(len(fields), self._cache_hits):
                result = mask([f.text for f in fields], scratch, self.detector, self.policy)
        counts = {} if result is None else {t: n for t, n in result.masked.items() if n and t != NEUTRAL_TYPE}
        phase.found(counts)
        if mode is not Mode.MASK or result is None:
            report = DetectionReport(mode, counts)
            if mode is Mode.BLOCK and report.detected:
                kinds = ", ".join(report.types)
                raise GateError(400, "pii_detected", f"the request contains personal data ({kinds}) and this "
                                                     "gateway does not forward personal data")
            route = mode is Mode.ROUTE and report.detected
            return Outcome(Action.FORWARD, report, ledger, route_alternate=route)
        pairs = zip(fields, result.texts, strict=True)
        texts = [text if text == f.text else handler.fit(f, text) for f, text in pairs]
        changed = write_back(body, fields, texts) > 0
        report = DetectionReport(mode, counts, masked=sum(counts.values()))
        return Outcome(Action.FORWARD, report, ledger, changed=changed)

    def _mode(self, mode: Mode | str | None) -> Mode:
        return Mode(self.policy.mode if mode is None else mode)

    def _refuse(self, fmt: ApiFormat | None, mode: Mode, error: GateError) -> Outcome:
        fmt = fmt if fmt in set(ApiFormat) else None  # an unknown format still gets a (generic) reply
        return Outcome(Action.BLOCK, DetectionReport(mode), self.new_ledger(), status=error.status,
                       error_body=error_body(fmt, error), error_code=error.code)

    # -- response phase --------------------------------------------------------------------------------

    # Each call below is reported as the span ``maskgate.restore_response`` (``maskgate.restore_stream`` for
    # the restorers), a child of ``trace_context`` or, by default, of the context current at the call.

    def restore_body(self, fmt: ApiFormat | None, raw_body: bytes, ledger: Ledger,
                     content_encoding: str | None = None, *,
                     trace_context: Context | None = None) -> RestoredBody:
        """Restore a non-streamed response (see :func:`restore_body`)."""
        limit = max(self.policy.limits.max_body_bytes, _MIN_RESPONSE_LIMIT)
        fmt = ApiFormat(fmt) if fmt is not None else None
        phase = telemetry.RestorePhase(_label(fmt), "body", trace_context)
        started = phase.begin()
        restored, outcome = _restore_body(fmt, raw_body, ledger, content_encoding, limit)
        phase.add(started, len(raw_body), len(restored.body))
        phase.end(restored.stats, outcome)
        return restored

    def restore_json(self, fmt: ApiFormat | None, body: Any, ledger: Ledger, *,
                     trace_context: Context | None = None) -> RestoreStats:
        """Restore a parsed response in place (LiteLLM hands over objects); returns the counts."""
        stats = RestoreStats()
        phase = telemetry.RestorePhase(_label(fmt), "json", trace_context)
        started = phase.begin()
        outcome = "error"
        try:
            if ledger:
                _restore_parsed(ApiFormat(fmt) if fmt is not None else None, body, Restoration(ledger, stats))
            outcome = None  # restored or unchanged, as the counts say
        finally:
            phase.add(started)
            phase.end(stats, outcome)
        return stats

    def stream_restorer(self, fmt: ApiFormat, ledger: Ledger, *,
                        trace_context: Context | None = None) -> StreamRestorer:
        """An incremental restorer for one ``text/event-stream`` response."""
        return StreamRestorer(ApiFormat(fmt), ledger, trace_context=trace_context)

    def event_restorer(self, fmt: ApiFormat, ledger: Ledger, *,
                       trace_context: Context | None = None) -> EventRestorer:
        """An incremental restorer for one stream of parsed events (dicts)."""
        return EventRestorer(ApiFormat(fmt), ledger, trace_context=trace_context)


def _label(fmt: ApiFormat | str | None) -> str:
    return str(fmt) if fmt is not None else "unknown"


def _finish(phase: telemetry.RequestPhase, outcome: Outcome, bytes_in: int | None = None,
            bytes_out: int | None = None) -> None:
    """Report a request's outcome: ``masked`` (body rewritten), ``unchanged`` (forwarded as it came),
    ``routed``, ``blocked`` (personal data in block mode), ``rejected`` (bad input), ``error`` (failed
    closed)."""
    if outcome.action is Action.BLOCK:
        if outcome.error_code == "pii_detected":
            label = "blocked"
        else:
            label = "error" if outcome.status >= 500 else "rejected"
        phase.finish(label, status=outcome.status, error_code=outcome.error_code, bytes_in=bytes_in,
                     bytes_out=bytes_out)
        return
    label = "routed" if outcome.route_alternate else "masked" if outcome.changed else "unchanged"
    phase.finish(label, masked=outcome.report.masked, bytes_in=bytes_in, bytes_out=bytes_out)


def restore_body(fmt: ApiFormat | None, raw_body: bytes, ledger: Ledger, content_encoding: str | None = None,
                 max_bytes: int = _MIN_RESPONSE_LIMIT) -> RestoredBody:
    """Restore a non-streamed response: the format's text fields, every string of an error body (or of any
    body when ``fmt`` is None), or the whole text of a body that is not JSON. A body it cannot read (another
    content-encoding, not UTF-8, inflating past ``max_bytes``) passes as it came: it holds placeholders,
    never personal data."""
    return _restore_body(fmt, raw_body, ledger, content_encoding, max_bytes)[0]


def _restore_body(fmt: ApiFormat | None, raw_body: bytes, ledger: Ledger, content_encoding: str | None,
                  max_bytes: int) -> tuple[RestoredBody, str | None]:
    """:func:`restore_body`, and the telemetry outcome: None (restored or unchanged, as the counts say),
    ``unreadable`` or ``error``."""
    stats = RestoreStats()
    if not ledger or not raw_body:
        return RestoredBody(raw_body, stats), None
    try:
        coding = _coding(content_encoding)
        text = _decode(raw_body, coding, max_bytes).decode("utf-8")
        restored = _restore_document(fmt, text, Restoration(ledger, stats))
    except (GateError, UnicodeDecodeError):
        return RestoredBody(raw_body, RestoreStats()), "unreadable"
    except Exception as exc:
        logger.error("maskgate: restoring a response failed (%s); sent unrestored", type(exc).__name__)
        return RestoredBody(raw_body, RestoreStats()), "error"
    return RestoredBody(raw_body if restored is None else _encode(restored, coding), stats), None


class _StreamTelemetry:
    """The ``maskgate.restore_stream`` span and metrics of one restorer: started by the first chunk, ended
    by ``finish()``, by ``close()`` (an aborted stream), or — when an adapter forgot both — as ``aborted``
    when the restorer is garbage collected."""

    def __init__(self, fmt: ApiFormat, kind: str, trace_context: Context | None) -> None:
        self.stats = RestoreStats()
        self._phase = telemetry.RestorePhase(str(fmt), kind, trace_context)
        finalizer = weakref.finalize(self, self._phase.end, self.stats, "aborted")
        finalizer.atexit = False  # at exit the exporters are gone; an open stream is no news then

    def close(self) -> None:
        """The stream ended without :meth:`finish` (the client went away, the upstream broke off): report it
        as ``aborted``. Adapters call this in a ``finally``; after ``finish()`` it does nothing."""
        self._phase.end(self.stats, "aborted")


class EventRestorer(_StreamTelemetry):
    """Restores a stream handed over one parsed event at a time.

    ``feed(event)`` restores ``event`` in place and returns the events to emit, in order: any events that
    flush text held back so far, then ``event`` itself. ``finish()`` returns what is still held at the end;
    ``close()`` instead when the stream was aborted. With an empty ledger (nothing was masked) every event
    passes through untouched.
    """

    def __init__(self, fmt: ApiFormat, ledger: Ledger, *, trace_context: Context | None = None) -> None:
        super().__init__(fmt, "events", trace_context)
        self._events: EventStream | None = (
            wire_format(fmt).event_stream(Restoration(ledger, self.stats)) if ledger else None
        )

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> list[dict[str, Any]]:
        started = self._phase.begin()
        if self._events is None:
            out = [event]
        else:
            before, _ = self._events.feed(event, event_type)
            out = [*before, event]
        self._phase.add(started)
        return out

    def finish(self) -> list[dict[str, Any]]:
        started = self._phase.begin()
        out = [] if self._events is None else self._events.finish()
        self._phase.add(started, chunks=0)
        self._phase.end(self.stats)
        return out


class StreamRestorer(_StreamTelemetry):
    """Restores one SSE response from bytes split anywhere.

    Each complete event is parsed and restored; an event nothing changed in goes out as the very bytes it
    came in. Held-back text is flushed in extra events of the stream's own shape before ``[DONE]``, before
    the event that closes its field, or at :meth:`finish`. With an empty ledger the bytes pass untouched.

    Every event with data is parsed, even one that looks token-free: a raw-bytes shortcut cannot be sound,
    because ``{`` opens a drifted token (``{{PERSON_1}}``) as well as every JSON object, and because each
    field's restorer must see every fragment (whether a bare ``PERSON_1`` stands as a word of its own depends
    on the character streamed before it). Parsing costs a few microseconds; the restorers' own fast path
    returns a fragment without a token-start character as it is.
    """

    def __init__(self, fmt: ApiFormat, ledger: Ledger, *, trace_context: Context | None = None) -> None:
        super().__init__(fmt, "stream", trace_context)
        self._restoration = Restoration(ledger, self.stats)
        self._events = wire_format(fmt).event_stream(self._restoration) if ledger else None
        self._reader = SSEReader()
        self._named: bool | None = None  # does the stream name its events? Flush events follow suit.
        self._newline = "\n"

    def feed(self, chunk: bytes) -> bytes:
        started = self._phase.begin()
        if self._events is None:
            out = bytes(chunk)
        else:
            out = b"".join([self._event(event) for event in self._reader.feed(chunk)])
        self._phase.add(started, len(chunk), len(out))
        return out

    def finish(self) -> bytes:
        """End of the stream (also an aborted upstream whose remaining bytes should still go out): everything
        still held, and a last event the stream did not end with a blank line. A complete one is ended
        properly; a truncated one stays last and unterminated, where clients drop it (as they would have
        without maskgate). When the client is gone and nothing will be sent, call :meth:`close` instead."""
        started = self._phase.begin()
        out = self._finish()
        self._phase.add(started, 0, len(out), chunks=0)
        self._phase.end(self.stats)
        return out

    def _finish(self) -> bytes:
        if self._events is None:
            return b""
        out, truncated = [], []
        for event in self._reader.close():
            if event.has_data and _is_complete(event.data):
                out.append(self._event(SSEEvent(event.lines, event.newline)))
            else:
                truncated.append(event.encode())
        out.append(self._encode(self._events.finish()))
        return b"".join(out + truncated)

    def _event(self, event: SSEEvent) -> bytes:
        if not event.has_data:
            return event.encode()
        assert self._events is not None
        self._newline = event.newline
        data = event.data
        if data.strip() == "[DONE]":
            return self._encode(self._events.finish()) + event.encode()
        try:
            parsed = json.loads(data)
        except ValueError:  # not JSON: plain text data is restored as text
            return event.with_data(self._restoration.text(data)).encode()
        if not isinstance(parsed, dict):
            return event.encode()
        if self._named is None:
            self._named = event.event is not None
        before, changed = self._events.feed(parsed, None if "type" in parsed else event.event)
        head = self._encode(before) if before else b""
        return head + (event.with_data(_dumps(parsed)).encode() if changed else event.encode())

    def _encode(self, events: list[dict[str, Any]]) -> bytes:
        out = []
        for item in events:
            created = SSEEvent.create(_dumps(item), event=item.get("type") if self._named else None)
            out.append(SSEEvent(created.lines, self._newline).encode())
        return b"".join(out)


# -- reading and writing bodies ----------------------------------------------------------------------------

_INTERNAL_ERROR = GateError(500, "internal_error", "the request could not be processed; it was not forwarded")
_NOT_AN_OBJECT = GateError(400, "invalid_json", "the request body must be a JSON object")
_CODINGS = ("gzip", "x-gzip", "deflate")


def _too_large(limit: int) -> GateError:
    return GateError(413, "request_too_large", f"the request body is larger than the limit of {limit} bytes")


def _check_content_type(content_type: str | None) -> None:
    if content_type is None:
        return
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise GateError(415, "unsupported_media_type", "the request body must be JSON (application/json)")
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise GateError(415, "unsupported_media_type", "the request body must be UTF-8 encoded JSON")


def _coding(content_encoding: str | None) -> str | None:
    coding = (content_encoding or "").strip().lower()
    if coding in ("", "identity"):
        return None
    if coding not in _CODINGS:
        raise GateError(415, "unsupported_content_encoding",
                        "the request body's content-encoding is not supported (use gzip, deflate or none)")
    return coding


def _decode(raw: bytes, coding: str | None, limit: int) -> bytes:
    """The body's bytes without content-encoding, refusing to inflate past ``limit`` (zip bombs)."""
    if coding is None:
        return raw
    # "deflate" is zlib-wrapped by the standard, raw deflate from some clients
    for wbits in (31,) if coding != "deflate" else (15, -15):
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(raw, limit + 1)
        except zlib.error:
            continue
        if len(data) > limit:
            raise _too_large(limit)
        if inflater.eof and not inflater.unused_data:
            return data
    raise GateError(400, "invalid_content_encoding", f"the request body is not valid {coding} data")


def _encode(data: bytes, coding: str | None) -> bytes:
    if coding is None:
        return data
    if coding == "deflate":
        return zlib.compress(data)
    compressor = zlib.compressobj(wbits=31)
    return compressor.compress(data) + compressor.flush()


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A body with a key twice is refused: parsers disagree on which copy counts, so masking the copy
    Python keeps could forward the other one unmasked."""
    body = dict(pairs)
    if len(body) != len(pairs):
        raise GateError(400, "invalid_json", "the request body has a duplicate key in an object")
    return body


def _parse_request(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise GateError(400, "invalid_encoding", "the request body is not valid UTF-8") from None
    try:
        body = json.loads(text, object_pairs_hook=_reject_duplicate_keys)
    except ValueError:
        raise GateError(400, "invalid_json", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _NOT_AN_OBJECT
    return body


def _dumps(value: Any) -> str:
    """Compact JSON, non-ASCII kept as is; \\u-escaped only if the value holds lone surrogates (which the
    input may legally escape but UTF-8 cannot carry)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":"))
    return text


def _is_complete(data: str) -> bool:
    if data.strip() == "[DONE]":
        return True
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _restore_parsed(fmt: ApiFormat | None, body: Any, restoration: Restoration) -> bool:
    """Restore a parsed response in place: the format's fields, plus every string of an ``error`` member
    (provider errors quote the request: ``Invalid value: '<<PERSON_1>>'``)."""
    if fmt is None or not isinstance(body, dict):
        return restore_fields(body, error_fields(body), restoration)
    fields = wire_format(fmt).response_fields(body)
    if body.get("error"):
        fields += error_fields(body["error"], ("error",))
    return restore_fields(body, fields, restoration)


def _restore_document(fmt: ApiFormat | None, text: str, restoration: Restoration) -> bytes | None:
    """The restored body, or None when nothing changed (the original bytes then go out)."""
    try:
        body = json.loads(text)
    except ValueError:  # a proxy's HTML or plain-text error page
        restored = restoration.text(text)
        return None if restored == text else restored.encode("utf-8")
    return _dumps(body).encode("utf-8") if _restore_parsed(fmt, body, restoration) else None

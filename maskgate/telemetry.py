"""OpenTelemetry traces and metrics for maskgate, configured by the standard ``OTEL_*`` variables.

Why a module of its own: both adapters must report the same spans and metrics, and every attribute must be
free of personal data. Everything maskgate exports goes through the few functions and classes here, which
accept only counts, type names, formats, modes, outcomes and durations — never text — so the no-PII rule is
enforced by the shape of the API rather than by the care of each call site. The core (:class:`maskgate.Gate`)
is the only caller: it reports each phase once, so both adapters report identically; an adapter only hands
over the parent trace context (:func:`extract_context`, :func:`context_with_span`).

Configuration follows the OpenTelemetry environment variables:

- ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER``: ``otlp``, ``console`` or ``none`` (comma-separated).
  When unset, ``otlp`` is used if an OTLP endpoint variable is set, otherwise nothing is exported.
- ``OTEL_EXPORTER_OTLP_PROTOCOL`` (or the per-signal ``..._TRACES_PROTOCOL`` / ``..._METRICS_PROTOCOL``):
  ``grpc`` (default) or ``http/protobuf``; endpoints, headers and timeouts are read by the exporters.
- ``OTEL_SERVICE_NAME`` (default ``maskgate``), ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER``
  (+ ``_ARG``), ``OTEL_METRIC_EXPORT_INTERVAL`` are honoured by the SDK; ``OTEL_SDK_DISABLED=true`` turns
  everything off.

With nothing configured, the global no-op providers stay in place: spans are non-recording, attributes are
only built when ``Span.is_recording()``, and the cost is a few microseconds per request phase and a fraction
of a microsecond per streamed chunk. If the host process has already installed providers (an application,
or LiteLLM's own OpenTelemetry integration), they are used as they are, so maskgate's spans join the host's
traces, and :func:`shutdown` leaves them to their owner.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import Token
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

if TYPE_CHECKING:
    from maskgate.restoring import RestoreStats

__all__ = [
    "DETECT",
    "MASK_REQUEST",
    "RESTORE_RESPONSE",
    "RESTORE_STREAM",
    "RequestPhase",
    "RestorePhase",
    "configure_from_env",
    "context_with_span",
    "extract_context",
    "record_detection",
    "record_request",
    "record_restore",
    "shutdown",
]

INSTRUMENTATION_NAME = "maskgate"
DEFAULT_SERVICE_NAME = "maskgate"

MASK_REQUEST = "maskgate.mask_request"
DETECT = "maskgate.detect"
RESTORE_RESPONSE = "maskgate.restore_response"
RESTORE_STREAM = "maskgate.restore_stream"

_OTLP_ENDPOINT_VARIABLES = {
    "traces": ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    "metrics": ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
}

# A proxy until a provider is installed; it then delegates, so module-level creation is safe.
_tracer = trace.get_tracer(INSTRUMENTATION_NAME)
_configure_lock = threading.Lock()
_configured = False
_installed: list[Any] = []  # the providers configure_from_env installed (and shutdown may stop)


# -- configuration ---------------------------------------------------------------------------------------


def _exporter_names(signal: str, environ: Mapping[str, str]) -> list[str]:
    explicit = environ.get(f"OTEL_{signal.upper()}_EXPORTER")
    if explicit is None:
        has_endpoint = any(environ.get(name) for name in _OTLP_ENDPOINT_VARIABLES[signal])
        return ["otlp"] if has_endpoint else []
    names = [name.strip().lower() for name in explicit.split(",")]
    return [name for name in names if name not in ("", "none")]


def _protocol(signal: str, environ: Mapping[str, str]) -> str:
    specific = environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
    protocol = (specific or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "grpc").strip().lower()
    if protocol not in ("grpc", "http/protobuf"):
        raise ValueError(f"OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol {protocol!r} "
                         "(use grpc or http/protobuf)")
    return protocol


# Per signal: (console exporter module, class), (OTLP exporter module with {transport}, class). Imported only
# when chosen, so a process that exports nothing never loads gRPC or HTTP exporter code.
_EXPORTERS = {
    "traces": (
        ("opentelemetry.sdk.trace.export", "ConsoleSpanExporter"),
        ("opentelemetry.exporter.otlp.proto.{transport}.trace_exporter", "OTLPSpanExporter"),
    ),
    "metrics": (
        ("opentelemetry.sdk.metrics.export", "ConsoleMetricExporter"),
        ("opentelemetry.exporter.otlp.proto.{transport}.metric_exporter", "OTLPMetricExporter"),
    ),
}


def _exporter(signal: str, name: str, environ: Mapping[str, str]) -> Any:
    """The span or metric exporter that ``OTEL_<SIGNAL>_EXPORTER`` names, over the configured protocol."""
    (console_module, console_class), (otlp_module, otlp_class) = _EXPORTERS[signal]
    if name == "console":
        return getattr(importlib.import_module(console_module), console_class)()
    if name != "otlp":
        raise ValueError(
            f"OTEL_{signal.upper()}_EXPORTER: unsupported exporter {name!r} (use otlp, console or none)"
        )
    transport = "grpc" if _protocol(signal, environ) == "grpc" else "http"
    return getattr(importlib.import_module(otlp_module.format(transport=transport)), otlp_class)()


def _resource(environ: Mapping[str, str]):  # -> Resource
    """The SDK's resource (``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_SERVICE_NAME``), named ``maskgate`` unless
    the environment names the service."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    resource = Resource.create()
    if environ.get("OTEL_SERVICE_NAME"):
        return resource.merge(Resource({SERVICE_NAME: environ["OTEL_SERVICE_NAME"]}))
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        return resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    return resource


def configure_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Install SDK providers with the exporters the environment asks for; call once at process start.

    Idempotent and thread-safe. Returns True when a signal is exported by providers maskgate installed or
    found installed. Providers that the host process installed first are left in place (maskgate then
    reports into them); with no exporter configured nothing is installed and telemetry costs next to nothing.
    """
    global _configured
    environ = os.environ if environ is None else environ
    with _configure_lock:
        if _configured:
            return True
        if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
            return False
        trace_exporters = _exporter_names("traces", environ)
        metric_exporters = _exporter_names("metrics", environ)
        if not trace_exporters and not metric_exporters:
            return False
        resource = _resource(environ)
        if trace_exporters and isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            tracer_provider = TracerProvider(resource=resource)
            for name in trace_exporters:
                tracer_provider.add_span_processor(BatchSpanProcessor(_exporter("traces", name, environ)))
            trace.set_tracer_provider(tracer_provider)
            _installed.append(tracer_provider)
        if metric_exporters and _is_default_meter_provider(metrics.get_meter_provider()):
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

            readers = [
                PeriodicExportingMetricReader(_exporter("metrics", name, environ))
                for name in metric_exporters
            ]
            meter_provider = MeterProvider(resource=resource, metric_readers=readers)
            metrics.set_meter_provider(meter_provider)
            _installed.append(meter_provider)
        _configured = True
        return True


def _is_default_meter_provider(provider: object) -> bool:
    return type(provider).__name__ in ("_ProxyMeterProvider", "NoOpMeterProvider")


def shutdown() -> None:
    """Flush and stop the exporters :func:`configure_from_env` installed (on graceful shutdown, so the last
    spans are not lost). Providers the host installed are the host's to stop."""
    with _configure_lock:
        while _installed:
            _installed.pop().shutdown()


# -- trace context ---------------------------------------------------------------------------------------


def extract_context(*carriers: Mapping[str, str]) -> otel_context.Context | None:
    """The trace context of the first carrier with a W3C ``traceparent`` (lower-case keys, as HTTP/2, gRPC
    and Envoy give them), with its ``tracestate`` and ``baggage``. Without one, None — the current context:
    spans then start a new trace.

    Several carriers because Envoy has two: when it traces, it sends its own ext_proc client span in the
    gRPC stream's metadata (the closest parent); when it does not, only the client's HTTP headers carry one.
    """
    for carrier in carriers:
        if "traceparent" in carrier:
            return extract(carrier)
    return None


def context_with_span(span: Span | None) -> otel_context.Context | None:
    """A context whose parent is ``span`` (a host's request span that is not the current span, such as
    LiteLLM's ``parent_otel_span``); None, meaning the current context, when there is no span."""
    return trace.set_span_in_context(span) if span is not None else None


def _fail(span: Span, error_type: str) -> None:
    if span.is_recording():
        span.set_status(Status(StatusCode.ERROR, error_type))
        span.set_attribute("error.type", error_type)


# -- the phases ------------------------------------------------------------------------------------------


class RequestPhase:
    """Telemetry of one request: the ``maskgate.mask_request`` span (current while the phase runs), its
    ``maskgate.detect`` child, and the request metrics, recorded once by :meth:`finish`.

    Use it as a context manager around the request's processing; a phase left without :meth:`finish`
    (an exception) is reported with the outcome ``error``.
    """

    __slots__ = ("_entities", "_error_type", "_finished", "_mode", "_parent", "_token", "api_format", "span")

    def __init__(self, api_format: str, mode: str, parent: otel_context.Context | None = None) -> None:
        self.api_format = api_format
        self._mode = mode
        self._parent = parent
        self._entities: Mapping[str, int] = {}
        self._error_type: str | None = None
        self._finished = False
        self.span: Span = trace.INVALID_SPAN
        self._token: Token[otel_context.Context] | None = None

    def __enter__(self) -> RequestPhase:
        self.span = _tracer.start_span(MASK_REQUEST, context=self._parent, kind=SpanKind.INTERNAL)
        if self.span.is_recording():  # current, so that spans started while it runs become its children
            self._token = otel_context.attach(trace.set_span_in_context(self.span, self._parent))
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if self._token is not None:
            otel_context.detach(self._token)
        if not self._finished:
            self.failed(exc_type.__name__ if exc_type is not None else "unfinished")
            self.finish("error")
        self.span.end()

    def detecting(self, texts: int, cache_hits: Callable[[], int] | None = None) -> _Detection:
        """Times detection over ``texts`` texts (``with phase.detecting(...):``) as the ``maskgate.detect``
        child span and the detection histogram. ``cache_hits``: the detector's count of cache hits so far in
        the calling thread, read before and after (None when the detector does not count them)."""
        return _Detection(self, texts, cache_hits)

    def found(self, entities: Mapping[str, int]) -> None:
        """The entity counts by type (detected, whether or not the mode masks them)."""
        self._entities = entities

    def failed(self, error_type: str) -> None:
        """An internal error, by exception type name only (messages may quote the request)."""
        self._error_type = error_type

    def finish(
        self,
        outcome: str,
        *,
        masked: int = 0,
        status: int | None = None,
        error_code: str | None = None,
        bytes_in: int | None = None,
        bytes_out: int | None = None,
    ) -> None:
        """Record the outcome (``masked``, ``unchanged``, ``routed``, ``blocked``, ``rejected``, ``error``)
        on the span and in the metrics. ``status``/``error_code``: the local reply of a refused request."""
        self._finished = True
        span = self.span
        if span.is_recording():
            attributes: dict[str, str | int] = {
                "maskgate.api_format": self.api_format,
                "maskgate.mode": self._mode,
                "maskgate.outcome": outcome,
                "maskgate.entities.count": sum(self._entities.values()),
                "maskgate.tokens.masked": masked,
            }
            for entity_type, count in self._entities.items():
                attributes[f"maskgate.entities.{entity_type}"] = count
            if bytes_in is not None:
                attributes["maskgate.bytes_in"] = bytes_in
            if bytes_out is not None:
                attributes["maskgate.bytes_out"] = bytes_out
            if status is not None:
                attributes["http.response.status_code"] = status
            if error_code is not None:
                attributes["maskgate.error_code"] = error_code
            span.set_attributes(attributes)
            if self._error_type is not None:
                _fail(span, self._error_type)
        record_request(self.api_format, self._mode, outcome, self._entities)


class _Detection:
    """The ``maskgate.detect`` child of a request phase (a class rather than a generator: it runs on every
    request, and this is several times cheaper when nothing is exported)."""

    __slots__ = ("_cache_hits", "_hits_before", "_phase", "_span", "_started", "_texts")

    def __init__(self, phase: RequestPhase, texts: int, cache_hits: Callable[[], int] | None) -> None:
        self._phase = phase
        self._texts = texts
        self._cache_hits = cache_hits
        self._hits_before = 0
        self._span: Span | None = None
        self._started = 0.0

    def __enter__(self) -> None:
        parent = self._phase.span
        if parent.is_recording():  # a child of a span that is not recorded would not be either
            if self._cache_hits is not None:
                self._hits_before = self._cache_hits()
            self._span = _tracer.start_span(DETECT, context=trace.set_span_in_context(parent))
        self._started = time.perf_counter()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        seconds = time.perf_counter() - self._started
        span = self._span
        if span is not None:
            attributes: dict[str, str | int] = {"maskgate.api_format": self._phase.api_format,
                                                "maskgate.detection.texts": self._texts}
            if self._cache_hits is not None:
                attributes["maskgate.detection.cache_hits"] = self._cache_hits() - self._hits_before
            span.set_attributes(attributes)
            if exc_type is not None:
                _fail(span, exc_type.__name__)
            span.end()
        record_detection(self._phase.api_format, seconds)


class RestorePhase:
    """Telemetry of one response being restored: a whole body (``maskgate.restore_response``) or a stream
    (``maskgate.restore_stream``, from its first chunk to :meth:`end`), and the restore metrics.

    The span is started by :meth:`begin` (or :meth:`end`), not made current: a stream's chunks arrive
    interleaved with other work. :meth:`end` is idempotent, so an adapter's ``finally`` and a garbage
    collector's finalizer may both call it. ``kind``: ``body`` or ``stream`` (bytes, counted) or ``json`` or
    ``events`` (parsed objects, no bytes).
    """

    __slots__ = ("_api_format", "_ended", "_kind", "_parent", "_span", "busy_ns", "bytes_in", "bytes_out",
                 "chunks")

    def __init__(self, api_format: str, kind: str, parent: otel_context.Context | None = None) -> None:
        self._api_format = api_format
        self._kind = kind
        # Captured now: "the current context" means the caller's, not whichever is current at the first chunk.
        self._parent = parent if parent is not None else otel_context.get_current()
        self._span: Span | None = None
        self._ended = False
        self.busy_ns = 0
        """Time spent restoring (a stream's: the sum over its chunks, not the time it stayed open)."""
        self.bytes_in = 0
        self.bytes_out = 0
        self.chunks = 0

    @property
    def streamed(self) -> bool:
        return self._kind in ("stream", "events")

    def begin(self) -> int:
        """Start the span (on the first call); returns the clock for :meth:`add` (``perf_counter_ns``)."""
        if self._span is None:
            name = RESTORE_STREAM if self.streamed else RESTORE_RESPONSE
            self._span = _tracer.start_span(name, context=self._parent, kind=SpanKind.INTERNAL)
        return time.perf_counter_ns()

    def add(self, started_ns: int, bytes_in: int = 0, bytes_out: int = 0, chunks: int = 1) -> None:
        """Restoring ran from ``started_ns`` (``time.perf_counter_ns()``) until now, over ``chunks`` chunks
        (a stream's end: 0)."""
        self.busy_ns += time.perf_counter_ns() - started_ns
        self.bytes_in += bytes_in
        self.bytes_out += bytes_out
        self.chunks += chunks

    def end(self, stats: RestoreStats, outcome: str | None = None) -> None:
        """Record the phase once. ``outcome`` defaults to ``restored`` or ``unchanged`` (by ``stats``);
        otherwise ``aborted`` (a stream that never finished), ``unreadable`` (passed on as it came) or
        ``error``."""
        if self._ended:
            return
        self._ended = True
        self.begin()
        assert self._span is not None
        span = self._span
        if outcome is None:
            outcome = "restored" if stats.restored or stats.repaired else "unchanged"
        if span.is_recording():
            attributes: dict[str, str | int] = {
                "maskgate.api_format": self._api_format,
                "maskgate.outcome": outcome,
                "maskgate.tokens.restored": stats.restored,
                "maskgate.tokens.repaired": stats.repaired,
                "maskgate.tokens.unrestored": stats.unrestored,
            }
            if self._kind in ("body", "stream"):
                attributes["maskgate.bytes_in"] = self.bytes_in
                attributes["maskgate.bytes_out"] = self.bytes_out
            if self.streamed:
                attributes["maskgate.stream.chunks"] = self.chunks
            span.set_attributes(attributes)
            if outcome == "error":
                span.set_status(Status(StatusCode.ERROR, "restore_failed"))
        span.end()
        record_restore(self._api_format, self.streamed, self.busy_ns / 1e9, stats.repaired, stats.unrestored)


# -- metrics ---------------------------------------------------------------------------------------------


class _Instruments:
    """Metric instruments, created on first use once a meter provider is installed."""

    def __init__(self) -> None:
        meter = metrics.get_meter(INSTRUMENTATION_NAME)
        self.requests = meter.create_counter(
            "maskgate.requests",
            unit="{request}",
            description="Requests processed, by API format, mode and outcome",
        )
        self.entities = meter.create_counter(
            "maskgate.entities",
            unit="{entity}",
            description="Entities found in requests, by type, API format and mode (masked in mode mask)",
        )
        self.unrestored = meter.create_counter(
            "maskgate.tokens.unrestored",
            unit="{token}",
            description="Placeholders in responses that could not be restored",
        )
        self.repaired = meter.create_counter(
            "maskgate.tokens.repaired",
            unit="{token}",
            description="Drifted placeholders restored after repair",
        )
        self.detection_seconds = meter.create_histogram(
            "maskgate.detection.duration", unit="s", description="Time spent detecting PII per request"
        )
        self.restore_seconds = meter.create_histogram(
            "maskgate.restore.duration",
            unit="s",
            description="Time spent restoring a response, or a whole stream (summed over its chunks)",
        )


_instruments: _Instruments | None = None


def _get_instruments() -> _Instruments | None:
    """The instruments, or None while no meter provider is installed (then there is nothing to record, and
    not even the labels are built)."""
    global _instruments
    if _instruments is None:
        if _is_default_meter_provider(metrics.get_meter_provider()):
            return None
        _instruments = _Instruments()
    return _instruments


def record_request(api_format: str, mode: str, outcome: str, entity_counts: Mapping[str, int]) -> None:
    """Count one request and the entities it carried (types and counts only)."""
    instruments = _get_instruments()
    if instruments is None:
        return
    instruments.requests.add(1, {"api_format": api_format, "mode": mode, "outcome": outcome})
    for entity_type, count in entity_counts.items():
        if count:
            labels = {"entity_type": entity_type, "api_format": api_format, "mode": mode}
            instruments.entities.add(count, labels)


def record_detection(api_format: str, seconds: float) -> None:
    instruments = _get_instruments()
    if instruments is not None:
        instruments.detection_seconds.record(seconds, {"api_format": api_format})


def record_restore(api_format: str, streamed: bool, seconds: float, repaired: int, unrestored: int) -> None:
    """Record one restored response or stream: its duration and how many tokens needed repair or were lost."""
    instruments = _get_instruments()
    if instruments is None:
        return
    labels = {"api_format": api_format, "streamed": streamed}
    instruments.restore_seconds.record(seconds, labels)
    if repaired:
        instruments.repaired.add(repaired, labels)
    if unrestored:
        instruments.unrestored.add(unrestored, labels)

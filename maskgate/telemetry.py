"""OpenTelemetry traces and metrics for maskgate, configured by the standard ``OTEL_*`` variables.

Why a module of its own: both adapters must report the same spans and metrics, and every attribute must be
free of personal data. Everything maskgate exports goes through the few functions here, which accept only
counts, type names, formats, modes and durations — never text — so the no-PII rule is enforced by the shape
of the API rather than by the care of each call site.

Configuration follows the OpenTelemetry environment variables:

- ``OTEL_TRACES_EXPORTER`` / ``OTEL_METRICS_EXPORTER``: ``otlp``, ``console`` or ``none`` (comma-separated).
  When unset, ``otlp`` is used if an OTLP endpoint variable is set, otherwise nothing is exported.
- ``OTEL_EXPORTER_OTLP_PROTOCOL`` (or the per-signal ``..._TRACES_PROTOCOL`` / ``..._METRICS_PROTOCOL``):
  ``grpc`` (default) or ``http/protobuf``; endpoints, headers and timeouts are read by the exporters.
- ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``, ``OTEL_TRACES_SAMPLER`` (+ ``_ARG``),
  ``OTEL_METRIC_EXPORT_INTERVAL`` are honoured by the SDK itself.

With nothing configured, the global no-op providers stay in place: spans are non-recording and the hot path
skips building attributes (``Span.is_recording()``), so the cost is a few hundred nanoseconds per phase.
If the host process has already installed providers (an application, or LiteLLM's own OpenTelemetry
integration), they are used as they are, so maskgate's spans join the host's traces.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import context as otel_context
from opentelemetry import metrics, trace
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

__all__ = [
    "configure_from_env",
    "extract_context",
    "phase_span",
    "record_detection",
    "record_request",
    "record_restore",
]

INSTRUMENTATION_NAME = "maskgate"
_OTLP_ENDPOINT_VARIABLES = {
    "traces": ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
    "metrics": ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
}

# A proxy until a provider is installed; it then delegates, so module-level creation is safe.
_tracer = trace.get_tracer(INSTRUMENTATION_NAME)
_configure_lock = threading.Lock()
_configured = False


def _exporter_names(signal: str, environ: Mapping[str, str]) -> list[str]:
    explicit = environ.get(f"OTEL_{signal.upper()}_EXPORTER")
    if explicit is None:
        has_endpoint = any(environ.get(name) for name in _OTLP_ENDPOINT_VARIABLES[signal])
        return ["otlp"] if has_endpoint else []
    return [name.strip().lower() for name in explicit.split(",") if name.strip() not in ("", "none")]


def _protocol(signal: str, environ: Mapping[str, str]) -> str:
    specific = environ.get(f"OTEL_EXPORTER_OTLP_{signal.upper()}_PROTOCOL")
    return (specific or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "grpc").strip().lower()


def _span_exporter(name: str, environ: Mapping[str, str]):  # -> SpanExporter
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    if name != "otlp":
        raise ValueError(f"OTEL_TRACES_EXPORTER: unsupported exporter {name!r} (use otlp, console or none)")
    if _protocol("traces", environ) == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    return OTLPSpanExporter()


def _metric_exporter(name: str, environ: Mapping[str, str]):  # -> MetricExporter
    if name == "console":
        from opentelemetry.sdk.metrics.export import ConsoleMetricExporter

        return ConsoleMetricExporter()
    if name != "otlp":
        raise ValueError(f"OTEL_METRICS_EXPORTER: unsupported exporter {name!r} (use otlp, console or none)")
    if _protocol("metrics", environ) == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
    else:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
    return OTLPMetricExporter()


def configure_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Install SDK providers with the exporters the environment asks for; idempotent.

    Returns True when at least one signal is exported. Providers that the host process installed first
    are left in place (maskgate then reports into them).
    """
    global _configured
    environ = os.environ if environ is None else environ
    with _configure_lock:
        if _configured:
            return True
        trace_exporters = _exporter_names("traces", environ)
        metric_exporters = _exporter_names("metrics", environ)
        if not trace_exporters and not metric_exporters:
            return False
        from opentelemetry.sdk.resources import Resource

        resource = Resource.create({"service.name": environ.get("OTEL_SERVICE_NAME", "maskgate")})
        if trace_exporters and isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            tracer_provider = TracerProvider(resource=resource)
            for name in trace_exporters:
                tracer_provider.add_span_processor(BatchSpanProcessor(_span_exporter(name, environ)))
            trace.set_tracer_provider(tracer_provider)
        if metric_exporters and _is_default_meter_provider(metrics.get_meter_provider()):
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

            readers = [
                PeriodicExportingMetricReader(_metric_exporter(name, environ)) for name in metric_exporters
            ]
            metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
        _configured = True
        return True


def _is_default_meter_provider(provider: object) -> bool:
    return type(provider).__name__ in ("_ProxyMeterProvider", "NoOpMeterProvider")


def shutdown() -> None:
    """Flush and stop exporters (called on graceful shutdown so the last spans are not lost)."""
    for provider in (trace.get_tracer_provider(), metrics.get_meter_provider()):
        stop = getattr(provider, "shutdown", None)
        if stop is not None:
            stop()


def extract_context(headers: Mapping[str, str]) -> otel_context.Context:
    """The trace context carried by incoming W3C ``traceparent``/``tracestate`` headers."""
    return extract(headers)


@contextmanager
def phase_span(
    name: str,
    *,
    parent: otel_context.Context | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
) -> Iterator[Span]:
    """A span for one request phase (``maskgate.mask_request``, ``maskgate.restore_response``, ...).

    An exception marks the span as failed with the exception's *type* only: exception messages may quote
    the request, so they are never recorded.
    """
    with _tracer.start_as_current_span(
        name,
        context=parent,
        kind=SpanKind.INTERNAL,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            if span.is_recording():
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                span.set_attribute("error.type", type(exc).__name__)
            raise


class _Instruments:
    """Metric instruments, created on first use against whatever meter provider is current then."""

    def __init__(self) -> None:
        meter = metrics.get_meter(INSTRUMENTATION_NAME)
        self.requests = meter.create_counter(
            "maskgate.requests",
            unit="{request}",
            description="Requests processed, by API format, mode and outcome",
        )
        self.entities = meter.create_counter(
            "maskgate.entities.masked", unit="{entity}", description="Entities masked, by entity type"
        )
        self.unrestored = meter.create_counter(
            "maskgate.tokens.unrestored",
            unit="{token}",
            description="Placeholders that could not be restored",
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
            "maskgate.restore.duration", unit="s", description="Time spent restoring a response or stream"
        )


_instruments: _Instruments | None = None


def _get_instruments() -> _Instruments:
    global _instruments
    if _instruments is None:
        _instruments = _Instruments()
    return _instruments


def record_request(api_format: str, mode: str, outcome: str, entity_counts: Mapping[str, int]) -> None:
    """Count one request and the entities it masked (types and counts only)."""
    instruments = _get_instruments()
    instruments.requests.add(1, {"api_format": api_format, "mode": mode, "outcome": outcome})
    for entity_type, count in entity_counts.items():
        if count:
            instruments.entities.add(count, {"entity_type": entity_type, "api_format": api_format})


def record_detection(api_format: str, seconds: float) -> None:
    _get_instruments().detection_seconds.record(seconds, {"api_format": api_format})


def record_restore(api_format: str, streamed: bool, seconds: float, repaired: int, unrestored: int) -> None:
    """Record one restored response or stream: its duration and how many tokens needed repair or were lost."""
    instruments = _get_instruments()
    labels = {"api_format": api_format, "streamed": streamed}
    instruments.restore_seconds.record(seconds, labels)
    if repaired:
        instruments.repaired.add(repaired, labels)
    if unrestored:
        instruments.unrestored.add(unrestored, labels)

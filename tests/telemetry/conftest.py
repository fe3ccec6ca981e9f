"""Everything maskgate exports, captured in memory: one SDK tracer and meter provider for the package.

OpenTelemetry lets a process set its global providers once, so they are installed once, for the whole
package, and each test starts from an empty span list and fresh metric deltas. The detector is loaded once,
too (seconds); tests that only need deterministic detection use the small ``ValueDetector``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, InMemoryMetricReader, MetricsData
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from maskgate import Gate, Policy

SERVICE_NAME = "maskgate-telemetry-test"


@dataclass
class Snapshot:
    """What was exported since the test began: finished spans, and the metric deltas."""

    spans: list[ReadableSpan]
    metrics_data: MetricsData | None

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name == name]

    def points(self, metric: str) -> list[tuple[dict[str, Any], Any]]:
        """[(data point attributes, sum or histogram count)] of one metric."""
        found = []
        for resource_metrics in self.metrics_data.resource_metrics if self.metrics_data else ():
            for scope in resource_metrics.scope_metrics:
                for item in scope.metrics:
                    if item.name == metric:
                        found += [(dict(point.attributes or {}), getattr(point, "value", None)
                                   if not hasattr(point, "bucket_counts") else point.count)
                                  for point in item.data.data_points]
        return found

    def total(self, metric: str, **attributes: Any) -> Any:
        """The sum of a metric's points whose attributes include ``attributes``."""
        return sum(value for labels, value in self.points(metric) if attributes.items() <= labels.items())

    def strings(self) -> list[str]:
        """Every string in every exported span and metric (names, attributes, events, statuses, resources,
        scopes, descriptions), decoded from the exporters' own JSON so escaped characters are compared too."""
        documents = [json.loads(span.to_json()) for span in self.spans]
        if self.metrics_data is not None:
            documents.append(json.loads(self.metrics_data.to_json()))
        strings: list[str] = []
        _collect_strings(documents, strings)
        return strings


@dataclass
class Exported:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader

    def snapshot(self) -> Snapshot:
        """Take what was exported since the last snapshot (metrics are deltas: each is reported once)."""
        return Snapshot(list(self.spans.get_finished_spans()), self.reader.get_metrics_data())


def _collect_strings(value: object, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            into.append(str(key))
            _collect_strings(item, into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect_strings(item, into)


@pytest.fixture(scope="package")
def collector() -> Iterator[Exported]:
    if not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        pytest.fail("another test installed a global tracer provider before the telemetry tests")
    resource = Resource.create({"service.name": SERVICE_NAME})
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    trace.set_tracer_provider(tracer_provider)
    delta = {Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA}
    reader = InMemoryMetricReader(preferred_temporality=delta)
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    metrics.set_meter_provider(meter_provider)
    yield Exported(spans, reader)
    tracer_provider.shutdown()  # later tests in the session record nothing more
    meter_provider.shutdown()


@pytest.fixture
def exported(collector: Exported) -> Exported:
    collector.spans.clear()
    collector.snapshot()  # drop the metric deltas of earlier tests
    return collector


@pytest.fixture(scope="package")
def gate() -> Gate:
    """A Gate with the production detector, as the adapters build it."""
    return Gate(Policy())

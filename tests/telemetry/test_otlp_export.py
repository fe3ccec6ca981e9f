"""Spans and metrics leave over OTLP, as a collector receives them: a process configured only by OTEL_*
variables masks a PII-rich request and restores a stream, and local receivers started by the test (gRPC
and HTTP/protobuf, the two OTLP transports) get maskgate's spans and metrics under the service's name,
with no original value anywhere in them."""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
import pytest
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from tests.telemetry.child import run
from tests.telemetry.conversation import FRAGMENTS, VALUES

SERVICE = "maskgate-otlp-test"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"

MASK_AND_RESTORE = f"""
import json
from maskgate import ApiFormat, Gate, Policy, telemetry
from tests.telemetry.conversation import ValueDetector, answer_text, request, sse, stream_events
telemetry.configure_from_env()
gate = Gate(Policy(), detector=ValueDetector())
fmt = ApiFormat.OPENAI_CHAT
parent = telemetry.extract_context({{"traceparent": "00-{TRACE_ID}-b7ad6b7169203331-01"}})
outcome = gate.process_request(fmt, json.dumps(request(fmt)).encode(), trace_context=parent)
stream = gate.stream_restorer(fmt, outcome.ledger, trace_context=parent)
for chunk in sse(fmt, stream_events(fmt, answer_text(outcome.ledger))):
    stream.feed(chunk)
stream.finish()
telemetry.shutdown()
print("RESULT", json.dumps(dict(outcome.report.entities)))
"""


@dataclass
class Received:
    """Export requests as a collector got them."""

    traces: list[trace_service_pb2.ExportTraceServiceRequest] = field(default_factory=list)
    metrics: list[metrics_service_pb2.ExportMetricsServiceRequest] = field(default_factory=list)

    def clear(self) -> None:
        self.traces.clear()
        self.metrics.clear()


class _Traces(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(self, request, context):
        self.received.traces.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()


class _Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, received: Received) -> None:
        self.received = received

    def Export(self, request, context):
        self.received.metrics.append(request)
        return metrics_service_pb2.ExportMetricsServiceResponse()


@dataclass
class Receivers:
    grpc_url: str
    http_url: str
    received: Received


@pytest.fixture(scope="module")
def receivers() -> Iterator[Receivers]:
    received = Received()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Traces(received), server)
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(_Metrics(received), server)
    grpc_port = server.add_insecure_port("127.0.0.1:0")
    server.start()

    class OtlpHttp(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            if self.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                received.traces.append(trace_service_pb2.ExportTraceServiceRequest.FromString(body))
                answer: Message = trace_service_pb2.ExportTraceServiceResponse()
            elif self.path == "/v1/metrics":
                received.metrics.append(metrics_service_pb2.ExportMetricsServiceRequest.FromString(body))
                answer = metrics_service_pb2.ExportMetricsServiceResponse()
            else:
                self.send_error(404)
                return
            payload = answer.SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), OtlpHttp)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receivers(f"http://127.0.0.1:{grpc_port}", f"http://127.0.0.1:{http.server_port}", received)
    finally:
        http.shutdown()
        server.stop(grace=None)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def check_export(received: Received, entities: dict[str, int]) -> None:
    assert received.traces and received.metrics, "the receivers got nothing"
    spans: dict[str, list[dict[str, Any]]] = {}
    for export in received.traces:
        for resource_spans in export.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert resource["service.name"] == SERVICE
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    spans.setdefault(span.name, []).append({
                        "trace_id": span.trace_id.hex(),
                        "attributes": {a.key: MessageToDict(a.value) for a in span.attributes},
                    })
    assert {"maskgate.mask_request", "maskgate.detect", "maskgate.restore_stream"} <= set(spans)
    [masked] = spans["maskgate.mask_request"]
    assert masked["trace_id"] == TRACE_ID
    for entity_type, count in entities.items():
        assert masked["attributes"][f"maskgate.entities.{entity_type}"] == {"intValue": str(count)}
    metric_names = {
        metric.name
        for export in received.metrics
        for resource_metrics in export.resource_metrics
        for scope in resource_metrics.scope_metrics
        for metric in scope.metrics
    }
    assert {"maskgate.requests", "maskgate.entities", "maskgate.detection.duration",
            "maskgate.restore.duration"} <= metric_names
    exported = "\n".join(
        text
        for export in [*received.traces, *received.metrics]
        for text in _strings(MessageToDict(export))
    ).casefold()
    assert [value for value in (*VALUES, *FRAGMENTS) if value.casefold() in exported] == []


def test_traces_over_grpc_and_metrics_over_http(receivers: Receivers) -> None:
    receivers.received.clear()
    entities = run(
        MASK_AND_RESTORE,
        OTEL_SERVICE_NAME=SERVICE,
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_METRICS_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT=receivers.grpc_url,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="http/protobuf",
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=receivers.http_url + "/v1/metrics",
    )
    check_export(receivers.received, entities)


def test_traces_over_http_and_metrics_over_grpc(receivers: Receivers) -> None:
    receivers.received.clear()
    entities = run(
        MASK_AND_RESTORE,
        OTEL_SERVICE_NAME=SERVICE,
        OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
        OTEL_EXPORTER_OTLP_ENDPOINT=receivers.http_url,  # the exporters add /v1/traces and /v1/metrics
        OTEL_METRICS_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="grpc",
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=receivers.grpc_url,
    )
    check_export(receivers.received, entities)

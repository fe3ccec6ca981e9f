"""``configure_from_env``: the standard OTEL_* variables decide what is exported; nothing configured means
nothing installed (and non-recording spans); a provider the host installed first is used, never replaced,
and never shut down by maskgate."""

from __future__ import annotations

import pytest

from tests.telemetry.child import run

STATE = """
import json
from opentelemetry import metrics, trace
from maskgate import telemetry
configured = telemetry.configure_from_env()
with trace.get_tracer("maskgate").start_as_current_span("probe") as span:
    recording = span.is_recording()
provider = trace.get_tracer_provider()
resource = getattr(provider, "resource", None)
print("RESULT", json.dumps({
    "configured": configured,
    "again": telemetry.configure_from_env(),
    "same_provider": trace.get_tracer_provider() is provider,
    "tracer_provider": type(provider).__name__,
    "meter_provider": type(metrics.get_meter_provider()).__name__,
    "recording": recording,
    "service": resource.attributes.get("service.name") if resource else None,
    "sampler": provider.sampler.get_description() if hasattr(provider, "sampler") else None,
}))
"""


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none"},
        {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"},
    ],
    ids=["nothing set", "exporters none", "sdk disabled"],
)
def test_nothing_configured_installs_nothing(variables: dict[str, str]) -> None:
    state = run(STATE, **variables)
    assert state["configured"] is False and state["again"] is False
    assert state["tracer_provider"] == "ProxyTracerProvider"
    assert state["meter_provider"] == "_ProxyMeterProvider"
    assert state["recording"] is False


def test_an_exporter_installs_sdk_providers_once_named_maskgate() -> None:
    state = run(STATE, OTEL_TRACES_EXPORTER="console", OTEL_METRICS_EXPORTER="console",
                OTEL_TRACES_SAMPLER="traceidratio", OTEL_TRACES_SAMPLER_ARG="0.25")
    assert state["configured"] is True and state["again"] is True and state["same_provider"] is True
    assert (state["tracer_provider"], state["meter_provider"]) == ("TracerProvider", "MeterProvider")
    assert state["service"] == "maskgate"
    assert "0.25" in state["sampler"]


def test_an_otlp_endpoint_alone_turns_otlp_export_on() -> None:
    # (sampled off, so nothing waits at exit to reach the closed port)
    state = run(STATE, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:9",
                OTEL_TRACES_SAMPLER="always_off")
    assert state["configured"] is True
    assert (state["tracer_provider"], state["meter_provider"]) == ("TracerProvider", "_ProxyMeterProvider")


@pytest.mark.parametrize(
    ("variables", "service"),
    [
        ({"OTEL_SERVICE_NAME": "llm-gateway"}, "llm-gateway"),
        ({"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attributes,team=platform"}, "from-attributes"),
    ],
)
def test_the_service_name_comes_from_the_environment(variables: dict[str, str], service: str) -> None:
    assert run(STATE, OTEL_TRACES_EXPORTER="console", **variables)["service"] == service


def test_a_provider_the_host_installed_is_used_and_left_running() -> None:
    state = run(
        """
import json
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from maskgate import telemetry
host = TracerProvider()
exporter = InMemorySpanExporter()
host.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(host)
configured = telemetry.configure_from_env()
with trace.get_tracer("maskgate").start_as_current_span("maskgate.mask_request"):
    pass
telemetry.shutdown()
with trace.get_tracer("host").start_as_current_span("after maskgate's shutdown"):
    pass
print("RESULT", json.dumps({
    "configured": configured,
    "kept": trace.get_tracer_provider() is host,
    "spans": [span.name for span in exporter.get_finished_spans()],
}))
""",
        OTEL_TRACES_EXPORTER="console",
    )
    assert state == {
        "configured": True,
        "kept": True,
        "spans": ["maskgate.mask_request", "after maskgate's shutdown"],
    }


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER: unsupported exporter 'zipkin'"),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
         "unsupported protocol 'http/json'"),
    ],
)
def test_a_misconfiguration_is_refused_by_name(variables: dict[str, str], message: str) -> None:
    outcome = run(
        """
import json
from maskgate import telemetry
try:
    telemetry.configure_from_env()
    print("RESULT", json.dumps(None))
except ValueError as error:
    print("RESULT", json.dumps(str(error)))
""",
        **variables,
    )
    assert outcome is not None and message in outcome

"""What each phase reports in every way it can end: outcomes, refusals, failures whose messages quote the
request, the dict-level calls LiteLLM uses, aborted and abandoned streams, and which trace a span joins.
Detection here is a deterministic stand-in: these tests are about the reporting, not about finding PII."""

from __future__ import annotations

import gc
import json

import pytest
from opentelemetry import metrics, trace
from opentelemetry.trace import StatusCode

from maskgate import Action, ApiFormat, Gate, Policy
from maskgate.telemetry import (
    DETECT,
    MASK_REQUEST,
    RESTORE_RESPONSE,
    RESTORE_STREAM,
    context_with_span,
    extract_context,
)
from tests.telemetry.conftest import Exported
from tests.telemetry.conversation import (
    ORIGINALS,
    STREAMED_FORMATS,
    ValueDetector,
    answer_text,
    request,
    response,
    sse,
    stream_events,
)
from tests.telemetry.test_no_pii import assert_nothing_personal

CHAT = ApiFormat.OPENAI_CHAT
CHAT_BODY = json.dumps(request(CHAT)).encode()
CLEAN_BODY = json.dumps({"model": "m", "messages": [{"role": "user", "content": "What is 2 + 2?"}]}).encode()


@pytest.fixture
def gate() -> Gate:
    return Gate(Policy(), detector=ValueDetector())


def only(exported: Exported, name: str):
    [span] = exported.snapshot().named(name)
    return span


@pytest.mark.parametrize(
    ("body", "mode", "outcome", "forwarded"),
    [
        (CHAT_BODY, "mask", "masked", None),
        (CLEAN_BODY, "mask", "unchanged", len(CLEAN_BODY)),
        (CHAT_BODY, "detect", "unchanged", len(CHAT_BODY)),
        (CHAT_BODY, "route", "routed", len(CHAT_BODY)),
    ],
)
def test_forwarded_outcomes(gate: Gate, exported: Exported, body: bytes, mode: str, outcome: str,
                            forwarded: int | None) -> None:
    decision = gate.process_request(CHAT, body, mode=mode)
    assert decision.action is Action.FORWARD
    snapshot = exported.snapshot()
    [span] = snapshot.named(MASK_REQUEST)
    assert span.attributes["maskgate.mode"] == mode
    assert span.attributes["maskgate.outcome"] == outcome
    expected_out = forwarded if forwarded is not None else len(decision.body)
    assert span.attributes["maskgate.bytes_out"] == expected_out
    assert span.attributes["maskgate.entities.count"] == sum(decision.report.entities.values())
    assert span.status.status_code is StatusCode.UNSET
    assert "http.response.status_code" not in span.attributes
    assert snapshot.total("maskgate.requests", api_format="openai_chat", mode=mode, outcome=outcome) == 1


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"model": "m", "messages": [', None, 400, "invalid_json"),
        (b"\xff\xfe Jurgen", None, 400, "invalid_encoding"),
        (CHAT_BODY, "text/plain", 415, "unsupported_media_type"),
    ],
)
def test_bad_input_is_reported_as_rejected(gate: Gate, exported: Exported, body: bytes,
                                           content_type: str | None, status: int, code: str) -> None:
    gate.process_request(CHAT, body, content_type=content_type)
    snapshot = exported.snapshot()
    [span] = snapshot.named(MASK_REQUEST)
    assert span.attributes["maskgate.outcome"] == "rejected"
    assert span.attributes["http.response.status_code"] == status
    assert span.attributes["maskgate.error_code"] == code
    assert span.attributes["maskgate.bytes_out"] == 0
    assert snapshot.named(DETECT) == []  # nothing was read, so nothing was detected
    assert snapshot.total("maskgate.requests", outcome="rejected") == 1


def test_an_internal_failure_names_the_error_type_and_never_its_message(exported: Exported) -> None:
    failing = Gate(Policy(), detector=ValueDetector(fail_with="cannot analyse 'Erika Musterfrau'"))
    outcome = failing.process_request(CHAT, CHAT_BODY)
    assert outcome.action is Action.BLOCK and outcome.status == 500
    snapshot = exported.snapshot()
    [span] = snapshot.named(MASK_REQUEST)
    assert span.attributes["maskgate.outcome"] == "error"
    assert span.attributes["error.type"] == "RuntimeError"
    assert span.status.status_code is StatusCode.ERROR and span.status.description == "RuntimeError"
    [detect] = snapshot.named(DETECT)
    assert detect.status.status_code is StatusCode.ERROR and detect.attributes["error.type"] == "RuntimeError"
    assert snapshot.total("maskgate.requests", outcome="error") == 1
    assert_nothing_personal(snapshot)


def test_the_dict_level_calls_report_the_same_spans_without_byte_counts(gate: Gate,
                                                                        exported: Exported) -> None:
    fmt = ApiFormat.ANTHROPIC_MESSAGES
    body = request(fmt)
    outcome = gate.process_request_json(fmt, body)
    assert outcome.changed
    answer = answer_text(outcome.ledger)
    stats = gate.restore_json(fmt, response(fmt, answer), outcome.ledger)
    events = gate.event_restorer(fmt, outcome.ledger)
    for event in stream_events(fmt, answer):
        events.feed(event)
    events.finish()
    snapshot = exported.snapshot()
    [request_span] = snapshot.named(MASK_REQUEST)
    assert request_span.attributes["maskgate.outcome"] == "masked"
    assert request_span.attributes["maskgate.entities.PERSON"] == outcome.report.entities["PERSON"]
    assert "maskgate.bytes_in" not in request_span.attributes
    [restore_span] = snapshot.named(RESTORE_RESPONSE)
    assert restore_span.attributes["maskgate.tokens.restored"] == stats.restored > 0
    assert "maskgate.bytes_in" not in restore_span.attributes
    [stream_span] = snapshot.named(RESTORE_STREAM)
    assert stream_span.attributes["maskgate.outcome"] == "restored"
    assert stream_span.attributes["maskgate.tokens.unrestored"] == events.stats.unrestored == 1
    assert stream_span.attributes["maskgate.stream.chunks"] == len(stream_events(fmt, answer))
    assert_nothing_personal(snapshot)


@pytest.mark.parametrize("fmt", STREAMED_FORMATS, ids=str)
def test_a_closed_stream_is_reported_as_aborted_once(gate: Gate, exported: Exported, fmt: ApiFormat) -> None:
    outcome = gate.process_request(fmt, json.dumps(request(fmt)).encode())
    chunks = sse(fmt, stream_events(fmt, answer_text(outcome.ledger)))
    stream = gate.stream_restorer(fmt, outcome.ledger)
    for chunk in chunks[:5]:
        stream.feed(chunk)
    stream.close()
    stream.close()
    stream.finish()  # a late finish() reports nothing more
    snapshot = exported.snapshot()
    [span] = snapshot.named(RESTORE_STREAM)
    assert span.attributes["maskgate.outcome"] == "aborted"
    assert span.attributes["maskgate.stream.chunks"] == 5
    assert span.attributes["maskgate.bytes_in"] == sum(len(chunk) for chunk in chunks[:5])
    assert snapshot.total("maskgate.restore.duration", streamed=True) == 1


def test_a_stream_nobody_finished_or_closed_is_reported_when_collected(gate: Gate,
                                                                       exported: Exported) -> None:
    outcome = gate.process_request(CHAT, CHAT_BODY)
    gc.collect()  # restorers earlier tests left behind report now, not below
    exported.spans.clear()
    stream = gate.stream_restorer(CHAT, outcome.ledger)
    stream.feed(sse(CHAT, stream_events(CHAT, answer_text(outcome.ledger)))[0])
    events = gate.event_restorer(CHAT, outcome.ledger)
    del stream, events
    gc.collect()
    spans = exported.snapshot().named(RESTORE_STREAM)
    assert sorted(span.attributes["maskgate.stream.chunks"] for span in spans) == [0, 1]
    assert {span.attributes["maskgate.outcome"] for span in spans} == {"aborted"}


def test_a_stream_span_starts_with_the_first_chunk(gate: Gate, exported: Exported) -> None:
    outcome = gate.process_request(CHAT, CHAT_BODY)
    stream = gate.stream_restorer(CHAT, outcome.ledger)
    exported.spans.clear()
    with trace.get_tracer("test").start_as_current_span("before the first chunk") as waiting:
        pass
    for chunk in sse(CHAT, stream_events(CHAT, answer_text(outcome.ledger))):
        stream.feed(chunk)
    stream.finish()
    [span] = exported.snapshot().named(RESTORE_STREAM)
    assert span.start_time > waiting.end_time


def test_without_a_trace_context_the_phases_join_the_current_span(gate: Gate, exported: Exported) -> None:
    """How the LiteLLM hooks join the proxy's request trace when it is the current span."""
    with trace.get_tracer("host").start_as_current_span("host request") as host:
        outcome = gate.process_request(CHAT, CHAT_BODY)
        stream = gate.stream_restorer(CHAT, outcome.ledger)  # the parent is taken when the restorer is made
    for chunk in sse(CHAT, stream_events(CHAT, answer_text(outcome.ledger))):
        stream.feed(chunk)
    stream.finish()
    snapshot = exported.snapshot()
    for name in (MASK_REQUEST, RESTORE_STREAM):
        [span] = snapshot.named(name)
        assert span.parent.span_id == host.get_span_context().span_id


def test_a_host_span_that_is_not_current_can_be_named_as_the_parent(gate: Gate, exported: Exported) -> None:
    """LiteLLM keeps its proxy request span in ``parent_otel_span`` without making it current."""
    host = trace.get_tracer("host").start_span("litellm_proxy_request")
    gate.process_request(CHAT, CHAT_BODY, trace_context=context_with_span(host))
    host.end()
    assert only(exported, MASK_REQUEST).parent.span_id == host.get_span_context().span_id
    assert context_with_span(None) is None


def test_without_traceparent_a_new_trace_starts(gate: Gate, exported: Exported) -> None:
    gate.process_request(CHAT, CHAT_BODY, trace_context=extract_context({"content-type": "application/json"}))
    span = only(exported, MASK_REQUEST)
    assert span.parent is None and span.context.trace_id != 0


def test_detection_cache_hits_are_counted_per_request(exported: Exported) -> None:
    detector = ValueDetector()
    gate = Gate(Policy(), detector=detector)
    first = json.dumps(request(CHAT)).encode()
    follow_up = request(CHAT)
    follow_up["messages"].append({"role": "user", "content": "One more question."})
    gate.process_request(CHAT, first)
    gate.process_request(CHAT, json.dumps(follow_up).encode())
    first_detect, second_detect = exported.snapshot().named(DETECT)
    assert first_detect.attributes["maskgate.detection.cache_hits"] == 0
    assert second_detect.attributes["maskgate.detection.cache_hits"] == len(request(CHAT)["messages"])
    assert second_detect.attributes["maskgate.detection.texts"] == len(follow_up["messages"])


def test_a_detector_that_does_not_count_cache_hits_gets_no_such_attribute(exported: Exported) -> None:
    class Plain:
        def detect(self, text: str, language: str | None = None):
            return ValueDetector().detect(text, language)

    Gate(Policy(), detector=Plain()).process_request(CHAT, CHAT_BODY)
    assert "maskgate.detection.cache_hits" not in only(exported, DETECT).attributes


@pytest.mark.parametrize("where", ["attribute", "event", "metric label"])
def test_the_search_for_personal_data_finds_it_wherever_it_is(gate: Gate, exported: Exported,
                                                              where: str) -> None:
    """The no-PII assertions must be able to fail, also for non-ASCII values (which JSON escapes)."""
    value = ORIGINALS["PERSON"][2]
    gate.process_request(CHAT, CHAT_BODY)  # ordinary material around it
    tracer = trace.get_tracer("test")
    if where == "attribute":
        with tracer.start_as_current_span("note", attributes={"note": value}):
            pass
    elif where == "event":
        with tracer.start_as_current_span("note") as span:
            span.add_event("note", {"text": value})
    else:
        metrics.get_meter("test").create_counter("notes").add(1, {"note": value})
    with pytest.raises(AssertionError, match="personal data"):
        assert_nothing_personal(exported.snapshot())


def test_the_first_carrier_with_a_traceparent_is_the_parent(gate: Gate, exported: Exported) -> None:
    """Envoy's ext_proc span (gRPC metadata) wins over the client's headers; the headers count without it."""
    envoy = {"traceparent": "00-11111111111111111111111111111111-2222222222222222-01"}
    client = {"traceparent": "00-33333333333333333333333333333333-4444444444444444-01", "content-type": "x"}
    gate.process_request(CHAT, CHAT_BODY, trace_context=extract_context(envoy, client))
    gate.process_request(CHAT, CHAT_BODY, trace_context=extract_context({"x-maskgate-mode": "mask"}, client))
    first, second = exported.snapshot().named(MASK_REQUEST)
    assert (first.context.trace_id, first.parent.span_id) == (int("1" * 32, 16), int("2" * 16, 16))
    assert (second.context.trace_id, second.parent.span_id) == (int("3" * 32, 16), int("4" * 16, 16))

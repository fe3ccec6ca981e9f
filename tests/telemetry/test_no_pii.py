"""A PII-rich conversation through the Gate in every API format, with everything exported kept in memory:
no original value may appear anywhere in it, and the spans and metrics must say what happened (types and
counts, parent-child structure, the trace continued from the caller's ``traceparent``)."""

from __future__ import annotations

import json

import pytest
from opentelemetry.trace import SpanKind

from maskgate import Action, ApiFormat, Gate
from maskgate.telemetry import DETECT, MASK_REQUEST, RESTORE_RESPONSE, RESTORE_STREAM, extract_context
from tests.telemetry.conftest import SERVICE_NAME, Exported, Snapshot
from tests.telemetry.conversation import (
    FORMATS,
    FRAGMENTS,
    ORIGINALS,
    STREAMED_FORMATS,
    VALUES,
    answer_text,
    request,
    response,
    sse,
    stream_events,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN_ID}-01"}


def assert_nothing_personal(snapshot: Snapshot) -> None:
    strings = snapshot.strings()
    assert len(strings) > 100, "too little was exported for the search to mean anything"
    exported = "\n".join(strings).casefold()
    leaked = [value for value in (*VALUES, *FRAGMENTS) if value.casefold() in exported]
    assert leaked == [], "personal data reached the telemetry"


def run_conversation(gate: Gate, fmt: ApiFormat) -> dict[str, object]:
    """Request, whole response and streamed response of one conversation, each phase under the caller's
    trace; returns what the Gate reported so the telemetry can be compared with it."""
    context = extract_context(TRACEPARENT)
    outcome = gate.process_request(fmt, json.dumps(request(fmt)).encode(), trace_context=context)
    assert outcome.action is Action.FORWARD and outcome.body is not None
    assert not [value for value in VALUES if value.encode() in outcome.body], "the request was not masked"
    text = answer_text(outcome.ledger)
    body = json.dumps(response(fmt, text)).encode()
    restored = gate.restore_body(fmt, body, outcome.ledger, trace_context=context)
    result: dict[str, object] = {"outcome": outcome, "body": body, "restored": restored}
    if fmt in STREAMED_FORMATS:
        chunks = sse(fmt, stream_events(fmt, text))
        stream = gate.stream_restorer(fmt, outcome.ledger, trace_context=context)
        out = b"".join(stream.feed(chunk) for chunk in chunks) + stream.finish()
        assert "Erika Musterfrau" in out.decode("utf-8")
        result.update(stream=stream, chunks=chunks, streamed=out)
    return result


@pytest.fixture(scope="module")
def conversations(gate: Gate, collector: Exported) -> tuple[dict[ApiFormat, dict[str, object]], Snapshot]:
    collector.spans.clear()
    collector.snapshot()
    runs = {fmt: run_conversation(gate, fmt) for fmt in FORMATS}
    return runs, collector.snapshot()


def test_nothing_personal_is_exported(conversations) -> None:
    _, snapshot = conversations
    assert_nothing_personal(snapshot)


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
def test_the_request_span_counts_entities_by_type_under_the_callers_trace(conversations, fmt) -> None:
    runs, snapshot = conversations
    outcome = runs[fmt]["outcome"]
    [span] = [s for s in snapshot.named(MASK_REQUEST) if s.attributes["maskgate.api_format"] == fmt.value]
    assert span.context.trace_id == int(TRACE_ID, 16)
    assert span.parent is not None and span.parent.span_id == int(CALLER_SPAN_ID, 16)
    assert span.kind is SpanKind.INTERNAL
    attributes = dict(span.attributes)
    entities = dict(outcome.report.entities)
    assert set(ORIGINALS) <= set(entities), "the conversation should carry every kind of value"
    assert {k: v for k, v in attributes.items() if k.startswith("maskgate.entities.")} == {
        "maskgate.entities.count": sum(entities.values()),
        **{f"maskgate.entities.{entity_type}": count for entity_type, count in entities.items()},
    }
    assert attributes["maskgate.mode"] == "mask"
    assert attributes["maskgate.outcome"] == "masked"
    assert attributes["maskgate.tokens.masked"] == outcome.report.masked
    assert attributes["maskgate.bytes_in"] == len(json.dumps(request(fmt)).encode())
    assert attributes["maskgate.bytes_out"] == len(outcome.body)

    [detect] = [s for s in snapshot.named(DETECT) if s.parent.span_id == span.context.span_id]
    assert detect.context.trace_id == span.context.trace_id
    assert detect.attributes["maskgate.detection.texts"] >= 1
    assert span.start_time <= detect.start_time <= detect.end_time <= span.end_time


@pytest.mark.parametrize("fmt", FORMATS, ids=str)
def test_the_restore_spans_count_tokens(conversations, fmt) -> None:
    runs, snapshot = conversations
    run = runs[fmt]
    [span] = [s for s in snapshot.named(RESTORE_RESPONSE) if s.attributes["maskgate.api_format"] == fmt.value]
    assert span.context.trace_id == int(TRACE_ID, 16) and span.parent.span_id == int(CALLER_SPAN_ID, 16)
    stats = run["restored"].stats
    expected = {
        "maskgate.tokens.restored": stats.restored,
        "maskgate.tokens.repaired": stats.repaired,
        "maskgate.tokens.unrestored": stats.unrestored,
        "maskgate.bytes_in": len(run["body"]),
        "maskgate.bytes_out": len(run["restored"].body),
    }
    assert {key: span.attributes[key] for key in expected} == expected
    if fmt is ApiFormat.EMBEDDINGS:  # nothing in an embedding is text
        assert span.attributes["maskgate.outcome"] == "unchanged"
        assert not snapshot.named(RESTORE_STREAM) or all(
            s.attributes["maskgate.api_format"] != fmt.value for s in snapshot.named(RESTORE_STREAM))
        return
    assert span.attributes["maskgate.outcome"] == "restored"
    assert stats.restored >= len(run["outcome"].ledger) and stats.repaired == 1 and stats.unrestored == 1

    [stream] = [s for s in snapshot.named(RESTORE_STREAM) if s.attributes["maskgate.api_format"] == fmt.value]
    assert stream.parent.span_id == int(CALLER_SPAN_ID, 16)
    streamed = run["stream"].stats
    assert (streamed.restored, streamed.repaired, streamed.unrestored) == (
        stats.restored, stats.repaired, stats.unrestored)
    assert dict(stream.attributes) == {
        "maskgate.api_format": fmt.value,
        "maskgate.outcome": "restored",
        "maskgate.tokens.restored": streamed.restored,
        "maskgate.tokens.repaired": streamed.repaired,
        "maskgate.tokens.unrestored": streamed.unrestored,
        "maskgate.bytes_in": sum(len(chunk) for chunk in run["chunks"]),
        "maskgate.bytes_out": len(run["streamed"]),
        "maskgate.stream.chunks": len(run["chunks"]),
    }


def test_metrics_count_requests_entities_and_unrestored_tokens(conversations) -> None:
    runs, snapshot = conversations
    for fmt, run in runs.items():
        assert snapshot.total("maskgate.requests", api_format=fmt.value, mode="mask", outcome="masked") == 1
        for entity_type, count in run["outcome"].report.entities.items():
            labels = {"entity_type": entity_type, "api_format": fmt.value, "mode": "mask"}
            assert snapshot.total("maskgate.entities", **labels) == count
        assert snapshot.total("maskgate.detection.duration", api_format=fmt.value) == 1  # one histogram point
    whole = sum(run["restored"].stats.unrestored for run in runs.values())
    streamed = sum(run["stream"].stats.unrestored for run in runs.values() if "stream" in run)
    assert snapshot.total("maskgate.tokens.unrestored", streamed=False) == whole == len(STREAMED_FORMATS)
    assert snapshot.total("maskgate.tokens.unrestored", streamed=True) == streamed
    assert snapshot.total("maskgate.tokens.repaired") == whole + streamed
    assert snapshot.total("maskgate.restore.duration", streamed=False) == len(FORMATS)
    assert snapshot.total("maskgate.restore.duration", streamed=True) == len(STREAMED_FORMATS)


def test_the_resource_names_the_service(conversations) -> None:
    _, snapshot = conversations
    assert {span.resource.attributes["service.name"] for span in snapshot.spans} == {SERVICE_NAME}
    assert {span.instrumentation_scope.name for span in snapshot.spans} == {"maskgate"}


def test_a_blocked_request_reports_types_and_counts_but_no_values(gate: Gate, exported: Exported) -> None:
    fmt = ApiFormat.OPENAI_CHAT
    outcome = gate.process_request(fmt, json.dumps(request(fmt)).encode(), mode="block")
    assert outcome.action is Action.BLOCK and outcome.error_code == "pii_detected"
    snapshot = exported.snapshot()
    [span] = snapshot.named(MASK_REQUEST)
    assert span.attributes["maskgate.outcome"] == "blocked"
    assert span.attributes["http.response.status_code"] == 400
    assert span.attributes["maskgate.error_code"] == "pii_detected"
    assert span.attributes["maskgate.entities.PERSON"] >= 3 and span.attributes["maskgate.bytes_out"] == 0
    assert snapshot.total("maskgate.requests", mode="block", outcome="blocked") == 1
    assert snapshot.total("maskgate.entities", entity_type="IBAN_CODE", mode="block") == 1
    assert_nothing_personal(snapshot)

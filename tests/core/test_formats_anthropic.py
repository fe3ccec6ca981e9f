"""Anthropic Messages: system and content blocks going out, blocks and stream deltas coming back; signed
thinking blocks stay byte-identical in both directions."""

from __future__ import annotations

import json

from maskgate import ApiFormat
from maskgate.formats import wire_format
from maskgate.restoring import RestoreStats, restore_text
from tests.core.wire_support import (
    assemble,
    fixture_ledger,
    load_bytes,
    load_json,
    make_gate,
    originals_in,
    restore_stream,
    sse_events,
)

ANTHROPIC = ApiFormat.ANTHROPIC_MESSAGES


def _serialised(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def test_request_blocks_are_masked() -> None:
    original = load_json("anthropic_request.json")
    outcome = make_gate().process_request(ANTHROPIC, json.dumps(original).encode())
    sent = json.loads(outcome.body)
    assert sent["system"][0] == {
        "type": "text",
        "text": "You are the assistant of <<PERSON_1>>.",
        "cache_control": {"type": "ephemeral"},
    }
    user, assistant, results = (m["content"] for m in sent["messages"])
    assert user == "Pay <<PERSON_2>> from <<IBAN_CODE_1>>."
    assert assistant[2]["text"] == "I will pay <<PERSON_2>>."
    assert assistant[3]["input"] == {
        "iban": "<<IBAN_CODE_1>>",
        "payee": {"name": "<<PERSON_2>>", "emails": ["<<EMAIL_ADDRESS_1>>"]},
        "amount": 12.5,
        "confirm": True,
    }
    assert json.loads(results[0]["content"]) == {"paid_to": "<<PERSON_2>>"}
    assert results[1]["content"][0]["text"] == "Receipt for <<EMAIL_ADDRESS_2>>"
    assert results[2] == original["messages"][2]["content"][2]  # image
    assert results[3]["source"]["data"] == "Contract between <<PERSON_1>> and <<PERSON_2>>."
    assert results[4]["text"] == "Also mail <<EMAIL_ADDRESS_2>>."
    assert sent["tools"] == original["tools"] and sent["metadata"] == original["metadata"]
    handler = wire_format(ANTHROPIC)
    for before, after in zip(handler.request_fields(original), handler.request_fields(sent), strict=True):
        assert restore_text(after.text, outcome.ledger, RestoreStats()) == before.text


def test_thinking_blocks_and_signatures_are_sent_byte_identical() -> None:
    original = load_json("anthropic_request.json")
    outcome = make_gate().process_request(ANTHROPIC, json.dumps(original).encode())
    thinking, redacted = original["messages"][1]["content"][:2]
    # the serialised bytes of each signed block appear unchanged in the body sent upstream
    assert _serialised(thinking) in outcome.body
    assert _serialised(redacted) in outcome.body
    # the signed blocks hold values (a redacted block's data even reads "Max+Mustermann"): never rewritten
    assert originals_in(outcome.body) == []
    assert b"Max+Mustermann" in outcome.body


def test_response_blocks_are_restored_and_thinking_left_alone() -> None:
    raw = load_bytes("anthropic_response.json")
    restored = make_gate().restore_body(ANTHROPIC, raw, fixture_ledger())
    body, original = json.loads(restored.body), json.loads(raw)
    thinking, redacted, text, tool = body["content"]
    assert _serialised(thinking) == _serialised(original["content"][0])  # signature stays valid next turn
    assert _serialised(redacted) == _serialised(original["content"][1])
    assert text["text"] == "I will pay Anna Schmidt from DE89370400440532013000 and tell Max Mustermann."
    assert tool["input"] == {
        "iban": "DE89370400440532013000",
        "payee": {"name": "Anna Schmidt", "emails": ["anna.schmidt@firma.de"]},
        "amount": 12.5,
    }
    assert body["usage"] == original["usage"] and body["stop_reason"] == "tool_use"


def test_error_body_is_restored_in_place() -> None:
    body = json.loads(
        make_gate().restore_body(ANTHROPIC, load_bytes("anthropic_error.json"), fixture_ledger()).body
    )
    assert body == {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "messages.1.content.0: text 'Max Mustermann' is invalid",
        },
        "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy",
    }


def test_stream_restores_text_and_tool_input_and_flushes_before_block_stop() -> None:
    raw = load_bytes("anthropic_stream.sse")
    out = restore_stream(ANTHROPIC, fixture_ledger(), [raw])
    texts = assemble(ANTHROPIC, out)
    assert texts[(1, "text")] == "Paying Anna Schmidt from DE89370400440532013000, cc <<"
    assert json.loads(texts[(2, "partial_json")]) == {
        "iban": "DE89370400440532013000",
        "payee": {"name": "Anna Schmidt"},
        "amount": 12.5,
    }
    events = sse_events(out)
    names = [name for name, _ in events]
    stops = [i for i, name in enumerate(names) if name == "content_block_stop"]
    # held text of blocks 1 and 2 went out as one more delta right before each block's stop
    assert events[stops[1] - 1] == (
        "content_block_delta",
        {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "<<"}},
    )
    assert events[stops[2] - 1] == (
        "content_block_delta",
        {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": 'Anna Schmidt"}, "amount": 12.5}'},
        },
    )
    assert names[-1] == "message_stop"


def test_stream_thinking_and_signature_deltas_are_byte_identical() -> None:
    raw = load_bytes("anthropic_stream.sse")
    out = restore_stream(ANTHROPIC, fixture_ledger(), [raw])
    raw_blocks, out_blocks = raw.split(b"\n\n"), out.split(b"\n\n")
    assert (
        out_blocks[:6] == raw_blocks[:6]
    )  # message_start, thinking start, 2 thinking deltas, signature, stop
    assert assemble(ANTHROPIC, out)[(0, "thinking")] == "<<PERSON_1>> wants to pay <<PERSON_2>>."


def test_stream_error_event_and_end_of_stream_flush() -> None:
    out = restore_stream(ANTHROPIC, fixture_ledger(), [load_bytes("anthropic_stream_error.sse")])
    events = sse_events(out)
    assert events[3] == (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    assert events[4][1]["delta"] == {"type": "text_delta", "text": "<<Max Mustermann"}

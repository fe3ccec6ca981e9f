"""OpenAI Chat Completions: which fields are masked going out and restored coming back, streams included."""

from __future__ import annotations

import json

import pytest

from maskgate import Action, ApiFormat, Ledger
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
    whole,
)

CHAT = ApiFormat.OPENAI_CHAT


@pytest.fixture(scope="module")
def masked() -> tuple[dict, bytes, Ledger]:
    original = load_json("openai_chat_request.json")
    outcome = make_gate().process_request(CHAT, json.dumps(original).encode())
    assert outcome.action is Action.FORWARD and outcome.body is not None
    return original, outcome.body, outcome.ledger


def test_request_text_fields_are_masked_and_nothing_else(masked: tuple[dict, bytes, Ledger]) -> None:
    original, body, _ = masked
    sent = json.loads(body)
    messages = sent["messages"]
    assert messages[0]["content"] == "You are the assistant of <<PERSON_1>>."
    assert messages[1]["content"][0]["text"] == (
        "Send the contract to <<EMAIL_ADDRESS_1>> and pay from <<IBAN_CODE_1>>."
    )
    assert messages[1]["content"][1:] == original["messages"][1]["content"][1:]  # image and audio parts
    assert messages[1]["name"] == "anna_schmidt"  # not a detected name: untouched
    assert messages[2]["tool_calls"][0]["function"]["arguments"] == (
        '{"to": "<<EMAIL_ADDRESS_1>>", "subject": "Contract for <<PERSON_1>>", '
        '"cc": ["<<EMAIL_ADDRESS_2>>"], "copies": 2, "urgent": true}'
    )  # values masked, keys, numbers, booleans and the layout kept
    assert messages[2]["tool_calls"][1]["function"]["arguments"] == '{"iban":"<<IBAN_CODE_1>>"}'
    assert messages[5]["function_call"]["arguments"] == '{"who": "<<PERSON_2>>"}'
    assert messages[6]["content"] == "Thanks! Call me at <<PHONE_NUMBER_1>>."
    for key in ("model", "tools", "temperature", "n", "stream", "user", "seed"):
        assert sent[key] == original[key]
    assert [m.get("tool_call_id") for m in messages] == [m.get("tool_call_id") for m in original["messages"]]
    assert originals_in(body) == []


def test_tool_results_are_masked_as_json_documents(masked: tuple[dict, bytes, Ledger]) -> None:
    _, body, ledger = masked
    messages = json.loads(body)["messages"]
    result = json.loads(messages[3]["content"])  # still a JSON document
    assert result["status"] == "sent"
    assert restore_text(result["recipient"], ledger, RestoreStats()) == "Max Mustermann <max@example.com>"
    assert messages[4]["content"][0]["text"] == "IBAN <<IBAN_CODE_1>> belongs to <<PERSON_2>>"


def test_escaped_values_in_tool_results_and_arguments_are_found() -> None:
    # JSON encoders escape non-ASCII ("J\\u00fcrgen"): read as plain text, the name would slip through
    escaped = json.dumps({"owner": "Jürgen Weiß", "note": 'says "hi"'})
    body = {"model": "m", "messages": [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": escaped}}]},
        {"role": "tool", "tool_call_id": "c", "content": escaped},
    ]}
    outcome = make_gate().process_request(CHAT, json.dumps(body).encode())
    messages = json.loads(outcome.body)["messages"]
    expected = {"owner": "<<PERSON_1>>", "note": 'says "hi"'}
    assert json.loads(messages[0]["tool_calls"][0]["function"]["arguments"]) == expected
    assert json.loads(messages[1]["content"]) == expected
    assert b"J\\u00fcrgen" not in outcome.body and "Jürgen".encode() not in outcome.body


def test_every_masked_field_restores_to_the_original(masked: tuple[dict, bytes, Ledger]) -> None:
    original, body, ledger = masked
    handler = wire_format(CHAT)
    before = handler.request_fields(original)
    after = handler.request_fields(json.loads(body))
    assert len(before) == len(after) > 10
    for sent, received in zip(before, after, strict=True):
        assert restore_text(received.text, ledger, RestoreStats()) == sent.text


def test_a_masked_name_is_made_acceptable_to_the_api() -> None:
    body = {"model": "m", "messages": [{"role": "user", "name": "Max Mustermann", "content": "hi"}]}
    outcome = make_gate().process_request(CHAT, json.dumps(body).encode())
    assert json.loads(outcome.body)["messages"][0]["name"] == "PERSON_1"  # ^[A-Za-z0-9_-]+$, still restorable


def test_response_tool_calls_are_restored_as_valid_json() -> None:
    ledger = fixture_ledger()
    raw = load_bytes("openai_chat_response_tool_calls.json")
    restored = make_gate().restore_body(CHAT, raw, ledger)
    body = json.loads(restored.body)
    calls = body["choices"][0]["message"]["tool_calls"]
    assert json.loads(calls[0]["function"]["arguments"]) == {
        "to": "max@example.com",
        "subject": "Contract for Max Mustermann",
    }
    assert json.loads(calls[1]["function"]["arguments"]) == {
        "iban": "DE89370400440532013000",
        "note": 'say "hi" to Anna Schmidt',
    }
    original = json.loads(raw)
    assert body["usage"] == original["usage"] and body["id"] == original["id"]
    assert [c["id"] for c in calls] == ["call_abc123", "call_def456"]
    assert (restored.stats.restored, restored.stats.repaired, restored.stats.unrestored) == (3, 1, 0)
    assert restored.headers() == {"x-maskgate-unrestored": "0"}


def test_all_choices_are_restored_when_n_is_2_including_drifted_tokens() -> None:
    restored = make_gate().restore_body(CHAT, load_bytes("openai_chat_response_n2.json"), fixture_ledger())
    choices = json.loads(restored.body)["choices"]
    assert (
        choices[0]["message"]["content"] == "Dear Max Mustermann, your IBAN DE89370400440532013000 is noted."
    )
    assert choices[1]["message"]["content"] == "Hello Max Mustermann! I wrote to max@example.com."
    assert restored.stats.repaired == 2


def test_refusal_and_provider_errors_are_restored() -> None:
    gate, ledger = make_gate(), fixture_ledger()
    refusal = json.loads(
        gate.restore_body(CHAT, load_bytes("openai_chat_response_refusal.json"), ledger).body
    )
    assert (
        refusal["choices"][0]["message"]["refusal"]
        == "I'm sorry, I can't share Max Mustermann's bank details."
    )
    error = json.loads(gate.restore_body(CHAT, load_bytes("openai_error.json"), ledger).body)["error"]
    assert error["message"] == (
        "Invalid 'messages[1].content': the text 'Contract for Max Mustermann' is not allowed here."
    )
    assert error["code"] == "invalid_value"


def test_a_response_without_tokens_is_passed_on_byte_for_byte() -> None:
    raw = b'{ "choices": [ {"index": 0, "message": {"content": "no tokens here"}} ] }'
    assert make_gate().restore_body(CHAT, raw, fixture_ledger()).body is raw


def test_stream_restores_split_tokens_and_flushes_at_finish_reason() -> None:
    ledger = fixture_ledger()
    raw = load_bytes("openai_chat_stream_text.sse")
    out = restore_stream(CHAT, ledger, [raw])
    assert assemble(CHAT, out)[(0, "content")] == (
        "Hello Max Mustermann, your IBAN DE89370400440532013000 is noted. Write to max@example.com "
        "or ask Anna Schmidt. Bye <<PER"
    )
    events_in, events_out = sse_events(raw), sse_events(out)
    assert len(events_out) == len(events_in)  # held text was merged, not sent as extra events
    finish = next(
        e
        for _, e in events_out
        if isinstance(e, dict) and e["choices"] and e["choices"][0]["finish_reason"] == "stop"
    )
    assert finish["choices"][0]["delta"] == {"content": "<<PER"}
    assert events_out[-1] == (None, "[DONE]")
    blocks_in, blocks_out = raw.split(b"\n\n"), out.split(b"\n\n")
    assert blocks_out[0] == blocks_in[0]  # Azure's prompt-filter chunk: untouched bytes
    assert blocks_out[-3] == blocks_in[-3]  # the usage chunk
    assert b'"content":"Hello "' in out and b"<<PERSON_1" not in out


def test_stream_tool_call_arguments_are_restored_per_call_as_json() -> None:
    ledger = fixture_ledger()
    out = restore_stream(CHAT, ledger, [load_bytes("openai_chat_stream_tool_calls.sse")])
    texts = assemble(CHAT, out)
    assert json.loads(texts[(0, "tool", 0)]) == {"to": "max@example.com", "subject": "For Max Mustermann"}
    assert json.loads(texts[(0, "tool", 1)]) == {"iban": "DE89370400440532013000", "owner": "Anna Schmidt"}


def test_streamed_values_are_json_escaped_inside_arguments() -> None:
    ledger = Ledger()
    ledger.issue("PERSON", 'Jo "JJ" O\\Neil\n')
    chunks = [
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}}]}
        for piece in ('{"name": "<<PERS', 'ON_1>>", "again": "[[PERSON_1]]"}')
    ]
    raw = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    arguments = assemble(CHAT, restore_stream(CHAT, ledger, [raw]))[(0, "tool", 0)]
    assert json.loads(arguments) == {"name": 'Jo "JJ" O\\Neil\n', "again": 'Jo "JJ" O\\Neil\n'}


def test_each_choice_flushes_at_its_own_finish_reason() -> None:
    ledger = fixture_ledger()
    raw = load_bytes("openai_chat_stream_n2.sse")
    out = restore_stream(CHAT, ledger, [raw])
    texts, originals = assemble(CHAT, out), assemble(CHAT, raw)
    assert texts[(0, "content")] == "Dear Max Mustermann. See DE89370400440532013000"
    assert (
        texts[(1, "content")]
        == whole(originals[(1, "content")], ledger)
        == "Hi Anna Schmidt, mail <<max@example.com"
    )
    finishing = [
        e["choices"][0]
        for _, e in sse_events(out)
        if isinstance(e, dict) and e["choices"][0]["finish_reason"]
    ]
    assert [(c["index"], c["delta"]) for c in finishing] == [(0, {}), (1, {"content": "<<max@example.com"})]


def test_error_events_pass_restored_and_held_text_is_flushed_at_the_end() -> None:
    out = restore_stream(CHAT, fixture_ledger(), [load_bytes("openai_chat_stream_error.sse")])
    events = [e for _, e in sse_events(out)]
    assert (
        events[1]["error"]["message"] == "The server had an error while processing Max Mustermann's request."
    )
    assert events[0]["choices"][0]["delta"]["content"] == "Sure "
    assert events[2]["choices"] == [{"index": 0, "delta": {"content": "<<PER"}, "finish_reason": None}]
    assert events[2]["id"] == "chatcmpl-AbC1" and events[2]["model"] == "gpt-4o-2024-08-06"


def test_held_text_is_flushed_before_done_when_no_finish_reason_came() -> None:
    raw = b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi <<PERSON_1"}}]}\n\ndata: [DONE]\n\n'
    events = sse_events(restore_stream(CHAT, fixture_ledger(), [raw]))
    assert [e for _, e in events][1:] == [
        {
            "id": "c1",
            "choices": [{"index": 0, "delta": {"content": "<<Max Mustermann"}, "finish_reason": None}],
        },
        "[DONE]",
    ]

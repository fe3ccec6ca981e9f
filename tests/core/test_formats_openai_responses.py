"""OpenAI Responses: instructions and input items going out; output items and stream events coming back."""

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

RESPONSES = ApiFormat.OPENAI_RESPONSES


def test_request_instructions_and_input_items_are_masked() -> None:
    original = load_json("openai_responses_request.json")
    outcome = make_gate().process_request(RESPONSES, json.dumps(original).encode())
    sent = json.loads(outcome.body)
    items = sent["input"]
    assert sent["instructions"] == "You are the assistant of <<PERSON_1>>."
    assert items[0]["content"] == "My IBAN is <<IBAN_CODE_1>>."
    assert items[1]["content"][0]["text"] == "Mail <<EMAIL_ADDRESS_1>> please."
    assert items[1]["content"][1:] == original["input"][1]["content"][1:]  # image and file untouched
    assert items[2]["summary"][0]["text"] == "<<PERSON_1>> wants an e-mail."
    assert (
        items[2]["encrypted_content"] == original["input"][2]["encrypted_content"]
    )  # the provider's, opaque
    assert items[3]["content"][0]["text"] == "Sure, <<PERSON_1>>."  # an earlier answer
    assert json.loads(items[4]["arguments"]) == {"to": "<<EMAIL_ADDRESS_1>>", "body": "Hi <<PERSON_2>>"}
    assert json.loads(items[5]["output"]) == {"sent_to": "<<EMAIL_ADDRESS_2>>"}
    assert items[6] == original["input"][6]
    assert items[7]["content"][0]["text"] == "Thanks, <<PERSON_2>> says hi."
    for key in ("model", "tools", "reasoning", "store", "include"):
        assert sent[key] == original[key]
    assert originals_in(outcome.body) == []
    handler = wire_format(RESPONSES)
    for before, after in zip(handler.request_fields(original), handler.request_fields(sent), strict=True):
        assert restore_text(after.text, outcome.ledger, RestoreStats()) == before.text


def test_input_as_a_plain_string() -> None:
    outcome = make_gate().process_request(RESPONSES, b'{"model":"m","input":"I am Anna Schmidt"}')
    assert json.loads(outcome.body)["input"] == "I am <<PERSON_1>>"


def test_response_output_items_are_restored() -> None:
    raw = load_bytes("openai_responses_response.json")
    restored = make_gate().restore_body(RESPONSES, raw, fixture_ledger())
    body, original = json.loads(restored.body), json.loads(raw)
    reasoning, message, call = body["output"]
    assert reasoning["summary"][0]["text"] == "Greet Max Mustermann."
    assert reasoning["encrypted_content"] == original["output"][0]["encrypted_content"]  # never touched
    assert message["content"][0]["text"] == "Hello Max Mustermann, I wrote to max@example.com."
    assert json.loads(call["arguments"]) == {"iban": "DE89370400440532013000", "amount": 12.5}
    assert body["instructions"] == "You are the assistant of Max Mustermann."
    assert body["usage"] == original["usage"]


def test_stream_deltas_are_restored_and_a_flush_is_inserted_before_done() -> None:
    ledger = fixture_ledger()
    raw = load_bytes("openai_responses_stream.sse")
    out = restore_stream(RESPONSES, ledger, [raw])
    events = sse_events(out)
    texts = assemble(RESPONSES, out)
    done = next(e for _, e in events if e["type"] == "response.output_text.done")
    assert texts[(0, 0, "text")] == done["text"] == "Hello Max Mustermann, I wrote to max@example.com"
    assert json.loads(texts[(1, "arguments")]) == {"iban": "DE89370400440532013000", "amount": 12.5}
    # the trailing bare token was held until the field ended, then sent as one more delta
    types = [e["type"] for _, e in events]
    assert len(events) == len(sse_events(raw)) + 1
    flush = events[types.index("response.output_text.done") - 1][1]
    assert (flush["type"], flush["delta"]) == ("response.output_text.delta", "max@example.com")
    assert flush["logprobs"] == []
    assert [e["sequence_number"] for _, e in events] == list(range(len(events)))
    assert all(name == event["type"] for name, event in events)  # event lines name the inserted event too
    completed = events[-1][1]["response"]
    assert completed["output"][0]["content"][0]["text"] == done["text"]
    assert json.loads(completed["output"][1]["arguments"])["iban"] == "DE89370400440532013000"
    item_done = next(e for _, e in events if e["type"] == "response.output_item.done")
    assert item_done["item"]["content"][0]["text"] == done["text"]


def test_events_before_any_change_keep_their_bytes() -> None:
    raw = load_bytes("openai_responses_stream.sse")
    out = restore_stream(RESPONSES, fixture_ledger(), [raw])
    raw_blocks, out_blocks = raw.split(b"\n\n"), out.split(b"\n\n")
    assert out_blocks[2:4] == raw_blocks[2:4]  # output_item.added, content_part.added: nothing to restore


def test_stream_error_event_is_restored_and_held_text_flushed_at_the_end() -> None:
    out = restore_stream(RESPONSES, fixture_ledger(), [load_bytes("openai_responses_stream_error.sse")])
    events = [e for _, e in sse_events(out)]
    assert events[2] == {
        "type": "error",
        "sequence_number": 2,
        "code": "server_error",
        "message": "Processing Max Mustermann failed.",
        "param": None,
    }
    assert events[1]["delta"] == "Hi "
    assert events[3]["type"] == "response.output_text.delta" and events[3]["delta"] == "<<PERSON"
    assert events[3]["sequence_number"] == 3

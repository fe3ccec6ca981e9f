"""Legacy Completions and Embeddings: prompts and inputs masked, token-id arrays untouched."""

from __future__ import annotations

import json

from maskgate import Action, ApiFormat
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

COMPLETIONS, EMBEDDINGS = ApiFormat.COMPLETIONS, ApiFormat.EMBEDDINGS


def test_completions_prompt_list_and_suffix_are_masked() -> None:
    original = load_json("completions_request.json")
    outcome = make_gate().process_request(COMPLETIONS, json.dumps(original).encode())
    sent = json.loads(outcome.body)
    assert sent["prompt"] == ["Write to <<PERSON_1>> at <<EMAIL_ADDRESS_1>>:", "IBAN <<IBAN_CODE_1>>"]
    assert sent["suffix"] == "Regards, <<PERSON_2>>"
    assert {k: v for k, v in sent.items() if k not in ("prompt", "suffix")} == {
        k: v for k, v in original.items() if k not in ("prompt", "suffix")
    }
    assert originals_in(outcome.body) == []


def test_completions_prompt_string_and_token_ids() -> None:
    gate = make_gate()
    masked = gate.process_request(COMPLETIONS, b'{"model":"m","prompt":"Dear Anna Schmidt"}')
    assert json.loads(masked.body)["prompt"] == "Dear <<PERSON_1>>"
    tokens = b'{"model":"m","prompt":[[1722,386],[12]]}'
    outcome = gate.process_request(COMPLETIONS, tokens)
    assert outcome.action is Action.FORWARD and outcome.body is None  # forwarded exactly as received


def test_completions_response_choices_are_restored() -> None:
    body = json.loads(
        make_gate().restore_body(COMPLETIONS, load_bytes("completions_response.json"), fixture_ledger()).body
    )
    assert [c["text"] for c in body["choices"]] == [
        "\n\nDear Max Mustermann, re DE89370400440532013000",
        "\n\nHi Max Mustermann!",
    ]


def test_completions_stream_flushes_each_choice_at_its_finish_reason() -> None:
    raw = load_bytes("completions_stream.sse")
    out = restore_stream(COMPLETIONS, fixture_ledger(), [raw])
    assert assemble(COMPLETIONS, out) == {
        (0, "text"): "Dear Max Mustermann, re DE89370400440532013000 <<",
        (1, "text"): "Hi Anna Schmidt",
    }
    events = [e for _, e in sse_events(out)]
    assert len(events) == len(sse_events(raw))
    assert events[5]["choices"][0] == {"text": "", "index": 1, "logprobs": None, "finish_reason": "stop"}
    assert events[7]["choices"][0]["text"] == "<<" and events[7]["choices"][0]["finish_reason"] == "length"


def test_embeddings_inputs_are_masked_and_token_arrays_untouched() -> None:
    gate = make_gate()
    original = load_json("embeddings_request.json")
    outcome = gate.process_request(EMBEDDINGS, json.dumps(original).encode())
    sent = json.loads(outcome.body)
    assert sent["input"] == ["<<PERSON_1>> lives in Berlin", "Mail: <<EMAIL_ADDRESS_1>>"]
    assert sent["dimensions"] == 4 and sent["encoding_format"] == "float"
    tokens = load_bytes("embeddings_request_tokens.json")
    assert gate.process_request(EMBEDDINGS, tokens).body is None
    single = gate.process_request(EMBEDDINGS, b'{"model":"m","input":"Max Mustermann"}')
    assert json.loads(single.body)["input"] == "<<PERSON_1>>"


def test_embeddings_response_has_nothing_to_restore() -> None:
    raw = load_bytes("embeddings_response.json")
    restored = make_gate().restore_body(EMBEDDINGS, raw, fixture_ledger())
    assert restored.body is raw and restored.stats.total == 0

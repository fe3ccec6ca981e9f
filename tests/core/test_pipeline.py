"""The adapter-facing API: decisions on requests (modes, bad input, fail-closed), restoring bodies, SSE
streams and parsed events, multi-turn stability, and one end-to-end pass with the real detector."""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import sys
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest

from maskgate import Action, ApiFormat, Gate, Mode, Policy, StreamRestorer
from maskgate.entities import Entity
from maskgate.policy import Limits
from tests.core.conftest import RegexDetector
from tests.core.wire_support import (
    ORIGINALS,
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

CHAT, RESPONSES, ANTHROPIC = ApiFormat.OPENAI_CHAT, ApiFormat.OPENAI_RESPONSES, ApiFormat.ANTHROPIC_MESSAGES
PII_BODY = json.dumps(
    {"model": "m", "messages": [{"role": "user", "content": "I am Max Mustermann, mail max@example.com"}]}
).encode()
CLEAN_BODY = b'{"model":"m","messages":[{"role":"user","content":"What is the capital of France?"}]}'


# -- modes ------------------------------------------------------------------------------------------


def test_mask_mode_forwards_the_masked_body_with_headers() -> None:
    outcome = make_gate().process_request(CHAT, PII_BODY, content_type="application/json; charset=utf-8")
    assert outcome.action is Action.FORWARD and outcome.changed
    assert json.loads(outcome.body)["messages"][0]["content"] == "I am <<PERSON_1>>, mail <<EMAIL_ADDRESS_1>>"
    assert outcome.headers() == {
        "x-maskgate-mode": "mask",
        "x-maskgate-pii-detected": "true",
        "x-maskgate-pii-masked": "2",
        "x-maskgate-entities": "EMAIL_ADDRESS,PERSON",
    }
    assert dict(outcome.report.entities) == {"PERSON": 1, "EMAIL_ADDRESS": 1}
    assert len(outcome.ledger) == 2 and not outcome.route_alternate


def test_a_request_without_pii_is_forwarded_unchanged() -> None:
    outcome = make_gate().process_request(CHAT, CLEAN_BODY)
    assert outcome.action is Action.FORWARD and outcome.body is None and not outcome.changed
    assert outcome.headers() == {
        "x-maskgate-mode": "mask",
        "x-maskgate-pii-detected": "false",
        "x-maskgate-pii-masked": "0",
    }


@pytest.mark.parametrize(("fmt", "shape"), [(CHAT, "openai"), (ANTHROPIC, "anthropic")])
def test_block_mode_refuses_pii_in_the_apis_own_error_format(fmt: ApiFormat, shape: str) -> None:
    gate = Gate(Policy(mode="block"), detector=RegexDetector())
    outcome = gate.process_request(fmt, PII_BODY)
    assert outcome.action is Action.BLOCK and outcome.status == 400 and outcome.error_code == "pii_detected"
    error = json.loads(outcome.error_body)
    if shape == "openai":
        assert error["error"]["type"] == "invalid_request_error" and error["error"]["code"] == "pii_detected"
        message = error["error"]["message"]
    else:
        assert error["type"] == "error" and error["error"]["type"] == "invalid_request_error"
        message = error["error"]["message"]
    assert "EMAIL_ADDRESS, PERSON" in message
    assert originals_in(outcome.error_body) == []
    assert gate.process_request(fmt, CLEAN_BODY).action is Action.FORWARD


def test_detect_mode_reports_but_forwards_the_original() -> None:
    outcome = make_gate().process_request(CHAT, PII_BODY, mode="detect")
    assert outcome.action is Action.FORWARD and outcome.body is None
    assert outcome.headers()["x-maskgate-pii-detected"] == "true"
    assert outcome.headers()["x-maskgate-pii-masked"] == "0"
    assert len(outcome.ledger) == 0  # nothing was masked, so nothing may be "restored"


def test_route_mode_asks_for_the_alternate_destination_only_when_pii_is_found() -> None:
    gate = Gate(Policy(mode="route"), detector=RegexDetector())
    routed = gate.process_request(CHAT, PII_BODY)
    assert routed.action is Action.FORWARD and routed.route_alternate and routed.body is None
    assert routed.report.mode is Mode.ROUTE
    assert not gate.process_request(CHAT, CLEAN_BODY).route_alternate
    assert gate.process_request(CHAT, PII_BODY, mode=Mode.MASK).body is not None  # the call overrides


def test_unknown_paths_pass_through() -> None:
    outcome = make_gate().process_request(None, b"\xff not even json")
    assert outcome.action is Action.FORWARD and outcome.body is None


# -- bad input: a clear error, nothing forwarded ------------------------------------------------------------


def _blocked(status: int, code: str, raw: bytes, fmt: ApiFormat = CHAT, **kwargs: object) -> None:
    gate = Gate(Policy(limits=Limits(max_body_bytes=4096)), detector=RegexDetector())
    outcome = gate.process_request(fmt, raw, **kwargs)
    assert (outcome.action, outcome.status, outcome.error_code) == (Action.BLOCK, status, code)
    assert outcome.body is None
    assert json.loads(outcome.error_body)["error"]["message"].startswith("maskgate: ")
    assert originals_in(outcome.error_body) == []


def test_invalid_json_is_a_400() -> None:
    _blocked(400, "invalid_json", b'{"messages": [{"content": "Max Mustermann"')
    _blocked(400, "invalid_json", b'["Max Mustermann"]')
    _blocked(400, "invalid_json", b"")


def test_non_utf8_is_a_400() -> None:
    _blocked(400, "invalid_encoding", '{"messages": "Jürgen Weiß"}'.encode("latin-1"))


def test_duplicate_keys_are_refused() -> None:
    # a parser that keeps the first copy would otherwise see the unmasked one
    _blocked(
        400, "invalid_json", b'{"messages": [{"role": "user", "content": "Max Mustermann"}], "messages": []}'
    )


def test_wrong_content_type_is_a_415() -> None:
    _blocked(415, "unsupported_media_type", PII_BODY, content_type="text/plain")
    _blocked(415, "unsupported_media_type", PII_BODY, content_type="multipart/form-data; boundary=x")
    _blocked(415, "unsupported_media_type", PII_BODY, content_type="application/json; charset=utf-16")
    assert make_gate().process_request(CHAT, PII_BODY, content_type="application/vnd.api+json").changed


def test_oversized_body_is_a_413() -> None:
    big = json.dumps({"messages": [{"role": "user", "content": "Max Mustermann " * 400}]}).encode()
    _blocked(413, "request_too_large", big)


def test_gzip_and_deflate_bodies_are_masked_and_recompressed() -> None:
    gate = make_gate()
    for encoding, compress, decompress in (
        ("gzip", gzip.compress, gzip.decompress),
        ("deflate", zlib.compress, zlib.decompress),
        (
            "deflate",
            lambda data: zlib.compress(data)[2:-4],
            lambda data: zlib.decompress(data),
        ),  # raw deflate
    ):
        outcome = gate.process_request(CHAT, compress(PII_BODY), content_encoding=encoding)
        assert outcome.action is Action.FORWARD
        assert b"<<PERSON_1>>" in decompress(outcome.body)


def test_other_encodings_and_bombs_are_refused() -> None:
    _blocked(415, "unsupported_content_encoding", PII_BODY, content_encoding="br")
    _blocked(415, "unsupported_content_encoding", PII_BODY, content_encoding="gzip, br")
    _blocked(
        413, "request_too_large", gzip.compress(b'{"a":"' + b"x" * 100_000 + b'"}'), content_encoding="gzip"
    )
    _blocked(400, "invalid_content_encoding", PII_BODY, content_encoding="gzip")
    _blocked(400, "invalid_content_encoding", gzip.compress(PII_BODY)[:-12], content_encoding="gzip")


class ExplodingDetector:
    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        raise RuntimeError(f"analyzer crashed on {text!r}")


def test_an_internal_failure_fails_closed_without_leaking(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gate = Gate(Policy(), detector=ExplodingDetector())
    for fmt in (CHAT, ANTHROPIC):
        outcome = gate.process_request(fmt, PII_BODY)
        assert (outcome.action, outcome.status, outcome.error_code) == (Action.BLOCK, 500, "internal_error")
        assert originals_in(outcome.error_body) == []
    assert "RuntimeError" in caplog.text and "Mustermann" not in caplog.text
    blocked = gate.process_request_json(CHAT, json.loads(PII_BODY))
    assert blocked.action is Action.BLOCK and blocked.status == 500


# -- the dict API (LiteLLM) ---------------------------------------------------------------------------------


def test_process_request_json_masks_in_place() -> None:
    data = json.loads(PII_BODY) | {"metadata": {"litellm_call_id": "abc"}}
    outcome = make_gate().process_request_json(CHAT, data)
    assert outcome.changed and outcome.body is None
    assert data["messages"][0]["content"] == "I am <<PERSON_1>>, mail <<EMAIL_ADDRESS_1>>"
    assert data["metadata"] == {"litellm_call_id": "abc"}
    assert make_gate().process_request_json(CHAT, ["x"]).status == 400  # type: ignore[arg-type]


def test_restore_json_restores_in_place_and_counts() -> None:
    body = load_json("openai_chat_response_n2.json")
    stats = make_gate().restore_json(CHAT, body, fixture_ledger())
    assert body["choices"][0]["message"]["content"].startswith("Dear Max Mustermann")
    assert stats.restored == 2 and stats.repaired == 2


def test_event_restorer_on_chat_chunk_dicts() -> None:
    events = make_gate().event_restorer(CHAT, fixture_ledger())
    chunks = [
        {"id": "c", "choices": [{"index": 0, "delta": {"content": text}}]}
        for text in ("Hi <<PER", "SON_1", ">> <")
    ]
    out = [e for chunk in chunks for e in events.feed(chunk)]
    assert [e["choices"][0]["delta"]["content"] for e in out] == ["Hi ", "", "Max Mustermann "]
    assert out[0] is chunks[0]  # mutated in place
    assert events.finish() == [
        {"id": "c", "choices": [{"index": 0, "delta": {"content": "<"}, "finish_reason": None}]}
    ]
    assert events.stats.restored == 1


def test_event_restorer_emits_flush_events_before_the_closing_event() -> None:
    events = make_gate().event_restorer(ANTHROPIC, fixture_ledger())
    assert (
        events.feed(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "Hi PERSON_2"},
            }
        )[0]["delta"]["text"]
        == "Hi "
    )
    stop = {"type": "content_block_stop", "index": 0}
    assert events.feed(stop) == [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Anna Schmidt"}},
        stop,
    ]
    responses = make_gate().event_restorer(RESPONSES, fixture_ledger())
    delta = {
        "type": "response.output_text.delta",
        "output_index": 0,
        "content_index": 0,
        "delta": "to <<IBAN_CODE_1",
    }
    done = {
        "type": "response.output_text.done",
        "output_index": 0,
        "content_index": 0,
        "text": "to <<IBAN_CODE_1",
    }
    assert responses.feed(delta)[0]["delta"] == "to "
    flush, same = responses.feed(done)
    assert (
        flush["delta"] == "<<DE89370400440532013000"
        and same is done
        and done["text"] == flush["delta"].join(["to ", ""])
    )


def test_event_restorer_with_an_empty_ledger_passes_everything() -> None:
    events = make_gate().event_restorer(CHAT, make_gate().new_ledger())
    chunk = {"choices": [{"index": 0, "delta": {"content": "<<PERSON_1>>"}}]}
    assert events.feed(chunk) == [chunk] and chunk["choices"][0]["delta"]["content"] == "<<PERSON_1>>"


# -- restoring bodies ---------------------------------------------------------------------------------------


def test_unrestored_tokens_are_counted_for_the_header() -> None:
    raw = b'{"choices":[{"index":0,"message":{"content":"<<PERSON_1>> and <<PERSON_9>>"}}]}'
    restored = make_gate().restore_body(CHAT, raw, fixture_ledger())
    assert json.loads(restored.body)["choices"][0]["message"]["content"] == "Max Mustermann and <<PERSON_9>>"
    assert restored.headers() == {"x-maskgate-unrestored": "1"}


def test_bodies_that_are_not_json_are_restored_as_text_and_unreadable_ones_pass() -> None:
    gate, ledger = make_gate(), fixture_ledger()
    assert gate.restore_body(CHAT, b"<html>Bad gateway for <<PERSON_1>></html>", ledger).body == (
        b"<html>Bad gateway for Max Mustermann</html>"
    )
    latin = "Grüße <<PERSON_1>>".encode("latin-1")
    assert gate.restore_body(CHAT, latin, ledger).body is latin
    assert gate.restore_body(CHAT, b"anything", gate.new_ledger()).body == b"anything"


def test_compressed_responses_are_restored_and_recompressed() -> None:
    raw = gzip.compress(load_bytes("openai_chat_response_refusal.json"))
    restored = make_gate().restore_body(CHAT, raw, fixture_ledger(), content_encoding="gzip")
    assert b"Max Mustermann's bank details" in gzip.decompress(restored.body)
    unknown = make_gate().restore_body(CHAT, b"\x01\x02", fixture_ledger(), content_encoding="br")
    assert unknown.body == b"\x01\x02"  # cannot read it: passed on (it holds placeholders, not PII)


def test_stream_restorer_with_an_empty_ledger_is_a_pass_through() -> None:
    raw = load_bytes("openai_chat_stream_text.sse")
    stream = make_gate().stream_restorer(CHAT, make_gate().new_ledger())
    assert stream.feed(raw[:10]) + stream.feed(raw[10:]) + stream.finish() == raw


def test_stream_restorer_keeps_crlf_line_ends_and_comments() -> None:
    raw = (
        b': keep-alive\r\n\r\ndata: {"choices":[{"index":0,"delta":{"content":"Hi <<PERSON_1"}}]}\r\n\r\n'
        b"data: [DONE]\r\n\r\n"
    )
    out = restore_stream(CHAT, fixture_ledger(), [raw[:7], raw[7:50], raw[50:]])
    assert out.startswith(b": keep-alive\r\n\r\n")
    assert b'"content":"<<Max Mustermann"' in out and out.endswith(b"data: [DONE]\r\n\r\n")
    assert b"\n\n" not in out.replace(b"\r\n", b"")


def test_an_aborted_stream_still_delivers_what_was_held() -> None:
    stream = StreamRestorer(CHAT, fixture_ledger())
    truncated = b'data: {"choices":[{"index":0,"delta":{"content":">'  # the connection died inside an event
    out = stream.feed(
        b'data: {"choices":[{"index":0,"delta":{"content":"Hi <<IBAN_CODE_1>"}}]}\n\n' + truncated
    )
    out += stream.finish()
    assert out.endswith(b"\n\n" + truncated)  # left last and unterminated: clients drop it, as without us
    complete = out[: -len(truncated)]
    assert assemble(CHAT, complete)[(0, "content")] == whole("Hi <<IBAN_CODE_1>", fixture_ledger())
    assert len(sse_events(complete)) == 2


def test_a_last_event_without_its_blank_line_is_restored_and_ended() -> None:
    out = restore_stream(
        CHAT, fixture_ledger(), [b'data: {"choices":[{"index":0,"delta":{"content":"<<PERSON_2>>"}}]}']
    )
    assert out == b'data: {"choices":[{"index":0,"delta":{"content":"Anna Schmidt"}}]}\n\n'


# -- conversations ------------------------------------------------------------------------------------------


def _turns(fmt: ApiFormat, first: dict, reply: dict, next_user: dict, key: str) -> None:
    """Turn 2 resends turn 1 plus the (restored) answer: its masked history must be byte-identical."""
    gate = make_gate()
    turn1 = gate.process_request(fmt, json.dumps(first).encode())
    masked1 = json.loads(turn1.body)
    restored = json.loads(gate.restore_body(fmt, json.dumps(reply["provider"]).encode(), turn1.ledger).body)
    second = json.loads(json.dumps(first))
    second[key] = [*first[key], reply["to_history"](restored), next_user]
    turn2 = gate.process_request(fmt, json.dumps(second).encode())
    masked2 = json.loads(turn2.body)
    history = len(first[key])
    for before, after in zip(masked1[key], masked2[key][:history], strict=True):
        assert json.dumps(before) == json.dumps(after)
    assert json.dumps(masked2[key][history]) == json.dumps(reply["to_history"](reply["provider"]))
    assert originals_in(turn2.body) == []
    assert [t for t in turn2.ledger.tokens()][: len(turn1.ledger)] == turn1.ledger.tokens()


def test_multi_turn_chat_history_is_byte_identical() -> None:
    first = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "Assist Anna Schmidt."},
            {"role": "user", "content": "Mail max@example.com about DE89370400440532013000"},
        ],
    }
    provider = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Mailed <<EMAIL_ADDRESS_1>>.",
                    "tool_calls": [
                        {
                            "id": "c1",
                            "type": "function",
                            "function": {
                                "name": "pay",
                                "arguments": '{"iban": "<<IBAN_CODE_1>>", "for": "<<PERSON_1>>"}',
                            },
                        }
                    ],
                },
            }
        ]
    }
    _turns(
        CHAT,
        first,
        {"provider": provider, "to_history": lambda body: body["choices"][0]["message"]},
        {"role": "user", "content": "Thanks, also tell Max Mustermann"},
        "messages",
    )


def test_multi_turn_responses_history_is_byte_identical() -> None:
    first = {
        "model": "m",
        "instructions": "Assist Anna Schmidt.",
        "input": [{"role": "user", "content": "Mail max@example.com"}],
    }
    provider = {
        "object": "response",
        "output": [
            {
                "type": "message",
                "id": "m1",
                "role": "assistant",
                "content": [
                    {
                        "type": "output_text",
                        "text": "Done, <<PERSON_1>>: <<EMAIL_ADDRESS_1>>.",
                        "annotations": [],
                    }
                ],
            }
        ],
    }
    _turns(
        RESPONSES,
        first,
        {"provider": provider, "to_history": lambda body: body["output"][0]},
        {"role": "user", "content": "Now Max Mustermann"},
        "input",
    )


def test_multi_turn_anthropic_history_is_byte_identical() -> None:
    first = {
        "model": "c",
        "max_tokens": 5,
        "system": "Assist Anna Schmidt.",
        "messages": [{"role": "user", "content": "Mail max@example.com"}],
    }
    provider = {
        "type": "message",
        "role": "assistant",
        "content": [
            {
                "type": "thinking",
                "thinking": "<<PERSON_1>> wants mail.",
                "signature": "c2lnbmVk+Max/Mustermann==",
            },
            {"type": "text", "text": "Sure, <<PERSON_1>>."},
            {"type": "tool_use", "id": "t1", "name": "mail", "input": {"to": "<<EMAIL_ADDRESS_1>>"}},
        ],
    }
    _turns(
        ANTHROPIC,
        first,
        {"provider": provider, "to_history": lambda body: {"role": "assistant", "content": body["content"]}},
        {"role": "user", "content": "Thanks"},
        "messages",
    )


def test_a_gate_is_shared_between_threads() -> None:
    gate = make_gate()
    names = ["Max Mustermann", "Anna Schmidt", "Li Wei", "Bob"]

    def run(name: str) -> tuple[str, str]:
        body = json.dumps({"model": "m", "messages": [{"role": "user", "content": f"I am {name}"}]}).encode()
        outcome = gate.process_request(CHAT, body)
        return name, gate.restore_body(
            CHAT,
            json.dumps(
                {
                    "choices": [
                        {
                            "index": 0,
                            "message": {"content": json.loads(outcome.body)["messages"][0]["content"]},
                        }
                    ]
                }
            ).encode(),
            outcome.ledger,
        ).body.decode()

    with ThreadPoolExecutor(4) as pool:
        for name, restored in pool.map(run, names * 25):
            assert f"I am {name}" in restored


def test_importing_maskgate_does_not_load_spacy() -> None:
    code = "import sys, maskgate; assert not [m for m in sys.modules if m.startswith(('spacy', 'presidio'))]"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# -- end to end with the real detector ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def real_gate() -> Gate:
    return Gate(Policy())


def test_real_detector_masks_and_restores_a_conversation(real_gate: Gate) -> None:
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {
                "role": "user",
                "content": "Please summarize the contract for Max Mustermann, IBAN DE89370400440532013000, "
                "phone +49 151 23456789.",
            },
            {"role": "user", "content": "Schreib Herrn Max Mustermann eine E-Mail an anna.schmidt@firma.de."},
        ],
    }
    outcome = real_gate.process_request(CHAT, json.dumps(body).encode())
    assert outcome.action is Action.FORWARD
    assert [
        v
        for v in ("Max Mustermann", "DE89370400440532013000", "anna.schmidt@firma.de")
        if v.encode() in outcome.body
    ] == []
    assert {"PERSON", "IBAN_CODE"} <= set(outcome.report.entities)
    masked = json.loads(outcome.body)["messages"][1]["content"]
    person = next(t for t in outcome.ledger.tokens() if "PERSON" in t)
    iban = next(t for t in outcome.ledger.tokens() if "IBAN" in t)
    assert person in masked and iban in masked
    reply = f"Summary for {person}: account {iban}, noted."
    chunks = [
        {"id": "x", "choices": [{"index": 0, "delta": {"content": reply[i : i + 3]}}]}
        for i in range(0, len(reply), 3)
    ]
    sse = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
    out = restore_stream(CHAT, outcome.ledger, [sse[i : i + 7] for i in range(0, len(sse), 7)])
    assert (
        assemble(CHAT, out)[(0, "content")]
        == "Summary for Max Mustermann: account DE89370400440532013000, noted."
    )
    assert set(ORIGINALS) >= {"Max Mustermann"}


def test_needs_detection_tells_whether_any_text_is_new(real_gate: Gate) -> None:
    """Hosts run requests that detect nothing new in line; the answer must track the span cache exactly."""
    history = [{"role": "user", "content": "Bitte schreib Frau Henrike Kowalczyk-Brandt aus Lüneburg."}]
    body = json.dumps({"model": "m", "messages": history}).encode()

    def needs_detection(raw: bytes, gate: Gate = real_gate) -> bool:
        read = gate.read_request(CHAT, raw, "application/json")
        assert read is not None
        return gate.needs_detection(read)

    assert needs_detection(body)
    first = real_gate.process_request(CHAT, body)
    assert not needs_detection(body)
    assert real_gate.process_request(CHAT, body).body == first.body  # the cached answer is the same answer
    longer = [*history, {"role": "user", "content": "Und an Herrn Ottokar Wiesenthal-Prenzlow."}]
    assert needs_detection(json.dumps({"model": "m", "messages": longer}).encode())
    assert needs_detection(body, Gate(detector=RegexDetector()))  # a detector without a cache


def test_a_request_read_ahead_is_processed_as_if_read_by_process_request(real_gate: Gate) -> None:
    """The read is handed on instead of parsing twice; the outcome must not depend on who read the body."""
    message = {"role": "user", "content": "Max Mustermann, IBAN DE89370400440532013000"}
    body = json.dumps({"model": "m", "messages": [message]}).encode()
    read = real_gate.read_request(CHAT, body, "application/json", "identity")
    assert read is not None
    ahead = real_gate.process_request(CHAT, body, read=read)
    plain = real_gate.process_request(CHAT, body)
    assert ahead.body == plain.body and b"Max Mustermann" not in ahead.body
    assert dict(ahead.report.entities) == dict(plain.report.entities)


@pytest.mark.parametrize(
    ("raw", "content_type", "encoding"),
    [
        (b"{not json", "application/json", None),  # refused by process_request, which says why
        (b'{"model": "m"}', "text/plain", None),
        (b'{"model": "m", "messages": []}', "application/json", "br"),
        (b'{"model": "m", "messages": []}', "application/json", "gzip"),  # inflated off the event loop
    ],
)
def test_nothing_is_read_ahead_of_a_body_process_request_must_read_itself(
    real_gate: Gate, raw: bytes, content_type: str, encoding: str | None
) -> None:
    assert real_gate.read_request(CHAT, raw, content_type, encoding) is None
    assert real_gate.read_request(None, b'{"model": "m", "messages": []}') is None  # a path no format claims

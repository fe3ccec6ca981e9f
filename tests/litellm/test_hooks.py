"""The hooks in this process, for what the end-to-end tests cannot provoke: a detector that crashes in the
middle of a request, streams split at every byte, and the objects LiteLLM keeps for its logging.

The gate gets a detector that finds fixed names, so these tests need no spaCy model.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litellm.caching import DualCache
from litellm.litellm_core_utils.served_output_texts import SERVED_OUTPUT_TEXTS_KEY
from litellm.proxy._types import UserAPIKeyAuth
from litellm.types.utils import ModelResponse, ModelResponseStream

from litellm_hooks import MaskgateGuardrail, gates, state
from litellm_hooks.log_hygiene import WITHHELD, ServedTextsMasked
from litellm_hooks.refusals import Refusal
from maskgate import Gate, Ledger, Policy, telemetry
from maskgate.entities import Entity
from tests.litellm.conversations import PERSON

ASK = f"Please write to {PERSON} today."


class NamesDetector:
    """Finds the test's person by name: enough to issue tokens without loading a model."""

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        return [Entity("PERSON", m.start(), m.end(), 1.0) for m in re.finditer(re.escape(PERSON), text)]


class CrashingDetector:
    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        raise RuntimeError(f"analyzer crashed on {text!r}")  # the message quotes the request, as real ones do


def unbuildable_gate(policy: Policy) -> Gate:
    raise OSError("the spaCy model cannot be loaded")


@pytest.fixture
def guardrail(monkeypatch: pytest.MonkeyPatch) -> MaskgateGuardrail:
    monkeypatch.delenv("MASKGATE_POLICY", raising=False)
    monkeypatch.delenv("MASKGATE_MODE", raising=False)
    monkeypatch.setitem(gates._gates, None, Gate(Policy(), detector=NamesDetector()))
    return MaskgateGuardrail()


def chat_request(text: str = ASK) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": text}], "metadata": {},
            "litellm_call_id": "c"}


async def pre_call(guardrail: MaskgateGuardrail, data: dict[str, Any],
                   call_type: str = "acompletion") -> None:
    await guardrail.async_pre_call_hook(UserAPIKeyAuth(), DualCache(), data, call_type)


async def restore_stream(guardrail: MaskgateGuardrail, items: list[Any], data: dict[str, Any]) -> list[Any]:
    hook = guardrail.async_post_call_streaming_iterator_hook(UserAPIKeyAuth(), upstream(items), data)
    return [item async for item in hook]


def chunk(content: str | None, finish: str | None = None) -> ModelResponseStream:
    delta = {} if content is None else {"content": content}
    return ModelResponseStream(id="c", created=1, model="m", object="chat.completion.chunk",
                               choices=[{"index": 0, "delta": delta, "finish_reason": finish}])


async def upstream(items: list[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


async def test_masks_in_place_and_keeps_the_ledger_in_the_metadata_bucket(
        guardrail: MaskgateGuardrail) -> None:
    data = chat_request()
    await pre_call(guardrail, data)
    assert data["messages"][0]["content"] == "Please write to <<PERSON_1>> today."
    assert set(data) == {"model", "messages", "metadata", "litellm_call_id"}  # no new top-level key
    slot = state.slot_of(data)
    assert slot is not None and slot.ledger.value_of("<<PERSON_1>>") == PERSON


async def test_the_ledger_never_serialises(guardrail: MaskgateGuardrail) -> None:
    data = chat_request()
    await pre_call(guardrail, data)
    bucket = data["metadata"]
    renderings = [repr(bucket), str(bucket), json.dumps(bucket), pickle.dumps(bucket).decode("latin-1"),
                  ModelResponse(id="x", choices=[], metadata=bucket).model_dump_json()]
    assert all(PERSON not in rendering for rendering in renderings)
    assert state.slot_of(copy.deepcopy(data)) is state.slot_of(data)  # shared, not copied


async def test_a_crashing_detector_fails_closed(guardrail: MaskgateGuardrail,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(gates._gates, None, Gate(Policy(), detector=CrashingDetector()))
    data = chat_request()
    with pytest.raises(Refusal) as refused:
        await pre_call(guardrail, data)
    assert refused.value.status_code == 500
    assert PERSON not in refused.value.message
    assert data["messages"][0]["content"] == WITHHELD  # what the failure logging will see


async def test_a_gate_that_cannot_be_built_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MASKGATE_POLICY", raising=False)
    monkeypatch.setattr(gates, "_gates", {})
    monkeypatch.setattr(gates, "Gate", unbuildable_gate)
    data = {"model": "m", "prompt": ASK, "metadata": {}}
    with pytest.raises(Refusal) as refused:
        await pre_call(MaskgateGuardrail(), data, "atext_completion")
    assert "masking is unavailable" in refused.value.message
    assert refused.value.__context__ is None  # the failure's message (it may quote text) is not chained
    assert data["prompt"] == WITHHELD


async def test_non_streamed_answer_is_restored_into_a_new_object(guardrail: MaskgateGuardrail) -> None:
    data = chat_request()
    await pre_call(guardrail, data)
    answer = ModelResponse(id="x", model="m", choices=[{"index": 0, "finish_reason": "stop", "message": {
        "role": "assistant", "content": "Dear <<PERSON_1>>,"}}])
    answer._hidden_params = {"model_id": "deployment-1"}
    restored = await guardrail.async_post_call_success_hook(data, UserAPIKeyAuth(), answer)
    assert restored.choices[0].message.content == f"Dear {PERSON},"
    assert restored._hidden_params == {"model_id": "deployment-1"}
    assert answer.choices[0].message.content == "Dear <<PERSON_1>>,"  # LiteLLM logs this one


async def test_chat_chunks_are_restored_without_touching_the_upstream_chunks(
        guardrail: MaskgateGuardrail) -> None:
    data = chat_request()
    await pre_call(guardrail, data)
    text = "Hi <<PERSON_1>>, bye <<PERSON_1>>"
    chunks = [chunk(text[i:i + 3]) for i in range(0, len(text), 3)] + [chunk(None, "stop")]
    before = [c.model_dump_json() for c in chunks]
    out = await restore_stream(guardrail, chunks, data)
    assert "".join(c.choices[0].delta.content or "" for c in out) == f"Hi {PERSON}, bye {PERSON}"
    assert [c.model_dump_json() for c in chunks] == before


async def test_anthropic_bytes_split_anywhere_restore_the_same(guardrail: MaskgateGuardrail) -> None:
    data = {"model": "m", "messages": [{"role": "user", "content": ASK}], "litellm_metadata": {},
            "max_tokens": 9}
    await pre_call(guardrail, data, "anthropic_messages")
    events = [
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Dear <<PERS"}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ON_1>>!"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_stop"},
    ]
    stream = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
    outputs = set()
    for cut in range(0, len(stream), 7):
        pieces = [stream[:cut], stream[cut:]]
        out = await restore_stream(guardrail, pieces, data)
        outputs.add(b"".join(out))
    assert len(outputs) == 1
    restored = outputs.pop().decode()
    assert PERSON not in stream.decode() and "Dear " in restored
    texts = [json.loads(line[6:])["delta"]["text"] for line in restored.splitlines()
             if line.startswith("data: ") and "text_delta" in line]
    assert "".join(texts) == f"Dear {PERSON}!"


def test_served_texts_are_recorded_with_placeholders() -> None:
    """What the proxy records as served to the client (restored) is stored masked, in the one assignment
    the proxy makes: no logging callback or logging payload built afterwards can see the originals."""
    ledger = Ledger()
    token = ledger.issue("PERSON", PERSON)
    details = ServedTextsMasked({"model": "m"}, ledger)
    details[SERVED_OUTPUT_TEXTS_KEY] = (f"Dear {PERSON}, " + json.dumps({"note": PERSON}), None)
    assert details[SERVED_OUTPUT_TEXTS_KEY] == (f'Dear {token}, {{"note": "{token}"}}', None)
    assert copy.deepcopy(details) == details


async def test_route_mode_sends_personal_data_to_the_alternate_model(guardrail: MaskgateGuardrail) -> None:
    routing = MaskgateGuardrail(maskgate_mode="route", sensitive_data_route_to_model="local-llama")
    data = chat_request()
    await pre_call(routing, data)
    assert data["model"] == "local-llama"
    assert data["messages"][0]["content"] == ASK  # not masked: it stays in-house
    clean = chat_request("What is two plus two?")
    await pre_call(routing, clean)
    assert clean["model"] == "m"


async def test_route_mode_without_an_alternate_fails_closed(guardrail: MaskgateGuardrail) -> None:
    data = chat_request()
    with pytest.raises(Refusal):
        await pre_call(MaskgateGuardrail(maskgate_mode="route"), data)
    assert data["messages"][0]["content"] == WITHHELD


async def test_sse_text_chunks_are_restored_as_text(guardrail: MaskgateGuardrail) -> None:
    data = {"model": "m", "messages": [{"role": "user", "content": ASK}], "litellm_metadata": {},
            "max_tokens": 9}
    await pre_call(guardrail, data, "anthropic_messages")
    event = {"type": "content_block_delta", "index": 0,
             "delta": {"type": "text_delta", "text": "Grüße an <<PERSON_1>>"}}
    stream = f"event: content_block_delta\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
    cut = stream.index("PERSON")
    out = await restore_stream(guardrail, [stream[:cut], stream[cut:]], data)
    assert all(isinstance(piece, str) for piece in out)
    assert f"Grüße an {PERSON}" in "".join(out)


def test_the_guardrail_sets_up_telemetry_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(telemetry, "configure_from_env", lambda: calls.append("configured"))
    MaskgateGuardrail()
    assert calls == ["configured"]

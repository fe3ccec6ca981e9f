"""A PII-rich conversation in every API format, the provider's answers to it, and the values to look for.

The answers echo the tokens the Gate issued for the request (exactly, drifted, and one it never issued), so
restoring has real work to do and every restore count is non-zero.
"""

from __future__ import annotations

import json
import re
from typing import Any

from maskgate import ApiFormat, Ledger
from maskgate.entities import Entity

SYSTEM = "You are the assistant of Max Mustermann at Beispiel GmbH."
USER = (
    "Please write to Erika Musterfrau, Hauptstraße 12, 10115 Berlin. Her e-mail is "
    "erika.musterfrau@example.org, phone +49 30 12345678. Transfer the deposit from IBAN "
    "DE89370400440532013000 and use the key sk-proj-4fX9kLm2QpR7sT1vW3yZ5bN8cD0eF6gHaB2c to call the API. "
    "Also cc Jürgen Weiß (juergen.weiss@firma.de)."
)
EARLIER_ANSWER = "Sure, I will write to Erika Musterfrau."

ORIGINALS = {
    "PERSON": ("Max Mustermann", "Erika Musterfrau", "Jürgen Weiß"),
    "LOCATION": ("Hauptstraße 12, 10115 Berlin",),
    "EMAIL_ADDRESS": ("erika.musterfrau@example.org", "juergen.weiss@firma.de"),
    "PHONE_NUMBER": ("+49 30 12345678",),
    "IBAN_CODE": ("DE89370400440532013000",),
    "OPENAI_API_KEY": ("sk-proj-4fX9kLm2QpR7sT1vW3yZ5bN8cD0eF6gHaB2c",),
}
VALUES = tuple(value for values in ORIGINALS.values() for value in values)
# Parts that identify a value on their own: a surname, a street, a local part, the key without its prefix.
FRAGMENTS = (
    "Mustermann", "Musterfrau", "Jürgen", "Weiß", "Hauptstraße", "erika.musterfrau", "juergen.weiss",
    "370400440532013000", "4fX9kLm2QpR7sT1vW3yZ5bN8cD0eF6gHaB2c",
)  # (no short digit runs: trace and span ids are hex strings that may contain any of them by chance)

FORMATS = (
    ApiFormat.OPENAI_CHAT,
    ApiFormat.OPENAI_RESPONSES,
    ApiFormat.ANTHROPIC_MESSAGES,
    ApiFormat.COMPLETIONS,
    ApiFormat.EMBEDDINGS,
)
STREAMED_FORMATS = FORMATS[:4]


def request(fmt: ApiFormat) -> dict[str, Any]:
    if fmt is ApiFormat.OPENAI_CHAT:
        return {"model": "gpt-4o", "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": USER},
            {"role": "assistant", "content": EARLIER_ANSWER},
            {"role": "user", "content": "Thanks. Sign it as Max Mustermann."},
        ]}
    if fmt is ApiFormat.OPENAI_RESPONSES:
        return {"model": "gpt-4o", "instructions": SYSTEM,
                "input": [{"role": "user", "content": [{"type": "input_text", "text": USER}]}]}
    if fmt is ApiFormat.ANTHROPIC_MESSAGES:
        return {"model": "claude-sonnet-4", "max_tokens": 256, "system": SYSTEM,
                "messages": [{"role": "user", "content": [{"type": "text", "text": USER}]}]}
    if fmt is ApiFormat.COMPLETIONS:
        return {"model": "gpt-3.5-turbo-instruct", "prompt": f"{SYSTEM}\n{USER}"}
    return {"model": "text-embedding-3-small", "input": [SYSTEM, USER]}


def answer_text(ledger: Ledger | bytes | str) -> str:
    """Every token issued (by ``ledger``, or as seen in a masked body), one drifted copy (repaired) and one
    token never issued (unrestored)."""
    if isinstance(ledger, Ledger):
        tokens = ledger.tokens()
    else:
        text = ledger.decode() if isinstance(ledger, bytes) else ledger
        tokens = list(dict.fromkeys(re.findall(r"<<[A-Z_]+_[0-9]+>>", text)))
    return f"Done: {', '.join(tokens)}; signed {{{{PERSON_1}}}}, not <<PERSON_99>>."


def response(fmt: ApiFormat, text: str) -> dict[str, Any]:
    if fmt is ApiFormat.OPENAI_CHAT:
        return {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o", "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
    if fmt is ApiFormat.OPENAI_RESPONSES:
        return {"id": "resp_1", "object": "response", "status": "completed", "output": [
            {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
             "content": [{"type": "output_text", "text": text, "annotations": []}]}]}
    if fmt is ApiFormat.ANTHROPIC_MESSAGES:
        return {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4",
                "content": [{"type": "text", "text": text}], "stop_reason": "end_turn"}
    if fmt is ApiFormat.COMPLETIONS:
        return {"id": "cmpl-1", "object": "text_completion", "choices": [
            {"index": 0, "text": text, "finish_reason": "stop"}]}
    return {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.1, 0.2]}]}


def stream_events(fmt: ApiFormat, text: str, size: int = 7) -> list[dict[str, Any]]:
    """The answer streamed in pieces of ``size`` characters (tokens split across events)."""
    pieces = [text[i:i + size] for i in range(0, len(text), size)]
    if fmt is ApiFormat.OPENAI_CHAT:
        chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-4o"}
        end = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        return [{**chunk, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
                for p in pieces] + [end]
    if fmt is ApiFormat.OPENAI_RESPONSES:
        common = {"item_id": "msg_1", "output_index": 0, "content_index": 0}
        events = [{"type": "response.output_text.delta", "sequence_number": i + 1, **common, "delta": p}
                  for i, p in enumerate(pieces)]
        return [*events, {"type": "response.output_text.done", "sequence_number": len(pieces) + 1, **common,
                          "text": text}]
    if fmt is ApiFormat.ANTHROPIC_MESSAGES:
        return [{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
                  for p in pieces),
                {"type": "content_block_stop", "index": 0},
                {"type": "message_stop"}]
    completion = {"id": "cmpl-1", "object": "text_completion"}
    return [{**completion, "choices": [{"index": 0, "text": p}]} for p in pieces]


def sse(fmt: ApiFormat, events: list[dict[str, Any]]) -> list[bytes]:
    """The events as the provider writes them, one network chunk each; OpenAI-style streams end in [DONE]."""
    named = fmt in (ApiFormat.OPENAI_RESPONSES, ApiFormat.ANTHROPIC_MESSAGES)
    chunks = [(f"event: {e['type']}\n" if named else "") + f"data: {json.dumps(e)}\n\n" for e in events]
    if not named:
        chunks.append("data: [DONE]\n\n")
    return [chunk.encode() for chunk in chunks]


class ValueDetector:
    """Finds exactly the given values (deterministic, no model): for tests about the Gate's telemetry rather
    than about detection. Optionally counts cache hits as the production detector's ``cache_hits`` does:
    a text seen before is a hit."""

    def __init__(self, values: dict[str, tuple[str, ...]] = ORIGINALS, fail_with: str | None = None) -> None:
        self.values = values
        self.fail_with = fail_with
        self.seen: set[str] = set()
        self.hits = 0

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        if self.fail_with is not None:
            raise RuntimeError(self.fail_with)
        if text in self.seen:
            self.hits += 1
        self.seen.add(text)
        found = []
        for entity_type, values in self.values.items():
            for value in values:
                start = text.find(value)
                while start >= 0:
                    found.append(Entity(entity_type, start, start + len(value), 1.0))
                    start = text.find(value, start + len(value))
        return sorted(found, key=lambda e: e.start)

    def cache_hits(self) -> int:
        return self.hits

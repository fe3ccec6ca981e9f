"""Helpers for the wire-format tests: fixtures, the ledger they were written against, and a client's view of
a restored stream (what an SDK assembles from the events), parsed independently of ``maskgate.sse``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from maskgate import ApiFormat, Gate, Ledger, Policy, StreamRestorer
from maskgate.restoring import RestoreStats, restore_text
from tests.core.conftest import RegexDetector

FIXTURES = Path(__file__).parent / "fixtures"

# The values behind the tokens the response fixtures use, in issue order.
VALUES = {
    "<<PERSON_1>>": "Max Mustermann",
    "<<PERSON_2>>": "Anna Schmidt",
    "<<EMAIL_ADDRESS_1>>": "max@example.com",
    "<<EMAIL_ADDRESS_2>>": "anna.schmidt@firma.de",
    "<<IBAN_CODE_1>>": "DE89370400440532013000",
    "<<PHONE_NUMBER_1>>": "+49 151 23456789",
}
ORIGINALS = tuple(VALUES.values())


def fixture_ledger() -> Ledger:
    ledger = Ledger()
    for token, value in VALUES.items():
        issued = ledger.issue(token[2:-2].rsplit("_", 1)[0], value)
        assert issued == token
    return ledger


def load_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_gate() -> Gate:
    return Gate(Policy(), detector=RegexDetector())


def whole(text: str, ledger: Ledger, json_escape: bool = False) -> str:
    """The whole-text restore a streamed field must add up to."""
    return restore_text(text, ledger, RestoreStats(), json_escape=json_escape)


def restore_stream(fmt: ApiFormat, ledger: Ledger, chunks: list[bytes]) -> bytes:
    restorer = StreamRestorer(fmt, ledger)
    return b"".join(restorer.feed(chunk) for chunk in chunks) + restorer.finish()


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(max(c, 0), len(data)) for c in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


def sse_events(stream: bytes) -> list[tuple[str | None, Any]]:
    """(event name, parsed data) per event; ``[DONE]`` as the string."""
    events = []
    for block in stream.decode("utf-8").replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            text = "\n".join(data)
            events.append((name, text if text == "[DONE]" else json.loads(text)))
    return events


def assemble(fmt: ApiFormat, stream: bytes) -> dict[tuple[Any, ...], str]:
    """The texts a client assembles from a stream, keyed by field."""
    texts: dict[tuple[Any, ...], str] = defaultdict(str)
    for _, event in sse_events(stream):
        if not isinstance(event, dict):
            continue
        if fmt in (ApiFormat.OPENAI_CHAT, ApiFormat.COMPLETIONS):
            for choice in event.get("choices") or []:
                index = choice.get("index")
                if fmt is ApiFormat.COMPLETIONS:
                    texts[(index, "text")] += choice.get("text") or ""
                    continue
                delta = choice.get("delta") or {}
                for name in ("content", "refusal"):
                    texts[(index, name)] += delta.get(name) or ""
                for call in delta.get("tool_calls") or []:
                    texts[(index, "tool", call["index"])] += (call.get("function") or {}).get(
                        "arguments"
                    ) or ""
        elif fmt is ApiFormat.OPENAI_RESPONSES:
            kind = event.get("type", "")
            if kind == "response.output_text.delta":
                texts[(event["output_index"], event["content_index"], "text")] += event["delta"]
            elif kind == "response.function_call_arguments.delta":
                texts[(event["output_index"], "arguments")] += event["delta"]
        elif fmt is ApiFormat.ANTHROPIC_MESSAGES and event.get("type") == "content_block_delta":
            delta = event["delta"]
            for name in ("text", "partial_json", "thinking", "signature"):
                if name in delta:
                    texts[(event["index"], name)] += delta[name]
    return {key: text for key, text in texts.items() if text}


def originals_in(data: bytes) -> list[str]:
    """Original values present in ``data``, raw or JSON-escaped."""
    found = []
    for value in ORIGINALS:
        forms = {value, json.dumps(value)[1:-1], json.dumps(json.dumps(value))[3:-3]}
        if any(form.encode("utf-8") in data for form in forms):
            found.append(value)
    return found

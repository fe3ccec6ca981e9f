"""The personal data the LiteLLM tests send, and the checks every exchange must pass.

The mock provider echoes what it is sent ("You said: ..."), so one exchange proves both directions: the
provider saw placeholders, never an original, and the client got its originals back. The values are ones the
detector reliably finds in these sentences; a change that stops detecting them fails the tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

from examples.mock_provider import RecordedRequest

PERSON = "Max Mustermann"
OTHER_PERSON = "Erika Musterfrau"
PHONE = "+49 151 23456789"
IBAN = "DE89370400440532013000"
ORIGINALS = (PERSON, OTHER_PERSON, PHONE, IBAN)

ASK = f"Please call {PERSON} at {PHONE} about the invoice."
ASK_OTHER = f"Also tell {OTHER_PERSON} that the transfer went to {IBAN}."

TOKEN = re.compile(r"<<[A-Z_]+_\d+>>")

NOTE_SCHEMA = {
    "type": "object",
    "properties": {"note": {"type": "string", "description": "what to write down"}},
    "required": ["note"],
}
CHAT_TOOLS = [{"type": "function", "function": {"name": "take_note", "description": "Write a note.",
                                                 "parameters": NOTE_SCHEMA}}]
RESPONSES_TOOLS = [{"type": "function", "name": "take_note", "description": "Write a note.",
                    "parameters": NOTE_SCHEMA}]
ANTHROPIC_TOOLS = [{"name": "take_note", "description": "Write a note.", "input_schema": NOTE_SCHEMA}]


def sent_text(request: RecordedRequest) -> str:
    """The request body as the provider received it, JSON escapes undone, so a value is found however the
    gateway serialised it."""
    return json.dumps(request.json(), ensure_ascii=False)


def assert_no_originals(text: str, originals: tuple[str, ...] = ORIGINALS) -> None:
    leaked = [value for value in originals if value in text]
    assert not leaked, f"original values leaked: {leaked}"


def assert_masked(request: RecordedRequest, originals: tuple[str, ...] = ORIGINALS) -> str:
    """The provider's copy holds no original, at least one placeholder and nothing of the ledger; returns it
    for further checks."""
    text = sent_text(request)
    assert_no_originals(text, originals)
    assert TOKEN.search(text), "the provider received no placeholder at all"
    assert "maskgate ledger" not in text, "the ledger's slot was sent to the provider"
    return text


def assert_restored(text: str, *expected: str) -> None:
    """The client's text holds every expected original and no placeholder (restored, not re-masked)."""
    missing = [value for value in expected if value not in text]
    assert not missing, f"not restored: {missing} in {text!r}"
    assert not TOKEN.search(text), f"placeholder left in the client's answer: {text!r}"
    assert "<<" not in text, f"a split placeholder leaked: {text!r}"


def chat_history_with_tool_call() -> list[dict[str, Any]]:
    """A chat whose history carries personal data in a tool call's arguments and in the tool's result."""
    return [
        {"role": "user", "content": ASK},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "take_note", "arguments": json.dumps({"note": f"call {PERSON}"})}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": f"Noted: {PERSON} can be reached at {PHONE}."},
    ]

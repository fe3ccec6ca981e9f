"""The official anthropic SDK through the real Envoy and ``maskgate extproc``."""

from __future__ import annotations

import time

import anthropic
import pytest

from tests.extproc.conftest import IBAN, NAME, PHONE, PROMPT, assert_provider_saw_no_originals

pytestmark = pytest.mark.e2e

TOOL = {
    "name": "lookup_customer",
    "description": "Find a customer record",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}


def test_message_is_masked_upstream_and_restored(anthropic_client, provider):
    raw = anthropic_client.messages.with_raw_response.create(
        model="claude-test",
        max_tokens=256,
        system=f"The customer is {NAME}.",
        messages=[{"role": "user", "content": PROMPT}],
    )
    message = raw.parse()
    assert message.content[0].text == f"You said: {PROMPT}"
    assert raw.headers["x-maskgate-pii-detected"] == "true"
    assert_provider_saw_no_originals(provider)


def test_streamed_message_is_restored_and_incremental(anthropic_client, provider):
    texts, first_text_at = [], None
    with anthropic_client.messages.stream(
        model="claude-test",
        max_tokens=256,
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers={"x-mock-delay-ms": "15", "x-mock-chunk-size": "3"},
    ) as stream:
        for text in stream.text_stream:
            first_text_at = first_text_at or time.monotonic()
            texts.append(text)
        final = stream.get_final_message()
    assert "".join(texts) == f"You said: {PROMPT}"
    assert final.content[0].text == f"You said: {PROMPT}"
    assert first_text_at is not None and first_text_at < provider.requests[-1].events_sent_at[-1]
    assert_provider_saw_no_originals(provider)


def test_tool_use_input_is_restored(anthropic_client, provider):
    message = anthropic_client.messages.create(
        model="claude-test", max_tokens=256, messages=[{"role": "user", "content": PROMPT}], tools=[TOOL]
    )
    block = message.content[0]
    assert message.stop_reason == "tool_use"
    assert block.type == "tool_use" and block.input == {"query": PROMPT}
    assert_provider_saw_no_originals(provider)


def test_streamed_tool_use_input_json_deltas_are_restored(anthropic_client, provider):
    with anthropic_client.messages.stream(
        model="claude-test",
        max_tokens=256,
        messages=[{"role": "user", "content": PROMPT}],
        tools=[TOOL],
        extra_headers={"x-mock-chunk-size": "2"},
    ) as stream:
        final = stream.get_final_message()
    assert final.content[0].input == {"query": PROMPT}
    assert_provider_saw_no_originals(provider)


def test_tool_result_is_masked_and_the_answer_restored(anthropic_client, provider):
    messages = [
        {"role": "user", "content": f"Look up {NAME}."},
        {
            "role": "assistant",
            "content": [
                {"type": "tool_use", "id": "toolu_1", "name": "lookup_customer", "input": {"query": NAME}}
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": f"IBAN {IBAN}, phone {PHONE}"}
            ],
        },
    ]
    message = anthropic_client.messages.create(
        model="claude-test", max_tokens=256, messages=messages, tools=[TOOL]
    )
    assert message.content[0].text == f"Tool said: IBAN {IBAN}, phone {PHONE}"
    assert_provider_saw_no_originals(provider)


def test_signed_thinking_blocks_pass_untouched_in_both_directions(anthropic_client, provider):
    """Thinking is provider-signed: it comes back with placeholders as the provider wrote it, and the next
    turn sends it back byte for byte (the mock, like Anthropic, refuses a block that no longer matches)."""
    with anthropic_client.messages.stream(
        model="claude-test",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": PROMPT}],
    ) as stream:
        first = stream.get_final_message()
    thinking, answer = first.content
    assert thinking.type == "thinking" and "<<PERSON_" in thinking.thinking and NAME not in thinking.thinking
    assert answer.text == f"You said: {PROMPT}"

    second = anthropic_client.messages.create(
        model="claude-test",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[
            {"role": "user", "content": PROMPT},
            {"role": "assistant", "content": [thinking.model_dump(), {"type": "text", "text": answer.text}]},
            {"role": "user", "content": f"Thanks. Also call {NAME}."},
        ],
    )
    assert second.content[-1].text == f"You said: Thanks. Also call {NAME}."
    assert_provider_saw_no_originals(provider)


def test_anthropic_error_format_is_restored(anthropic_client, provider):
    with pytest.raises(anthropic.InternalServerError) as raised:
        anthropic_client.messages.create(
            model="claude-test",
            max_tokens=64,
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={"x-mock-status": "500"},
        )
    assert raised.value.body["error"]["message"] == f"Mock provider error 500 for input: {PROMPT}"
    assert_provider_saw_no_originals(provider)

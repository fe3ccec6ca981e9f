"""The official openai SDK through the real Envoy and ``maskgate extproc``: the provider sees placeholders
only, the client gets its originals back, in every API shape and streamed or not."""

from __future__ import annotations

import json
import time

import openai
import pytest

from tests.extproc.conftest import (
    IBAN,
    NAME,
    ORIGINALS,
    PHONE,
    PROMPT,
    assert_provider_saw_no_originals,
)

pytestmark = pytest.mark.e2e

LOOKUP_TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_customer",
        "description": "Find a customer record",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}


def test_chat_completion_is_masked_upstream_and_restored_for_the_client(openai_client, provider):
    raw = openai_client.chat.completions.with_raw_response.create(
        model="gpt-test",
        messages=[{"role": "system", "content": "You are terse."}, {"role": "user", "content": PROMPT}],
    )
    completion = raw.parse()

    assert completion.choices[0].message.content == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)
    assert raw.headers["x-maskgate-pii-detected"] == "true"
    assert raw.headers["x-maskgate-mode"] == "mask"
    assert {"PERSON", "IBAN_CODE", "PHONE_NUMBER"} <= set(raw.headers["x-maskgate-entities"].split(","))
    assert raw.headers["x-maskgate-unrestored"] == "0"
    assert int(raw.headers["x-maskgate-pii-masked"]) >= 3
    assert int(raw.headers["content-length"]) == len(raw.http_response.content)


def test_streamed_chat_is_restored_chunk_by_chunk_and_arrives_incrementally(openai_client, provider):
    stream = openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-mock-delay-ms": "15", "x-mock-chunk-size": "3"},
    )
    pieces, first_text_at = [], None
    usage = None
    for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        for choice in chunk.choices:
            if choice.delta.content:
                first_text_at = first_text_at or time.monotonic()
                pieces.append(choice.delta.content)

    assert "".join(pieces) == f"You said: {PROMPT}"
    assert usage is not None and usage.total_tokens > 0
    assert_provider_saw_no_originals(provider)
    sent = provider.requests[-1].events_sent_at
    # The client had restored text while the provider was still sending (15 ms before each of ~40 events).
    assert first_text_at is not None and first_text_at < sent[-1]
    assert len(pieces) > 5  # passed on in pieces, not as one buffered block


def test_several_choices_are_all_restored(openai_client, provider):
    completion = openai_client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": PROMPT}], n=3
    )
    assert [c.message.content for c in completion.choices] == [f"You said: {PROMPT}"] * 3
    assert_provider_saw_no_originals(provider)


def test_tool_call_arguments_are_restored(openai_client, provider):
    completion = openai_client.chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": PROMPT}], tools=[LOOKUP_TOOL]
    )
    call = completion.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup_customer"
    assert json.loads(call.function.arguments) == {"query": PROMPT}
    assert_provider_saw_no_originals(provider)


def test_streamed_tool_call_arguments_are_restored(openai_client, provider):
    stream = openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        tools=[LOOKUP_TOOL],
        stream=True,
        extra_headers={"x-mock-chunk-size": "2"},
    )
    arguments = "".join(
        call.function.arguments or ""
        for chunk in stream
        for choice in chunk.choices
        for call in choice.delta.tool_calls or []
    )
    assert json.loads(arguments) == {"query": PROMPT}
    assert_provider_saw_no_originals(provider)


def test_tool_result_turn_is_masked_and_the_answer_restored(openai_client, provider):
    messages = [
        {"role": "user", "content": f"Look up {NAME}."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_customer", "arguments": json.dumps({"query": NAME})},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"{NAME}: IBAN {IBAN}, phone {PHONE}"},
    ]
    completion = openai_client.chat.completions.create(
        model="gpt-test", messages=messages, tools=[LOOKUP_TOOL]
    )
    assert completion.choices[0].message.content == f"Tool said: {NAME}: IBAN {IBAN}, phone {PHONE}"
    assert_provider_saw_no_originals(provider)
    sent = provider.requests[-1].json()["messages"]
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"])["query"].startswith("<<PERSON_")


def test_responses_api(openai_client, provider):
    response = openai_client.responses.create(model="gpt-test", input=PROMPT, instructions="Be brief.")
    assert response.output_text == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)


def test_streamed_responses_api_events_are_restored(openai_client, provider):
    deltas = []
    with openai_client.responses.stream(
        model="gpt-test",
        input=[{"role": "user", "content": [{"type": "input_text", "text": PROMPT}]}],
        extra_headers={"x-mock-chunk-size": "3"},
    ) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = stream.get_final_response()
    assert "".join(deltas) == f"You said: {PROMPT}"
    assert final.output_text == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)


def test_responses_api_function_call_is_restored(openai_client, provider):
    tool = {
        "type": "function",
        "name": "lookup_customer",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    }
    with openai_client.responses.stream(model="gpt-test", input=PROMPT, tools=[tool]) as stream:
        final = stream.get_final_response()
    call = final.output[0]
    assert call.type == "function_call"
    assert json.loads(call.arguments) == {"query": PROMPT}
    assert_provider_saw_no_originals(provider)


def test_legacy_completions_and_embeddings(openai_client, provider):
    completion = openai_client.completions.create(model="gpt-test", prompt=PROMPT)
    assert completion.choices[0].text == f"You said: {PROMPT}"
    embedding = openai_client.embeddings.create(model="embed-test", input=[PROMPT, "no personal data here"])
    assert len(embedding.data) == 2
    assert_provider_saw_no_originals(provider, (NAME, IBAN))


def test_azure_deployment_path_with_api_version(envoy, provider):
    client = openai.AzureOpenAI(
        azure_endpoint=envoy.url,
        api_key="test-key",
        api_version="2024-10-21",
        azure_deployment="gpt-4o-prod",
        max_retries=0,
    )
    completion = client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": PROMPT}]
    )
    assert completion.choices[0].message.content == f"You said: {PROMPT}"
    assert provider.requests[-1].path == "/openai/deployments/gpt-4o-prod/chat/completions"
    assert provider.requests[-1].query == "api-version=2024-10-21"
    assert_provider_saw_no_originals(provider)


def test_provider_error_body_reaches_the_client_restored(openai_client, provider):
    with pytest.raises(openai.InternalServerError) as raised:
        openai_client.chat.completions.create(
            model="gpt-test",
            messages=[{"role": "user", "content": PROMPT}],
            extra_headers={"x-mock-status": "500"},
        )
    assert raised.value.status_code == 500
    assert raised.value.body["message"] == f"Mock provider error 500 for input: {PROMPT}"
    assert_provider_saw_no_originals(provider)


def test_client_cannot_switch_masking_off_with_a_header(openai_client, provider):
    """The mode comes from the route config (gRPC metadata); a client's x-maskgate-mode header is dropped."""
    completion = openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers={"x-maskgate-mode": "detect", "x-maskgate-route": "pii"},
    )
    assert completion.choices[0].message.content == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)
    assert "x-maskgate-mode" not in provider.requests[-1].headers
    assert "x-maskgate-route" not in provider.requests[-1].headers


def test_each_original_is_restored_in_a_multi_turn_history(openai_client, provider):
    messages = [
        {"role": "user", "content": f"My name is {NAME}."},
        {"role": "assistant", "content": f"Hello {NAME}!"},
        {"role": "user", "content": f"My IBAN is {IBAN} and my phone {PHONE}."},
    ]
    completion = openai_client.chat.completions.create(model="gpt-test", messages=messages)
    assert completion.choices[0].message.content == f"You said: My IBAN is {IBAN} and my phone {PHONE}."
    assert_provider_saw_no_originals(provider, ORIGINALS)
    history = provider.requests[-1].json()["messages"]
    assert history[0]["content"].split()[-1].rstrip(".") == history[1]["content"].split()[-1].rstrip("!")

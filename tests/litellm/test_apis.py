"""Every API LiteLLM serves, streamed and not, through both ways of enabling maskgate.

The provider must receive placeholders only; the client must get its originals back.
"""

from __future__ import annotations

import json

import pytest

from examples.mock_provider import MockProvider
from tests.litellm import sdk
from tests.litellm.conftest import CHAT_MODEL, CLAUDE_MODEL, EMBEDDING_MODEL, Gateway
from tests.litellm.conversations import (
    ANTHROPIC_TOOLS,
    ASK,
    CHAT_TOOLS,
    PERSON,
    PHONE,
    RESPONSES_TOOLS,
    TOKEN,
    assert_masked,
    assert_restored,
    chat_history_with_tool_call,
)

pytestmark = pytest.mark.e2e
STREAMED = pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])


@STREAMED
def test_chat(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.chat(gateway.openai, [{"role": "user", "content": ASK}], model=CHAT_MODEL, stream=stream)
    assert_masked(provider.requests[-1])
    assert_restored(reply.text, PERSON, PHONE)
    assert reply.text == f"You said: {ASK}"


@STREAMED
def test_completions(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.completion(gateway.openai, ASK, model=CHAT_MODEL, stream=stream)
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {ASK}"


def test_embeddings(gateway: Gateway, provider: MockProvider) -> None:
    reply = sdk.embedding(gateway.openai, [ASK, f"{PERSON} again"], model=EMBEDDING_MODEL)
    assert_masked(provider.requests[-1])
    assert len(reply.result.data) == 2


@STREAMED
def test_responses(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.responses(gateway.openai, ASK, model=CHAT_MODEL, stream=stream)
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {ASK}"


@STREAMED
def test_anthropic_messages(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.messages(gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                         stream=stream, system=f"You assist {PERSON}.")
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {ASK}"


# -- tool calls: masked on the way out, restored on the way back -------------------------------------------


@STREAMED
def test_chat_tool_call_arguments(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.chat(gateway.openai, [{"role": "user", "content": ASK}], model=CHAT_MODEL, stream=stream,
                     tools=CHAT_TOOLS)
    assert_masked(provider.requests[-1])
    assert len(reply.tool_arguments) == 1
    assert json.loads(reply.tool_arguments[0]) == {"note": ASK}


@STREAMED
def test_chat_tool_history(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    """Arguments of an earlier tool call and the tool's result are masked; the answer quoting them is not."""
    history = chat_history_with_tool_call()
    reply = sdk.chat(gateway.openai, history, model=CHAT_MODEL, stream=stream, tools=CHAT_TOOLS)
    sent = provider.requests[-1].json()["messages"]
    assert_masked(provider.requests[-1])
    assert TOKEN.search(sent[1]["tool_calls"][0]["function"]["arguments"])
    assert json.loads(sent[1]["tool_calls"][0]["function"]["arguments"]).keys() == {"note"}
    assert TOKEN.search(sent[2]["content"])
    assert reply.text == f"Tool said: {history[2]['content']}"


@STREAMED
def test_responses_function_call(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.responses(gateway.openai, ASK, model=CHAT_MODEL, stream=stream, tools=RESPONSES_TOOLS)
    assert_masked(provider.requests[-1])
    assert [json.loads(arguments) for arguments in reply.tool_arguments] == [{"note": ASK}]


@STREAMED
def test_responses_function_call_output(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    items = [
        {"role": "user", "content": ASK},
        {"type": "function_call", "call_id": "call_1", "name": "take_note",
         "arguments": json.dumps({"note": f"call {PERSON}"})},
        {"type": "function_call_output", "call_id": "call_1", "output": f"{PERSON} answers at {PHONE}"},
    ]
    reply = sdk.responses(gateway.openai, items, model=CHAT_MODEL, stream=stream, tools=RESPONSES_TOOLS)
    sent = provider.requests[-1].json()["input"]
    assert_masked(provider.requests[-1])
    assert TOKEN.search(sent[1]["arguments"]) and TOKEN.search(sent[2]["output"])
    assert reply.text == f"Tool said: {PERSON} answers at {PHONE}"


@STREAMED
def test_anthropic_tool_use(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.messages(gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                         stream=stream, tools=ANTHROPIC_TOOLS)
    assert_masked(provider.requests[-1])
    assert [json.loads(arguments) for arguments in reply.tool_arguments] == [{"note": ASK}]


@STREAMED
def test_anthropic_tool_result(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    conversation = [
        {"role": "user", "content": ASK},
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "take_note", "input": {"note": f"call {PERSON}"}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": f"{PERSON} answers at {PHONE}"}]},
    ]
    reply = sdk.messages(gateway.anthropic, conversation, model=CLAUDE_MODEL, stream=stream,
                         tools=ANTHROPIC_TOOLS)
    sent = provider.requests[-1].json()["messages"]
    assert_masked(provider.requests[-1])
    assert TOKEN.search(sent[1]["content"][0]["input"]["note"])
    assert reply.text == f"Tool said: {PERSON} answers at {PHONE}"


def test_both_styles_send_the_same(gateways: dict[str, Gateway], provider: MockProvider) -> None:
    """The guardrails entry and the callbacks instance forward byte-identical masked bodies."""
    sent = {}
    for style, gateway in gateways.items():
        provider.clear()
        sdk.chat(gateway.openai, chat_history_with_tool_call(), model=CHAT_MODEL, tools=CHAT_TOOLS)
        sent[style] = provider.requests[-1].json()["messages"]
    assert sent["guardrails"] == sent["callbacks"]


# -- LiteLLM translating between APIs: masked in the client's format, restored in it -----------------------


@STREAMED
def test_anthropic_messages_to_an_openai_model(gateway: Gateway, provider: MockProvider,
                                               stream: bool) -> None:
    reply = sdk.messages(gateway.anthropic, [{"role": "user", "content": ASK}], model=CHAT_MODEL,
                         stream=stream)
    assert provider.requests[-1].path.endswith(("/responses", "/chat/completions"))
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {ASK}"


@STREAMED
def test_chat_to_an_anthropic_model(gateway: Gateway, provider: MockProvider, stream: bool) -> None:
    reply = sdk.chat(gateway.openai, [{"role": "system", "content": f"You assist {PERSON}."},
                                      {"role": "user", "content": ASK}], model=CLAUDE_MODEL, stream=stream)
    assert provider.requests[-1].path.endswith("/messages")
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {ASK}"


def test_long_document(gateway: Gateway, provider: MockProvider) -> None:
    """A body over the inline limit is masked on a worker thread: same result."""
    document = "The quarterly figures were reviewed in detail. " * 1000 + ASK
    reply = sdk.chat(gateway.openai, [{"role": "user", "content": document}], model=CHAT_MODEL)
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: {document}"

"""Envoy and LiteLLM treat the same conversation the same way.

Each row of ``conversations.CONVERSATIONS`` is sent, with the official SDK and unchanged, through Envoy and
through both ways of enabling maskgate in the LiteLLM proxy (guardrail entry, callback instance). On every
path the provider must receive no original value, and the client must get back what the originals imply (the
mock echoes). Across paths the provider must receive the same masked text and the client the same restored
text. Only the text is compared, never whole bodies: LiteLLM rewrites the envelope (adds fields, renames the
model, re-serialises tool arguments), which is its business, not maskgate's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any

import anthropic
import openai
import pytest

from examples.mock_provider import Embeddings, MockProvider, Turn
from extproc.local import Envoy
from tests.extproc.conftest import assert_provider_saw_no_originals
from tests.litellm import sdk
from tests.litellm.conftest import CHAT_MODEL, CLAUDE_MODEL, EMBEDDING_MODEL, STYLES, Gateway
from tests.parity.conversations import CONVERSATIONS, Conversation

pytestmark = pytest.mark.e2e

# The LiteLLM proxy's model names, routed to the mock in the API the client used (``claude-sonnet-4`` is an
# ``anthropic/`` model, so ``/v1/messages`` reaches the mock as ``/v1/messages``). Envoy gets the same names.
MODELS = {"chat": CHAT_MODEL, "responses": CHAT_MODEL, "completions": CHAT_MODEL,
          "messages": CLAUDE_MODEL, "embeddings": EMBEDDING_MODEL}

ROWS = [pytest.param(conversation, stream, id=f"{conversation.name}-{'streamed' if stream else 'whole'}")
        for conversation in CONVERSATIONS for stream in conversation.streams]
THOUGHT = "The user wrote: "  # the mock's thinking, about the (masked) last user text it received


# -- one exchange ------------------------------------------------------------------------------------------
@dataclass
class Answer:
    """What the client got, reduced to its text."""

    texts: list[str] = field(default_factory=list)  # per choice
    arguments: list[Any] = field(default_factory=list)  # tool-call arguments, parsed
    thinking: list[str] = field(default_factory=list)
    vectors: list[list[float]] = field(default_factory=list)


@dataclass
class Exchange:
    """What one path did with a conversation: how it called the provider, with which text, and the answer."""

    api: str
    sent: list[tuple[str, Any]]
    answer: Answer


def send(conversation: Conversation, stream: bool, client: openai.OpenAI | anthropic.Anthropic) -> sdk.Reply:
    request, model = dict(conversation.request), MODELS[conversation.api]
    streaming: dict[str, Any] = {"stream": True} if stream else {}
    if conversation.api == "chat":
        return sdk.chat(client, model=model, **streaming, **request)
    if conversation.api == "responses":
        return sdk.responses(client, model=model, **streaming, **request)
    if conversation.api == "messages":
        return sdk.messages(client, model=model, **streaming, **request)
    if conversation.api == "completions":
        return sdk.completion(client, model=model, **streaming, **request)
    return sdk.embedding(client, request.pop("input"), model=model, **request)


def exchange(conversation: Conversation, stream: bool, client: openai.OpenAI | anthropic.Anthropic,
             provider: MockProvider) -> Exchange:
    provider.clear()
    reply = send(conversation, stream, client)
    assert_provider_saw_no_originals(provider, conversation.originals)
    [upstream] = provider.requests
    api, extract = next((api, extract) for suffix, api, extract in EXTRACTORS if upstream.path.endswith(suffix))
    return Exchange(api, extract(upstream.json()), answer(conversation.api, reply))


# -- the provider's side: the text in each API's request ---------------------------------------------------
def _parts(content: Any) -> list[str]:
    """A message content's texts: a plain string or the text of each typed part."""
    if isinstance(content, str):
        return [content]
    return [part["text"] for part in content or [] if part.get("type") in ("text", "input_text", "output_text")]


def _chat(body: dict[str, Any]) -> list[tuple[str, Any]]:
    texts: list[tuple[str, Any]] = []
    for message in body["messages"]:
        texts += [(message["role"], text) for text in _parts(message.get("content"))]
        texts += [("tool_call", json.loads(call["function"]["arguments"]))
                  for call in message.get("tool_calls") or []]
    return texts


def _responses(body: dict[str, Any]) -> list[tuple[str, Any]]:
    texts: list[tuple[str, Any]] = [("instructions", body["instructions"])] if body.get("instructions") else []
    items = body["input"]
    if isinstance(items, str):
        return [*texts, ("user", items)]
    for item in items:
        kind = item.get("type", "message")
        if kind == "message":
            texts += [(item["role"], text) for text in _parts(item["content"])]
        elif kind == "function_call":
            texts.append((kind, json.loads(item["arguments"])))
        elif kind == "function_call_output":
            texts.append((kind, item["output"]))
    return texts


def _messages(body: dict[str, Any]) -> list[tuple[str, Any]]:
    texts = [("system", text) for text in _parts(body.get("system"))]
    for message in body["messages"]:
        content = message["content"]
        texts += [(message["role"], text) for text in _parts(content)]
        for block in content if isinstance(content, list) else []:
            if block["type"] == "tool_use":
                texts.append(("tool_use", block["input"]))
            elif block["type"] == "tool_result":
                texts += [("tool_result", text) for text in _parts(block["content"])]
            elif block["type"] == "thinking":
                texts.append(("thinking", block["thinking"]))
    return texts


def _completions(body: dict[str, Any]) -> list[tuple[str, Any]]:
    """A prompt is the user's text: labelled so, it compares with a chat request that carries it."""
    prompt = body["prompt"]
    return [("user", text) for text in (prompt if isinstance(prompt, list) else [prompt])]


def _embeddings(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [("input", text) for text in body["input"]]


# By the path the provider was called on, longest suffix first (a host may translate between APIs).
EXTRACTORS: tuple[tuple[str, str, Callable[[dict[str, Any]], list[tuple[str, Any]]]], ...] = (
    ("/chat/completions", "chat", _chat),
    ("/responses", "responses", _responses),
    ("/messages", "messages", _messages),
    ("/completions", "completions", _completions),
    ("/embeddings", "embeddings", _embeddings),
)


# -- the client's side --------------------------------------------------------------------------------------
def chat_choices(reply: sdk.Reply) -> tuple[list[str], list[Any]]:
    """Every choice's text and tool-call arguments (``Reply.text`` runs interleaved choices together)."""
    texts: dict[int, str] = {}
    arguments: dict[int, str] = {}
    if reply.result is not None:
        for choice in reply.result.choices:
            texts[choice.index] = choice.message.content or ""
            for call in choice.message.tool_calls or []:
                arguments[choice.index] = arguments.get(choice.index, "") + call.function.arguments
    for _, chunk in reply.chunks:
        for choice in chunk.choices:
            texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
            for call in choice.delta.tool_calls or []:
                arguments[choice.index] = arguments.get(choice.index, "") + (call.function.arguments or "")
    return ([texts[i] for i in sorted(texts) if texts[i]],
            [json.loads(arguments[i]) for i in sorted(arguments)])


def answer(api: str, reply: sdk.Reply) -> Answer:
    if api == "chat":
        return Answer(*chat_choices(reply))
    if api == "embeddings":
        return Answer(vectors=[rounded(item.embedding) for item in reply.result.data])
    return Answer([reply.text] if reply.text else [], [json.loads(arguments) for arguments in reply.tool_arguments],
                  thinking_texts(reply) if api == "messages" else [])


def rounded(vector: list[float]) -> list[float]:
    """The SDK decodes base64 float32 vectors, LiteLLM may hand on floats: equal to five places."""
    return [round(x, 5) for x in vector]


def thinking_texts(reply: sdk.Reply) -> list[str]:
    """The answer's thinking: signed by the provider, so it reaches the client with placeholders."""
    if reply.result is not None:
        return [block.thinking for block in reply.result.content if block.type == "thinking"]
    deltas = [event.delta.thinking for _, event in reply.chunks
              if event.type == "content_block_delta" and event.delta.type == "thinking_delta"]
    return ["".join(deltas)] if deltas else []


# -- the test -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def envoy_clients(envoy: Envoy) -> dict[str, Any]:
    return {"openai": openai.OpenAI(base_url=envoy.url + "/v1", api_key="test-key", max_retries=0, timeout=60),
            "anthropic": anthropic.Anthropic(base_url=envoy.url, api_key="test-key", max_retries=0, timeout=60)}


def expected_answer(conversation: Conversation, sent: list[tuple[str, Any]]) -> Answer:
    """What the originals imply. Thinking and vectors are the provider's own work on the masked text: the
    thinking is signed and keeps its placeholders, the vectors are those of the masked inputs."""
    user_texts = [text for role, text in sent if role == "user"]
    inputs = [text for role, text in sent if role == "input"]
    return Answer(
        texts=[conversation.answer] * conversation.choices if conversation.answer else [],
        arguments=[conversation.arguments] * conversation.choices if conversation.arguments else [],
        thinking=[THOUGHT + user_texts[-1]] if "thinking" in conversation.request else [],
        vectors=[rounded(item["embedding"]) for item in Embeddings().answer({"input": inputs}, Turn(""))["data"]]
        if inputs else [],
    )


@pytest.mark.parametrize(("conversation", "stream"), ROWS)
def test_same_masked_text_upstream_and_same_restored_text_for_the_client(
    conversation: Conversation, stream: bool, provider: MockProvider, envoy_clients: dict[str, Any],
    gateways: dict[str, Gateway],
) -> None:
    sdk_name = "anthropic" if conversation.api == "messages" else "openai"
    clients = {"envoy": envoy_clients[sdk_name],
               **{f"litellm-{style}": getattr(gateways[style], sdk_name) for style in STYLES}}
    exchanges = {path: exchange(conversation, stream, client, provider) for path, client in clients.items()}

    for path, result in exchanges.items():
        upstream_api = conversation.api if path == "envoy" else conversation.litellm_api or conversation.api
        assert (path, result.api) == (path, upstream_api)
        assert (path, result.answer) == (path, expected_answer(conversation, result.sent))

    envoy_result = exchanges.pop("envoy")
    for path, result in exchanges.items():
        assert (path, result.sent) == (path, envoy_result.sent)
        assert (path, result.answer) == (path, envoy_result.answer)

"""Envoy and LiteLLM treat the same conversation the same way.

Each row of ``conversations.CONVERSATIONS`` is sent, with the official SDK and unchanged, through Envoy and
through both ways of enabling maskgate in the LiteLLM proxy (guardrail entry, callback instance). On every
path the provider must receive no original value and the client must get back what the originals imply (the
mock echoes); across paths the provider must receive the same masked text and the client the same answer.
Only text is compared, never whole bodies: LiteLLM rewrites the envelope (adds fields, renames the model,
re-serialises tool arguments), which is its business, not maskgate's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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

# The LiteLLM proxy's model names (examples/litellm/config.yaml), each reaching the mock in the client's API
# where LiteLLM allows it: ``claude-sonnet-4`` is an ``anthropic/`` model, so ``/v1/messages`` stays
# ``/v1/messages``. Envoy forwards whatever the name; it gets the same ones.
MODELS = {"chat": CHAT_MODEL, "responses": CHAT_MODEL, "completions": CHAT_MODEL,
          "messages": CLAUDE_MODEL, "embeddings": EMBEDDING_MODEL}
THOUGHT = "The user wrote: "  # the mock's thinking: about the last user text, as it received it

Texts = list[tuple[str, Any]]  # (role or field, text or parsed tool arguments), in request order


# -- the provider's side: the text of each API's request ---------------------------------------------------
def _parts(content: Any) -> list[str]:
    """A content's texts: a plain string, or the text of each typed part."""
    if isinstance(content, str):
        return [content]
    kinds = ("text", "input_text", "output_text")
    return [part["text"] for part in content or [] if part.get("type") in kinds]


def _chat(body: dict[str, Any]) -> Texts:
    texts: Texts = []
    for message in body["messages"]:
        texts += [(message["role"], text) for text in _parts(message.get("content"))]
        texts += [("tool_call", json.loads(call["function"]["arguments"]))
                  for call in message.get("tool_calls") or []]
    return texts


def _responses(body: dict[str, Any]) -> Texts:
    texts: Texts = [("instructions", body["instructions"])] if body.get("instructions") else []
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


def _messages(body: dict[str, Any]) -> Texts:
    texts: Texts = [("system", text) for text in _parts(body.get("system"))]
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


def _completions(body: dict[str, Any]) -> Texts:
    """A prompt is the user's text: labelled so, it compares with the chat request LiteLLM makes of it."""
    prompt = body["prompt"]
    return [("user", text) for text in (prompt if isinstance(prompt, list) else [prompt])]


def _embeddings(body: dict[str, Any]) -> Texts:
    return [("input", text) for text in body["input"]]


# Told by the path the provider was called on (a host may translate between APIs), longest suffix first.
EXTRACTORS: tuple[tuple[str, str, Callable[[dict[str, Any]], Texts]], ...] = (
    ("/chat/completions", "chat", _chat),
    ("/responses", "responses", _responses),
    ("/messages", "messages", _messages),
    ("/completions", "completions", _completions),
    ("/embeddings", "embeddings", _embeddings),
)


# -- the client's side ------------------------------------------------------------------------------------
@dataclass
class Answer:
    """What the client got, reduced to its text."""

    texts: list[str] = field(default_factory=list)  # one per choice
    arguments: list[Any] = field(default_factory=list)  # tool-call arguments, parsed
    thinking: list[str] = field(default_factory=list)
    vectors: list[list[float]] = field(default_factory=list)


def _chat_choices(reply: sdk.Reply) -> Answer:
    """Every choice's text and tool-call arguments (``Reply.text`` runs interleaved choices together)."""
    texts: dict[int, str] = {}
    arguments: dict[int, str] = {}
    for choice in reply.result.choices if reply.result is not None else []:
        texts[choice.index] = choice.message.content or ""
        for call in choice.message.tool_calls or []:
            arguments[choice.index] = arguments.get(choice.index, "") + call.function.arguments
    for _, chunk in reply.chunks:
        for choice in chunk.choices:
            texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
            for call in choice.delta.tool_calls or []:
                arguments[choice.index] = arguments.get(choice.index, "") + (call.function.arguments or "")
    return Answer([texts[i] for i in sorted(texts) if texts[i]],
                  [json.loads(arguments[i]) for i in sorted(arguments)])


def _thinking(reply: sdk.Reply) -> list[str]:
    if reply.result is not None:
        return [block.thinking for block in reply.result.content if block.type == "thinking"]
    deltas = [event.delta.thinking for _, event in reply.chunks
              if event.type == "content_block_delta" and event.delta.type == "thinking_delta"]
    return ["".join(deltas)] if deltas else []


def _rounded(vector: list[float]) -> list[float]:
    """The SDK decodes base64 float32 vectors where LiteLLM may hand on floats: equal to five places."""
    return [round(x, 5) for x in vector]


def answer(api: str, reply: sdk.Reply) -> Answer:
    if api == "chat":
        return _chat_choices(reply)
    if api == "embeddings":
        return Answer(vectors=[_rounded(item.embedding) for item in reply.result.data])
    return Answer([reply.text] if reply.text else [],
                  [json.loads(arguments) for arguments in reply.tool_arguments],
                  _thinking(reply) if api == "messages" else [])


def expected_answer(conversation: Conversation, sent: Texts) -> Answer:
    """What the originals imply. Thinking and vectors are the provider's own work on the masked text: the
    thinking is signed, so it keeps its placeholders; the vectors are those of the masked inputs."""
    last_user = [text for role, text in sent if role == "user"][-1:]
    inputs = [text for role, text in sent if role == "input"]
    vectors = Embeddings().answer({"input": inputs}, Turn(""))["data"] if inputs else []
    return Answer(
        texts=[conversation.answer] * conversation.choices if conversation.answer else [],
        arguments=[conversation.arguments] * conversation.choices if conversation.arguments else [],
        thinking=[THOUGHT + text for text in last_user] if "thinking" in conversation.request else [],
        vectors=[_rounded(item["embedding"]) for item in vectors],
    )


# -- one exchange per path ---------------------------------------------------------------------------------
@dataclass
class Exchange:
    """What one path did with a conversation: the API and text it called the provider with, the answer."""

    api: str
    sent: Texts
    answer: Answer


Client = openai.OpenAI | anthropic.Anthropic


def send(conversation: Conversation, stream: bool, client: Client) -> sdk.Reply:
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


def exchange(conversation: Conversation, stream: bool, client: Client, provider: MockProvider) -> Exchange:
    provider.clear()
    reply = send(conversation, stream, client)
    assert_provider_saw_no_originals(provider, conversation.originals)  # (1) on every path
    [upstream] = provider.requests
    api, extract = next((api, how) for suffix, api, how in EXTRACTORS if upstream.path.endswith(suffix))
    return Exchange(api, extract(upstream.json()), answer(conversation.api, reply))


@pytest.fixture(scope="module")
def envoy_clients(envoy: Envoy) -> dict[str, Client]:
    settings: dict[str, Any] = {"api_key": "test-key", "max_retries": 0, "timeout": 60}
    return {"openai": openai.OpenAI(base_url=envoy.url + "/v1", **settings),
            "anthropic": anthropic.Anthropic(base_url=envoy.url, **settings)}


ROWS = [pytest.param(conversation, stream, id=f"{conversation.name}-{'streamed' if stream else 'whole'}")
        for conversation in CONVERSATIONS for stream in conversation.streams]


@pytest.mark.parametrize(("conversation", "stream"), ROWS)
def test_same_masked_text_upstream_and_same_restored_text_for_the_client(
    conversation: Conversation, stream: bool, provider: MockProvider, envoy_clients: dict[str, Client],
    gateways: dict[str, Gateway],
) -> None:
    sdk_name = "anthropic" if conversation.api == "messages" else "openai"
    clients = {"envoy": envoy_clients[sdk_name],
               **{f"litellm-{style}": getattr(gateways[style], sdk_name) for style in STYLES}}
    exchanges = {path: exchange(conversation, stream, client, provider) for path, client in clients.items()}

    for path, result in exchanges.items():
        upstream_api = conversation.api if path == "envoy" else conversation.litellm_api or conversation.api
        assert (path, result.api) == (path, upstream_api)
        assert (path, result.answer) == (path, expected_answer(conversation, result.sent))  # (3)

    via_envoy = exchanges.pop("envoy")
    for path, result in exchanges.items():
        assert (path, result.sent) == (path, via_envoy.sent)  # (2)
        assert (path, result.answer) == (path, via_envoy.answer)  # (3)

"""One exchange through a gateway with the official SDKs, reduced to what a test compares.

Each function sends one request with the ``openai`` or ``anthropic`` SDK (streamed or not) and returns a
:class:`Reply`: the answer text and tool-call arguments as the client assembled them, the streamed chunks
with the time each arrived, and the call id LiteLLM puts in its response headers. The functions know nothing
about LiteLLM beyond that header, so the same table of conversations can be run through any gateway (the
Envoy path too) and the replies compared.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import anthropic
import openai

CALL_ID_HEADER = "x-litellm-call-id"


@dataclass
class Reply:
    text: str = ""
    tool_arguments: list[str] = field(default_factory=list)
    chunks: list[tuple[float, Any]] = field(default_factory=list)  # (time.monotonic() at arrival, chunk)
    call_id: str | None = None
    result: Any = None  # the SDK's parsed object (non-streamed)

    @property
    def text_chunks(self) -> list[tuple[float, str]]:
        """The streamed pieces of answer text, each with its arrival time."""
        return [(at, text) for at, chunk in self.chunks if (text := _chunk_text(chunk))]


def _chunk_text(chunk: Any) -> str:
    if getattr(chunk, "object", None) == "chat.completion.chunk":
        return "".join(choice.delta.content or "" for choice in chunk.choices)
    if getattr(chunk, "object", None) == "text_completion":
        return "".join(choice.text or "" for choice in chunk.choices)
    kind = getattr(chunk, "type", None)
    if kind == "response.output_text.delta":
        return chunk.delta
    if kind == "content_block_delta" and getattr(chunk.delta, "type", None) == "text_delta":
        return chunk.delta.text
    return ""


def _call_id(headers: Any) -> str | None:
    return headers.get(CALL_ID_HEADER)


def chat(client: openai.OpenAI, messages: list[dict[str, Any]], *, model: str, stream: bool = False,
         tools: list[dict[str, Any]] | None = None, **extra: Any) -> Reply:
    kwargs: dict[str, Any] = {"model": model, "messages": messages, **extra}
    if tools:
        kwargs["tools"] = tools
    if not stream:
        raw = client.chat.completions.with_raw_response.create(**kwargs)
        result = raw.parse()
        message = result.choices[0].message
        arguments = [call.function.arguments for call in message.tool_calls or []]
        return Reply(message.content or "", arguments, call_id=_call_id(raw.headers), result=result)
    reply = Reply()
    calls: dict[int, str] = {}
    with client.chat.completions.with_streaming_response.create(stream=True, **kwargs) as response:
        reply.call_id = _call_id(response.headers)
        for chunk in response.parse():
            reply.chunks.append((time.monotonic(), chunk))
            for choice in chunk.choices:
                reply.text += choice.delta.content or ""
                for call in choice.delta.tool_calls or []:
                    calls[call.index] = calls.get(call.index, "") + (call.function.arguments or "")
    reply.tool_arguments = [calls[i] for i in sorted(calls)]
    return reply


def completion(client: openai.OpenAI, prompt: str, *, model: str, stream: bool = False,
               **extra: Any) -> Reply:
    if not stream:
        raw = client.completions.with_raw_response.create(model=model, prompt=prompt, **extra)
        result = raw.parse()
        return Reply(result.choices[0].text, call_id=_call_id(raw.headers), result=result)
    reply = Reply()
    with client.completions.with_streaming_response.create(model=model, prompt=prompt, stream=True,
                                                          **extra) as response:
        reply.call_id = _call_id(response.headers)
        for chunk in response.parse():
            reply.chunks.append((time.monotonic(), chunk))
            reply.text += "".join(choice.text or "" for choice in chunk.choices)
    return reply


def embedding(client: openai.OpenAI, text: str | list[str], *, model: str, **extra: Any) -> Reply:
    raw = client.embeddings.with_raw_response.create(model=model, input=text, **extra)
    return Reply(call_id=_call_id(raw.headers), result=raw.parse())


def responses(client: openai.OpenAI, input: str | list[dict[str, Any]], *, model: str, stream: bool = False,
              tools: list[dict[str, Any]] | None = None, **extra: Any) -> Reply:
    kwargs: dict[str, Any] = {"model": model, "input": input, **extra}
    if tools:
        kwargs["tools"] = tools
    if not stream:
        raw = client.responses.with_raw_response.create(**kwargs)
        result = raw.parse()
        arguments = [item.arguments for item in result.output if item.type == "function_call"]
        return Reply(result.output_text, arguments, call_id=_call_id(raw.headers), result=result)
    reply = Reply()
    calls: dict[int, str] = {}
    with client.responses.with_streaming_response.create(stream=True, **kwargs) as response:
        reply.call_id = _call_id(response.headers)
        for event in response.parse():
            reply.chunks.append((time.monotonic(), event))
            if event.type == "response.output_text.delta":
                reply.text += event.delta
            elif event.type == "response.function_call_arguments.delta":
                calls[event.output_index] = calls.get(event.output_index, "") + event.delta
    reply.tool_arguments = [calls[i] for i in sorted(calls)]
    return reply


def messages(client: anthropic.Anthropic, messages: list[dict[str, Any]], *, model: str, stream: bool = False,
             max_tokens: int = 256, tools: list[dict[str, Any]] | None = None, **extra: Any) -> Reply:
    kwargs: dict[str, Any] = {"model": model, "messages": messages, "max_tokens": max_tokens, **extra}
    if tools:
        kwargs["tools"] = tools
    if not stream:
        raw = client.messages.with_raw_response.create(**kwargs)
        result = raw.parse()
        text = "".join(block.text for block in result.content if block.type == "text")
        arguments = [json.dumps(block.input, ensure_ascii=False) for block in result.content
                     if block.type == "tool_use"]
        return Reply(text, arguments, call_id=_call_id(raw.headers), result=result)
    reply = Reply()
    calls: dict[int, str] = {}
    with client.messages.with_streaming_response.create(stream=True, **kwargs) as response:
        reply.call_id = _call_id(response.headers)
        for event in response.parse():
            reply.chunks.append((time.monotonic(), event))
            if event.type == "content_block_delta":
                if event.delta.type == "text_delta":
                    reply.text += event.delta.text
                elif event.delta.type == "input_json_delta":
                    calls[event.index] = calls.get(event.index, "") + event.delta.partial_json
    reply.tool_arguments = [calls[i] for i in sorted(calls)]
    return reply

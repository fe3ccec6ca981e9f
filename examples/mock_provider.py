"""A local stand-in for an LLM provider that records exactly what it received and echoes it back.

Why it exists: the end-to-end tests, the benchmarks and ``make demo`` run real gateways (Envoy, LiteLLM)
and real SDKs, and only the provider is simulated. To prove that nothing personal leaves the company, the
mock keeps every request byte for byte (method, path, query, headers, raw body — compressed bodies stay
compressed), and because every answer *echoes* its input ("You said: <last user text>") a test can check
both directions at once: the provider saw only placeholders, the client got its originals back.

Served APIs (``/v1`` optional, any prefix such as ``/openai``, Azure ``/openai/deployments/{d}/...``):

    POST .../chat/completions   OpenAI Chat Completions  (n>1, tools -> tool_calls, stream + include_usage)
    POST .../responses          OpenAI Responses         (function_call items, the full streaming event set)
    POST .../messages           Anthropic Messages       (tool_use + input_json_delta, thinking + signature)
    POST .../completions        legacy Completions       (prompt lists, n>1, stream)
    POST .../embeddings         Embeddings               (float or base64 vectors)
    GET  .../models             a one-model list
    anything else               200 echo of the raw body with the request's content type (pass-through tests)
    GET  /__mock/requests       the recorded requests as JSON (bodies base64); DELETE clears them

Answers are streamed when the body says ``"stream": true``, in pieces of a few characters so that a
placeholder is split across SSE events. With tools in the request the answer is a tool call whose arguments
echo the last user text; when the last turn is a tool result, the answer is text again ("Tool said: ...").
Anthropic thinking blocks are signed (``signature`` = a hash of the thinking text) and a request whose
history carries a thinking block that does not match its signature is refused with 400, as Anthropic does.

Per-request controls (request headers; the same values can be given as process-wide defaults):

    x-mock-status: 500          answer with this status and an error body (API's format) echoing the input
    x-mock-delay-ms: 20         sleep before every streamed event (and once before a non-streamed answer)
    x-mock-chunk-size: 4        characters of answer text per streamed event
    x-mock-abort-after: 3       close the connection after this many streamed events (an aborted upstream)

Use it in-process (a background thread with its own event loop)::

    with MockProvider(event_delay=0.01) as mock:
        client = openai.OpenAI(base_url=mock.url + "/v1", api_key="test", max_retries=0)
        ...
        recorded = mock.requests[-1]          # RecordedRequest: method, path, query, headers, body, json()

or as a separate process (``MockProviderProcess``, same interface, reads ``/__mock/requests``), or from a
shell: ``python examples/mock_provider.py --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

MODEL = "mock-model"
READY_LINE = "mock provider listening on "


# ---------------------------------------------------------------------------------------------- recording
@dataclass
class RecordedRequest:
    """One request exactly as it arrived, plus when the answer's streamed events left the mock."""

    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]
    body: bytes
    received_at: float = 0.0  # time.monotonic(): one clock for every process on the machine
    events_sent_at: list[float] = field(default_factory=list)
    finished_at: float | None = None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": list(self.headers.items()),
            "body_b64": base64.b64encode(self.body).decode("ascii"),
            "received_at": self.received_at,
            "events_sent_at": list(self.events_sent_at),
            "finished_at": self.finished_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecordedRequest:
        return cls(
            method=data["method"],
            path=data["path"],
            query=data["query"],
            headers=CIMultiDictProxy(CIMultiDict(data["headers"])),
            body=base64.b64decode(data["body_b64"]),
            received_at=data["received_at"],
            events_sent_at=data["events_sent_at"],
            finished_at=data["finished_at"],
        )


@dataclass(frozen=True)
class Controls:
    """How to answer one request: process-wide defaults, overridden by ``x-mock-*`` request headers."""

    status: int = 200
    delay: float = 0.0
    chunk_size: int = 4
    abort_after: int | None = None

    def for_request(self, request: web.Request) -> Controls:
        headers = request.headers
        abort = headers.get("x-mock-abort-after")
        return Controls(
            status=int(headers.get("x-mock-status", self.status)),
            delay=float(headers["x-mock-delay-ms"]) / 1000 if "x-mock-delay-ms" in headers else self.delay,
            chunk_size=max(1, int(headers.get("x-mock-chunk-size", self.chunk_size))),
            abort_after=int(abort) if abort is not None else self.abort_after,
        )


# ------------------------------------------------------------------------------------ reading the request
@dataclass(frozen=True)
class Turn:
    """What the model 'answers to': the last user text, or the last tool result."""

    text: str
    tool_result: bool = False

    @property
    def reply(self) -> str:
        return f"Tool said: {self.text}" if self.tool_result else f"You said: {self.text}"


def _texts(content: Any, kinds: Iterable[str] = ("text", "input_text")) -> str:
    """Text of a message content: a plain string or a list of typed parts (images etc. are skipped)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and part.get("type") in kinds:
                parts.append(str(part.get("text", "")))
            elif isinstance(part, dict) and part.get("type") == "tool_result":
                parts.append(_texts(part.get("content", "")))
        return " ".join(parts)
    return ""


def chat_turn(body: dict[str, Any]) -> Turn:
    messages = body.get("messages") or []
    if messages and messages[-1].get("role") == "tool":
        return Turn(_texts(messages[-1].get("content")), tool_result=True)
    users = [m for m in messages if m.get("role") == "user"]
    return Turn(_texts(users[-1].get("content")) if users else "")


def responses_turn(body: dict[str, Any]) -> Turn:
    items = body.get("input")
    if isinstance(items, str):
        return Turn(items)
    items = items or []
    if items and items[-1].get("type") == "function_call_output":
        return Turn(str(items[-1].get("output", "")), tool_result=True)
    users = [i for i in items if i.get("role") == "user"]
    return Turn(_texts(users[-1].get("content")) if users else "")


def anthropic_turn(body: dict[str, Any]) -> Turn:
    messages = body.get("messages") or []
    users = [m for m in messages if m.get("role") == "user"]
    if not users:
        return Turn("")
    content = users[-1].get("content")
    is_tool_result = isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    )
    return Turn(_texts(content), tool_result=is_tool_result)


def _first_string_param(schema: Any) -> str:
    properties = (schema or {}).get("properties") or {}
    for name, spec in properties.items():
        if isinstance(spec, dict) and spec.get("type") == "string":
            return name
    return "text"


def tool_arguments(text: str, schema: Any) -> str:
    """The tool call's arguments: the user's text, echoed into the tool's first string parameter."""
    return json.dumps({_first_string_param(schema): text}, ensure_ascii=False)


def pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def tokens(text: str) -> int:
    return max(1, len(text.split()))


def signature_for(thinking: str) -> str:
    return base64.b64encode(hashlib.sha256(thinking.encode()).digest()).decode("ascii")


# ------------------------------------------------------------------------------------------- error bodies
def openai_error(status: int, message: str) -> dict[str, Any]:
    kind = "server_error" if status >= 500 else "invalid_request_error"
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def anthropic_error(status: int, message: str) -> dict[str, Any]:
    kind = "api_error" if status >= 500 else "invalid_request_error"
    return {"type": "error", "error": {"type": kind, "message": message}}


# ---------------------------------------------------------------------------------------------- the APIs
class Api:
    """One wire format: its answers, non-streamed (a dict) and streamed (SSE frames)."""

    error = staticmethod(openai_error)

    def turn(self, body: dict[str, Any]) -> Turn:
        raise NotImplementedError

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        raise NotImplementedError

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        raise NotImplementedError

    def check(self, body: dict[str, Any]) -> str | None:
        """A reason to refuse the request with 400, as the real provider would."""
        return None


def sse(data: Any, event: str | None = None) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


class ChatCompletions(Api):
    turn = staticmethod(chat_turn)

    def _tool(self, body: dict[str, Any], turn: Turn) -> tuple[str, str] | None:
        tools = body.get("tools") or []
        if not tools or turn.tool_result:
            return None
        function = tools[0].get("function", {})
        return function.get("name", "tool"), tool_arguments(turn.text, function.get("parameters"))

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        tool = self._tool(body, turn)
        choices = []
        for index in range(int(body.get("n") or 1)):
            if tool:
                call = {
                    "id": f"call_mock_{index}",
                    "type": "function",
                    "function": {"name": tool[0], "arguments": tool[1]},
                }
                message = {"role": "assistant", "content": None, "tool_calls": [call], "refusal": None}
            else:
                message = {"role": "assistant", "content": turn.reply, "refusal": None}
            choices.append(
                {
                    "index": index,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if tool else "stop",
                }
            )
        return {
            "id": "chatcmpl-mock",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL),
            "system_fingerprint": None,
            "choices": choices,
            "usage": _chat_usage(turn),
        }

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        tool = self._tool(body, turn)
        usage = bool((body.get("stream_options") or {}).get("include_usage"))
        n = int(body.get("n") or 1)

        def chunk(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            frame = {
                "id": "chatcmpl-mock",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", MODEL),
                "system_fingerprint": None,
                "choices": choices,
            }
            if usage:
                frame["usage"] = None
            frame.update(extra)
            return sse(frame)

        def choice(index: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish}

        for index in range(n):
            if tool:
                call = {
                    "index": 0,
                    "id": f"call_mock_{index}",
                    "type": "function",
                    "function": {"name": tool[0], "arguments": ""},
                }
                yield chunk([choice(index, {"role": "assistant", "content": None, "tool_calls": [call]})])
            else:
                yield chunk([choice(index, {"role": "assistant", "content": ""})])
        text = tool[1] if tool else turn.reply
        for piece in pieces(text, size):
            for index in range(n):  # choices interleave, as they do for n>1
                if tool:
                    delta = {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}
                else:
                    delta = {"content": piece}
                yield chunk([choice(index, delta)])
        for index in range(n):
            yield chunk([choice(index, {}, "tool_calls" if tool else "stop")])
        if usage:
            yield chunk([], usage=_chat_usage(turn))
        yield sse("[DONE]")


def _chat_usage(turn: Turn) -> dict[str, int]:
    prompt, completion = tokens(turn.text), tokens(turn.reply)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class Completions(Api):
    def turn(self, body: dict[str, Any]) -> Turn:
        prompt = body.get("prompt", "")
        return Turn(" ".join(prompt) if isinstance(prompt, list) else str(prompt))

    def _choices(self, body: dict[str, Any]) -> list[str]:
        prompt = body.get("prompt", "")
        prompts = prompt if isinstance(prompt, list) and all(isinstance(p, str) for p in prompt) else [prompt]
        return [Turn(str(p)).reply for p in prompts for _ in range(int(body.get("n") or 1))]

    def _frame(self, body: dict[str, Any], choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": "cmpl-mock",
            "object": "text_completion",
            "created": int(time.time()),
            "model": body.get("model", MODEL),
            "choices": choices,
        }

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        choices = [
            {"text": text, "index": i, "logprobs": None, "finish_reason": "stop"}
            for i, text in enumerate(self._choices(body))
        ]
        return {**self._frame(body, choices), "usage": _chat_usage(turn)}

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        texts = [pieces(text, size) for text in self._choices(body)]
        for step in range(max(len(p) for p in texts)):
            for index, parts in enumerate(texts):
                if step < len(parts):
                    choice = {"text": parts[step], "index": index, "logprobs": None, "finish_reason": None}
                    yield sse(self._frame(body, [choice]))
        for index in range(len(texts)):
            choice = {"text": "", "index": index, "logprobs": None, "finish_reason": "stop"}
            yield sse(self._frame(body, [choice]))
        yield sse("[DONE]")


class Embeddings(Api):
    def turn(self, body: dict[str, Any]) -> Turn:
        inputs = body.get("input", "")
        return Turn(" ".join(map(str, inputs)) if isinstance(inputs, list) else str(inputs))

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        inputs = body.get("input", "")
        if isinstance(inputs, str) or (inputs and isinstance(inputs[0], int)):
            inputs = [inputs]
        dims = int(body.get("dimensions") or 8)
        data = []
        for index, item in enumerate(inputs):
            digest = hashlib.sha256(json.dumps(item).encode()).digest()
            vector = [(digest[i % len(digest)] - 128) / 128 for i in range(dims)]
            embedding: Any = vector
            if body.get("encoding_format") == "base64":
                embedding = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode("ascii")
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        prompt = tokens(turn.text)
        return {
            "object": "list",
            "data": data,
            "model": body.get("model", MODEL),
            "usage": {"prompt_tokens": prompt, "total_tokens": prompt},
        }

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        raise web.HTTPBadRequest(
            text=json.dumps(openai_error(400, "embeddings cannot stream")), content_type="application/json"
        )


class Responses(Api):
    turn = staticmethod(responses_turn)

    def _tool(self, body: dict[str, Any], turn: Turn) -> tuple[str, str] | None:
        tools = [t for t in body.get("tools") or [] if t.get("type") == "function"]
        if not tools or turn.tool_result:
            return None
        return tools[0].get("name", "tool"), tool_arguments(turn.text, tools[0].get("parameters"))

    def _item(self, body: dict[str, Any], turn: Turn, done: bool) -> dict[str, Any]:
        status = "completed" if done else "in_progress"
        tool = self._tool(body, turn)
        if tool:
            return {
                "type": "function_call",
                "id": "fc_mock",
                "call_id": "call_mock",
                "name": tool[0],
                "arguments": tool[1] if done else "",
                "status": status,
            }
        content = [{"type": "output_text", "text": turn.reply, "annotations": []}] if done else []
        return {
            "type": "message",
            "id": "msg_mock",
            "status": status,
            "role": "assistant",
            "content": content,
        }

    def _response(self, body: dict[str, Any], turn: Turn, done: bool) -> dict[str, Any]:
        prompt, completion = tokens(turn.text), tokens(turn.reply)
        return {
            "id": "resp_mock",
            "object": "response",
            "created_at": int(time.time()),
            "status": "completed" if done else "in_progress",
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "max_output_tokens": None,
            "model": body.get("model", MODEL),
            "output": [self._item(body, turn, True)] if done else [],
            "parallel_tool_calls": True,
            "previous_response_id": None,
            "temperature": 1.0,
            "text": {"format": {"type": "text"}},
            "tool_choice": "auto",
            "tools": body.get("tools") or [],
            "top_p": 1.0,
            "truncation": "disabled",
            "metadata": {},
            "usage": {
                "input_tokens": prompt,
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens": completion,
                "output_tokens_details": {"reasoning_tokens": 0},
                "total_tokens": prompt + completion,
            }
            if done
            else None,
        }

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        return self._response(body, turn, done=True)

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        sequence = iter(range(1_000_000))

        def event(kind: str, **fields: Any) -> bytes:
            return sse({"type": kind, "sequence_number": next(sequence), **fields}, event=kind)

        tool = self._tool(body, turn)
        yield event("response.created", response=self._response(body, turn, done=False))
        yield event("response.in_progress", response=self._response(body, turn, done=False))
        yield event("response.output_item.added", output_index=0, item=self._item(body, turn, False))
        where = {"output_index": 0}
        if tool:
            for piece in pieces(tool[1], size):
                yield event("response.function_call_arguments.delta", item_id="fc_mock", delta=piece, **where)
            yield event(
                "response.function_call_arguments.done",
                item_id="fc_mock",
                name=tool[0],
                arguments=tool[1],
                **where,
            )
        else:
            where = {"item_id": "msg_mock", "output_index": 0, "content_index": 0}
            yield event(
                "response.content_part.added",
                part={"type": "output_text", "text": "", "annotations": []},
                **where,
            )
            for piece in pieces(turn.reply, size):
                yield event("response.output_text.delta", delta=piece, logprobs=[], **where)
            yield event("response.output_text.done", text=turn.reply, logprobs=[], **where)
            yield event(
                "response.content_part.done",
                part={"type": "output_text", "text": turn.reply, "annotations": []},
                **where,
            )
        yield event("response.output_item.done", output_index=0, item=self._item(body, turn, True))
        yield event("response.completed", response=self._response(body, turn, done=True))


class Messages(Api):
    turn = staticmethod(anthropic_turn)
    error = staticmethod(anthropic_error)

    def check(self, body: dict[str, Any]) -> str | None:
        for message in body.get("messages") or []:
            content = message.get("content")
            for block in content if isinstance(content, list) else []:
                if (
                    isinstance(block, dict)
                    and block.get("type") == "thinking"
                    and (block.get("signature") != signature_for(block.get("thinking", "")))
                ):
                    return "messages: Invalid `signature` in `thinking` block"
        return None

    def _blocks(self, body: dict[str, Any], turn: Turn) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if (body.get("thinking") or {}).get("type") == "enabled":
            thinking = f"The user wrote: {turn.text}"
            blocks.append({"type": "thinking", "thinking": thinking, "signature": signature_for(thinking)})
        tools = body.get("tools") or []
        if tools and not turn.tool_result:
            name = tools[0].get("name", "tool")
            arguments = json.loads(tool_arguments(turn.text, tools[0].get("input_schema")))
            blocks.append({"type": "tool_use", "id": "toolu_mock", "name": name, "input": arguments})
        else:
            blocks.append({"type": "text", "text": turn.reply})
        return blocks

    def _message(self, body: dict[str, Any], turn: Turn, content: list[dict[str, Any]]) -> dict[str, Any]:
        stop = "tool_use" if any(b["type"] == "tool_use" for b in self._blocks(body, turn)) else "end_turn"
        return {
            "id": "msg_mock",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", MODEL),
            "content": content,
            "stop_reason": stop if content else None,
            "stop_sequence": None,
            "usage": {"input_tokens": tokens(turn.text), "output_tokens": tokens(turn.reply)},
        }

    def answer(self, body: dict[str, Any], turn: Turn) -> dict[str, Any]:
        return self._message(body, turn, self._blocks(body, turn))

    def stream(self, body: dict[str, Any], turn: Turn, size: int) -> Iterator[bytes]:
        def event(kind: str, **fields: Any) -> bytes:
            return sse({"type": kind, **fields}, event=kind)

        blocks = self._blocks(body, turn)
        yield event("message_start", message=self._message(body, turn, []))
        yield event("ping")
        for index, block in enumerate(blocks):
            kind = block["type"]
            if kind == "thinking":
                yield event(
                    "content_block_start",
                    index=index,
                    content_block={"type": "thinking", "thinking": "", "signature": ""},
                )
                for piece in pieces(block["thinking"], size):
                    yield event(
                        "content_block_delta",
                        index=index,
                        delta={"type": "thinking_delta", "thinking": piece},
                    )
                yield event(
                    "content_block_delta",
                    index=index,
                    delta={"type": "signature_delta", "signature": block["signature"]},
                )
            elif kind == "tool_use":
                yield event("content_block_start", index=index, content_block={**block, "input": {}})
                for piece in pieces(json.dumps(block["input"], ensure_ascii=False), size):
                    yield event(
                        "content_block_delta",
                        index=index,
                        delta={"type": "input_json_delta", "partial_json": piece},
                    )
            else:
                yield event("content_block_start", index=index, content_block={"type": "text", "text": ""})
                for piece in pieces(block["text"], size):
                    yield event(
                        "content_block_delta", index=index, delta={"type": "text_delta", "text": piece}
                    )
            yield event("content_block_stop", index=index)
        stop = "tool_use" if blocks[-1]["type"] == "tool_use" else "end_turn"
        yield event(
            "message_delta",
            delta={"stop_reason": stop, "stop_sequence": None},
            usage={"output_tokens": tokens(turn.reply)},
        )
        yield event("message_stop")


# Longest suffix first: ".../chat/completions" must not be taken for legacy ".../completions".
APIS: list[tuple[re.Pattern[str], Api]] = [
    (re.compile(r"/chat/completions$"), ChatCompletions()),
    (re.compile(r"/responses$"), Responses()),
    (re.compile(r"/messages$"), Messages()),
    (re.compile(r"/completions$"), Completions()),
    (re.compile(r"/embeddings$"), Embeddings()),
]


def api_for(path: str) -> Api | None:
    return next((api for pattern, api in APIS if pattern.search(path.rstrip("/"))), None)


# ---------------------------------------------------------------------------------------------- the server
class _Handler:
    def __init__(self, controls: Controls) -> None:
        self.controls = controls
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024**3)
        app.router.add_get("/__mock/requests", self.list_requests)
        app.router.add_delete("/__mock/requests", self.clear_requests)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def list_requests(self, request: web.Request) -> web.Response:
        with self.lock:
            data = [r.to_dict() for r in self.requests]
        return web.json_response(data)

    async def clear_requests(self, request: web.Request) -> web.Response:
        with self.lock:
            self.requests.clear()
        return web.json_response({"cleared": True})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=request.query_string,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
            body=await request.read(),
            received_at=time.monotonic(),
        )
        with self.lock:
            self.requests.append(recorded)
        try:
            return await self._answer(request, recorded, self.controls.for_request(request))
        finally:
            recorded.finished_at = time.monotonic()

    async def _answer(
        self, request: web.Request, recorded: RecordedRequest, controls: Controls
    ) -> web.StreamResponse:
        api = api_for(request.path)
        if request.method == "GET" and request.path.rstrip("/").endswith("/models"):
            return web.json_response(
                {
                    "object": "list",
                    "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "mock"}],
                }
            )
        if api is None or request.method != "POST":
            return web.Response(
                body=recorded.body,
                status=controls.status,
                headers={"content-type": request.headers.get("content-type", "text/plain")},
            )
        try:
            body = json.loads(_decompressed(recorded.body, request.headers.get("content-encoding", "")))
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError, zlib.error):
            return web.json_response(
                api.error(400, "We could not parse the JSON body of your request."), status=400
            )
        turn = api.turn(body)
        if controls.status >= 400:
            await asyncio.sleep(controls.delay)
            message = f"Mock provider error {controls.status} for input: {turn.text}"
            return web.json_response(
                api.error(controls.status, message), status=controls.status, dumps=_dumps
            )
        refusal = api.check(body)
        if refusal:
            return web.json_response(api.error(400, refusal), status=400)
        if not body.get("stream"):
            await asyncio.sleep(controls.delay)
            return web.json_response(api.answer(body, turn), dumps=_dumps)
        return await self._stream(request, recorded, api.stream(body, turn, controls.chunk_size), controls)

    async def _stream(
        self, request: web.Request, recorded: RecordedRequest, frames: Iterator[bytes], controls: Controls
    ) -> web.StreamResponse:
        headers = {"content-type": "text/event-stream", "cache-control": "no-cache"}
        response = web.StreamResponse(headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            async for frame in _paced(frames, controls.delay):
                if controls.abort_after is not None and len(recorded.events_sent_at) >= controls.abort_after:
                    assert request.transport is not None
                    request.transport.close()  # the upstream dies mid-stream: no terminating chunk
                    return response
                await response.write(frame)
                recorded.events_sent_at.append(time.monotonic())
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client went away mid-stream; the recording shows how far the answer got
        return response


def _decompressed(body: bytes, encoding: str) -> bytes:
    """The body to answer to (the recording keeps the compressed bytes)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 31)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


async def _paced(frames: Iterator[bytes], delay: float) -> AsyncIterator[bytes]:
    for frame in frames:
        if delay:
            await asyncio.sleep(delay)
        yield frame


class MockProvider:
    """The mock served from a background thread of this process (its own event loop)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, event_delay: float = 0.0, chunk_size: int = 4
    ) -> None:
        self.host, self.port = host, port
        self._handler = _Handler(Controls(delay=event_delay, chunk_size=chunk_size))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._handler.lock:
            return list(self._handler.requests)

    def clear(self) -> None:
        with self._handler.lock:
            self._handler.requests.clear()

    def start(self) -> MockProvider:
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start_site())
            except BaseException as exc:  # surface bind errors in the caller's thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=serve, name="mock-provider", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    async def _start_site(self) -> None:
        # auto_decompress=False: record a gzip body as the bytes that actually arrived.
        self._runner = web.AppRunner(self._handler.app(), auto_decompress=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop = self._thread = None

    def __enter__(self) -> MockProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MockProviderProcess:
    """The same mock in a child process (keeps its event loop off the caller's GIL: benchmarks, demo)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, event_delay: float = 0.0, chunk_size: int = 4
    ) -> None:
        self.host, self.port = host, port
        self._args = ["--delay-ms", str(event_delay * 1000), "--chunk-size", str(chunk_size)]
        self._process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        with urllib.request.urlopen(self.url + "/__mock/requests", timeout=10) as reply:
            return [RecordedRequest.from_dict(item) for item in json.load(reply)]

    def clear(self) -> None:
        request = urllib.request.Request(self.url + "/__mock/requests", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()

    def start(self) -> MockProviderProcess:
        self._process = subprocess.Popen(
            [
                sys.executable,
                os.path.abspath(__file__),
                "--host",
                self.host,
                "--port",
                str(self.port),
                *self._args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith(READY_LINE):
            self.stop()
            raise RuntimeError("mock provider did not start")
        self.port = int(line.rsplit(":", 1)[1])
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process and self._process.stdout:
            self._process.stdout.close()
        self._process = None

    def __enter__(self) -> MockProviderProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Local mock LLM provider that records and echoes requests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port (printed on start)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="delay before each streamed event")
    parser.add_argument("--chunk-size", type=int, default=4, help="default characters per streamed event")
    args = parser.parse_args(argv)
    mock = MockProvider(args.host, args.port, event_delay=args.delay_ms / 1000, chunk_size=args.chunk_size)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with mock:
        print(f"{READY_LINE}{mock.url}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())

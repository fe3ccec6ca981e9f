"""The PII-rich conversation through both adapters, with everything exported kept in memory.

* Envoy: the real ext_proc service (``extproc.service.ExternalProcessor``) on a loopback gRPC port, driven
  with ext_proc protobuf messages as Envoy sends them: request headers with the client's ``traceparent``,
  the request body, then the provider's answer, once as JSON and once as an SSE stream. When Envoy traces
  itself, its ext_proc span travels in the gRPC stream's metadata and is the parent instead.
* LiteLLM: the guardrail's hooks called directly with LiteLLM's own objects, inside a request span of the
  host, as the proxy calls them: either the current span, or (as LiteLLM's ``otel`` callback does it) a span
  kept in ``user_api_key_dict.parent_otel_span`` that is not current.

Both must report each phase exactly once (the core records, the adapters only hand over the trace), in the
client's trace, and nothing exported may contain an original value.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import grpc
import pytest
from litellm.proxy._types import UserAPIKeyAuth
from litellm.types.utils import ModelResponse, ModelResponseStream
from opentelemetry import trace

from extproc._proto.envoy.config.core.v3.base_pb2 import HeaderMap, HeaderValue
from extproc._proto.envoy.service.ext_proc.v3 import external_processor_pb2_grpc
from extproc._proto.envoy.service.ext_proc.v3.external_processor_pb2 import (
    HttpBody,
    HttpHeaders,
    ProcessingRequest,
    ProcessingResponse,
)
from extproc.service import ExternalProcessor
from litellm_hooks import MaskgateGuardrail, gates
from litellm_hooks import guardrail as guardrail_module
from litellm_hooks.streaming import ChunkRestorer
from maskgate import ApiFormat, Gate, StreamRestorer
from maskgate.telemetry import DETECT, MASK_REQUEST, RESTORE_RESPONSE, RESTORE_STREAM
from tests.telemetry.conftest import Exported, Snapshot
from tests.telemetry.conversation import VALUES, answer_text, request, response, sse, stream_events
from tests.telemetry.test_no_pii import assert_nothing_personal

TRACE_ID = "5b8efff798038103d269b633813fc60c"
CLIENT_SPAN_ID = "eee19b7ec3c1b174"
ENVOY_SPAN_ID = "a3ce929d0e0e4736"
CHAT = ApiFormat.OPENAI_CHAT


def headers(pairs: dict[str, str], end_of_stream: bool = False) -> HttpHeaders:
    values = [HeaderValue(key=key, raw_value=value.encode()) for key, value in pairs.items()]
    return HttpHeaders(headers=HeaderMap(headers=values), end_of_stream=end_of_stream)


class Envoy:
    """One ext_proc stream per HTTP request, message by message, as Envoy drives it."""

    def __init__(self, stub: external_processor_pb2_grpc.ExternalProcessorStub) -> None:
        self.stub = stub

    async def exchange(
        self,
        body: bytes,
        answer: Callable[[bytes], list[bytes]],
        content_type: str,
        metadata: tuple[tuple[str, str], ...] = (),
        client_leaves_after: int | None = None,
    ) -> bytes:
        """Send ``body``; the provider answers what ``answer`` makes of the masked body it received (in
        chunks). Returns what the client gets back. ``metadata``: the gRPC stream's (Envoy's own trace
        context); ``client_leaves_after``: the client disconnects after this many response chunks, and Envoy
        resets the stream."""
        call = self.stub.Process(metadata=metadata)

        async def send(message: ProcessingRequest) -> ProcessingResponse:
            await call.write(message)
            return await call.read()

        await send(ProcessingRequest(request_headers=headers({
            ":method": "POST", ":path": "/v1/chat/completions", "content-type": "application/json",
            "traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN_ID}-01",
        })))
        masked = await send(ProcessingRequest(request_body=HttpBody(body=body, end_of_stream=True)))
        upstream = masked.request_body.response.body_mutation.body
        assert upstream and not [value for value in VALUES if value.encode() in upstream], "not masked"
        answer_headers = headers({":status": "200", "content-type": content_type})
        await send(ProcessingRequest(response_headers=answer_headers))
        streamed = content_type == "text/event-stream"
        chunks = [*answer(upstream), b""] if streamed else [b"".join(answer(upstream))]  # Envoy ends with b""
        client = b""
        for index, chunk in enumerate(chunks):
            if index == client_leaves_after:
                call.cancel()
                return client
            last = index == len(chunks) - 1
            reply = await send(ProcessingRequest(response_body=HttpBody(body=chunk, end_of_stream=last)))
            mutation = reply.response_body.response.body_mutation
            client += mutation.body if mutation.HasField("body") else (b"" if mutation.clear_body else chunk)
        await call.done_writing()
        return client


@pytest.fixture
async def envoy(gate: Gate) -> AsyncIterator[Envoy]:
    executor = ThreadPoolExecutor(max_workers=2)
    server = grpc.aio.server()
    service = ExternalProcessor(gate, executor)
    external_processor_pb2_grpc.add_ExternalProcessorServicer_to_server(service, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield Envoy(external_processor_pb2_grpc.ExternalProcessorStub(channel))
    finally:
        await server.stop(None)
        executor.shutdown()


def assert_once_per_phase_in_trace(snapshot: Snapshot, trace_id: int, parent_span_id: int) -> None:
    """Two requests (one answered as JSON, one streamed): each phase reported exactly once, all in the
    caller's trace, right under the caller's span (detection under its request's span)."""
    spans = [span for span in snapshot.spans if span.name.startswith("maskgate.")]
    assert sorted(span.name for span in spans) == sorted(
        [MASK_REQUEST, DETECT, MASK_REQUEST, DETECT, RESTORE_RESPONSE, RESTORE_STREAM])
    requests = {span.context.span_id for span in spans if span.name == MASK_REQUEST}
    for span in spans:
        assert span.context.trace_id == trace_id, f"{span.name} left the caller's trace"
        expected_parent = requests if span.name == DETECT else {parent_span_id}
        assert span.parent is not None and span.parent.span_id in expected_parent, span.name
    for span in spans:
        if span.name in (RESTORE_RESPONSE, RESTORE_STREAM):
            assert span.attributes["maskgate.outcome"] == "restored"
            assert span.attributes["maskgate.tokens.unrestored"] == 1
    assert snapshot.total("maskgate.requests", api_format="openai_chat", mode="mask", outcome="masked") == 2
    assert snapshot.total("maskgate.restore.duration") == 2
    assert snapshot.total("maskgate.tokens.unrestored") == 2


async def test_the_envoy_service_reports_once_per_phase_in_the_clients_trace(
    envoy: Envoy, exported: Exported
) -> None:
    body = json.dumps(request(CHAT)).encode()
    client = await envoy.exchange(
        body, lambda masked: [json.dumps(response(CHAT, answer_text(masked))).encode()], "application/json")
    assert "Erika Musterfrau" in json.loads(client)["choices"][0]["message"]["content"]
    streamed = await envoy.exchange(
        body, lambda masked: sse(CHAT, stream_events(CHAT, answer_text(masked))), "text/event-stream")
    assert "Erika Musterfrau" in "".join(
        choice["delta"].get("content") or ""
        for line in streamed.decode().splitlines() if line.startswith("data: {")
        for choice in json.loads(line[6:])["choices"])

    snapshot = exported.snapshot()
    assert_nothing_personal(snapshot)
    assert_once_per_phase_in_trace(snapshot, int(TRACE_ID, 16), int(CLIENT_SPAN_ID, 16))


async def test_the_envoy_service_prefers_envoys_own_span_from_the_grpc_metadata(
    envoy: Envoy, exported: Exported
) -> None:
    body = json.dumps(request(CHAT)).encode()
    envoy_trace = (("traceparent", f"00-{TRACE_ID}-{ENVOY_SPAN_ID}-01"),)
    await envoy.exchange(body, lambda masked: [json.dumps(response(CHAT, answer_text(masked))).encode()],
                         "application/json", metadata=envoy_trace)
    await envoy.exchange(body, lambda masked: sse(CHAT, stream_events(CHAT, answer_text(masked))),
                         "text/event-stream", metadata=envoy_trace)

    assert_once_per_phase_in_trace(exported.snapshot(), int(TRACE_ID, 16), int(ENVOY_SPAN_ID, 16))


async def test_a_stream_envoy_resets_when_the_client_leaves_is_reported_as_aborted(
    envoy: Envoy, gate: Gate, exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[StreamRestorer] = []  # alive, so only the service's close(), not the finalizer, can end it
    stream_restorer = gate.stream_restorer

    def keeping(*args: Any, **kwargs: Any) -> StreamRestorer:
        kept.append(stream_restorer(*args, **kwargs))
        return kept[-1]

    monkeypatch.setattr(gate, "stream_restorer", keeping)
    body = json.dumps(request(CHAT)).encode()
    await envoy.exchange(body, lambda masked: sse(CHAT, stream_events(CHAT, answer_text(masked))),
                         "text/event-stream", client_leaves_after=2)
    for _ in range(500):  # the service learns of the reset asynchronously
        if any(span.name == RESTORE_STREAM for span in exported.spans.get_finished_spans()):
            break
        await asyncio.sleep(0.01)

    snapshot = exported.snapshot()
    assert len(kept) == 1
    assert_nothing_personal(snapshot)
    [span] = snapshot.named(RESTORE_STREAM)
    assert span.attributes["maskgate.outcome"] == "aborted"
    assert span.attributes["maskgate.stream.chunks"] == 2
    assert span.parent is not None and span.parent.span_id == int(CLIENT_SPAN_ID, 16)
    assert snapshot.total("maskgate.restore.duration", streamed=True) == 1


@pytest.fixture
def guardrail(gate: Gate, monkeypatch: pytest.MonkeyPatch) -> MaskgateGuardrail:
    monkeypatch.delenv("MASKGATE_POLICY", raising=False)
    monkeypatch.delenv("MASKGATE_MODE", raising=False)
    monkeypatch.setitem(gates._gates, None, gate)
    return MaskgateGuardrail()


def litellm_request() -> dict[str, Any]:
    return {**request(CHAT), "metadata": {}, "litellm_call_id": "call-1"}


async def chunks(events: list[dict[str, Any]]) -> AsyncIterator[ModelResponseStream]:
    for event in events:
        yield ModelResponseStream(**event)


async def raw(pieces: list[bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        yield piece


async def test_the_litellm_hooks_report_once_per_phase_in_the_proxys_trace(
    guardrail: MaskgateGuardrail, exported: Exported
) -> None:
    with trace.get_tracer("litellm-proxy").start_as_current_span("Received Proxy Server Request") as proxy:
        first = litellm_request()
        await guardrail.async_pre_call_hook(None, None, first, "acompletion")  # type: ignore[arg-type]
        masked = json.dumps(first["messages"])
        assert not [value for value in VALUES if value in masked], "not masked"
        text = answer_text(masked)
        answer = ModelResponse(**response(CHAT, text))
        restored = await guardrail.async_post_call_success_hook(first, None, answer)  # type: ignore[arg-type]
        assert "Erika Musterfrau" in restored.choices[0].message.content

        second = litellm_request()
        await guardrail.async_pre_call_hook(None, None, second, "acompletion")  # type: ignore[arg-type]
        stream = guardrail.async_post_call_streaming_iterator_hook(  # type: ignore[arg-type]
            None, chunks(stream_events(CHAT, text)), second)
        out = [chunk async for chunk in stream]
        assert "Erika Musterfrau" in "".join(c.choices[0].delta.content or "" for c in out if c.choices)

    snapshot = exported.snapshot()
    assert_nothing_personal(snapshot)
    context = proxy.get_span_context()
    assert_once_per_phase_in_trace(snapshot, context.trace_id, context.span_id)


async def test_the_litellm_hooks_join_the_request_span_litellm_keeps_in_user_api_key_dict(
    guardrail: MaskgateGuardrail, exported: Exported
) -> None:
    proxy = trace.get_tracer("litellm-proxy").start_span("Received Proxy Server Request")  # never current
    auth = UserAPIKeyAuth(parent_otel_span=proxy)
    first = litellm_request()
    await guardrail.async_pre_call_hook(auth, None, first, "acompletion")  # type: ignore[arg-type]
    text = answer_text(json.dumps(first["messages"]))
    answer = ModelResponse(**response(CHAT, text))
    restored = await guardrail.async_post_call_success_hook(first, auth, answer)
    assert "Erika Musterfrau" in restored.choices[0].message.content

    second = litellm_request()
    await guardrail.async_pre_call_hook(auth, None, second, "acompletion")  # type: ignore[arg-type]
    upstream = chunks(stream_events(CHAT, text))
    stream = guardrail.async_post_call_streaming_iterator_hook(auth, upstream, second)
    out = [chunk async for chunk in stream]
    assert "Erika Musterfrau" in "".join(c.choices[0].delta.content or "" for c in out if c.choices)
    proxy.end()

    snapshot = exported.snapshot()
    assert_nothing_personal(snapshot)
    context = proxy.get_span_context()
    assert_once_per_phase_in_trace(snapshot, context.trace_id, context.span_id)


class KeptChunkRestorer(ChunkRestorer):
    """Kept alive by the test, so that only the hook's ``close()``, not the garbage collector's finalizer,
    can end the stream's span before the snapshot."""

    kept: ClassVar[list[ChunkRestorer]] = []

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.kept.append(self)


@pytest.mark.parametrize("shape", ["chat chunks", "anthropic sse bytes"])
async def test_a_stream_the_client_abandons_is_reported_as_aborted(
    guardrail: MaskgateGuardrail, exported: Exported, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    monkeypatch.setattr(guardrail_module, "ChunkRestorer", KeptChunkRestorer)
    monkeypatch.setattr(KeptChunkRestorer, "kept", [])
    proxy = trace.get_tracer("litellm-proxy").start_span("Received Proxy Server Request")
    auth = UserAPIKeyAuth(parent_otel_span=proxy)
    if shape == "chat chunks":
        fmt, data, call_type = CHAT, litellm_request(), "acompletion"
    else:
        fmt, call_type = ApiFormat.ANTHROPIC_MESSAGES, "anthropic_messages"
        data = {**request(fmt), "litellm_metadata": {}, "litellm_call_id": "call-2"}
    await guardrail.async_pre_call_hook(auth, None, data, call_type)  # type: ignore[arg-type]
    events = stream_events(fmt, answer_text(json.dumps(data["messages"])))
    upstream = chunks(events) if fmt is CHAT else raw(sse(fmt, events))
    stream = guardrail.async_post_call_streaming_iterator_hook(auth, upstream, data)
    await anext(stream)
    await anext(stream)
    await stream.aclose()  # what the proxy does when the client disconnects
    proxy.end()

    snapshot = exported.snapshot()
    assert len(KeptChunkRestorer.kept) == 1
    assert_nothing_personal(snapshot)
    [span] = snapshot.named(RESTORE_STREAM)
    assert span.attributes["maskgate.outcome"] == "aborted"
    assert span.attributes["maskgate.stream.chunks"] == 2
    assert span.parent is not None and span.parent.span_id == proxy.get_span_context().span_id
    assert snapshot.total("maskgate.restore.duration", streamed=True) == 1

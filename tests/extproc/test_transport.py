"""What happens around the masking: paths nobody masks, compression, sizes, bad bodies, aborted streams."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import openai
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from extproc import contract
from extproc._proto.envoy.service.ext_proc.v3 import external_processor_pb2_grpc
from extproc.local import Envoy
from extproc.messages import body_response, headers_response
from tests.extproc.conftest import (
    MAX_BODY_BYTES,
    NAME,
    PROMPT,
    assert_provider_saw_no_originals,
    envoy_setup,
)

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

pytestmark = pytest.mark.e2e


def chat_body(text: str = PROMPT, **extra: object) -> bytes:
    return json.dumps(
        {"model": "gpt-test", "messages": [{"role": "user", "content": text}], **extra}
    ).encode()


def test_unknown_path_passes_through_untouched(envoy, provider, processor):
    before = len(processor.events("exchange"))
    body = json.dumps({"note": f"free text about {NAME}"}).encode()
    response = httpx.post(
        envoy.url + "/v1/vector_stores/vs_1/files",
        content=body,
        headers={"content-type": "application/json", "accept-encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.content == body
    assert provider.requests[-1].body == body
    assert provider.requests[-1].headers["accept-encoding"] == "gzip"
    assert not any(name.startswith("x-maskgate-") for name in response.headers)
    # The processor saw the request headers only: its answer told Envoy to send nothing more.
    assert processor.wait_for(lambda: len(processor.events("exchange")) > before, timeout=10)
    exchange = processor.events("exchange")[before]
    assert exchange["action"] == "pass_through" and exchange["messages"] == 1


def test_non_post_requests_to_api_paths_pass_through(openai_client, provider):
    assert [model.id for model in openai_client.models.list()] == ["mock-model"]
    assert provider.requests[-1].method == "GET"


def test_gzip_request_body_is_masked_and_sent_compressed(envoy, provider):
    response = httpx.post(
        envoy.url + "/v1/chat/completions",
        content=gzip.compress(chat_body()),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == f"You said: {PROMPT}"
    received = provider.requests[-1]
    assert received.headers["content-encoding"] == "gzip"
    assert int(received.headers["content-length"]) == len(received.body)
    sent = gzip.decompress(received.body).decode()
    assert NAME not in sent and "<<PERSON_" in sent


def test_accept_encoding_is_removed_so_answers_can_be_restored(openai_client, provider):
    openai_client.chat.completions.create(
        model="gpt-test",
        messages=[{"role": "user", "content": PROMPT}],
        extra_headers={"accept-encoding": "gzip, br"},
    )
    assert "accept-encoding" not in provider.requests[-1].headers


def test_body_over_envoys_limit_gets_a_clear_413_and_nothing_is_forwarded(openai_client, provider):
    with pytest.raises(openai.APIStatusError) as raised:
        openai_client.chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": PROMPT + " x" * MAX_BODY_BYTES}]
        )
    assert raised.value.status_code == 413
    assert raised.value.body["code"] == "request_too_large"
    assert "byte limit" in raised.value.body["message"]
    assert provider.requests == []


def test_anthropic_413_is_in_anthropic_format(envoy, provider):
    body = json.dumps(
        {
            "model": "claude-test",
            "max_tokens": 10,
            "messages": [{"role": "user", "content": "x" * (MAX_BODY_BYTES + 10)}],
        }
    ).encode()
    response = httpx.post(
        envoy.url + "/v1/messages", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["type"] == "error"
    assert response.json()["error"]["type"] == "request_too_large"
    assert provider.requests == []


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b'{"model": "gpt-test", "messages": [', "application/json", 400, "invalid_json"),
        (chat_body(), "text/plain", 415, "unsupported_media_type"),
        (b"\xff\xfe" + chat_body(), "application/json", 400, "invalid_encoding"),
    ],
)
def test_unreadable_bodies_are_refused_in_the_api_format(envoy, provider, body, content_type, status, code):
    response = httpx.post(
        envoy.url + "/v1/chat/completions", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert provider.requests == []


def test_a_client_that_disconnects_mid_stream_leaves_no_stuck_state(envoy, provider, processor):
    before = len(processor.events("exchange"))
    with httpx.stream(
        "POST",
        envoy.url + "/v1/chat/completions",
        content=chat_body(stream=True),
        headers={"content-type": "application/json", "x-mock-delay-ms": "100"},
        timeout=10,
    ) as reply:
        first = next(reply.iter_raw())
        assert first.startswith(b"data: ")
    # The connection is closed with the answer half sent: Envoy ends the processor's gRPC stream (a reset
    # or a half-close, depending on timing) and the exchange's state is gone with it.
    assert processor.wait_for(lambda: len(processor.events("exchange")) > before, timeout=15)
    ended = processor.events("exchange")[before]
    assert ended["end"] in ("cancelled", "completed")
    assert ended["active_streams"] == 0
    recorded = provider.requests[-1]
    assert len(recorded.events_sent_at) < len(PROMPT) // 4  # the provider's stream was cut short as well


def test_health_service_reports_serving(processor):
    with grpc.insecure_channel(processor.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", "envoy.service.ext_proc.v3.ExternalProcessor"):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_masked_request_carries_its_exact_new_content_length(openai_client, provider):
    openai_client.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": PROMPT}])
    received = provider.requests[-1]
    assert int(received.headers["content-length"]) == len(received.body)
    assert_provider_saw_no_originals(provider)


def test_a_provider_that_dies_mid_stream_leaves_no_stuck_state(envoy, provider, processor):
    """The upstream connection breaks after a few events: the client's stream ends in an error, what it got
    before holds no half-restored placeholder, and the processor lets go of the exchange."""
    before = len(processor.events("exchange"))
    received = b""
    headers = {"content-type": "application/json", "x-mock-abort-after": "12", "x-mock-delay-ms": "20"}
    url = envoy.url + "/v1/chat/completions"
    with (
        pytest.raises(httpx.HTTPError),  # the client sees the cut: the provider never finished
        httpx.stream("POST", url, content=chat_body(stream=True), headers=headers, timeout=10) as reply,
    ):
        for chunk in reply.iter_raw():
            received += chunk
    assert received.startswith(b"data: ") and b"<<" not in received
    assert processor.wait_for(lambda: len(processor.events("exchange")) > before, timeout=15)
    assert processor.events("exchange")[before]["active_streams"] == 0


class HeaderRecorder(external_processor_pb2_grpc.ExternalProcessorServicer):
    """A processor that only writes down the header names Envoy sends it and changes nothing."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def Process(self, requests, context):
        for request in requests:
            kind = request.WhichOneof("request")
            if kind in ("request_headers", "response_headers"):
                self.seen.update(header.key for header in getattr(request, kind).headers.headers)
                yield headers_response(kind == "request_headers")
            else:
                yield body_response(kind == "request_body", None)


def test_envoy_sends_the_processor_only_the_headers_it_reads_never_credentials(provider):
    """The generated filter forwards a short list: no API key, cookie or SDK header reaches the processor,
    while the provider still gets all of them."""
    recorder = HeaderRecorder()
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    external_processor_pb2_grpc.add_ExternalProcessorServicer_to_server(recorder, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with Envoy(envoy_setup(provider, f"127.0.0.1:{port}")) as envoy:
            client = openai.OpenAI(base_url=envoy.url + "/v1", api_key="sk-secret", max_retries=0)
            client.chat.completions.create(
                model="gpt-test",
                messages=[{"role": "user", "content": "Hello"}],
                extra_headers={"cookie": "session=secret", "traceparent": TRACEPARENT},
            )
    finally:
        server.stop(None)
    assert {":path", ":method", ":status", "content-type", "traceparent"} <= recorder.seen
    assert recorder.seen <= set(contract.FORWARDED_HEADERS)
    received = provider.requests[-1].headers
    assert received["authorization"] == "Bearer sk-secret" and received["cookie"] == "session=secret"
    assert "x-stainless-lang" in received  # one of the SDK's headers the processor was spared

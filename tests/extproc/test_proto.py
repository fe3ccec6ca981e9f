"""The hand-kept protobuf subset speaks Envoy's wire format, and the generated code matches its sources.

envoy-data-plane's classes are generated from Envoy's complete API, independently of our subset: bytes
written by one and read by the other must carry the same values, field for field.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

from envoy_data_plane.envoy.config.core import v3 as core
from envoy_data_plane.envoy.service.ext_proc import v3 as envoy_api

from extproc import contract
from extproc.messages import (
    ProcessingRequest,
    body_response,
    headers_of,
    headers_response,
    immediate_response,
)
from extproc.proto import generate


def test_generated_code_is_up_to_date(tmp_path: Path):
    generate.generate(tmp_path)
    compared = filecmp.dircmp(tmp_path, generate.PACKAGE_ROOT, ignore=["__pycache__"])

    def differences(cmp: filecmp.dircmp) -> list[str]:
        found = [*cmp.left_only, *cmp.right_only, *cmp.diff_files]
        return found + [d for sub in cmp.subdirs.values() for d in differences(sub)]

    assert differences(compared) == [], "run: .venv/bin/python extproc/proto/generate.py"


def test_a_request_written_by_envoys_api_is_read_by_ours():
    request = envoy_api.ProcessingRequest(
        request_headers=envoy_api.HttpHeaders(
            headers=core.HeaderMap(
                headers=[
                    core.HeaderValue(key=":path", raw_value=b"/v1/chat/completions?x=1"),
                    core.HeaderValue(key="content-type", raw_value=b"application/json"),
                ]
            ),
        )
    )
    ours = ProcessingRequest.FromString(bytes(request))
    assert ours.WhichOneof("request") == "request_headers"
    assert headers_of(ours.request_headers.headers, {":path", "content-type", "accept"}) == {
        ":path": "/v1/chat/completions?x=1",
        "content-type": "application/json",
    }
    assert headers_of(ours.request_headers.headers, {":path"}) == {":path": "/v1/chat/completions?x=1"}

    body = ProcessingRequest.FromString(
        bytes(
            envoy_api.ProcessingRequest(
                response_body=envoy_api.HttpBody(body=b"data: {}\n\n", end_of_stream=True)
            )
        )
    )
    assert body.response_body.body == b"data: {}\n\n" and body.response_body.end_of_stream


def test_responses_written_by_ours_are_read_by_envoys_api():
    answer = envoy_api.ProcessingResponse.parse(
        headers_response(
            False,
            set_headers={"x-maskgate-mode": "mask"},
            remove=("content-length",),
            mode=contract.STREAMED_RESPONSE,
        ).SerializeToString()
    )
    mutation = answer.response_headers.response.header_mutation
    assert mutation.set_headers[0].header.key == "x-maskgate-mode"
    assert mutation.set_headers[0].header.raw_value == b"mask"
    assert mutation.set_headers[0].append_action.name == "OVERWRITE_IF_EXISTS_OR_ADD"
    assert mutation.remove_headers == ["content-length"]
    assert answer.mode_override.response_body_mode.name == "STREAMED"
    assert answer.mode_override.response_header_mode.name == "SEND"

    body = envoy_api.ProcessingResponse.parse(
        body_response(
            True, b"{}", set_headers={"x-maskgate-route": "pii"}, clear_route_cache=True
        ).SerializeToString()
    )
    assert body.request_body.response.body_mutation.body == b"{}"
    assert body.request_body.response.clear_route_cache

    held = envoy_api.ProcessingResponse.parse(body_response(False, b"").SerializeToString())
    assert held.response_body.response.body_mutation.clear_body

    local = envoy_api.ProcessingResponse.parse(
        immediate_response(
            413, b'{"error": {}}', {"content-type": "application/json"}, "too_big"
        ).SerializeToString()
    )
    assert local.immediate_response.status.code == 413
    assert local.immediate_response.body == b'{"error": {}}'
    assert local.immediate_response.details == "too_big"

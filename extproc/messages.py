"""Building and reading ext_proc protobuf messages: the only module that knows their field names.

The processor's logic (``extproc.exchange``) speaks in headers, bodies and modes; this module turns those
into ``ProcessingResponse`` messages. Header values travel in ``raw_value`` (bytes), as Envoy 1.40 sends
and expects them.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping

from extproc._proto.envoy.config.core.v3.base_pb2 import HeaderMap, HeaderValueOption
from extproc._proto.envoy.extensions.filters.http.ext_proc.v3.processing_mode_pb2 import ProcessingMode
from extproc._proto.envoy.service.ext_proc.v3.external_processor_pb2 import (
    CommonResponse,
    HeaderMutation,
    ProcessingRequest,
    ProcessingResponse,
)

__all__ = [
    "ProcessingMode",
    "ProcessingRequest",
    "ProcessingResponse",
    "body_response",
    "extend_timeout",
    "headers_of",
    "headers_response",
    "immediate_response",
    "trailers_response",
]

_OVERWRITE = HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD


def headers_of(header_map: HeaderMap, names: Container[str]) -> dict[str, str]:
    """The headers called ``names`` (lower-case, as Envoy sends them; a repeated header keeps its last
    value). Only those are decoded: a request carries a dozen headers, the processor reads a handful."""
    return {
        h.key: (h.raw_value.decode("latin-1") if h.raw_value else h.value)
        for h in header_map.headers
        if h.key in names
    }


def _mutate(mutation: HeaderMutation, set_headers: Mapping[str, str], remove: Iterable[str]) -> None:
    for key, value in set_headers.items():
        option = mutation.set_headers.add(append_action=_OVERWRITE)
        option.header.key = key
        option.header.raw_value = value.encode("latin-1")
    mutation.remove_headers.extend(remove)


def _common(
    common: CommonResponse,
    set_headers: Mapping[str, str],
    remove: Iterable[str],
    clear_route_cache: bool,
) -> None:
    if set_headers or remove:
        _mutate(common.header_mutation, set_headers, remove)
    if clear_route_cache:
        common.clear_route_cache = True


def headers_response(
    request_phase: bool,
    *,
    set_headers: Mapping[str, str] = {},
    remove: Iterable[str] = (),
    mode: ProcessingMode | None = None,
    clear_route_cache: bool = False,
) -> ProcessingResponse:
    """Answer to request or response headers, optionally changing what Envoy sends next (``mode``)."""
    response = ProcessingResponse()
    answer = response.request_headers if request_phase else response.response_headers
    answer.SetInParent()
    _common(answer.response, set_headers, remove, clear_route_cache)
    if mode is not None:
        response.mode_override.CopyFrom(mode)
    return response


def body_response(
    request_phase: bool,
    body: bytes | None,
    *,
    set_headers: Mapping[str, str] = {},
    remove: Iterable[str] = (),
    clear_route_cache: bool = False,
) -> ProcessingResponse:
    """Answer to a body message: ``None`` leaves the chunk as it is, ``b""`` holds it back (clears it)."""
    response = ProcessingResponse()
    answer = response.request_body if request_phase else response.response_body
    answer.SetInParent()
    if body is not None:
        if body:
            answer.response.body_mutation.body = body
        else:
            answer.response.body_mutation.clear_body = True
    _common(answer.response, set_headers, remove, clear_route_cache)
    return response


def immediate_response(
    status: int, body: bytes, headers: Mapping[str, str], details: str
) -> ProcessingResponse:
    """A local reply: Envoy answers the client itself and sends nothing upstream."""
    response = ProcessingResponse()
    reply = response.immediate_response
    reply.status.code = status  # type: ignore[assignment]  # open enum: any HTTP status
    reply.body = body
    reply.details = details
    _mutate(reply.headers, headers, ())
    return response


def extend_timeout(seconds: int) -> ProcessingResponse:
    """Ask Envoy for more time on the current message (an extra answer; the real one follows)."""
    response = ProcessingResponse()
    response.override_message_timeout.seconds = seconds
    return response


def trailers_response(request_phase: bool) -> ProcessingResponse:
    response = ProcessingResponse()
    (response.request_trailers if request_phase else response.response_trailers).SetInParent()
    return response

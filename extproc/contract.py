"""The names the processor and the Envoy configuration must agree on, defined once.

The generated Envoy config (``maskgate envoy-config``) and the processor are two halves of one protocol: if
the config allowed one set of mode overrides and the processor asked for another, Envoy would silently ignore
the override and placeholders would reach the client (see the notes on ``allowed_override_modes``). Keeping
both halves on these constants makes that mismatch impossible.
"""

from __future__ import annotations

from extproc._proto.envoy.extensions.filters.http.ext_proc.v3.processing_mode_pb2 import ProcessingMode

FILTER_NAME = "envoy.filters.http.ext_proc"
EXTPROC_CLUSTER = "maskgate_extproc"

MODE_KEY = "x-maskgate-mode"
"""Per-route mode. Envoy's route config sends it as gRPC initial metadata of the ext_proc stream (per-route
``grpc_initial_metadata``), which a client cannot forge; a request header of the same name is removed before
the request goes upstream, so nobody can switch masking off by sending it."""

ROUTE_HEADER = "x-maskgate-route"
ROUTE_VALUE = "pii"
"""Set on PII-bearing requests in ``route`` mode; the route config sends them to the alternate cluster."""

UNRESTORED_HEADER = "x-maskgate-unrestored"

TRACE_HEADERS = ("traceparent", "tracestate", "baggage")
FORWARDED_HEADERS = (
    ":path",
    ":method",
    ":status",
    "content-type",
    "content-encoding",
    ROUTE_HEADER,
    *TRACE_HEADERS,
)
"""The only headers Envoy sends the processor (``forward_rules``), request and response alike: what it
reads to choose a format and a response mode, plus the W3C trace context. The others — API keys, cookies,
a dozen SDK headers — never reach it: less to serialise and parse on every message, and nothing secret in a
process that has no use for it. Removing and setting headers is unaffected: mutations apply to the whole
header map."""

_Header = ProcessingMode.HeaderSendMode
_Body = ProcessingMode.BodySendMode

STATIC_MODE = ProcessingMode(
    request_header_mode=_Header.SEND,
    response_header_mode=_Header.SEND,
    request_body_mode=_Body.BUFFERED,
    response_body_mode=_Body.NONE,
)
"""The filter's configured mode: whole request bodies; response bodies only when the processor asks.
Trailer modes stay DEFAULT (= not sent) on purpose: Envoy fills an override's DEFAULT fields from this mode
before comparing it with ``allowed_override_modes``, so an explicit SKIP here would make every allowed entry
(trailers DEFAULT) fail to match and Envoy would silently ignore the overrides."""

PASS_THROUGH = ProcessingMode(response_header_mode=_Header.SKIP, request_body_mode=_Body.NONE)
"""Answer to request headers on a path no format claims: Envoy sends nothing more for this stream."""

BUFFERED_RESPONSE = ProcessingMode(response_header_mode=_Header.SEND, response_body_mode=_Body.BUFFERED)
STREAMED_RESPONSE = ProcessingMode(response_header_mode=_Header.SEND, response_body_mode=_Body.STREAMED)

ALLOWED_OVERRIDES = (PASS_THROUGH, BUFFERED_RESPONSE, STREAMED_RESPONSE)

LONG_MESSAGE_TIMEOUT_S = 300
"""Envoy's ``max_message_timeout``: the longest deadline the processor may ask for. Detection takes seconds
on a long-context prompt (hundreds of KB), far beyond the ``message_timeout`` that should catch a stuck
processor quickly, so for a large body the processor first asks Envoy for this much time."""
LARGE_BODY_BYTES = 32 * 1024
"""Request bodies above this size get the long deadline before detection starts."""
"""Envoy accepts an override only if it equals one of these in every field but ``request_header_mode``."""

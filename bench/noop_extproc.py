"""A do-nothing ext_proc processor: the floor any Python processor of the same contract stands on.

It asks Envoy for the same four messages maskgate asks for on a masked JSON request (request headers,
the buffered request body, response headers, the buffered response body) and answers each with the same
kind of mutation (headers removed or set, the body replaced by itself with its ``content-length``), using the
same protobuf classes and grpc.aio, but runs no core at all. ``bench/envoy_e2e.py`` puts it beside maskgate
so that maskgate's own share of the plumbing can be read off in the same run.

Run: ``.venv/bin/python bench/noop_extproc.py PORT``
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extproc import contract
from extproc._proto.envoy.service.ext_proc.v3 import external_processor_pb2_grpc
from extproc.messages import (
    ProcessingRequest,
    ProcessingResponse,
    body_response,
    headers_response,
)


def answer(request: ProcessingRequest) -> ProcessingResponse:
    kind = request.WhichOneof("request")
    if kind == "request_headers":
        return headers_response(True, remove=("accept-encoding",))
    if kind == "response_headers":
        return headers_response(
            False, set_headers={"x-noop": "true"}, mode=contract.BUFFERED_RESPONSE
        )
    request_phase = kind == "request_body"
    body = request.request_body.body if request_phase else request.response_body.body
    return body_response(request_phase, body, set_headers={"content-length": str(len(body))})


class NoopProcessor(external_processor_pb2_grpc.ExternalProcessorServicer):
    async def Process(
        self, request_iterator: AsyncIterator[ProcessingRequest], context: grpc.aio.ServicerContext
    ) -> None:
        async for request in request_iterator:
            await context.write(answer(request))


async def serve(port: int) -> None:
    server = grpc.aio.server()
    external_processor_pb2_grpc.add_ExternalProcessorServicer_to_server(NoopProcessor(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))

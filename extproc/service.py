"""The gRPC service ``envoy.service.ext_proc.v3.ExternalProcessor``: one ``Exchange`` per stream.

The loop knows nothing about APIs or PII; it feeds each message to the stream's ``Exchange`` and sends back
its answer. Two cross-cutting duties live here: ending each stream cleanly (a client that disconnects
mid-stream must leave nothing behind: Envoy cancels the gRPC stream, ``finally`` runs, and a response stream
cut short is reported as aborted) and failing closed — an unexpected error aborts the gRPC stream, which with
``failure_mode_allow: false`` makes Envoy answer 500 instead of forwarding anything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from concurrent.futures import Executor

import grpc

from extproc import contract
from extproc._proto.envoy.service.ext_proc.v3 import external_processor_pb2_grpc
from extproc.exchange import Exchange
from extproc.logs import elapsed_ms, log
from extproc.messages import ProcessingRequest
from maskgate import Gate


class ExternalProcessor(external_processor_pb2_grpc.ExternalProcessorServicer):
    def __init__(self, gate: Gate, executor: Executor, path_prefix: str = "") -> None:
        self._gate = gate
        self._executor = executor
        self._path_prefix = path_prefix
        self.active_streams = 0

    async def Process(
        self, request_iterator: AsyncIterator[ProcessingRequest], context: grpc.aio.ServicerContext
    ) -> None:
        metadata = dict(context.invocation_metadata() or ())
        exchange = Exchange(
            self._gate,
            self._executor,
            context.write,
            self._path_prefix,
            metadata.get(contract.MODE_KEY),
            grpc_metadata=metadata,
        )
        self.active_streams += 1
        started = time.perf_counter()
        end = "completed"
        try:
            async for request in request_iterator:
                await context.write(await exchange.handle(request))
        except asyncio.CancelledError:
            end = "cancelled"  # Envoy reset the stream: the client went away or the message timed out
            raise
        except Exception as exc:
            end = "failed"
            exchange.summary.error = type(exc).__name__
            log(logging.ERROR, "exchange_failed", exc_info=True)
            await context.abort(grpc.StatusCode.INTERNAL, "maskgate: internal error")
        finally:
            exchange.close()
            self.active_streams -= 1
            level = (
                logging.DEBUG if exchange.summary.api_format is None and end == "completed" else logging.INFO
            )
            log(
                level,
                "exchange",
                end=end,
                ms=elapsed_ms(started),
                active_streams=self.active_streams,
                **exchange.summary.fields(),
            )

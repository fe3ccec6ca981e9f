"""Running the processor: one grpc.aio server per worker process, several workers on one address.

Why processes: detection is CPU-bound Python, so one process uses one core however many threads it has.
``--workers N`` starts N processes that each bind the same TCP address with ``SO_REUSEPORT``; the kernel
spreads Envoy's connections across them. A unix socket cannot be shared that way, so it takes one worker
(run several processors on several sockets and list them as endpoints if you need more).

Each worker loads the policy and the detector once, warms the detector up before it reports SERVING on the
standard gRPC health service, and on SIGTERM/SIGINT reports NOT_SERVING, stops accepting streams and lets
the streams in flight finish (``--grace`` seconds at most).
"""

from __future__ import annotations

import asyncio
import json
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import wait

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from extproc import logs
from extproc._proto.envoy.service.ext_proc.v3 import external_processor_pb2_grpc
from extproc.logs import log
from extproc.service import ExternalProcessor
from maskgate import Gate, Policy, format_for_path, telemetry

SERVICE_NAME = "envoy.service.ext_proc.v3.ExternalProcessor"
WARM_UP_BODY = json.dumps(
    {
        "model": "warm-up",
        "messages": [
            {"role": "user", "content": "Hello, I am Erika Mustermann, erika@example.com, +49 30 1234567."}
        ],
    }
).encode()


@dataclass(frozen=True)
class ServeOptions:
    listen: str = "127.0.0.1:50051"
    policy: str | None = None
    workers: int = 1
    path_prefix: str = ""
    threads: int = 4
    """Detection threads per worker. They share one core (the GIL), so more threads add no throughput; they
    keep a short request from queueing behind long ones (measured: a streamed request's time to first byte
    while two long detections run, ~35 ms with 4 threads against ~700 ms with 2)."""
    grace: float = 30.0
    log_level: str = "info"

    def check(self) -> None:
        if self.workers < 1:
            raise ValueError("--workers must be at least 1")
        if self.workers > 1 and self.listen.startswith("unix:"):
            raise ValueError("--workers > 1 needs a TCP address: a unix socket cannot be shared by processes")
        if self.workers > 1 and self.listen.endswith(":0"):
            raise ValueError("--workers > 1 needs a fixed port: port 0 would give every worker another port")


def message_limit(policy: Policy) -> int:
    """gRPC's default 4 MiB would fail bodies that Envoy accepted; masked or restored bodies can grow."""
    return max(64 * 1024 * 1024, 4 * policy.limits.max_body_bytes + 1024 * 1024)


def load_gate(options: ServeOptions) -> tuple[Gate, Policy]:
    policy = Policy.load(options.policy) if options.policy else Policy()
    gate = Gate(policy)
    # Detection and restoring build models, matchers and caches lazily: pay for that now (a few hundred
    # milliseconds), not on the first real request and its first streamed chunks.
    chat = format_for_path("/v1/chat/completions")
    assert chat is not None
    outcome = gate.process_request(chat, WARM_UP_BODY)
    answer = outcome.body or WARM_UP_BODY
    gate.restore_body(chat, answer, outcome.ledger)
    stream = gate.stream_restorer(chat, outcome.ledger)
    for line in answer.split(b" "):
        stream.feed(
            b'data: {"choices":[{"index":0,"delta":{"content":%s}}]}\n\n' % json.dumps(line.decode()).encode()
        )
    stream.finish()
    return gate, policy


async def serve(options: ServeOptions, worker: int = 0) -> int:
    """Serve until SIGTERM/SIGINT, then drain. Returns the process exit status."""
    gate, policy = load_gate(options)
    telemetry.configure_from_env()  # after the warm-up, which must not be reported as a request
    executor = ThreadPoolExecutor(max_workers=options.threads, thread_name_prefix="maskgate-detect")
    limit = message_limit(policy)
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", limit),
            ("grpc.max_send_message_length", limit),
            ("grpc.so_reuseport", 1 if options.workers > 1 else 0),
        ]
    )
    service = ExternalProcessor(gate, executor, options.path_prefix)
    external_processor_pb2_grpc.add_ExternalProcessorServicer_to_server(service, server)
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    try:
        server.add_insecure_port(options.listen)
    except RuntimeError:
        log(logging.ERROR, "cannot_listen", address=options.listen, hint="address in use or not available")
        return 1
    await server.start()
    for name in ("", SERVICE_NAME):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    log(
        logging.INFO,
        "serving",
        address=options.listen,
        worker=worker,
        pid=os.getpid(),
        mode=policy.mode,
        threads=options.threads,
        max_message_bytes=limit,
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log(logging.INFO, "draining", worker=worker, active_streams=service.active_streams, grace_s=options.grace)
    await health.enter_graceful_shutdown()
    await server.stop(options.grace)
    executor.shutdown(wait=False, cancel_futures=True)
    telemetry.shutdown()
    log(logging.INFO, "stopped", worker=worker, active_streams=service.active_streams)
    return 0


def _worker_main(options: ServeOptions, worker: int) -> None:
    logs.setup(options.log_level)
    raise SystemExit(asyncio.run(serve(options, worker)))


def run(options: ServeOptions) -> int:
    """Serve in this process, or supervise ``options.workers`` processes that each serve."""
    options.check()
    logs.setup(options.log_level)
    if options.workers == 1:
        return asyncio.run(serve(options))
    return _supervise(options)


def _supervise(options: ServeOptions) -> int:
    """Start the workers, pass SIGTERM/SIGINT on to them and wait for them.

    A worker that dies on its own stops the whole group (exit status 1): the service manager that started
    ``maskgate extproc`` (systemd, Kubernetes) is the right place to restart, with its backoff and alerts.
    """
    context = multiprocessing.get_context("spawn")  # fresh interpreters: gRPC must not cross a fork
    workers = [
        context.Process(target=_worker_main, args=(options, index), name=f"maskgate-extproc-{index}")
        for index in range(options.workers)
    ]
    for process in workers:
        process.start()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        for process in workers:
            if process.exitcode is None and process.pid:
                os.kill(process.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    failed = False
    while any(process.exitcode is None for process in workers):
        wait([process.sentinel for process in workers if process.exitcode is None])
        for index, process in enumerate(workers):
            process.join(timeout=0)
            if process.exitcode is not None and not stopping:
                log(logging.ERROR, "worker_exited", worker=index, exit_code=process.exitcode)
                failed = True
                stop()
    return 1 if failed or any(process.exitcode != 0 for process in workers) else 0

"""``maskgate extproc`` as a service: several workers on one address, a clean drain on SIGTERM, clear
errors for options that cannot work."""

from __future__ import annotations

import json
import signal
import threading

import httpx
import pytest

from extproc.local import Envoy, Processor
from maskgate.cli import main
from tests.extproc.conftest import PROMPT, envoy_setup


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workers", "2", "--listen", "unix:/tmp/maskgate-test.sock"], "unix socket"),
        (["--workers", "2", "--listen", "127.0.0.1:0"], "fixed port"),
        (["--workers", "0"], "at least 1"),
        (["--config", "/nonexistent/policy.yaml"], "policy.yaml"),
    ],
)
def test_options_that_cannot_work_are_refused_before_anything_starts(argv, message, capsys):
    assert main(["extproc", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.e2e
def test_two_workers_share_the_address_and_sigterm_lets_streams_in_flight_finish(provider):
    with Processor(workers=2) as processor, Envoy(envoy_setup(provider, processor.address)) as envoy:
        assert len({event["pid"] for event in processor.events("serving")}) == 2
        body = (
            b'{"model": "m", "stream": true, "messages": [{"role": "user", "content": "%s"}]}'
            % PROMPT.encode()
        )
        received: list[bytes] = []
        first_chunk = threading.Event()

        def stream() -> None:
            headers = {"content-type": "application/json", "x-mock-delay-ms": "40"}
            with httpx.stream(
                "POST", envoy.url + "/v1/chat/completions", content=body, headers=headers, timeout=30
            ) as reply:
                for chunk in reply.iter_bytes():
                    received.append(chunk)
                    first_chunk.set()

        client = threading.Thread(target=stream)
        client.start()
        assert first_chunk.wait(30)
        processor.signal(signal.SIGTERM)  # mid-stream: ~30 more events at 40 ms are still to come
        client.join(30)
        assert processor.process is not None
        assert processor.process.wait(60) == 0, "\n".join(processor.lines[-20:])
        events = b"".join(received).decode().split("\n\n")
        assert events[-2] == "data: [DONE]", "\n".join(processor.lines[-20:])
        text = "".join(
            choice["delta"].get("content") or ""
            for event in events
            if event.startswith("data: {")
            for choice in json.loads(event.removeprefix("data: "))["choices"]
        )
        assert text == f"You said: {PROMPT}"
        assert processor.events("draining") and len(processor.events("stopped")) == 2

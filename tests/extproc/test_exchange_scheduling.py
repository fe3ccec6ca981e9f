"""Where the processor runs the core: in line for work that detects nothing new, in the pool otherwise.

Detection of a new text takes milliseconds and would stall every other stream's chunks if it ran on the
event loop; a request whose texts are all in the span cache takes a fraction of a millisecond, less than
the hop to the pool and back. These tests drive one ``Exchange`` with real protobuf messages and a pool
that records what it was given.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from extproc.exchange import INLINE_BYTES, Exchange
from extproc.messages import ProcessingRequest, ProcessingResponse
from maskgate import Gate
from maskgate.entities import Entity
from tests.core.conftest import RegexDetector


class CachingDetector(RegexDetector):
    """The regex stand-in with a span cache that remembers every text it has analysed."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        self.seen.add(text)
        return super().detect(text, language)

    def is_cached(self, text: str, language: str | None = None) -> bool:
        return text in self.seen


class RecordingPool(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def request(body: bytes) -> list[ProcessingRequest]:
    headers = ProcessingRequest()
    for key, value in ((":path", "/v1/chat/completions"), (":method", "POST"),
                       ("content-type", "application/json")):
        header = headers.request_headers.headers.headers.add()
        header.key, header.raw_value = key, value.encode()
    message = ProcessingRequest()
    message.request_body.body = body
    message.request_body.end_of_stream = True
    return [headers, message]


def masked_body(gate: Gate, pool: RecordingPool, body: bytes) -> bytes:
    async def run() -> ProcessingResponse:
        async def send(_: ProcessingResponse) -> None: ...

        exchange = Exchange(gate, pool, send)
        answers = [await exchange.handle(message) for message in request(body)]
        exchange.close()
        return answers[-1]

    return asyncio.run(run()).request_body.response.body_mutation.body


def chat(text: str) -> bytes:
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": text}]}).encode()


def test_new_texts_are_detected_in_the_pool_and_known_ones_in_line() -> None:
    gate, pool = Gate(detector=CachingDetector()), RecordingPool()
    body = chat("Please write to Max Mustermann, max@example.com.")
    first = masked_body(gate, pool, body)
    assert pool.submitted == 1 and b"Max Mustermann" not in first
    assert masked_body(gate, pool, body) == first  # the same answer, without the hop
    assert pool.submitted == 1
    masked_body(gate, pool, chat("Now write to Anna Schmidt."))
    assert pool.submitted == 2


def test_a_large_body_goes_to_the_pool_even_when_every_text_is_known() -> None:
    gate, pool = Gate(detector=CachingDetector()), RecordingPool()
    body = chat("Max Mustermann. " + "Lorem ipsum dolor sit amet. " * (INLINE_BYTES // 28))
    assert len(body) > INLINE_BYTES
    masked_body(gate, pool, body)
    masked_body(gate, pool, body)
    assert pool.submitted == 2

"""Failing closed, and a filter configured differently than ``maskgate envoy-config`` would: each case gets
its own small Envoy (about a second to start) in front of the same provider and processor."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import betterproto2
import openai
import pytest
from envoy_data_plane.envoy.extensions.filters.http.ext_proc import v3 as ext_proc
from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager import v3 as hcm
from envoy_data_plane.google import protobuf

from extproc.envoy_config import bootstrap
from extproc.local import Envoy, free_port
from tests.extproc.conftest import NAME, PHONE, PROMPT, assert_provider_saw_no_originals, envoy_setup

pytestmark = pytest.mark.e2e


def client(envoy: Envoy) -> openai.OpenAI:
    return openai.OpenAI(base_url=envoy.url + "/v1", api_key="test-key", max_retries=0, timeout=30)


@pytest.fixture(scope="module")
def envoy_without_processor(provider) -> Iterator[Envoy]:
    with Envoy(envoy_setup(provider, f"127.0.0.1:{free_port()}")) as running:  # nothing listens there
        yield running


@pytest.fixture(scope="module")
def envoy_with_short_timeout(provider, processor) -> Iterator[Envoy]:
    with Envoy(envoy_setup(provider, processor.address, message_timeout=1.0)) as running:
        yield running


def with_static_streamed_responses(setup) -> betterproto2.Message:
    """The generated bootstrap, but with response bodies statically STREAMED and overrides disallowed:
    how a mesh that already runs ext_proc for something else may have it."""
    document = bootstrap(setup)
    network_filter = document.static_resources.listeners[0].filter_chains[0].filters[0]
    manager = network_filter.typed_config.unpack()
    config = manager.http_filters[0].typed_config.unpack()
    config.processing_mode.response_body_mode = ext_proc.ProcessingModeBodySendMode.STREAMED
    config.allow_mode_override = False
    config.allowed_override_modes = []
    manager.http_filters[0] = hcm.HttpFilter(
        name=manager.http_filters[0].name, typed_config=protobuf.Any.pack(config)
    )
    network_filter.typed_config = protobuf.Any.pack(manager)
    return document


@pytest.fixture(scope="module")
def envoy_streamed_statically(provider, processor) -> Iterator[Envoy]:
    setup = envoy_setup(provider, processor.address)
    with Envoy(setup, document=with_static_streamed_responses(setup)) as running:
        yield running


def test_processor_down_means_5xx_and_nothing_forwarded(envoy_without_processor, provider):
    with pytest.raises(openai.InternalServerError) as raised:
        client(envoy_without_processor).chat.completions.create(
            model="gpt-test", messages=[{"role": "user", "content": PROMPT}]
        )
    assert raised.value.status_code >= 500
    assert provider.requests == []


def test_processor_slower_than_the_message_timeout_means_504(envoy_with_short_timeout, provider, processor):
    processor.signal(signal.SIGSTOP)  # a processor that stopped answering (overloaded, stuck in GC, ...)
    try:
        with pytest.raises(openai.APIStatusError) as raised:
            client(envoy_with_short_timeout).chat.completions.create(
                model="gpt-test", messages=[{"role": "user", "content": PROMPT}]
            )
    finally:
        processor.signal(signal.SIGCONT)
    assert raised.value.status_code == 504
    assert provider.requests == []


def test_statically_streamed_json_is_held_and_restored(envoy_streamed_statically, provider):
    completion = client(envoy_streamed_statically).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": PROMPT}]
    )
    assert completion.choices[0].message.content == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)


def test_statically_streamed_sse_is_restored(envoy_streamed_statically, provider):
    stream = client(envoy_streamed_statically).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": PROMPT}], stream=True
    )
    text = "".join(choice.delta.content or "" for chunk in stream for choice in chunk.choices)
    assert text == f"You said: {PROMPT}"
    assert_provider_saw_no_originals(provider)


def test_statically_streamed_filter_still_passes_unknown_paths(envoy_streamed_statically, provider):
    reply = client(envoy_streamed_statically).models.list()
    assert [model.id for model in reply] == ["mock-model"]


def test_a_long_prompt_gets_more_time_than_the_message_timeout(envoy_with_short_timeout, provider):
    """Detection of a long-context prompt takes seconds: the processor asks Envoy for a longer deadline on
    that one message, so only a stuck processor hits the (here 1 s) message timeout."""
    notes = "".join(
        f"Ticket {i}: {NAME} (phone {PHONE}) asked about invoice {i} and the delayed delivery of order {i}. "
        for i in range(1500)
    )
    completion = client(envoy_with_short_timeout).chat.completions.create(
        model="gpt-test", messages=[{"role": "user", "content": notes}]
    )
    assert completion.choices[0].message.content == f"You said: {notes}"
    assert_provider_saw_no_originals(provider, (NAME, PHONE))

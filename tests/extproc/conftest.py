"""Real processes for the Envoy end-to-end tests: the mock provider, ``maskgate extproc`` and Envoy.

Started once per session (the processor loads the detector once; Envoy starts in about a second) and
stopped at the end. Tests pick a per-route mode with the ``x-test-mode`` header, which the generated route
config maps to the processor's per-route mode, exactly as a deployment would map a path or a team header.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import anthropic
import openai
import pytest

from extproc.envoy_config import EnvoySetup, ModeRoute
from extproc.local import Envoy, Processor, free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from mock_provider import MockProvider

MAX_BODY_BYTES = 2 * 1024 * 1024  # Envoy's buffer limit in these tests: bodies above get Envoy's 413
TEST_MODE_HEADER = "x-test-mode"


@pytest.fixture(scope="session")
def provider() -> Iterator[MockProvider]:
    with MockProvider() as mock:
        yield mock


@pytest.fixture(scope="session")
def local_model() -> Iterator[MockProvider]:
    """Where `route` mode sends requests that carry PII (a stand-in for a model run in-house)."""
    with MockProvider() as mock:
        yield mock


@pytest.fixture(scope="session")
def processor() -> Iterator[Processor]:
    # debug: streams of paths that pass through are logged too (the tests check what Envoy sent for them)
    with Processor(extra_args=("--log-level", "debug")) as running:
        yield running


def envoy_setup(provider: MockProvider, extproc: str, **overrides: object) -> EnvoySetup:
    settings: dict[str, object] = {
        "listen": f"127.0.0.1:{free_port()}",
        "upstream": provider.url,
        "extproc": extproc,
        "message_timeout": 10.0,
        "max_body_bytes": MAX_BODY_BYTES,
        **overrides,
    }
    return EnvoySetup(**settings)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def envoy(provider: MockProvider, local_model: MockProvider, processor: Processor) -> Iterator[Envoy]:
    setup = envoy_setup(
        provider,
        processor.address,
        route_upstream=local_model.url,
        mode_routes=(
            *(ModeRoute(mode, header=(TEST_MODE_HEADER, mode)) for mode in ("block", "detect", "route")),
            ModeRoute("maks", header=(TEST_MODE_HEADER, "typo")),  # a hand-written route config with a typo
        ),
    )
    with Envoy(setup) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_recordings(request: pytest.FixtureRequest) -> None:
    """Each test sees only the requests it caused (only where the mocks are in use)."""
    for name in ("provider", "local_model"):
        if name in request.fixturenames:
            request.getfixturevalue(name).clear()


@pytest.fixture
def openai_client(envoy: Envoy) -> openai.OpenAI:
    return openai.OpenAI(base_url=envoy.url + "/v1", api_key="test-key", max_retries=0, timeout=30)


@pytest.fixture
def anthropic_client(envoy: Envoy) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=envoy.url, api_key="test-key", max_retries=0, timeout=30)


# Values the detector must find. Every test checks both directions: none of them reaches the provider,
# all of them come back to the client.
NAME = "Max Mustermann"
IBAN = "DE89370400440532013000"
PHONE = "+49 30 12345678"
PROMPT = f"Please draft a letter to {NAME}, phone {PHONE}, about the payment from IBAN {IBAN}."
ORIGINALS = (NAME, IBAN, PHONE)


def assert_provider_saw_no_originals(mock: MockProvider, originals: tuple[str, ...] = ORIGINALS) -> None:
    """Search every byte the provider received (bodies, paths, queries, headers) for every original."""
    recorded = mock.requests
    assert recorded, "the provider received no request at all"
    for request in recorded:
        seen = "\n".join(
            [
                request.path,
                request.query,
                *(f"{k}: {v}" for k, v in request.headers.items()),
                request.body.decode("utf-8", "replace"),
            ]
        )
        for original in originals:
            assert original not in seen, "an original value reached the provider"
        assert "<<" in request.body.decode("utf-8", "replace"), "the provider got no placeholder either"

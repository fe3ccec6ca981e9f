"""Real processes for the LiteLLM end-to-end tests: the mock provider and two ``litellm`` proxies.

Both proxies run ``examples/litellm/config.yaml`` against the mock provider, one per way of enabling maskgate:

* ``guardrails``: the example's ``guardrails:`` entry, plus two opt-in guardrails listed before it that a
  request selects with ``"guardrails": [...]`` in its body: ``maskgate-block`` (block mode) and
  ``maskgate-broken`` (its policy names a spaCy model that does not exist, so masking cannot run at all);
* ``callbacks``: the entry removed, ``litellm_hooks.callback`` under ``litellm_settings: callbacks`` instead.

Each also loads a recording logging callback (``recording_logger.py``) that writes everything it is handed
to a file. A proxy starts in ~10-20 s, so both start at once, once per session, and are warmed up (the first
request loads the detector) before any test runs.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import openai
import pytest
import yaml

from examples.litellm.proxy_process import MASTER_KEY, OFFLINE_ENV, REPO_ROOT, LiteLLMProxy
from examples.mock_provider import MockProvider
from tests.litellm import sdk

os.environ.update(OFFLINE_ENV)  # before anything imports litellm in this process (the unit tests do)

EXAMPLE_CONFIG = REPO_ROOT / "examples" / "litellm" / "config.yaml"
EXAMPLE_POLICY = "examples/litellm/policy.yaml"
STYLES = ("guardrails", "callbacks")
RECORDER = "tests.litellm.recording_logger.recorder"

CHAT_MODEL = "gpt-4o-mini"
SLOW_CHAT_MODEL = "gpt-4o-mini-slow"  # the mock waits SLOW_EVENT_MS before every streamed event
SLOW_EVENT_MS = 40
CHAR_CHAT_MODEL = "gpt-4o-mini-chars"  # the mock streams one character per event
EMBEDDING_MODEL = "text-embedding-3-small"
CLAUDE_MODEL = "claude-sonnet-4"
BLOCK = {"guardrails": ["maskgate-block"]}
BROKEN = {"guardrails": ["maskgate-broken"]}


def _example() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def _with_test_models(config: dict[str, Any]) -> dict[str, Any]:
    """The example's chat model again, under names that make the mock stream slowly or in tiny pieces."""
    chat = next(m for m in config["model_list"] if m["model_name"] == CHAT_MODEL)
    for name, headers in ((SLOW_CHAT_MODEL, {"x-mock-delay-ms": str(SLOW_EVENT_MS)}),
                          (CHAR_CHAT_MODEL, {"x-mock-chunk-size": "1"})):
        variant = copy.deepcopy(chat)
        variant["model_name"] = name
        variant["litellm_params"]["extra_headers"] = headers
        config["model_list"].append(variant)
    return config


def guardrails_config(broken_policy: Path) -> dict[str, Any]:
    config = _with_test_models(_example())
    entry = config["guardrails"][0]
    opt_in = [
        {"guardrail_name": "maskgate-block",
         "litellm_params": {**entry["litellm_params"], "default_on": False, "maskgate_mode": "block"}},
        {"guardrail_name": "maskgate-broken",
         "litellm_params": {**entry["litellm_params"], "default_on": False, "policy": str(broken_policy)}},
    ]
    config["guardrails"] = [*opt_in, entry]
    config["litellm_settings"] = {"callbacks": [RECORDER]}
    return config


def callbacks_config() -> dict[str, Any]:
    config = _with_test_models(_example())
    del config["guardrails"]
    config["litellm_settings"] = {"callbacks": ["litellm_hooks.callback", RECORDER]}
    return config


class Gateway:
    """A running proxy with its clients and the logging callback's records."""

    def __init__(self, style: str, proxy: LiteLLMProxy, log_file: Path) -> None:
        self.style = style
        self.proxy = proxy
        self.log_file = log_file
        self.openai = openai.OpenAI(base_url=proxy.url + "/v1", api_key=MASTER_KEY, max_retries=0,
                                    timeout=120)
        self.anthropic = anthropic.Anthropic(base_url=proxy.url, api_key=MASTER_KEY, max_retries=0,
                                             timeout=120)

    def log_records(self) -> list[dict[str, Any]]:
        if not self.log_file.exists():
            return []
        lines = self.log_file.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def wait_for_logs(self, call_ids: set[str], events: tuple[str, ...],
                      timeout: float = 30.0) -> list[dict[str, Any]]:
        """The logging records once every call in ``call_ids`` has one of ``events`` (logging is async)."""
        deadline = time.monotonic() + timeout
        while True:
            records = self.log_records()
            logged = {r["call_id"] for r in records if r["event"] in events}
            if call_ids <= logged or time.monotonic() > deadline:
                missing = call_ids - logged
                assert not missing, f"no {events} logging record for {len(missing)} call(s)"
                return records
            time.sleep(0.2)


@pytest.fixture(scope="session")
def provider() -> Iterator[MockProvider]:
    with MockProvider() as mock:
        yield mock


@pytest.fixture(scope="session")
def gateways(provider: MockProvider,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Gateway]]:
    workdir = tmp_path_factory.mktemp("litellm")
    broken_policy = workdir / "broken-policy.yaml"
    broken_policy.write_text("model: maskgate_missing_spacy_model\n", encoding="utf-8")
    env = {
        "OPENAI_BASE_URL": provider.url + "/v1",
        "ANTHROPIC_BASE_URL": provider.url,
        "OPENAI_API_KEY": "mock-key",
        "ANTHROPIC_API_KEY": "mock-key",
        "MASKGATE_POLICY": EXAMPLE_POLICY,  # the callbacks style reads its options from the environment
    }
    configs = {"guardrails": guardrails_config(broken_policy), "callbacks": callbacks_config()}
    proxies: dict[str, LiteLLMProxy] = {}
    try:
        for style in STYLES:
            log_file = workdir / f"{style}-logging.jsonl"
            proxies[style] = LiteLLMProxy(configs[style], workdir, name=style,
                                          env={**env, "MASKGATE_TEST_LOG_FILE": str(log_file)}).start()
        running = {}
        for style in STYLES:
            proxies[style].wait_ready()
            running[style] = Gateway(style, proxies[style], workdir / f"{style}-logging.jsonl")
        for gateway in running.values():  # the first masked request loads the detector
            sdk.chat(gateway.openai, [{"role": "user", "content": "hi"}], model=CHAT_MODEL)
        yield running
    finally:
        for proxy in proxies.values():
            proxy.stop()


@pytest.fixture(params=STYLES)
def gateway(request: pytest.FixtureRequest, gateways: dict[str, Gateway], provider: MockProvider) -> Gateway:
    """Each test runs once per way of enabling maskgate, with the provider's recordings cleared."""
    provider.clear()
    return gateways[request.param]


@pytest.fixture
def guardrails_gateway(gateways: dict[str, Gateway], provider: MockProvider) -> Gateway:
    """The proxy with the opt-in block and broken guardrails."""
    provider.clear()
    return gateways["guardrails"]

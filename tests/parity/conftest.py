"""The two gateways side by side, started by the Envoy and LiteLLM suites' own fixtures.

``envoy`` and ``local_model`` come from ``tests/extproc/conftest.py``, ``provider`` and ``gateways`` (the two
LiteLLM proxies, one per way of enabling maskgate) from ``tests/litellm/conftest.py``: re-exported here, so
this directory starts them the way those suites do, and both gateways call the one ``provider``. The only
fixture defined here is the processor: the Envoy suite's runs the built-in default policy, the LiteLLM
proxies read ``examples/litellm/policy.yaml``, and parity only means something when both packagings run the
same policy file, as a deployment of both would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from extproc.local import Processor
from tests.extproc.conftest import envoy, local_model
from tests.litellm.conftest import EXAMPLE_POLICY, REPO_ROOT, gateways, provider

__all__ = ["envoy", "gateways", "local_model", "processor", "provider"]


@pytest.fixture(scope="session")
def processor() -> Iterator[Processor]:
    """``maskgate extproc`` with the policy file the LiteLLM proxies use (overrides the Envoy suite's)."""
    with Processor(policy=str(REPO_ROOT / EXAMPLE_POLICY)) as running:
        yield running

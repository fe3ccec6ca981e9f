"""``litellm[proxy]`` is an optional extra: the core and the Envoy service must work without it."""

from __future__ import annotations

import subprocess
import sys

from examples.litellm.proxy_process import REPO_ROOT

CHECK = """
import sys
import maskgate, maskgate.pipeline, maskgate.detection, maskgate.cli
import extproc, extproc.cli, extproc.service
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("litellm", "litellm_hooks"))
assert not loaded, loaded
"""


def test_core_and_envoy_service_never_import_litellm() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]

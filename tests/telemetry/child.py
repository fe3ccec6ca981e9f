"""Running maskgate in a fresh interpreter: OpenTelemetry's global providers can be set once per process, so
every configuration test and every export over the wire starts a process of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

_PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "grpc_proxy", "no_proxy"}


def clean_environment(**variables: str) -> dict[str, str]:
    """This process's environment without any OTEL_* or proxy variable (exports go to 127.0.0.1 directly),
    plus ``variables``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("OTEL_") and key.lower() not in _PROXY_VARIABLES
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    return {**env, **variables}


RESULT = "RESULT "


def run(code: str, **variables: str) -> Any:
    """Run ``code`` with ``variables`` set; returns the JSON document it printed on a line of its own after
    ``RESULT `` (console exporters print to stdout too)."""
    finished = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=clean_environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    [result] = [line for line in finished.stdout.splitlines() if line.startswith(RESULT)]
    return json.loads(result.removeprefix(RESULT))

"""Run the real ``litellm`` proxy with maskgate on loopback, as a child process: for tests, bench and demos.

The proxy is started the way an operator starts it (``litellm --config config.yaml --port N``), from a config
dict written to a file, with the settings that keep it offline: it refuses to start without a master key, and
both its startup and ``import litellm`` try to download a model price map unless told to use the bundled one.
``PYTHONPATH`` gets the repository root, so the proxy imports ``litellm_hooks`` and ``maskgate`` from this
checkout. Startup takes ~10 s (more on a busy machine), so callers start several proxies first and then wait
for all of them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MASTER_KEY = "sk-maskgate-local"

OFFLINE_ENV: dict[str, str] = {
    "LITELLM_MASTER_KEY": MASTER_KEY,
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_BLOG_POSTS": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
    "LITELLM_LOCAL_AUTOROUTER_PRESETS": "True",
    "LITELLM_LOCAL_POLICY_TEMPLATES": "true",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def litellm_command() -> str:
    """The ``litellm`` script of this interpreter's environment (a venv's ``bin/``), else the one on PATH."""
    beside = Path(sys.executable).with_name("litellm")
    found = str(beside) if beside.exists() else shutil.which("litellm")
    if found is None:
        raise RuntimeError("the litellm proxy is not installed: pip install 'maskgate[litellm]'")
    return found


class LiteLLMProxy:
    """One proxy process: ``start()`` returns at once, ``wait_ready()`` blocks until it answers."""

    def __init__(self, config: dict[str, Any], workdir: Path, *, name: str = "litellm",
                 env: dict[str, str] | None = None) -> None:
        self.config = config
        self.workdir = workdir
        self.name = name
        self.env = env or {}
        self.port = 0
        self.log_path = workdir / f"{name}.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiteLLMProxy:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config_path = self.workdir / f"{self.name}.yaml"
        config_path.write_text(yaml.safe_dump(self.config, sort_keys=False), encoding="utf-8")
        self.port = free_port()
        env = {**os.environ, **OFFLINE_ENV, **self.env}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        command = [litellm_command(), "--config", str(config_path),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.log_path, "wb") as log:  # stdin detached, own session: signals to us do not reach it
            self._process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout: float = 180.0) -> LiteLLMProxy:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited during startup:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/health/liveliness", timeout=2) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the proxy and anything it spawned (its own process group)."""
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None

    def __enter__(self) -> LiteLLMProxy:
        return self.start().wait_ready()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""Envoy and the processor as child processes on loopback: what ``make demo``, the benchmark and the
end-to-end tests all start, so they start it one way.

Both run in their own session with standard input detached: an Envoy started from a shell that later goes
away was seen to get SIGTERM half a second after start (notes, pitfall 8), and a test run must be able to
stop a whole process group it started, never anything else.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from extproc.envoy_config import EnvoySetup, render
from extproc.envoy_config import bootstrap as build_bootstrap

__all__ = ["Envoy", "Processor", "free_port", "wait_for_port"]


def free_port() -> int:
    """A loopback port that was free a moment ago (the OS does not hand it out again right away)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with status {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def _bin(name: str) -> str:
    """A command installed next to this interpreter (the project's virtualenv), else from PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name!r} not found next to {sys.executable} or on PATH")
    return found


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the parent dies, even by SIGKILL. A child in its own
    session would otherwise outlive a killed test run and keep its ports on a shared machine."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class _Child:
    """A child process in its own session; ``stop`` ends its whole group and nothing else."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def _spawn(self, argv: list[str], output: Any) -> subprocess.Popen[bytes]:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        return self.process

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, signum: int) -> None:
        """Signal the whole group (the processor's workers too)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.signal(signal.SIGCONT)  # a test may have paused it
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.process.wait()
        return self.process.returncode

    def __enter__(self) -> Any:
        try:
            return self.start()  # type: ignore[attr-defined]
        except BaseException:  # also a test timeout or Ctrl-C while waiting: leave no process behind
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Processor(_Child):
    """``maskgate extproc`` with its JSON log lines collected (``events``) for inspection."""

    def __init__(
        self,
        port: int | None = None,
        *,
        policy: str | None = None,
        workers: int = 1,
        extra_args: tuple[str, ...] = (),
        echo: bool = False,
    ) -> None:
        super().__init__()
        self.port = port or free_port()
        self.workers = workers
        self.argv = [
            _bin("maskgate"),
            "extproc",
            "--listen",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            *(("--config", policy) if policy else ()),
            *extra_args,
        ]
        self.lines: list[str] = []
        self._echo = echo
        self._changed = threading.Condition()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> Processor:
        """Start and wait until every worker logged ``serving`` (the detector is loaded and warm)."""
        process = self._spawn(self.argv, subprocess.PIPE)
        threading.Thread(target=self._read, args=(process,), daemon=True).start()
        if not self.wait_for(
            lambda: len(self.events("serving")) >= self.workers or process.poll() is not None, timeout
        ):
            raise TimeoutError(f"maskgate extproc not serving after {timeout} s")
        if process.poll() is not None:
            raise RuntimeError("maskgate extproc exited:\n" + "\n".join(self.lines[-20:]))
        return self

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if self._echo:
                print(line, file=sys.stderr)
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        """The parsed log lines (optionally only one event type)."""
        with self._changed:
            lines = list(self.lines)
        parsed = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and (name is None or entry.get("event") == name):
                parsed.append(entry)
        return parsed

    def wait_for(self, predicate: Any, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, 0.5))
        return True


class Envoy(_Child):
    """Envoy running a generated bootstrap (or one given as a typed message) from a private directory."""

    def __init__(self, setup: EnvoySetup, *, document: Any = None, log_level: str = "warning") -> None:
        super().__init__()
        self.setup = setup
        self.port = int(setup.listen.rsplit(":", 1)[1])
        self.directory = Path(tempfile.mkdtemp(prefix="maskgate-envoy-"))
        self.config_path = self.directory / "envoy.yaml"
        self.config_path.write_text(render(document if document is not None else build_bootstrap(setup)))
        self.log_path = self.directory / "envoy.log"
        self.log_level = log_level

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Envoy:
        log = self.log_path.open("wb")
        process = self._spawn(
            [
                _bin("envoy"),
                "-c",
                str(self.config_path),
                "--disable-hot-restart",
                "--log-level",
                self.log_level,
            ],
            log,
        )
        log.close()
        try:
            wait_for_port(self.port, timeout, process)
        except (RuntimeError, TimeoutError) as exc:
            raise RuntimeError(f"{exc}; Envoy log:\n{self.log()[-3000:]}") from None
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20.0) -> int | None:
        code = super().stop(timeout)
        shutil.rmtree(self.directory, ignore_errors=True)
        return code

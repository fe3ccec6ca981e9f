"""One :class:`maskgate.Gate` per policy file per process, built on first use and shared by every hook.

Building a gate loads the spaCy model (seconds), so it happens once, off the event loop (the proxy keeps
serving streams meanwhile), and concurrent first requests wait for the same build instead of starting their
own. A build that fails is not cached: the request that hit it is refused (fail closed) and the next one
tries again, so a transient failure does not disable the proxy until a restart.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from maskgate import Gate, Policy

__all__ = ["load_policy", "shared_gate"]

_gates: dict[str | None, Gate] = {}
_build_lock = threading.Lock()


def load_policy(path: str | None) -> Policy:
    """The policy at ``path`` (relative paths are taken from the proxy's working directory), or defaults."""
    return Policy.load(Path(path)) if path else Policy()


def _build(path: str | None) -> Gate:
    with _build_lock:
        gate = _gates.get(path)
        if gate is None:
            gate = _gates[path] = Gate(load_policy(path))
        return gate


async def shared_gate(path: str | None) -> Gate:
    """The gate for the policy at ``path`` (None: the default policy)."""
    gate = _gates.get(path)
    if gate is None:
        gate = await asyncio.to_thread(_build, path)
    return gate

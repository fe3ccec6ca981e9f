"""Suite-wide guard: the code under test may talk to loopback only.

Serving must never reach the network (model downloads, suffix lists, price maps). Any attempt to connect a
socket to a non-loopback address fails the test that made it, wherever in the stack it happens.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest


class NonLoopbackConnection(AssertionError):
    """Raised when code under test tries to open a connection beyond this machine."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a hostname: resolving it would already be network use


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(sock: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise NonLoopbackConnection(f"non-loopback connection attempted: {address!r}")
        return real_connect(sock, address)

    def guarded_connect_ex(sock: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            raise NonLoopbackConnection(f"non-loopback connection attempted: {address!r}")
        return real_connect_ex(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)

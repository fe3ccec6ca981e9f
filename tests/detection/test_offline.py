"""Detection never touches the network: not to load a model, not to parse a domain.

tldextract swallows its own download errors and falls back to its bundled list, so the suite-wide connect
guard alone could miss an attempt; these tests record every name resolution and connection instead.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
import tldextract
import tldextract.tldextract

from maskgate.detection import Detector, ModelError
from maskgate.policy import DEFAULT_MODEL, Policy

TEXT = "Write to anna.schmidt@example.co.uk or open https://shop.example.com.au/orders?id=7 from 203.0.113.9."


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every DNS lookup or connection made during the test (each one also fails)."""
    seen: list[object] = []
    real_connect = socket.socket.connect

    def resolve(host: object, *args: object, **kwargs: object) -> object:
        seen.append(("resolve", host))
        raise socket.gaierror("network disabled in this test")

    def connect(sock: socket.socket, address: object) -> None:
        seen.append(("connect", address))
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


@pytest.fixture
def fresh_tldextract(tmp_path: Path) -> Iterator[None]:
    """tldextract as a new process has it: empty cache, default suffix-list URLs; it would fetch."""
    before = tldextract.tldextract.TLD_EXTRACTOR
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(cache_dir=str(tmp_path))
    try:
        yield
    finally:
        tldextract.tldextract.TLD_EXTRACTOR = before


def test_detector_builds_and_detects_without_network(attempts: list[object], fresh_tldextract: None) -> None:
    detector = Detector()
    found = [(e.type, TEXT[e.start : e.end]) for e in detector.detect(TEXT, "en")]
    assert ("EMAIL_ADDRESS", "anna.schmidt@example.co.uk") in found
    assert ("URL", "https://shop.example.com.au/orders?id=7") in found
    assert ("IP_ADDRESS", "203.0.113.9") in found
    # Library code that calls tldextract's module-level function must not fetch either.
    assert tldextract.extract("www.example.co.uk").suffix == "co.uk"
    assert attempts == []


def test_the_recording_would_catch_a_fetch(attempts: list[object], fresh_tldextract: None) -> None:
    """The check above can fail: an unconfigured tldextract does try to download the suffix list."""
    tldextract.extract("www.example.co.uk")
    assert attempts, "tldextract did not try the network; the offline test above proves nothing"


def test_a_missing_model_is_an_error_not_a_download(attempts: list[object]) -> None:
    with pytest.raises(ModelError, match="'en_core_web_lg' is neither an installed package nor a model dir"):
        Detector(Policy(model="en_core_web_lg"))
    assert attempts == []


def test_the_model_can_be_a_directory(tmp_path: Path, detector: Detector) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="cannot be loaded"):
        Detector(Policy(model=str(tmp_path / "empty")))
    spacy.load(DEFAULT_MODEL).to_disk(tmp_path / "model")
    from_directory = Detector(Policy(model=str(tmp_path / "model")))
    text = "Angela Merkel met Emmanuel Macron in Paris; mail them at office@example.org."
    assert from_directory.detect(text, "en") == detector.detect(text, "en")

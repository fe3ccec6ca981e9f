"""Shared fixtures for the masking core's tests.

``RegexDetector`` is a small deterministic stand-in for ``maskgate.detection.Detector``: the text core's
properties (numbering, sweep, neutralisation, round trips) must hold for any detector, and a regex one lets
hypothesis generate texts whose PII is known exactly. The real detector is exercised in test_masking.py too.
"""

from __future__ import annotations

import re

import pytest

from maskgate.entities import Entity

NAMES = ("Max Mustermann", "Anna Schmidt", "Jürgen Weiß", "Li Wei", "Bob")
EMAILS = ("max@example.com", "anna.schmidt@firma.de")

_PATTERNS = (
    ("EMAIL_ADDRESS", re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+\w")),
    ("PERSON", re.compile(r"\b(?:" + "|".join(map(re.escape, NAMES)) + r")\b")),
    ("IBAN_CODE", re.compile(r"\bDE\d{20}\b")),
    ("PHONE_NUMBER", re.compile(r"\+49 \d{3} \d{6,8}\b")),
)


class RegexDetector:
    """Finds exactly the names in ``NAMES`` (case-sensitively), e-mails, German IBANs and phone numbers."""

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        self.calls += 1
        found = [Entity(entity_type, m.start(), m.end(), 0.9)
                 for entity_type, pattern in _PATTERNS for m in pattern.finditer(text)]
        found.sort(key=lambda e: (e.start, -e.end))
        result: list[Entity] = []
        for entity in found:
            if not result or entity.start >= result[-1].end:
                result.append(entity)
        return result


class FixedDetector:
    """Returns the spans it was given for a text, overlapping ones included (detectors may do that)."""

    def __init__(self, spans: dict[str, list[tuple[str, int, int]]]) -> None:
        self.spans = spans

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        return [Entity(t, s, e, 0.9) for t, s, e in self.spans.get(text, [])]


@pytest.fixture
def detector() -> RegexDetector:
    return RegexDetector()


@pytest.fixture(scope="session")
def real_detector():
    """The production detector (Presidio + spaCy), loaded once per session."""
    from maskgate.detection import Detector
    from maskgate.policy import Policy

    return Detector(Policy())

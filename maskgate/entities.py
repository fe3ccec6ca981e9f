"""The one value type that crosses every layer: a detected span.

It carries offsets, never the text itself, so an ``Entity`` can be cached, logged or exported as telemetry
without ever holding personal data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entity:
    """A detected span ``[start, end)`` of ``type`` (Presidio's type names) with a confidence ``score``."""

    type: str
    start: int
    end: int
    score: float

    def __len__(self) -> int:
        return self.end - self.start

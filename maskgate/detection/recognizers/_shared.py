"""The Presidio recognizer protocol, once, for our recognizers that each find one entity type in text.

Presidio asks every recognizer for a constructor naming its entity, ``load`` and an ``analyze`` that first
checks whether its entity was asked for. Ours differ only in the entity, the name and the scan itself, so
the protocol lives here and each module supplies :meth:`OneEntityRecognizer.find`.
"""

from __future__ import annotations

from typing import ClassVar

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

__all__ = ["OneEntityRecognizer", "named_result"]


class OneEntityRecognizer(EntityRecognizer):
    """One entity type from the raw text; NLP artifacts are not needed. An empty ``entities`` means all."""

    ENTITY: ClassVar[str]
    NAME: ClassVar[str]
    VERSION: ClassVar[str] = "0.0.1"  # Presidio's default

    def __init__(self, supported_language: str) -> None:
        super().__init__(
            supported_entities=[self.ENTITY],
            name=self.NAME,
            supported_language=supported_language,
            version=self.VERSION,
        )

    def load(self) -> None:  # nothing to load: the patterns are compiled at import
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if entities and self.ENTITY not in entities:
            return []
        return self.find(text)

    def find(self, text: str) -> list[RecognizerResult]:
        raise NotImplementedError


def named_result(entity: str, recognizer_name: str, start: int, end: int, score: float) -> RecognizerResult:
    """A result that names its recognizer, so the filters that run after analysis can tell whose it is."""
    return RecognizerResult(
        entity,
        start,
        end,
        score,
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: recognizer_name},
    )

"""Detection tests share one detector: loading spaCy takes seconds, detecting takes milliseconds."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NoOpNlpEngine

from maskgate.detection import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    """A detector with the default policy, for tests that only call ``detect``."""
    return Detector()


def pattern_analyzer(
    recognizers: Callable[[str], list[EntityRecognizer]], languages: Sequence[str]
) -> AnalyzerEngine:
    """A Presidio analyzer holding only one family's recognizers and no NLP model: the pattern families'
    tests check exactly what those recognizers find, in milliseconds and without spaCy."""
    registry = RecognizerRegistry(
        recognizers=[r for language in languages for r in recognizers(language)],
        supported_languages=list(languages),
    )
    nlp_engine = NoOpNlpEngine(models=[{"lang_code": lang, "model_name": "none"} for lang in languages])
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=list(languages))

"""PII detection: ``Detector(policy).detect(text, language=None) -> list[Entity]``.

Built on Presidio's analyzer and one NER-only spaCy pipeline, with the recognizer families in
``maskgate.detection.recognizers``; everything runs offline.
"""

from maskgate.detection.cache import SpanCache
from maskgate.detection.engine import Detector
from maskgate.detection.language import SUPPORTED as LANGUAGES
from maskgate.detection.language import guess_language
from maskgate.detection.nlp import ModelError

__all__ = ["LANGUAGES", "Detector", "ModelError", "SpanCache", "guess_language"]

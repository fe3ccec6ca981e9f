"""Recognizer families: the contract between the detection engine and the modules that find PII.

Each family is one module in this package and exposes::

    def recognizers(language: str) -> list[presidio_analyzer.EntityRecognizer]:
        '''The family's recognizers for ``language`` ("en" or "de"); [] when it has none for it.'''

and, optionally::

    def result_filters(language: str) -> list[ResultFilter]:
        '''Post-analysis filters for ``language``.'''

where ``ResultFilter = Callable[[str, list[RecognizerResult]], list[RecognizerResult]]`` receives the text
and every result of the analysis (all recognizers, spaCy NER included, after the context-word boost, before
thresholds and overlap resolution; nothing is de-duplicated before, so a NER span and a family's span inside
it both arrive) and returns the results to keep (it may drop, add or rescore). Filters are how a family
removes false positives that another recognizer produced: German nouns tagged PERSON by the English model,
the domain of an e-mail address reported again as URL, version strings taken for dates or phone numbers.

Rules for families:
- ``recognizers(language)`` is called once per engine and language; build compiled patterns there or at
  import time, never per text.
- Recognizers must not rely on spaCy lemmas, POS tags or dependency parses: the engine runs only the NER
  component (``nlp_artifacts.tokens`` and ``nlp_artifacts.entities`` are available; lemmas are the lowercased
  token texts). Regex recognizers should use a cheap pre-filter (keyword or character test) before heavy
  patterns: a 2 KB prompt has a budget of a few milliseconds for all families together.
- Context: Presidio's context-word boost applies to a recognizer's ``context`` list (lemmas are lowercased
  tokens); a recognizer's own ``enhance_using_context`` is not called, so weigh context inside ``analyze`` and
  set ``IS_SCORE_ENHANCED_BY_CONTEXT_KEY`` in the metadata to opt out of the generic boost.
- Entity type names follow Presidio's (PERSON, LOCATION, PHONE_NUMBER, ...); new types are UPPER_SNAKE_CASE.
- No network, no downloads, no values in logs or exception messages.
- Class names must differ from Presidio's predefined recognizers (``PhoneRecognizer``, ``EmailRecognizer``,
  ...): Presidio's registry loader finds classes by name among all ``EntityRecognizer`` subclasses, so a
  same-named class here breaks a stock Presidio engine built in the same process (the benches build one).

What the engine provides (so families need not): one spaCy pass with the English NER model for BOTH
languages (no German NER model exists offline); its PERSON/LOCATION/DATE_TIME/NRP spans (ORGANIZATION and
the other labels ignored, as in Presidio's default ``ner_model_configuration``) enter the results through a
recognizer named ``SpacyRecognizer`` (``result.recognition_metadata["recognizer_name"]``), in German text
too: a German filter decides which of them to keep. Stop words for context matching are the language's own
(spaCy's ``de`` list for German). Thresholds, allow/deny lists, enabled types, custom recognizers from the
policy and overlap resolution run after the filters. Import ``ResultFilter`` from this package.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from presidio_analyzer import EntityRecognizer, RecognizerResult

ResultFilter = Callable[[str, list[RecognizerResult]], list[RecognizerResult]]


def families() -> list[ModuleType]:
    """The family modules, in the order their filters run.

    Imported when a detector is built rather than with this package, because the families import
    ``ResultFilter`` from here.
    """
    from maskgate.detection.recognizers import (
        addresses,
        dates,
        financial,
        locations,
        names,
        national_ids,
        phones,
        secrets,
        technical,
        web,
    )

    return [web, financial, secrets, technical, phones, dates, addresses, national_ids, names, locations]


def recognizers(language: str) -> list[EntityRecognizer]:
    """Every family's recognizers for ``language``."""
    return [recognizer for family in families() for recognizer in family.recognizers(language)]


def result_filters(language: str) -> list[ResultFilter]:
    """Every family's result filters for ``language``, in family order."""
    return [
        result_filter
        for family in families()
        if hasattr(family, "result_filters")
        for result_filter in family.result_filters(language)
    ]

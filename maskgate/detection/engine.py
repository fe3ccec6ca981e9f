"""The detector: Presidio's analyzer over our NLP engine and recognizer families, shaped by the policy.

One ``Detector`` per process: building it loads the spaCy model (about two seconds); ``detect`` is then a
few milliseconds per message and answers repeated messages from a value-free cache. The order of a detection:

1. language: given, or guessed per text (``language.py``), so mixed-language conversations work;
2. one NER-only spaCy pass, then every recognizer of that language for the enabled types (Presidio's
   registry, recognizers and context-word boost; the orchestration is ours, see ``_analyze``);
3. the families' result filters drop what they know to be false positives (German nouns tagged PERSON, the
   domain of an e-mail address reported again as URL, version strings, ...);
4. the policy: enabled types, per-type thresholds, the allow-list (deny-list matches are exempt);
5. overlaps are resolved so the result can be masked span by span: the policy's own deny-list and custom
   patterns win, then the higher score, then the longer span, then the earlier one.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator

import regex
from presidio_analyzer import (
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
    RecognizerResult,
)
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from maskgate.detection import recognizers as families
from maskgate.detection.cache import SpanCache, cache_key
from maskgate.detection.context import FastContextEnhancer
from maskgate.detection.language import SUPPORTED, guess_language
from maskgate.detection.nlp import NER_ENTITIES, NerOnlyNlpEngine
from maskgate.detection.offline import use_offline_domains
from maskgate.entities import Entity
from maskgate.policy import Policy, PolicyError

DENY_LIST_RECOGNIZER = "PolicyDenyList"
CUSTOM_RECOGNIZER_PREFIX = "PolicyRecognizer:"

_SURROGATE = regex.compile("[\ud800-\udfff]")

MAX_CHUNK_CHARS = 100_000
"""Longer texts are analysed in pieces cut at line breaks: spaCy refuses texts over a million characters and
its memory grows with the text, while a request body may legally hold several megabytes."""


class Detector:
    """Finds PII in one text at a time; thread-safe, one instance per process and policy."""

    def __init__(self, policy: Policy | None = None, *, cache: SpanCache | None = None) -> None:
        self.policy = policy if policy is not None else Policy()
        use_offline_domains()
        registry = RecognizerRegistry(supported_languages=list(SUPPORTED))
        for language in SUPPORTED:
            for recognizer in self._recognizers(language):
                registry.add_recognizer(recognizer)
        self._supported = sorted(registry.get_supported_entities(list(SUPPORTED)))
        self._check_policy_types(set(self._supported))
        self._nlp_engine = NerOnlyNlpEngine(self.policy.model, SUPPORTED)
        self._nlp_engine.load()
        self._requested: dict[str, list[str]] = {}
        self._active: dict[str, list[EntityRecognizer]] = {}
        for language in SUPPORTED:
            types = registry.get_supported_entities([language])
            self._requested[language] = sorted(t for t in types if self.policy.entity_enabled(t))
            self._active[language] = registry.get_recognizers(language, entities=self._requested[language])
        self._context = FastContextEnhancer()
        self._filters = {language: families.result_filters(language) for language in SUPPORTED}
        self._allowed = frozenset(self.policy.allow_list)
        self._fingerprint = self.policy.fingerprint
        self._cache = cache if cache is not None else SpanCache()
        # spaCy does not promise that one pipeline may run in several threads at once; the GIL would
        # serialise most of the work anyway, so a lock costs little and makes sharing safe.
        self._lock = threading.Lock()

    @property
    def supported_entities(self) -> list[str]:
        """Every type this detector can report (enabled or not), sorted."""
        return list(self._supported)

    def cache_hits(self) -> int:
        """Span-cache hits made so far by the calling thread (the Gate reports a request's own hits)."""
        return self._cache.thread_hits()

    def language_of(self, text: str, language: str | None = None) -> str:
        """The language ``detect`` uses for ``text``: ``language`` if given, else the policy's rule."""
        if language is not None:
            if language not in SUPPORTED:
                raise ValueError(f"unsupported language {language!r} (supported: {', '.join(SUPPORTED)})")
            return language
        settings = self.policy.language
        return guess_language(text, settings.default) if settings.detect else settings.default

    def detect(self, text: str, language: str | None = None) -> list[Entity]:
        """Non-overlapping entities in ``text``, sorted by position; offsets are ``str`` indices.

        The cache is keyed by the language as asked for ("" for the policy's rule, which the fingerprint
        covers), so a repeated message skips the language guess as well as the analysis."""
        key = cache_key(self._fingerprint, language or "", text)
        found = self._cache.get(key)
        if found is None:
            found = tuple(self._detect_uncached(text, self.language_of(text, language)))
            self._cache.put(key, found)
        return list(found)

    def is_cached(self, text: str, language: str | None = None) -> bool:
        """Whether :meth:`detect` would answer from the span cache (microseconds) rather than analyse."""
        return cache_key(self._fingerprint, language or "", text) in self._cache

    def _detect_uncached(self, text: str, language: str) -> list[Entity]:
        if not text.isascii():
            # JSON may carry lone surrogates ("\ud800"): valid str, invalid Unicode, and spaCy cannot hash
            # them. One replacement character each keeps every offset where it was.
            text = _SURROGATE.sub("\ufffd", text)
        results: list[RecognizerResult] = []
        for offset, chunk in _chunks(text, MAX_CHUNK_CHARS):
            for result in self._analyze(chunk, language):
                result.start += offset
                result.end += offset
                results.append(result)
        return resolve_overlaps(self._apply_policy(text, results))

    def _analyze(self, text: str, language: str) -> list[RecognizerResult]:
        """Every recognizer's results, context-boosted, then the families' filters.

        This is Presidio's ``AnalyzerEngine.analyze`` minus its final de-duplication, which drops a result
        contained in a same-type result of equal score: the NER model's "Hallo Herr Becker" would swallow the
        name recognizer's "Becker" before the German name filter could trim the NER span. Overlaps are
        resolved once, after the filters and the policy.
        """
        entities = self._requested[language]
        recognizers = self._active[language]
        results: list[RecognizerResult] = []
        with self._lock:
            artifacts = self._nlp_engine.process_text(text, language)
            for recognizer in recognizers:
                for result in recognizer.analyze(text=text, entities=entities, nlp_artifacts=artifacts) or ():
                    metadata = result.recognition_metadata = result.recognition_metadata or {}
                    metadata.setdefault(RecognizerResult.RECOGNIZER_IDENTIFIER_KEY, recognizer.id)
                    metadata.setdefault(RecognizerResult.RECOGNIZER_NAME_KEY, recognizer.name)
                    results.append(result)
        results = self._context.enhance_using_context(text, results, artifacts, recognizers)
        results = [result for result in results if result.score > 0]
        for result_filter in self._filters[language]:
            results = result_filter(text, results)
        return results

    def _apply_policy(self, text: str, results: Iterable[RecognizerResult]) -> Iterator[RecognizerResult]:
        policy = self.policy
        for result in results:
            source = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY)
            if source == DENY_LIST_RECOGNIZER or (
                policy.entity_enabled(result.entity_type)
                and result.score >= policy.threshold(result.entity_type)
                and text[result.start : result.end].strip() not in self._allowed
            ):
                yield result

    def _recognizers(self, language: str) -> list[EntityRecognizer]:
        found: list[EntityRecognizer] = [
            SpacyRecognizer(supported_language=language, supported_entities=list(NER_ENTITIES)),
            *families.recognizers(language),
        ]
        for custom in self.policy.custom_recognizers:
            if language in custom.languages:
                found.append(
                    PatternRecognizer(
                        supported_entity=custom.type,
                        name=CUSTOM_RECOGNIZER_PREFIX + custom.type,
                        supported_language=language,
                        patterns=[Pattern(p.name or custom.type, p.regex, p.score) for p in custom.patterns],
                        context=list(custom.context) or None,
                        global_regex_flags=regex.MULTILINE,
                    )
                )
        deny_types = sorted({term.type for term in self.policy.deny_list})
        for entity_type in deny_types:
            found.append(
                PatternRecognizer(
                    supported_entity=entity_type,
                    name=DENY_LIST_RECOGNIZER,
                    supported_language=language,
                    deny_list=[term.value for term in self.policy.deny_list if term.type == entity_type],
                    deny_list_score=1.0,
                )
            )
        return found

    def _check_policy_types(self, known: set[str]) -> None:
        """A policy that names a type no recognizer produces is almost always a typo that masks nothing."""
        for name in self.policy.entities:
            if name not in known:
                known_list = ", ".join(sorted(known))
                problem = f"unknown entity type (known: {known_list})"
                raise PolicyError(self.policy.source, f"entities.{name}", problem)


def resolve_overlaps(results: Iterable[RecognizerResult]) -> list[Entity]:
    """Keep non-overlapping results: the policy's own rules first, then higher score, longer, earlier."""
    starts: list[int] = []
    kept: list[Entity] = []
    for result in sorted(results, key=_precedence):
        if result.end <= result.start:
            continue
        index = bisect.bisect_right(starts, result.start)
        if index > 0 and kept[index - 1].end > result.start:
            continue
        if index < len(kept) and kept[index].start < result.end:
            continue
        starts.insert(index, result.start)
        kept.insert(index, Entity(result.entity_type, result.start, result.end, float(result.score)))
    return kept


def _precedence(result: RecognizerResult) -> tuple[bool, float, int, int]:
    """Sort key, best first. A deny-list term or custom pattern is the operator's explicit word about this
    deployment's data, so it outranks what a general model guesses about the same characters."""
    source = (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")
    from_policy = source == DENY_LIST_RECOGNIZER or source.startswith(CUSTOM_RECOGNIZER_PREFIX)
    return (not from_policy, -result.score, result.start - result.end, result.start)


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Cut ``text`` into pieces of at most ``size`` characters, at a line break or space where possible."""
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n")
        if cut <= size // 2:
            cut = window.rfind(" ")
        end = start + (cut + 1 if cut > size // 2 else size)
        yield start, text[start:end]
        start = end
    yield start, text[start:]

"""Masking the texts of one conversation against one ledger.

The texts come in conversation order (system prompt, then each message's texts, tool arguments included).
Masking runs in four passes over all of them, which is what makes the result a pure function of the
conversation and keeps an unchanged history byte-identical from turn to turn:

1. **detect** each text (detector, plus the policy's deny list; allow-listed values are dropped) and merge
   overlapping spans into one, so two detections can never cut into each other's replacement;
2. **number** the spans: texts in order, spans by position; a value already known keeps its token, a new
   one gets the next number of its type. Appending a message therefore never renumbers an earlier value;
3. **sweep** every text for every known value (case- and whitespace-insensitive, at word boundaries), so a
   value detected once is masked wherever it stands, also where the detector missed it. If a value first
   detected in a later turn also stands in an earlier one, the earlier text changes: masking wins;
4. **neutralise** text that looks like one of the resulting tokens (see :mod:`maskgate.placeholders`), so the
   masked text contains no token-like string except the tokens this ledger issued.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from maskgate.entities import Entity
from maskgate.ledger import Ledger, normalise
from maskgate.placeholders import NEUTRAL_TYPE, TokenMatcher
from maskgate.policy import DENY_LIST_TYPE, Policy


class Detector(Protocol):
    """What masking needs from detection (``maskgate.detection.Detector`` satisfies it)."""

    def detect(self, text: str, language: str | None = None) -> list[Entity]: ...


@dataclass
class MaskResult:
    """Masked texts (same order as given) and value-free counts by entity type."""

    texts: list[str]
    detected: Counter[str] = field(default_factory=Counter)
    """Spans found by detection and the deny list (after the allow list), per occurrence."""
    masked: Counter[str] = field(default_factory=Counter)
    """Spans replaced by a token, per occurrence: detected ones, sweep hits, neutralised look-alikes."""


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    type: str


def mask(texts: Sequence[str], ledger: Ledger, detector: Detector, policy: Policy,
         languages: Sequence[str | None] | None = None) -> MaskResult:
    """Mask ``texts`` (one conversation, in conversation order), issuing tokens into ``ledger``."""
    languages = list(languages) if languages is not None else [None] * len(texts)
    if len(languages) != len(texts):
        raise ValueError("languages must give one entry per text")
    allowed = frozenset(normalise(value) for value in policy.allow_list)
    denied = _deny_search(tuple((_deny_type(term), _deny_value(term)) for term in policy.deny_list))
    result = MaskResult(texts=[])

    spans_per_text: list[list[_Span]] = []
    for text, language in zip(texts, languages, strict=True):
        found = [_Span(e.start, e.end, e.type) for e in detector.detect(text, language=language)
                 if 0 <= e.start < e.end <= len(text) and normalise(text[e.start:e.end]) not in allowed]
        found.extend(denied.spans(text))
        spans = _merge(found)
        for span in spans:
            ledger.issue(span.type, text[span.start:span.end])
            result.detected[span.type] += 1
        spans_per_text.append(spans)

    sweep = _ValueSearch(tuple(ledger.known_values()))
    masked_texts: list[tuple[str, set[tuple[int, int]]]] = []
    for text, spans in zip(texts, spans_per_text, strict=True):
        merged = _merge([*spans, *sweep.spans(text)])
        masked_texts.append(_render(text, merged, ledger, result.masked))

    lookalikes = ledger.style.matcher(ledger.types() | {NEUTRAL_TYPE})
    for masked, token_spans in masked_texts:
        result.texts.append(_neutralise(masked, token_spans, ledger, lookalikes, result.masked))
    return result


def mask_texts(texts: Sequence[str], ledger: Ledger, detector: Detector, policy: Policy,
               languages: Sequence[str | None] | None = None) -> list[str]:
    """:func:`mask` without the counts."""
    return mask(texts, ledger, detector, policy, languages).texts


def _merge(spans: Iterable[_Span]) -> list[_Span]:
    """Sorted, non-overlapping spans: overlapping ones become their union, typed after the longest of them.

    Taking the union (rather than dropping the shorter span) is the privacy-first choice: every character
    some detection flagged ends up inside a token. Spans that only touch stay separate.
    """
    merged: list[_Span] = []
    longest: _Span | None = None
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if longest is None or span.end - span.start > longest.end - longest.start:
                longest = span
            merged[-1] = _Span(last.start, max(last.end, span.end), longest.type)
        else:
            merged.append(span)
            longest = span
    return merged


def _render(text: str, spans: list[_Span], ledger: Ledger,
            counts: Counter[str]) -> tuple[str, set[tuple[int, int]]]:
    """The text with each span replaced by its token, and where those tokens stand in the result."""
    out: list[str] = []
    token_spans: set[tuple[int, int]] = set()
    cursor = length = 0
    for span in spans:
        out.append(text[cursor:span.start])
        length += span.start - cursor
        token = ledger.issue(span.type, text[span.start:span.end])
        out.append(token)
        token_spans.add((length, length + len(token)))
        length += len(token)
        cursor = span.end
        counts[span.type] += 1
    out.append(text[cursor:])
    return "".join(out), token_spans


def _neutralise(masked: str, token_spans: set[tuple[int, int]], ledger: Ledger, matcher: TokenMatcher,
                counts: Counter[str]) -> str:
    """Replace every token-like string that is not one of our tokens by a neutral token of its own.

    A replacement changes what its neighbours see (a bare form's word boundary), so this repeats until the
    text holds no look-alike; each round replaces at least one, and look-alikes are rare.
    """
    while True:
        out: list[str] = []
        spans: set[tuple[int, int]] = set()
        cursor = length = 0
        changed = False
        for match in matcher.finditer(masked):
            start, end = match.span()
            if (start, end) in token_spans:
                continue
            token = ledger.neutralise(match.group())
            counts[NEUTRAL_TYPE] += 1
            changed = True
            out.append(masked[cursor:start])
            spans.update(_shifted(token_spans, cursor, start, length - cursor))
            length += start - cursor
            spans.add((length, length + len(token)))
            out.append(token)
            length += len(token)
            cursor = end
        if not changed:
            return masked
        spans.update(_shifted(token_spans, cursor, len(masked), length - cursor))
        out.append(masked[cursor:])
        masked, token_spans = "".join(out), spans


def _shifted(spans: set[tuple[int, int]], start: int, end: int, offset: int) -> Iterator[tuple[int, int]]:
    return ((s + offset, e + offset) for s, e in spans if start <= s and e <= end)


class _ValueSearch:
    """Finds many literal values in a text at once: case-insensitively (``Weiß`` also as ``WEISS``), with any
    whitespace between a value's words, at word boundaries where a value begins or ends with a word character;
    leftmost first, and the longest value first where several start at one place.

    A combined regex alternation costs time per value at every position (seconds for a few hundred values
    over a long conversation), and compiling a pattern per value costs ~0.1 ms each and leaves the values in
    the ``re`` module's pattern cache. Instead each value is indexed by its first word, and only the values
    whose first word stands somewhere in the text are compared, chunk by chunk. Where the first words stand
    is found by ``str.find`` in the case-folded text (C speed, a few microseconds for a few values), or, when
    there are many first words or case folding changed the text's length (``ß`` -> ``ss``: offsets would
    no longer line up), by one scan over the text's words. Nothing outlives the search.
    """

    __slots__ = ("_by_word",)

    def __init__(self, values: tuple[tuple[str, str], ...]) -> None:
        unique: dict[str, tuple[str, str]] = {}
        for entity_type, value in values:
            chunks = value.split()
            # Indexed by a word in its first chunk; a value whose first chunk is mere punctuation ("+ 49 ...")
            # would match wherever that punctuation stands, so only detection finds those.
            if chunks and _WORD.search(chunks[0]):
                unique.setdefault(normalise(value), (entity_type, value))
        self._by_word: dict[str, list[_Value]] = {}
        for _, (entity_type, value) in sorted(unique.items(), key=lambda item: -len(item[0])):
            entry = _Value(value, entity_type)
            self._by_word.setdefault(entry.first_word, []).append(entry)

    def spans(self, text: str) -> Iterator[_Span]:
        if not self._by_word:
            return
        end = 0
        for position, candidates in self._first_words(text):
            if position < end:
                continue
            for candidate in candidates:
                start = position - candidate.lead
                stop = candidate.match(text, start) if start >= end else None
                if stop is not None:
                    yield _Span(start, stop, candidate.type)
                    end = stop
                    break

    def _first_words(self, text: str) -> list[tuple[int, list[_Value]]]:
        """Where a whole word of ``text`` is some value's first word, in text order, with those values."""
        folded = text.casefold()
        if len(folded) != len(text) or len(self._by_word) > _FIND_LIMIT:
            found = []
            for word in _WORD.finditer(text):
                candidates = self._by_word.get(word.group().casefold())
                if candidates is not None:
                    found.append((word.start(), candidates))
            return found
        found = []
        for first_word, candidates in self._by_word.items():
            position = folded.find(first_word)
            while position >= 0:
                after = position + len(first_word)
                starts_word = not (position and _WORD_CHAR.match(text, position - 1))
                if starts_word and not _WORD_CHAR.match(text, after):
                    found.append((position, candidates))
                position = folded.find(first_word, after)
        found.sort(key=lambda item: item[0])
        return found


class _Value:
    """A value to look for: its whitespace-separated chunks, case-folded, and where its first word starts."""

    __slots__ = ("chunks", "first_word", "lead", "type", "word_end", "word_start")

    def __init__(self, value: str, entity_type: str) -> None:
        self.type = entity_type
        raw_chunks = value.split()
        self.chunks = [(len(chunk), chunk.casefold()) for chunk in raw_chunks]
        first = _WORD.search(raw_chunks[0])
        assert first is not None, "checked by _ValueSearch"
        self.lead = first.start()  # 0 unless the value starts with punctuation ("+49 ...")
        self.first_word = first.group().casefold()
        self.word_start = _WORD_CHAR.match(raw_chunks[0]) is not None
        self.word_end = _WORD_CHAR.match(raw_chunks[-1][-1]) is not None

    def match(self, text: str, start: int) -> int | None:
        """End of this value if it stands in ``text`` at ``start``, else None."""
        if start < 0 or (self.word_start and start > 0 and _WORD_CHAR.match(text, start - 1)):
            return None
        position = start
        for index, (length, folded) in enumerate(self.chunks):
            if index:
                spaces = position
                while position < len(text) and text[position].isspace():
                    position += 1
                if position == spaces:
                    return None
            position = _chunk_end(text, position, length, folded)
            if position is None:
                return None
        if self.word_end and _WORD_CHAR.match(text, position):
            return None
        return position


def _chunk_end(text: str, position: int, length: int, folded: str) -> int | None:
    """Where ``folded`` ends if it stands at ``position``: the text's chunk may be as long as the value's own
    (``weiß``/``WEIß``) or as its case folding (``WEISS``)."""
    for size in (length, len(folded)) if len(folded) != length else (length,):
        if text[position:position + size].casefold() == folded:
            return position + size
    return None


_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
_FIND_LIMIT = 64
"""Up to this many distinct first words, finding each with ``str.find`` beats one scan over every word."""


@lru_cache(maxsize=32)
def _deny_search(terms: tuple[tuple[str, str], ...]) -> _ValueSearch:
    return _ValueSearch(terms)


def _deny_type(term: object) -> str:
    return DENY_LIST_TYPE if isinstance(term, str) else str(getattr(term, "type", DENY_LIST_TYPE))


def _deny_value(term: object) -> str:
    return term if isinstance(term, str) else str(getattr(term, "value", ""))

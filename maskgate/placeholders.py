"""Placeholder tokens: how they are written, how drifted copies of them are recognised, and why input that
merely looks like one can never be turned into somebody's value.

**Syntax.** A token is rendered from the policy's template, ``<<{type}_{n}>>`` by default: ``<<PERSON_1>>``.
The template must read ``PREFIX{type}SEP{n}SUFFIX`` (type before number, a non-empty separator, no digit right
after the number), because the recogniser below is built from exactly these three literals.

**Drift.** Models copy tokens imperfectly. :class:`TokenMatcher` recognises, for the types issued in one
ledger and nothing else, this grammar (``N`` is ``[1-9][0-9]{0,5}`` and never followed by another digit, so
``<<PERSON_1>>`` is never read inside ``<<PERSON_10>>``):

* **bracketed**: ``OPEN`` + up to two spaces + ``TYPE`` (any case) + ``SEP`` + ``N`` + up to two spaces +
  ``CLOSE``. ``OPEN``/``CLOSE`` are one of ``< [ { « ‹`` (closing ``> ] } » ›``), single or doubled, spelt
  literally, markdown-escaped (``\\<``), JSON-escaped (``\\u003c``) or HTML-escaped (``&lt;``, ``&#60;``,
  ``&#x3c;``) (a doubled bracket twice in the same spelling), or the template's own prefix/suffix.
  Inside, words are separated by ``_``, ``\\_`` or ``-`` (each with an optional space around it) or by one or
  two spaces: ``<< person 1 >>``, ``[[PERSON_1]]``,
  ``\\<\\<PERSON\\_1\\>\\>``, ``&lt;&lt;PERSON_1&gt;&gt;`` are all ``<<PERSON_1>>``. Both brackets are
  required: an unclosed ``[PERSON_1 and PERSON_2]`` must keep its brackets, so its bracket is not consumed.
* **bare**: ``TYPE`` exactly as issued (upper case) + ``_`` or ``\\_`` + ``N``, standing as a word of its own
  (no ASCII or Latin letter, digit or underscore on either side): ``PERSON_1``, ``PERSON\\_1``. Bare forms are
  case-sensitive and take no spaces, because ``person_1`` is an identifier in code and ``Person 1`` is prose;
  restoring those would corrupt ordinary text. Bare forms never consume brackets around them.

A form of an issued type with a number that was never issued is left untouched and counted as unrestored.

**Neutralising look-alikes.** If a user's own text contains ``<<PERSON_1>>`` (a pasted template, an earlier
masked transcript, or an attempt to make the gateway reveal a value), the model's echo of it would be
"restored" into whatever PERSON_1 means in this conversation. Escaping the text (inserting invisible
characters, say) would change what the client gets back. Instead the masker treats every look-alike in the
input as a value of its own type, :data:`NEUTRAL_TYPE`, keyed by its exact spelling: the provider sees
``<<PLACEHOLDER_1>>``, and the client gets its literal ``<<PERSON_1>>`` back. Nothing is lost and nothing
can be restored into another value.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import product

import regex

DEFAULT_TEMPLATE = "<<{type}_{n}>>"
NEUTRAL_TYPE = "PLACEHOLDER"
"""Type of input text that looks like one of our tokens; its value is the literal text, restored verbatim."""

_NUMBER = r"[1-9][0-9]{0,5}(?![0-9])"
_WORD_CHAR = "[0-9A-Za-z_\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]"
"""What a bare token must not touch. Spelt out rather than ``\\w``: ``re`` (whole texts) and ``regex``
(partial matches in streams) ship different Unicode versions and disagree on ``\\w`` for newer characters,
which would let a stream restore differently from the whole text."""
_SPACES = " {0,2}"
_BRACKETS = {"<": ">", "[": "]", "{": "}", "«": "»", "‹": "›"}
_MARKDOWN_ESCAPABLE = frozenset("<>[]{}")
_HTML_NAMES = {"<": "lt", ">": "gt", "«": "laquo", "»": "raquo", "‹": "lsaquo", "›": "rsaquo"}
_WORD_SEPARATORS = ("_", "\\_", "-")
_WORDS = re.compile(r"[^\W_]+")


def _spellings(char: str) -> list[str]:
    """Every way a model or an encoder writes one bracket (lower-case; matched case-insensitively)."""
    forms = [char, f"\\u{ord(char):04x}", f"&#{ord(char)};", f"&#x{ord(char):x};"]
    if char in _MARKDOWN_ESCAPABLE:
        forms.append("\\" + char)
    if char in _HTML_NAMES:
        forms.append(f"&{_HTML_NAMES[char]};")
    return forms


def _bracket_literals(chars: Iterable[str], own: str) -> list[str]:
    """Single and doubled spellings (never mixed within one token), plus the template's own literal;
    longest first, so the regex prefers ``>>`` over ``>`` and a token never leaves half a bracket behind."""
    literals = {form * count for char in chars for form in _spellings(char) for count in (1, 2)}
    if own:
        literals.add(own.lower())
    return sorted(literals, key=lambda literal: (-len(literal), literal))


def _case_insensitive(text: str) -> str:
    """ASCII-only case-insensitivity: a regex flag would also fold e.g. the Kelvin sign into ``K``."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isascii() and c.isalpha() else re.escape(c) for c in text)


def _alternatives(literals: Iterable[str]) -> str:
    return "(?:" + "|".join(_case_insensitive(literal) for literal in literals) + ")"


def _bracket_regex(chars: Iterable[str], own: str, name: str) -> str:
    """One bracket, single or doubled in the same spelling (a backreference), or the template's literal.

    Equivalent to alternating the literals of :func:`_bracket_literals`, but a prefix trie of the single
    spellings compiles in a fraction of the time, which matters because every new set of types compiles anew.
    """
    units = {form for char in chars for form in _spellings(char)}
    doubled = f"(?P<{name}_unit>{_trie_regex(units)})(?P={name}_unit)?"
    if own and own.lower() not in {unit * count for unit in units for count in (1, 2)}:
        doubled = f"{_case_insensitive(own)}|{doubled}"
    return f"(?P<{name}>{doubled})"


def _trie_regex(literals: Iterable[str]) -> str:
    trie: dict[str, dict] = {}
    for literal in literals:
        node = trie
        for char in literal:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [_case_insensitive(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class PlaceholderStyle:
    """A parsed placeholder template: renders tokens and builds matchers for sets of issued types."""

    __slots__ = ("prefix", "separator", "suffix", "template")

    def __init__(self, template: str = DEFAULT_TEMPLATE) -> None:
        self.template = template
        self.prefix, self.separator, self.suffix = _split_template(template)

    def render(self, entity_type: str, n: int) -> str:
        return f"{self.prefix}{entity_type}{self.separator}{n}{self.suffix}"

    def matcher(self, types: Iterable[str]) -> TokenMatcher:
        """The recogniser for tokens of these types (cached: built once per set of types)."""
        return _matcher(self.prefix, self.separator, self.suffix, frozenset(types))

    def __repr__(self) -> str:
        return f"PlaceholderStyle({self.template!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlaceholderStyle) and other.template == self.template

    def __hash__(self) -> int:
        return hash(self.template)


def _split_template(template: str) -> tuple[str, str, str]:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        parts = []
    names = [name for _, name, spec, conv in parts if name is not None]
    literals = [literal for literal, _, _, _ in parts]
    if names != ["type", "n"] or any(spec or conv for _, name, spec, conv in parts if name is not None):
        raise ValueError("must contain {type} followed by {n} and no other fields, e.g. '<<{type}_{n}>>'")
    prefix, separator = literals[0], literals[1]
    suffix = literals[2] if len(literals) > 2 else ""
    if not separator or separator[-1].isdigit() or suffix[:1].isdigit():
        raise ValueError("must separate {type} and {n} with a non-digit, and put no digit right after {n}")
    return prefix, separator, suffix


@lru_cache(maxsize=256)
def _matcher(prefix: str, separator: str, suffix: str, types: frozenset[str]) -> TokenMatcher:
    return TokenMatcher(prefix, separator, suffix, types)


class TokenMatcher:
    """Finds exact and drifted tokens of a fixed set of types (see the module docstring for the grammar).

    Besides searching whole texts it answers the two questions a stream restorer asks about the end of
    what it has seen so far: can this match still grow (:meth:`can_extend`), and where does the shortest
    suffix start that could still become a match (:meth:`pending_start`)? Both look at no more than
    :attr:`max_length` characters, which keeps streaming O(fragment).
    """

    def __init__(self, prefix: str, separator: str, suffix: str, types: frozenset[str]) -> None:
        self.types = types
        self._canonical = {_canonical_key(t): t for t in types}
        opens = _bracket_literals(_BRACKETS, prefix)
        self._closes = _bracket_literals(_BRACKETS.values(), suffix)
        loose_separators = sorted({*_WORD_SEPARATORS, separator}, key=len, reverse=True)
        strict_separators = sorted({"_", "\\_", separator}, key=len, reverse=True)
        loose_sep = f"(?: ?{_alternatives(loose_separators)} ?| {{1,2}})"
        strict_sep = "(?:" + "|".join(re.escape(s) for s in strict_separators) + ")"
        by_length = sorted(types, key=lambda t: (-len(t), t))
        loose = "|".join(loose_sep.join(_case_insensitive(w) for w in _type_words(t)) for t in by_length)
        strict = "|".join(strict_sep.join(re.escape(w) for w in _type_words(t)) for t in by_length)
        self.source = (
            f"{_bracket_regex(_BRACKETS, prefix, 'open')}{_SPACES}(?P<type>{loose}){loose_sep}"
            f"(?P<n>{_NUMBER}){_SPACES}{_bracket_regex(_BRACKETS.values(), suffix, 'close')}"
            f"|(?<!{_WORD_CHAR})(?P<bare>{strict}){strict_sep}(?P<bare_n>{_NUMBER})(?!{_WORD_CHAR})"
        ) if types else "(?!)"
        self.pattern = re.compile(self.source)
        self._partial: regex.Pattern[str] | None = None  # compiled on first use: only streams need it
        # What can start a match: an opening bracket in any case (``&LT;``), or a type's initial as issued.
        first_chars = {case(literal[0]) for literal in opens for case in (str.lower, str.upper)}
        first_chars |= {t[0] for t in types}
        self.trigger = re.compile("[" + "".join(map(re.escape, sorted(first_chars))) + "]") if types else None
        self._starts = _two_char_starts(opens, types)
        widest_separator = 2 + max(map(len, loose_separators))
        longest_type = max((len(t) + len(_type_words(t)) * widest_separator for t in types), default=0)
        self.max_length = len(opens[0]) + 2 + longest_type + 6 + 2 + len(self._closes[0])

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """The matches ``pattern.finditer`` finds, about six times faster on ordinary text: a match can only
        start at a trigger character whose next one is a possible second character, and such places are
        few, so the pattern is tried there alone instead of at every position."""
        if self.trigger is None:
            return
        end = pos
        for candidate in self.trigger.finditer(text, pos):
            position = candidate.start()
            if position < end or text[position:position + 2] not in self._starts:
                continue
            match = self.pattern.match(text, position)
            if match is not None:
                yield match
                end = match.end()

    def sub(self, replacement: Callable[[re.Match[str]], str], text: str) -> str:
        """``text`` with every match replaced by ``replacement(match)``, as ``pattern.sub`` would do."""
        out: list[str] = []
        cursor = 0
        for match in self.finditer(text):
            out.append(text[cursor:match.start()])
            out.append(replacement(match))
            cursor = match.end()
        if not out:
            return text
        out.append(text[cursor:])
        return "".join(out)

    def key(self, match: re.Match[str]) -> tuple[str, int] | None:
        """(type, number) of a match, the type spelt as issued; None if it cannot be mapped back."""
        bare = match.group("bare")
        entity_type = self._canonical.get(_canonical_key(match.group("type") if bare is None else bare))
        if entity_type is None:
            return None
        return entity_type, int(match.group("n") if bare is None else match.group("bare_n"))

    def can_extend(self, text: str, match: re.Match[str]) -> bool:
        """Could more text after ``text`` turn ``match`` into a longer or a different match?

        A bare token at the very end could gain a digit or a letter (``PERSON_1`` -> ``PERSON_10``, or
        ``PERSON_1x`` which is no token at all); a bracketed one only if its closing bracket can still grow
        (``>`` -> ``>>``, ``\\u003e`` -> ``\\u003e\\u003e``). Anything else was decided by characters seen.
        """
        tail = text[match.end():]
        if match.group("bare") is not None:
            return not tail
        close = match.group("close").lower()
        if len(tail) >= len(self._closes[0]):
            return False
        grown = close + tail.lower()
        return any(len(literal) > len(close) and literal.startswith(grown) for literal in self._closes)

    def pending_start(self, text: str, start: int, end: int) -> int | None:
        """The first position in ``[start, end)`` from which the rest of ``text`` could still become a
        match (a prefix of one, or one that only more text can confirm), or None."""
        if self.trigger is None:
            return None
        start = max(start, len(text) - self.max_length)
        for candidate in self.trigger.finditer(text, start, end):
            position = candidate.start()
            if len(text) - position >= 2 and text[position:position + 2] not in self._starts:
                continue  # cheap rejection of "Paris", "[1]", "&amp;"
            if self._partial is None:
                self._partial = regex.compile(self.source)
            if self._partial.fullmatch(text, position, partial=True) is not None:
                return position
        return None


def _two_char_starts(opens: list[str], types: frozenset[str]) -> frozenset[str]:
    """Every pair of characters a match can begin with (a superset: it only filters candidates)."""
    def cased(text: str) -> set[str]:
        return {"".join(chars) for chars in product(*({c.lower(), c.upper()} for c in text))}

    starts: set[str] = set()
    initials = {cased_initial for t in types for cased_initial in cased(t[0])}
    for literal in opens:
        if len(literal) >= 2:
            starts |= cased(literal[:2])
        else:
            starts |= cased(literal + " ") | {first + i for first in cased(literal) for i in initials}
    for entity_type in types:
        starts |= {entity_type[:2]} if len(entity_type) >= 2 else {entity_type + "_", entity_type + "\\"}
    return frozenset(starts)


def _type_words(entity_type: str) -> list[str]:
    return entity_type.split("_") if all(entity_type.split("_")) else [entity_type]


def _canonical_key(text: str) -> str:
    return "_".join(word.upper() for word in _WORDS.findall(text))

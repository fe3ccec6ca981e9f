"""The per-conversation token table: which token stands for which original value.

A ledger is rebuilt from the whole conversation on every request (see :mod:`maskgate.masking`), so nothing
has to be stored between turns: tokens are numbered per type in order of first issue, which makes the result
a pure function of the conversation.

Values are compared after normalising case and whitespace (``Max  MUSTERMANN`` is ``max mustermann``), so one
person gets one token however the text spells them; restoring yields the spelling seen first. Look-alikes of
tokens found in the input (:data:`~maskgate.placeholders.NEUTRAL_TYPE`) are keyed by their exact text
instead, because their whole point is to come back verbatim.

A ledger holds personal data. Its ``repr`` shows types and counts only, and nothing in this module logs.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from maskgate.placeholders import DEFAULT_TEMPLATE, NEUTRAL_TYPE, PlaceholderStyle, TokenMatcher

_FORMAT_VERSION = 1


def normalise(value: str) -> str:
    """The identity of a value: case-folded, whitespace runs collapsed, ends trimmed."""
    return " ".join(value.split()).casefold()


class Ledger:
    """Token <-> value table for one conversation. Not thread-safe: one ledger belongs to one request."""

    __slots__ = ("_by_key", "_by_token", "_counts", "_entries", "_literals", "_matcher", "style")

    def __init__(self, template: str = DEFAULT_TEMPLATE) -> None:
        self.style = PlaceholderStyle(template)
        self._entries: dict[tuple[str, int], str] = {}  # (type, n) -> value, in issue order
        self._by_key: dict[str, tuple[str, int]] = {}  # normalised value -> (type, n)
        self._literals: dict[str, tuple[str, int]] = {}  # neutralised look-alike, exact text -> (type, n)
        self._by_token: dict[str, tuple[str, int]] = {}
        self._counts: Counter[str] = Counter()
        self._matcher: TokenMatcher | None = None

    # -- issuing -------------------------------------------------------------------------------------------

    def issue(self, entity_type: str, value: str) -> str:
        """The token for ``value``: the existing one if the (normalised) value is known, whatever type it
        was first seen with, else the next number of ``entity_type``."""
        key = normalise(value)
        known = self._by_key.get(key)
        if known is None:
            known = self._by_key[key] = self._add(entity_type, value)
        return self.style.render(*known)

    def neutralise(self, literal: str) -> str:
        """The token standing for input text that looks like a token; restoring it gives ``literal`` back."""
        known = self._literals.get(literal)
        if known is None:
            known = self._literals[literal] = self._add(NEUTRAL_TYPE, literal)
        return self.style.render(*known)

    def _add(self, entity_type: str, value: str) -> tuple[str, int]:
        if entity_type not in self._counts:
            self._matcher = None
        self._counts[entity_type] += 1
        entry = (entity_type, self._counts[entity_type])
        self._entries[entry] = value
        self._by_token[self.style.render(*entry)] = entry
        return entry

    # -- lookups -------------------------------------------------------------------------------------------

    def value(self, entity_type: str, n: int) -> str | None:
        """The original value behind ``<<TYPE_N>>``, or None if this conversation never issued it."""
        return self._entries.get((entity_type, n))

    def value_of(self, token: str) -> str | None:
        """The original value behind an exactly spelt token, or None."""
        entry = self._by_token.get(token)
        return None if entry is None else self._entries[entry]

    def token_for(self, value: str) -> str | None:
        """The token already issued for ``value`` (normalised), or None. Neutralised look-alikes excluded."""
        known = self._by_key.get(normalise(value))
        return None if known is None else self.style.render(*known)

    def tokens(self) -> list[str]:
        """Every issued token, in issue order."""
        return list(self._by_token)

    def items(self) -> Iterator[tuple[str, str, str]]:
        """(token, type, value) in issue order. Values are personal data: never log them."""
        for (entity_type, n), value in self._entries.items():
            yield self.style.render(entity_type, n), entity_type, value

    def known_values(self) -> list[tuple[str, str]]:
        """(type, value) of every detected value, in issue order: what the known-value sweep looks for."""
        return [(entity_type, value) for (entity_type, _), value in self._entries.items()
                if entity_type != NEUTRAL_TYPE]

    def types(self) -> frozenset[str]:
        return frozenset(self._counts)

    def counts(self) -> dict[str, int]:
        """Tokens issued per type: safe to report."""
        return dict(self._counts)

    def matcher(self) -> TokenMatcher:
        """Recogniser for this ledger's tokens (exact and drifted), rebuilt only when a new type appears."""
        if self._matcher is None:
            self._matcher = self.style.matcher(self._counts)
        return self._matcher

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __contains__(self, token: object) -> bool:
        return token in self._by_token

    def __repr__(self) -> str:
        by_type = ", ".join(f"{t}={c}" for t, c in sorted(self._counts.items()))
        return f"<Ledger {len(self._entries)} tokens ({by_type})>"

    __str__ = __repr__

    # -- serialisation -------------------------------------------------------------------------------------

    def to_json(self) -> str:
        """Everything needed to restore later: template and entries in issue order. Personal data!"""
        entries: list[list[Any]] = []
        literals = set(self._literals.values())
        for (entity_type, n), value in self._entries.items():
            entries.append([entity_type, n, value, (entity_type, n) in literals])
        return json.dumps({"version": _FORMAT_VERSION, "template": self.style.template, "entries": entries},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str | bytes) -> Ledger:
        """Rebuild a ledger from :meth:`to_json`; raises ValueError for anything else (without echoing it)."""
        try:
            document = json.loads(data)
            if document.get("version") != _FORMAT_VERSION:
                raise ValueError
            ledger = cls(document["template"])
            for entity_type, n, value, literal in document["entries"]:
                if not (isinstance(entity_type, str) and isinstance(value, str) and isinstance(n, int)):
                    raise ValueError
                ledger._restore_entry(entity_type, n, value, bool(literal))
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ValueError("not a serialised maskgate ledger") from None
        return ledger

    def _restore_entry(self, entity_type: str, n: int, value: str, literal: bool) -> None:
        if n != self._counts[entity_type] + 1:
            raise ValueError
        entry = self._add(entity_type, value)
        if literal:
            self._literals[value] = entry
        else:
            self._by_key.setdefault(normalise(value), entry)

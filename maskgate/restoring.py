"""Putting original values back: whole texts, and one streamed text field at a time.

Only tokens this conversation issued are restored (exactly spelt, or in one of the drifted forms described
in :mod:`maskgate.placeholders`); a look-alike with a number the ledger never issued stays as it is and is
counted as unrestored, so an adapter can report that the model invented or garbled a placeholder.

Streaming (:class:`StreamTextRestorer`) gives exactly the text and counts :func:`restore_text` gives for the
concatenated fragments, however the text was split. It holds back only the shortest suffix that could still
become a token: ``"Hello <<PER"`` holds ``"<<PER"``, ``"Hello world"`` holds nothing, ``"Dear Per"`` holds
nothing (bare tokens are upper case), ``"Dear PER"`` holds ``"PER"`` while PERSON tokens exist, and a
complete ``"<<PERSON_1"`` is held until the next character shows it is not ``<<PERSON_10>>``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from maskgate.ledger import Ledger


@dataclass(slots=True)
class RestoreStats:
    """Counts of tokens seen coming back: exact, drift-repaired, and look-alikes that were not ours."""

    restored: int = 0
    repaired: int = 0
    unrestored: int = 0

    def add(self, other: RestoreStats) -> RestoreStats:
        """Add ``other``'s counts to these (in place) and return self."""
        self.restored += other.restored
        self.repaired += other.repaired
        self.unrestored += other.unrestored
        return self

    merge = add

    def __add__(self, other: RestoreStats) -> RestoreStats:
        return RestoreStats(self.restored + other.restored, self.repaired + other.repaired,
                            self.unrestored + other.unrestored)

    @property
    def total(self) -> int:
        return self.restored + self.repaired + self.unrestored


def _json_escaped(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


class _Replacer:
    """The replacement for one match, with its count: shared by whole-text and streamed restore."""

    __slots__ = ("json_escape", "ledger", "matcher", "stats")

    def __init__(self, ledger: Ledger, stats: RestoreStats, json_escape: bool) -> None:
        self.ledger = ledger
        self.matcher = ledger.matcher()
        self.stats = stats
        self.json_escape = json_escape

    def __call__(self, match: re.Match[str]) -> str:
        key = self.matcher.key(match)
        value = None if key is None else self.ledger.value(*key)
        if value is None:
            self.stats.unrestored += 1
            return match.group()
        if key is not None and match.group() == self.ledger.style.render(*key):
            self.stats.restored += 1
        else:
            self.stats.repaired += 1
        return _json_escaped(value) if self.json_escape else value


def restore_text(text: str, ledger: Ledger, stats: RestoreStats, json_escape: bool = False) -> str:
    """``text`` with every token of ``ledger`` (exact or drifted) replaced by its value, counted in ``stats``.

    With ``json_escape`` the text is the inside of a JSON string (e.g. tool-call arguments): values are
    inserted JSON-escaped, without quotes.
    """
    if not ledger:
        return text
    replacer = _Replacer(ledger, stats, json_escape)
    return replacer.matcher.sub(replacer, text)


class StreamTextRestorer:
    """Restores one streamed text field (a choice's content, a tool call's arguments, a content block).

    ``feed`` returns what can be emitted now; ``flush`` returns the rest at the end of the field. Each call
    costs O(fragment): the held-back suffix is never longer than the longest drifted token, and a fragment
    with no character that can start a token is returned as it is.
    """

    __slots__ = ("_before", "_pending", "_replacer", "_trigger")

    def __init__(self, ledger: Ledger, stats: RestoreStats, json_escape: bool = False) -> None:
        self._replacer = _Replacer(ledger, stats, json_escape)
        self._trigger = self._replacer.matcher.trigger
        self._pending = ""
        self._before = ""  # the last emitted character: the bare form's word boundary looks at it

    @property
    def pending(self) -> str:
        """The held-back text: provider output that may still become a token (for tests and diagnostics)."""
        return self._pending

    def feed(self, fragment: str) -> str:
        if self._trigger is None:
            return fragment
        if not self._pending and self._trigger.search(fragment) is None:
            if fragment:
                self._before = fragment[-1]
            return fragment
        return self._advance(self._pending + fragment, final=False)

    def flush(self) -> str:
        """Everything still held, restored as far as it goes: the field has ended."""
        if not self._pending:
            return ""
        return self._advance(self._pending, final=True)

    def _advance(self, text: str, final: bool) -> str:
        matcher = self._replacer.matcher
        buffer = self._before + text
        cursor = len(self._before)
        out: list[str] = []
        hold = len(buffer)
        for match in matcher.finditer(buffer, cursor):
            if not final:
                pending = matcher.pending_start(buffer, cursor, match.start())
                if pending is None and matcher.can_extend(buffer, match):
                    pending = match.start()
                if pending is not None:
                    hold = pending
                    break
            out.append(buffer[cursor:match.start()])
            out.append(self._replacer(match))
            cursor = match.end()
        else:
            if not final:
                pending = matcher.pending_start(buffer, cursor, len(buffer))
                hold = len(buffer) if pending is None else pending
        out.append(buffer[cursor:hold])
        self._pending = buffer[hold:]
        if hold > 0:
            self._before = buffer[hold - 1]
        return "".join(out)

"""Whole-text restore: values back in place, JSON-escaped where the text is the inside of a JSON string."""

from __future__ import annotations

import json

import pytest

from maskgate.ledger import Ledger
from maskgate.restoring import RestoreStats, restore_text


@pytest.fixture
def ledger() -> Ledger:
    ledger = Ledger()
    ledger.issue("PERSON", 'Max "the Max" Mustermann')
    ledger.issue("LOCATION", "C:\\Users\\max\nline two")
    return ledger


def test_restores_every_occurrence(ledger: Ledger) -> None:
    stats = RestoreStats()
    text = restore_text("<<PERSON_1>> lives in <<LOCATION_1>>; ask <<PERSON_1>>.", ledger, stats)
    assert text == 'Max "the Max" Mustermann lives in C:\\Users\\max\nline two; ask Max "the Max" Mustermann.'
    assert stats == RestoreStats(restored=3)


def test_json_escape_keeps_the_surrounding_json_valid(ledger: Ledger) -> None:
    arguments = '{"name": "<<PERSON_1>>", "dir": "\\u003c\\u003cLOCATION_1\\u003e\\u003e", "n": 1}'
    stats = RestoreStats()
    restored = restore_text(arguments, ledger, stats, json_escape=True)
    assert json.loads(restored) == {"name": 'Max "the Max" Mustermann', "dir": "C:\\Users\\max\nline two",
                                    "n": 1}
    assert stats == RestoreStats(restored=1, repaired=1)


def test_empty_ledger_changes_nothing() -> None:
    stats = RestoreStats()
    assert restore_text("<<PERSON_1>> PERSON_1", Ledger(), stats) == "<<PERSON_1>> PERSON_1"
    assert stats == RestoreStats()


def test_neutralised_literal_comes_back_verbatim() -> None:
    ledger = Ledger()
    ledger.issue("PERSON", "Max")
    token = ledger.neutralise("<<PERSON_1>>")
    stats = RestoreStats()
    assert restore_text(f"You wrote {token}; that is not <<PERSON_1>>.", ledger, stats) == (
        "You wrote <<PERSON_1>>; that is not Max.")
    assert stats == RestoreStats(restored=2)


def test_stats_add_and_merge() -> None:
    total = RestoreStats(1, 2, 3)
    assert total.add(RestoreStats(10, 20, 30)) is total
    assert total == RestoreStats(11, 22, 33)
    total.merge(RestoreStats(1, 0, 0))
    assert total == RestoreStats(12, 22, 33)
    assert RestoreStats(1, 1, 1) + RestoreStats(2, 2, 2) == RestoreStats(3, 3, 3)
    assert RestoreStats(1, 2, 3).total == 6

"""The per-conversation token table."""

from __future__ import annotations

import json

import pytest

from maskgate.ledger import Ledger, normalise
from maskgate.placeholders import NEUTRAL_TYPE


def test_same_value_same_token_after_normalising_case_and_whitespace() -> None:
    ledger = Ledger()
    first = ledger.issue("PERSON", "Max Mustermann")
    assert ledger.issue("PERSON", "max   MUSTERMANN") == first
    assert ledger.issue("PERSON", " Max\nMustermann ") == first
    assert ledger.issue("LOCATION", "max mustermann") == first  # one value, one token, whatever the type
    assert len(ledger) == 1
    assert ledger.value("PERSON", 1) == "Max Mustermann"  # the spelling seen first


def test_numbering_per_type_follows_first_issue() -> None:
    ledger = Ledger()
    issued = [ledger.issue(t, v) for t, v in [("PERSON", "A"), ("EMAIL_ADDRESS", "a@x.de"), ("PERSON", "B"),
                                               ("PERSON", "a"), ("EMAIL_ADDRESS", "b@x.de"), ("PERSON", "C")]]
    assert issued == ["<<PERSON_1>>", "<<EMAIL_ADDRESS_1>>", "<<PERSON_2>>", "<<PERSON_1>>",
                      "<<EMAIL_ADDRESS_2>>", "<<PERSON_3>>"]
    assert ledger.tokens() == ["<<PERSON_1>>", "<<EMAIL_ADDRESS_1>>", "<<PERSON_2>>", "<<EMAIL_ADDRESS_2>>",
                               "<<PERSON_3>>"]
    assert ledger.counts() == {"PERSON": 3, "EMAIL_ADDRESS": 2}
    assert ledger.types() == {"PERSON", "EMAIL_ADDRESS"}


def test_lookups() -> None:
    ledger = Ledger()
    token = ledger.issue("IBAN_CODE", "DE89370400440532013000")
    assert ledger.value_of(token) == "DE89370400440532013000"
    assert ledger.value_of("<<IBAN_CODE_2>>") is None
    assert ledger.value_of("<<iban_code_1>>") is None  # exact spelling only; drift is the restorer's job
    assert ledger.token_for("de89370400440532013000") == token
    assert ledger.token_for("unknown") is None
    assert token in ledger and "<<IBAN_CODE_2>>" not in ledger
    assert list(ledger.items()) == [(token, "IBAN_CODE", "DE89370400440532013000")]


def test_neutralised_literals_are_keyed_exactly_and_kept_apart_from_values() -> None:
    ledger = Ledger()
    a = ledger.neutralise("<<PERSON_1>>")
    b = ledger.neutralise("<<person_1>>")
    assert (a, b) == ("<<PLACEHOLDER_1>>", "<<PLACEHOLDER_2>>")
    assert ledger.neutralise("<<PERSON_1>>") == a
    assert ledger.value(NEUTRAL_TYPE, 2) == "<<person_1>>"
    assert ledger.token_for("<<PERSON_1>>") is None
    assert ledger.known_values() == []  # the sweep never looks for look-alikes


def test_json_round_trip_keeps_everything() -> None:
    ledger = Ledger("[[{type}#{n}]]")
    ledger.issue("PERSON", "Jürgen Weiß")
    ledger.issue("EMAIL_ADDRESS", 'quote"and\\backslash@example.com')
    ledger.neutralise("[[PERSON#1]]")
    ledger.issue("PERSON", "Anna")
    data = ledger.to_json()
    copy = Ledger.from_json(data)
    assert copy.to_json() == data
    assert list(copy.items()) == list(ledger.items())
    assert copy.style == ledger.style
    assert copy.issue("PERSON", "jürgen weiß") == "[[PERSON#1]]"
    assert copy.neutralise("[[PERSON#1]]") == "[[PLACEHOLDER#1]]"
    assert copy.issue("PERSON", "New") == "[[PERSON#3]]"
    assert Ledger.from_json(data.encode()).to_json() == data


@pytest.mark.parametrize("data", ["", "[]", "{}", '{"version": 1}', "not json Max Mustermann",
                                  '{"version":1,"template":"<<{type}_{n}>>","entries":[["PERSON",2,"Max",false]]}',
                                  '{"version":1,"template":"<<{type}_{n}>>","entries":[["PERSON",1,5,false]]}',
                                  '{"version":1,"template":"{n}","entries":[]}'])
def test_from_json_rejects_anything_else_without_echoing_it(data: str) -> None:
    with pytest.raises(ValueError) as error:
        Ledger.from_json(data)
    assert "Max" not in str(error.value)


def test_repr_shows_types_and_counts_never_values() -> None:
    ledger = Ledger()
    ledger.issue("PERSON", "Max Mustermann")
    ledger.issue("EMAIL_ADDRESS", "max@example.com")
    for text in (repr(ledger), str(ledger), f"{ledger}"):
        assert "Max" not in text and "example" not in text
        assert "PERSON=1" in text and "EMAIL_ADDRESS=1" in text


def test_serialised_form_is_plain_json() -> None:
    ledger = Ledger()
    ledger.issue("PERSON", "Max")
    assert json.loads(ledger.to_json())["entries"] == [["PERSON", 1, "Max", False]]


def test_normalise() -> None:
    assert normalise("  Straße \t Nr.\n1 ") == "strasse nr. 1"


def test_matcher_follows_new_types() -> None:
    ledger = Ledger()
    ledger.issue("PERSON", "Max")
    assert ledger.matcher().types == {"PERSON"}
    ledger.issue("PERSON", "Anna")
    first = ledger.matcher()
    ledger.issue("IBAN_CODE", "DE89370400440532013000")
    assert ledger.matcher() is not first
    assert ledger.matcher().types == {"PERSON", "IBAN_CODE"}

"""National ids: valid numbers found with their type, checksum failures never, context raises the score."""

from __future__ import annotations

from pathlib import Path

import pytest

from maskgate.detection import Detector
from maskgate.detection.recognizers import national_ids
from maskgate.detection.recognizers.national_ids import (
    AT_SOCIAL_SECURITY,
    CH_AHV,
    DE_SOCIAL_SECURITY,
    DE_TAX_ID,
)

FIXTURES = Path(__file__).parent / "fixtures"
RECOGNIZER = national_ids.recognizers("de")[0]


def found(text: str) -> list[tuple[str, str, float]]:
    return [(r.entity_type, text[r.start : r.end], r.score) for r in RECOGNIZER.analyze(text, [], None)]


# Published examples (BZSt, DRV, BSV, Austrian social insurance) and numbers built with the same rules.
VALID = [
    (DE_TAX_ID, "36 574 261 809", "Steuer-ID"),
    (DE_TAX_ID, "86095742719", "steuerliche Identifikationsnummer"),
    (DE_TAX_ID, "65929970489", "IdNr."),
    (DE_SOCIAL_SECURITY, "15 070649 C 103", "SV-Nummer"),
    (DE_SOCIAL_SECURITY, "15070649C103", "Rentenversicherungsnummer"),
    (CH_AHV, "756.9217.0769.85", "AHV-Nr."),
    (CH_AHV, "7569217076985", "AHV"),
    (AT_SOCIAL_SECURITY, "1237 010180", "SVNR"),
    (AT_SOCIAL_SECURITY, "1237010180", "social security number"),
]


@pytest.mark.parametrize(("entity", "number", "context"), VALID)
def test_valid_number_after_its_context_word_is_certain(entity: str, number: str, context: str) -> None:
    assert found(f"Meine {context}: {number}, bitte.") == [(entity, number, 0.95)]
    assert found(f"{context}:\n{number}\n") == [(entity, number, 0.95)]


@pytest.mark.parametrize(("entity", "number", "context"), VALID)
def test_without_context_the_notation_decides(entity: str, number: str, context: str) -> None:
    [(found_entity, found_number, score)] = found(f"Nummer {number} vom Formular")
    assert (found_entity, found_number) == (entity, number)
    assert score < 0.95
    if entity in (DE_TAX_ID, AT_SOCIAL_SECURITY) and " " not in number:
        assert score < 0.4  # a bare 10/11-digit run is too common to count without a word saying what it is


def _with_changed_check_digit(entity: str, number: str) -> str:
    digit_positions = [i for i, ch in enumerate(number) if ch.isdigit()]
    position = digit_positions[3] if entity == AT_SOCIAL_SECURITY else digit_positions[-1]
    return number[:position] + str((int(number[position]) + 1) % 10) + number[position + 1 :]


@pytest.mark.parametrize(("entity", "number", "context"), VALID)
def test_a_wrong_check_digit_is_never_reported(entity: str, number: str, context: str) -> None:
    broken = _with_changed_check_digit(entity, number)
    assert broken != number
    assert found(f"{context}: {broken}") == []


@pytest.mark.parametrize(
    "text",
    [
        "Steuer-ID 36574261890",  # wrong check digit
        "Steuer-ID 36554266806",  # two digits repeated
        "Steuer-ID 06574261809",  # leading zero
        "SV-Nummer 15 071349 C 103",  # month 13
        "SV-Nummer 95 070649 C 103",  # area 95
        "AHV 757.9217.0769.85",  # not the Swiss prefix
        "SVNR 0237 010180",  # serial starts with 0
        "SVNR 1237 011680",  # month 16
    ],
)
def test_numbers_that_break_the_format_rules_are_rejected(text: str) -> None:
    assert found(text) == []


def test_tax_id_rejects_a_digit_three_times_in_a_row() -> None:
    digits = "1112345678"  # one digit three times, adjacent: never issued
    for check in "0123456789":
        assert found(f"Steuer-ID {digits}{check}") == []


@pytest.mark.parametrize("month", ["13", "14", "15"])
def test_austrian_fictitious_birth_months_13_to_15_are_valid(month: str) -> None:
    date = f"01{month}65"
    for serial in range(100, 1000):
        digits = f"{serial}0{date}"
        check = sum(int(d) * w for d, w in zip(digits, (3, 7, 9, 0, 5, 8, 4, 2, 1, 6), strict=True)) % 11
        if check != 10:
            break
    number = f"{serial}{check} {date}"
    assert found(f"SVNR {number}") == [(AT_SOCIAL_SECURITY, number, 0.95)]


@pytest.mark.parametrize(
    "text",
    [
        "Bestellung 12345678901 vom", "ts=1710498721", "Rechnung 36574261809x", "Artikel 4711 081512",
        "+4936574261809",
    ],
)
def test_look_alikes_are_not_ids(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("name", ["formats_prose_de.txt", "formats_prose_en.txt", "formats_code.txt"])
def test_ordinary_prose_and_code_have_no_national_ids(name: str) -> None:
    assert found((FIXTURES / name).read_text(encoding="utf-8")) == []


def test_detector_reports_the_ids_with_their_types(detector: Detector) -> None:
    text = (
        "Meine Steuer-ID ist 36 574 261 809, meine SV-Nummer 15 070649 C 103. "
        "In der Schweiz: AHV-Nr. 756.9217.0769.85, in Österreich SVNR 1237 010180."
    )
    ids = {DE_TAX_ID, DE_SOCIAL_SECURITY, CH_AHV, AT_SOCIAL_SECURITY}
    assert [(e.type, text[e.start : e.end]) for e in detector.detect(text, "de") if e.type in ids] == [
        (DE_TAX_ID, "36 574 261 809"),
        (DE_SOCIAL_SECURITY, "15 070649 C 103"),
        (CH_AHV, "756.9217.0769.85"),
        (AT_SOCIAL_SECURITY, "1237 010180"),
    ]

"""PHONE_NUMBER: the notations people write, exact spans, and none of the look-alikes."""

from __future__ import annotations

from pathlib import Path

import pytest

from maskgate.detection import Detector
from maskgate.detection.recognizers import phones

FIXTURES = Path(__file__).parent / "fixtures"
RECOGNIZER = phones.recognizers("de")[0]


def found(text: str) -> list[str]:
    return [text[r.start : r.end] for r in RECOGNIZER.analyze(text, [phones.ENTITY], None)]


GERMAN = [
    "030 1234567", "+49 30 1234567", "0171/1234567", "0171-1234567", "0049 30 1234567", "(030) 1234567",
    "+49(0)30 1234567", "+49 (0) 171 1234567", "+49(0)5402 70378", "030 / 123 456 78", "0171 123 45 67",
    "030-123 456-78", "+49-30-1234567", "01711234567", "0049 (0)89 12345678", "(06221) 515560",
    "+4962132071216", "0800 1234567",
]  # fmt: skip
INTERNATIONAL = [
    "+41 44 668 18 00", "+43 1 53110", "+43 664 1234567", "+44 20 7946 0958", "+33 1 23 45 67 89",
    "+1 (555) 123-4567", "(555) 123-4567", "(555)123-4567", "555-123-4567", "555.123.4567", "1-800-555-0199",
    "+1 555 123 4567", "(555)123-4567 x123", "555-123-4567 ext. 42", "772.215.2676x749", "079 1080 8178",
]  # fmt: skip


@pytest.mark.parametrize("number", GERMAN + INTERNATIONAL)
@pytest.mark.parametrize(
    "sentence", ["Hallo, {} ist die neue Nummer.", "Please call me at {}.", "{}", "Fax-Nr.: {}\nDanke"]
)
def test_notation_is_found_with_its_exact_span(number: str, sentence: str) -> None:
    assert found(sentence.format(number)) == [number]


@pytest.mark.parametrize(
    "text",
    [
        "15.03.1985", "15.03.85", "am 15.03.1985 um 10:30", "Tel. 15.03.1985", "Telefon: 12.05.2024",
        "Phone: 2024-05-12", "geboren 1.2.1985", "15/03/1985", "03-15-1985", "2024/03/15", "15. 03. 1985",
    ],
)  # fmt: skip
def test_dates_are_never_phone_numbers(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Version 10.0.19045", "v1.2.3.4", "192.168.178.1", "1.234.567,89 €", "2 500 000 €", "10 000 000",
        "2024-03-15 10:32:01", "call me at 10:30", "12:30 bis 13:45", "Bestellnummer 0301234567",
        "Rechnung Nr. 0171 1234567", "order number 2023-88123", "IBAN DE89 3704 0044 0532 0130 00",
        "4111 1111 1111 1111", "ISBN 978-3-16-148410-0", "His social security number is 264-50-2034",
        "Suite 003 9070 2309 Loop St", "CHECKSUM=0123456789", "SV-Nummer: 1237 010180", "1234567",
        "Telefon: 0000000000",
    ],
)  # fmt: skip
def test_look_alikes_are_not_phone_numbers(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Phone:\n730 496 943\n", "730 496 943"),
        ("Can someone call me on 413 8721?", "413 8721"),
        ("Mobile: 88 649 24 60", "88 649 24 60"),
        ("69 635 86 11-office", "69 635 86 11"),
        ("Sie können 413 87 21 anrufen.", "413 87 21"),
    ],
)
def test_plain_digit_groups_count_next_to_a_phone_word(text: str, number: str) -> None:
    assert found(text) == [number]
    assert found(f"Es waren {number} Besucher.") == []


def test_a_phone_word_raises_the_score() -> None:
    plain = RECOGNIZER.analyze("Siehe 030 1234567", [], None)
    assert plain[0].score < RECOGNIZER.analyze("Telefon: 030 1234567", [], None)[0].score


@pytest.mark.parametrize("name", ["formats_prose_de.txt", "formats_prose_en.txt", "formats_code.txt"])
def test_ordinary_prose_and_code_have_no_phone_numbers(name: str) -> None:
    assert found((FIXTURES / name).read_text(encoding="utf-8")) == []


def test_detector_reports_the_date_as_date_and_the_phone_as_phone(detector: Detector) -> None:
    text = "Geboren am 15.03.1985, erreichbar unter 0171/1234567 oder +49 (0) 30 1234567."
    entities = [(e.type, text[e.start : e.end]) for e in detector.detect(text, "de")]
    assert ("DATE_TIME", "15.03.1985") in entities
    assert ("PHONE_NUMBER", "0171/1234567") in entities
    assert ("PHONE_NUMBER", "+49 (0) 30 1234567") in entities
    assert not any(kind == "PHONE_NUMBER" and "1985" in value for kind, value in entities)

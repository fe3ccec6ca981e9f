"""IBAN_CODE and CREDIT_CARD through Presidio's analyzer, in English and German.

Valid test values are built here from the published rules (mod-97, Luhn) with code that is independent of
the module under test, so a wrong table or checksum in the module makes these tests fail.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from presidio_analyzer import AnalyzerEngine

from maskgate.detection.recognizers import financial
from tests.detection.conftest import pattern_analyzer

FIXTURES = Path(__file__).parent / "fixtures"
LANGUAGES = ("en", "de")


@pytest.fixture(scope="module")
def analyzer() -> AnalyzerEngine:
    return pattern_analyzer(financial.recognizers, LANGUAGES)


def found(analyzer: AnalyzerEngine, text: str, language: str = "en") -> list[tuple[str, str]]:
    results = analyzer.analyze(text, language=language)
    return sorted((r.entity_type, text[r.start : r.end]) for r in results)


# --- IBAN -------------------------------------------------------------------------------------------------

def with_check_digits(country: str, bban: str) -> str:
    """The ISO 13616 check digits, computed the textbook way: 98 - (BBAN + country + "00") mod 97."""
    numeric = "".join(str(int(c, 36)) for c in (bban + country + "00").upper())
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


def printed(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# Examples as published in the SWIFT IBAN registry (print format).
REGISTRY_EXAMPLES = [
    "DE89 3704 0044 0532 0130 00",
    "GB82 WEST 1234 5698 7654 32",
    "FR14 2004 1010 0505 0001 3M02 606",
    "NL91 ABNA 0417 1643 00",
    "CH93 0076 2011 6238 5295 7",
    "AT61 1904 3002 3457 3201",
    "ES91 2100 0418 4502 0005 1332",
    "IT60 X054 2811 1010 0000 0123 456",
    "BE68 5390 0754 7034",
    "PL61 1090 1014 0000 0712 1981 2874",
    "NO93 8601 1117 947",
    "MT84 MALT 0110 0001 2345 MTLC AST0 01S",
    "LC55 HEMM 0001 0001 0012 0012 0002 3015",
]


@pytest.mark.parametrize("example", REGISTRY_EXAMPLES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_registry_examples_with_and_without_spaces(analyzer, example, language):
    compact = example.replace(" ", "")
    for written in (example, compact, compact.lower()):
        text = f"Please transfer the deposit to {written}, thanks."
        assert found(analyzer, text, language) == [("IBAN_CODE", written)]


def test_every_registry_country_with_its_exact_length(analyzer):
    alphabets = {"n": "7301985246", "a": "QWERTY", "c": "4K8M2X"}
    fill = {kind: itertools.cycle(chars) for kind, chars in alphabets.items()}
    for country, structure in financial.IBAN_BBAN_STRUCTURE.items():
        bban = ""
        for count, kind in _parts(structure):
            bban += "".join(next(fill[kind]) for _ in range(count))
        iban = with_check_digits(country, bban)
        text = f"IBAN: {printed(iban)} (Konto)"
        assert found(analyzer, text) == [("IBAN_CODE", printed(iban))], country
        # one character more is not an IBAN of that country (and not a shorter one either)
        assert found(analyzer, f"IBAN: {iban}7 (Konto)") == [], country


def _parts(structure: str) -> list[tuple[int, str]]:
    parts, number = [], ""
    for char in structure:
        if char.isdigit():
            number += char
        else:
            parts.append((int(number), char))
            number = ""
    return parts


def test_german_prompt_with_dashes_and_a_number_after_the_iban(analyzer):
    text = (
        "Bitte überweisen Sie 250 EUR auf DE89-3704-0044-0532-0130-00 bis 15.03. "
        "und auf DE89370400440532013000 2 Tage später."
    )
    assert found(analyzer, text, "de") == [
        ("IBAN_CODE", "DE89-3704-0044-0532-0130-00"),
        ("IBAN_CODE", "DE89370400440532013000"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN DE89 3704 0044 0532 0130 01",  # check digits do not match
        "IBAN DE88 3704 0044 0532 0130 00",
        "IBAN GB82 WEST 1234 5698 7654 33",
        "IBAN DE89 3704 0044 0532 0130 0",  # one digit short for Germany
        "IBAN XX89 3704 0044 0532 0130 00",  # no such country
        "IBAN DE89370400440532013000123",  # glued to more digits
        "Article AB12 3456 7890 1234 56 is out of stock.",
    ],
)
def test_invalid_ibans_are_rejected(analyzer, text):
    assert found(analyzer, text) == []


# --- payment cards ----------------------------------------------------------------------------------------

def luhn_complete(prefix: str, length: int) -> str:
    """``prefix`` padded with a fixed digit pattern and a Luhn check digit, ``length`` digits in all."""
    body = (prefix + "4937102865" * 2)[: length - 1]
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def break_luhn(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


BRANDS = [
    ("Visa 16", "4", 16),
    ("Visa 13", "4", 13),
    ("Visa 19", "4", 19),
    ("Mastercard 51", "51", 16),
    ("Mastercard 55", "55", 16),
    ("Mastercard 2-series low", "2221", 16),
    ("Mastercard 2-series high", "2720", 16),
    ("American Express 34", "34", 15),
    ("American Express 37", "37", 15),
    ("Discover 6011", "6011", 16),
    ("Discover 65", "65", 16),
    ("Discover 644", "644", 16),
    ("JCB", "3530", 16),
    ("Diners 36", "36", 14),
    ("Diners 300", "300", 14),
    ("Maestro 12", "5018", 12),
    ("Maestro 6759 19", "6759", 19),
    ("UnionPay", "62", 16),
    ("UnionPay 19", "62", 19),
    ("Mir", "2200", 16),
]


@pytest.mark.parametrize(("brand", "prefix", "length"), BRANDS, ids=[b[0] for b in BRANDS])
@pytest.mark.parametrize(
    ("language", "template"),
    [
        ("en", "Please charge my credit card {number} today."),
        ("en", "card no {number}"),
        ("de", "Meine Kreditkartennummer ist {number}."),
        ("de", "Bitte sperren Sie die Karte {number}, danke."),
    ],
)
def test_every_brand_next_to_a_card_word(analyzer, brand, prefix, length, language, template):
    number = luhn_complete(prefix, length)
    text = template.format(number=number)
    assert found(analyzer, text, language) == [("CREDIT_CARD", number)]
    assert found(analyzer, template.format(number=break_luhn(number)), language) == []


@pytest.mark.parametrize(
    "written",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "5555 5555 5555 4444", "2221 0000 0000 0009",
     "3782 822463 10005", "3056 930902 5904", "6759 6498 2643 8453", "4000 0000 0000 0000 006"],
)
def test_printed_grouping_is_enough_without_a_card_word(analyzer, written):
    text = f"Here it is: {written} - exp 04/27"
    assert found(analyzer, text) == [("CREDIT_CARD", written)]
    assert found(analyzer, f"Reference {written.replace(' ', '').replace('-', '')} for your records.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Order 4111111111111111 was refunded.",  # passes Luhn, no card word, no grouping
        "Bestellnummer 5500000000000004 storniert.",
        "Tracking 6011000990139424 in transit.",
        "card 1234 5678 9012 3456",  # no issuer starts with 1 at 16 digits
        "card 4111 1111 1111 1112",  # Luhn fails
        "card 41111111111111111111",  # 20 digits
        "card +4111111111111111",  # a phone-like prefix
        "card 0.4111111111111111",  # a decimal
        "Reference 4111 11111 111 1111",  # a grouping no card is printed in
    ],
)
def test_numbers_that_are_not_cards(analyzer, text):
    assert found(analyzer, text) == []
    assert found(analyzer, text, "de") == []


@pytest.mark.parametrize("page", ["secrets_prose_en.txt", "secrets_prose_de.txt", "secrets_code.txt"])
def test_no_false_positives_on_ordinary_pages(analyzer, page):
    text = (FIXTURES / page).read_text(encoding="utf-8")
    for language in LANGUAGES:
        assert found(analyzer, text, language) == []


def test_requested_entities_only(analyzer):
    text = "card 4111111111111111, IBAN DE89 3704 0044 0532 0130 00"
    results = analyzer.analyze(text, language="en", entities=["IBAN_CODE"])
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00")
    ]

"""LOCATION: postal addresses, one span for a full address, parts otherwise; no look-alikes."""

from __future__ import annotations

from pathlib import Path

import pytest

from maskgate.detection import Detector
from maskgate.detection.recognizers import addresses

FIXTURES = Path(__file__).parent / "fixtures"
RECOGNIZER = addresses.recognizers("de")[0]


def found(text: str) -> list[str]:
    return [text[r.start : r.end] for r in RECOGNIZER.analyze(text, [addresses.ENTITY], None)]


@pytest.mark.parametrize(
    "address",
    [
        "Musterstraße 12, 12345 Berlin", "Musterstraße 12\n12345 Berlin", "Hauptstr. 5a, 80331 München",
        "Am Markt 3, 04109 Leipzig", "Unter den Linden 77, 10117 Berlin", "Karl-Marx-Allee 90, 10243 Berlin",
        "Junitzplatz 57-58, 11510 Parsberg", "fiebigstraße 145, 63975 göttingen, deutschland",
        "Frankfurter Allee 5, 10247 Berlin, Deutschland", "Im Tal 4, 79100 Freiburg im Breisgau",
        "Goethestr. 10, D-60313 Frankfurt am Main", "Bahnhofstrasse 1, 8001 Zürich",
        "Stephansplatz 1, A-1010 Wien", "Postfach 10 10 10, 50667 Köln", "Lorchring 109, 91484 Göttingen",
    ],
)  # fmt: skip
@pytest.mark.parametrize("sentence", ["Bitte an {} schicken.", "Address:\n{}\n\nThanks", "{}"])
def test_full_address_is_one_span(address: str, sentence: str) -> None:
    assert found(sentence.format(address)) == [address]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Wir treffen uns in der Hauptstr. 5a.", ["Hauptstr.", "5a"]),
        ("Sie wohnt Karl-Marx-Allee 90 im dritten Stock.", ["Karl-Marx-Allee", "90"]),
        ("Berliner Straße 12 ist gesperrt.", ["Berliner Straße", "12"]),
        ("bei Stoll AG, Justine-Weitzel-Ring 116b, Aachen.", ["Justine-Weitzel-Ring", "116b", "Aachen"]),
        ("He lives at 7 Benthinallee, Wolfach", ["7", "Benthinallee", "Wolfach"]),
        ("He lives on the north side of Giesela-Hertrampf-Gasse.", ["Giesela-Hertrampf-Gasse"]),
        ("Die Bushaltestelle ist in der Holzapfelstraße", ["Holzapfelstraße"]),
    ],
)
def test_street_without_postcode_gives_its_parts(text: str, parts: list[str]) -> None:
    assert found(text) == parts


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("Postfach 12 34 56", ["Postfach 12 34 56"]),
        ("PLZ/Ort:\n10115 Berlin\n", ["10115 Berlin"]),
        ("Ich wohne in 10115 Berlin.", ["10115 Berlin"]),
        ("1010 Wien, Österreich", ["1010 Wien, Österreich"]),
        ("Meine Postleitzahl ist 04755", ["04755"]),
        ("My zip code is 8740", ["8740"]),
        ("The bus station is on 2599 Coleman Avenue", ["2599 Coleman Avenue"]),
        ("Send it to 123 Main St., Apt 4B please", ["123 Main St.", "Apt 4B"]),
        ("4308 Morris Street\n Suite 353\n", ["4308 Morris Street", "Suite 353"]),
        ("Springfield, IL 62704", ["Springfield, IL 62704"]),
        ("Rinaldo lives at P.O. Box 254", ["P.O. Box 254"]),
        ("Meet me at PSC 1788, Box 0021\nAPO AP 41621", ["PSC 1788, Box 0021\nAPO AP 41621"]),
        ("Unit 4000 Box 0091, DPO AA 41272", ["Unit 4000 Box 0091, DPO AA 41272"]),
        ("I'd like a taxi to Rue du Commerce 12.", ["Rue du Commerce 12"]),
        ("It is at 1881 ul. Fałata 18", ["ul. Fałata 18"]),
    ],
)
def test_other_notations(text: str, spans: list[str]) -> None:
    assert found(text) == spans


@pytest.mark.parametrize(
    "text",
    [
        "Im Jahr 2020 haben wir", "Am Montag 5 Leute", "during 2019 we", "Spring 2020", "Nürnberg 2024",
        "Parkplatz 12", "Stellplatz 4 ist frei", "in 12345 Fällen wurde", "Windows 11", "Kapitel 5",
        "Seite 12", "Fragebogen 2", "the 9 Supreme Court justices", "sent via email 3 times",
        "We have 10000 Kunden", "Office Suite 365 subscription", "Ausweg 3", "Heidelberg 3:1", "Er lief 3 km",
        "2023 Umsatz", "1010 Besucher", "Der Weg ist weg 3 mal",
    ],
)  # fmt: skip
def test_look_alikes_are_not_addresses(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("name", ["formats_prose_de.txt", "formats_prose_en.txt", "formats_code.txt"])
def test_ordinary_prose_and_code_have_no_addresses(name: str) -> None:
    assert found((FIXTURES / name).read_text(encoding="utf-8")) == []


def test_detector_masks_a_full_address_as_one_location(detector: Detector) -> None:
    text = "Bitte schicken Sie die Unterlagen an Musterstraße 12, 12345 Berlin. Danke!"
    assert [(e.type, text[e.start : e.end]) for e in detector.detect(text, "de")] == [
        ("LOCATION", "Musterstraße 12, 12345 Berlin")
    ]

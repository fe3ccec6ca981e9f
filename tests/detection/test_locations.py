"""LOCATION for named places: gazetteer plus context, German nouns and persons' names kept out."""

from __future__ import annotations

import pytest
from presidio_analyzer import RecognizerResult

from maskgate.detection import Detector
from maskgate.detection.recognizers.locations import find_places, result_filters
from tests.detection.test_names import ENGLISH_PROSE, GERMAN_PROSE


def places(text: str, language: str) -> list[str]:
    return [text[s:e] for s, e, _ in find_places(text, language)]


def locations(detector: Detector, text: str, language: str) -> list[str]:
    return [text[e.start : e.end] for e in detector.detect(text, language) if e.type == "LOCATION"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mein Freund wohnt in Pritzwalk.", ["Pritzwalk"]),
        ("Ich reise nächste Woche nach Kolumbien.", ["Kolumbien"]),
        ("Grüße aus Mailand und Warschau!", ["Mailand", "Warschau"]),
        (
            "Der Termin ist in Frankfurt am Main, danach Bad Liebenwerda.",
            ["Frankfurt am Main", "Bad Liebenwerda"],
        ),
        ("Wir sind aus Kleinkleckersdorf hierhergezogen.", ["Kleinkleckersdorf"]),
        ("Ich wohne in Essen.", ["Essen"]),
        ("Die Firma hat ihren Sitz in der Schweiz.", ["Schweiz"]),
    ],
)
def test_german_places(text: str, expected: list[str]) -> None:
    assert places(text, "de") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She moved here from Cyprus.", ["Cyprus"]),
        ("The agency is based in Toronto and Rio de Janeiro.", ["Toronto", "Rio de Janeiro"]),
        ("I moved from Berlin to Austin last year.", ["Berlin", "Austin"]),
        (
            "Ewan Myers\n\n4308 Morris Street\nSuite 353\nSeguin\nUnited States 63763",
            ["Seguin", "United States"],
        ),
        ("Honorata Ibarra\n\nPatreksfjörður\nIceland", ["Patreksfjörður", "Iceland"]),
        ("When: 06 May 2025\nWhere: Hildesheim Country Club.", ["Hildesheim"]),
    ],
)
def test_english_places(text: str, expected: list[str]) -> None:
    assert places(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Essen ist fertig. Senden Sie uns die Unterlagen.", "de"),  # towns named Essen and Senden
        ("Die Wohnung hat eine gute Lage, das Wetter ist schön.", "de"),  # towns Lage and Wetter
        ("Written by Katja Gersdorf, edited by Max Roth.", "en"),  # surnames that are towns
        ("The invoice is due in March. Call me at 030 123456, Apt. 5.", "en"),
        ("Alles aus Pro und Team ist enthalten.", "de"),
    ],
)
def test_words_and_names_are_not_places(text: str, language: str) -> None:
    assert places(text, language) == []


def test_a_page_of_german_prose_has_no_place(detector: Detector) -> None:
    assert locations(detector, GERMAN_PROSE, "de") == []


def test_a_page_of_english_prose_has_no_place(detector: Detector) -> None:
    assert locations(detector, ENGLISH_PROSE, "en") == []


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Carolina Hedlund wohnt in Luckenwalde.",
            "de",
            [("PERSON", "Carolina Hedlund"), ("LOCATION", "Luckenwalde")],
        ),
        (
            "First name: Laura\nLast name: Fernández\nCity: Valencia",
            "en",
            [("PERSON", "Laura"), ("PERSON", "Fernández"), ("LOCATION", "Valencia")],
        ),
    ],
)
def test_end_to_end_persons_and_places_apart(
    detector: Detector, text: str, language: str, expected: list[tuple[str, str]]
) -> None:
    found = [(e.type, text[e.start : e.end]) for e in detector.detect(text, language)]
    assert found == expected


def _ner(text: str, value: str) -> RecognizerResult:
    start = text.index(value)
    return RecognizerResult(
        "LOCATION",
        start,
        start + len(value),
        0.85,
        recognition_metadata={"recognizer_name": "SpacyRecognizer"},
    )


def test_filter_drops_german_nouns_tagged_as_places_and_keeps_real_ones() -> None:
    text = "Weisheit und Geduld zählen, sagte man uns in Bielefeld."
    (keep_plausible,) = result_filters("de")
    kept = keep_plausible(text, [_ner(text, "Weisheit"), _ner(text, "Geduld"), _ner(text, "Bielefeld")])
    assert [text[r.start : r.end] for r in kept] == ["Bielefeld"]

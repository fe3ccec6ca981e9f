"""DATE_TIME: German and English notations with exact spans, and the NER model's noise filtered out."""

from __future__ import annotations

from pathlib import Path

import pytest
from presidio_analyzer import RecognizerResult

from maskgate.detection import Detector
from maskgate.detection.recognizers import dates

FIXTURES = Path(__file__).parent / "fixtures"
RECOGNIZER = dates.recognizers("de")[0]


def found(text: str) -> list[str]:
    return [text[r.start : r.end] for r in RECOGNIZER.analyze(text, [dates.ENTITY], None)]


@pytest.mark.parametrize(
    "date",
    [
        "15.03.1985", "15.03.85", "1.2.1985", "15. März 1985", "1. Juni 1981", "3. Okt. 2020", "März 2024",
        "Jänner 2020", "Mittwoch, 28.08.2024, 09:34 Uhr", "14. Februar 2025 um 23 Uhr", "07.02.2019 19:52",
        "Montag, den 15.03.2024", "Dienstag", "01.04.", "14:30 Uhr", "January 5, 2021", "April 05, 2023",
        "may 26, 2019", "Sept. 12, 2019", "5 January 2021", "07 october 2019", "5th of May 2021",
        "May 5th, 2021", "5/1/2021", "06/27/2020 08:20 PM", "12/31/60", "2021-01-05", "2021-06-22 02:12",
        "2021-01-05T10:30Z", "2024/03/15", "15-03-1985", "Mon, 15 Mar 2025", "15 March 2025 at 10:30",
        "Thursday", "Monday at 10:30", "3:30 PM",
    ],
)  # fmt: skip
@pytest.mark.parametrize("sentence", ["Am {} war es.", "It happened on {}.", "{}", "Datum:\n{}\nName: X"])
def test_notation_is_found_with_its_exact_span(date: str, sentence: str) -> None:
    assert found(sentence.format(date)) == [date]


@pytest.mark.parametrize(
    ("text", "year"),
    [("Zoolander is a 2007 Icelandic film", "2007"), ("founded in 1970.", "1970"),
     ("During 1987, it", "1987"), ("im Jahr 1985", "1985"), ("seit 2004 so", "2004"),
     ("the Civil Rights Act of 1988 protects", "1988")],
)  # fmt: skip
def test_a_year_alone_counts_after_a_word_that_announces_it(text: str, year: str) -> None:
    assert found(text) == [year]


@pytest.mark.parametrize(
    "text",
    [
        "Version 3.11.24", "v1.2.24", "pip install x==1.12.20", "192.168.10.12", "Abschnitt 3.4.",
        "31.13.2020", "12/34/5678", "1.234.567", "you may 26 times", "we march 10 miles", "in 2000 ms",
        "vor 2000 Jahren", "Page 2020", "10 am Bahnhof", "von 20 bis 23 Uhr", "2024-03-15 10:32:01",
        "Mar 15 10:32:01 host", "2024-03-15T10:32:01Z WARN", "a 1024 byte buffer", "So, das war's", "Mi casa",
    ],
)  # fmt: skip
def test_look_alikes_are_not_dates(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize("name", ["formats_prose_de.txt", "formats_prose_en.txt", "formats_code.txt"])
def test_prose_and_code_without_dates_yield_none(name: str) -> None:
    assert found((FIXTURES / name).read_text(encoding="utf-8")) == []


def _foreign(text: str, value: str, start_at: int = 0) -> RecognizerResult:
    start = text.index(value, start_at)
    metadata = {"recognizer_name": "SpacyRecognizer"}
    return RecognizerResult(dates.ENTITY, start, start + len(value), 0.85, recognition_metadata=metadata)


FILTER = dates.result_filters("en")[0]


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("He just turned 75 years old", "75 years old"),
        ("I will be travelling next week", "next week"),
        ("She quit a few months ago.", "a few months ago"),
        ("the last billed amount for cc 4281948219935181902", "4281948219935181902"),
        ("The bus drops you off at 2760 Ibirapita 7010 St.", "2760"),
        ("the quarterly report", "quarterly"),
    ],
)
def test_filter_drops_the_models_durations_ages_and_numbers(text: str, noise: str) -> None:
    assert FILTER(text, [_foreign(text, noise)]) == []


def test_filter_keeps_a_model_date_with_a_month_name_and_a_digit() -> None:
    text = "We met on the Ides of March 44 BC."
    result = _foreign(text, "the Ides of March 44 BC")
    assert FILTER(text, [result]) == [result]


def test_filter_drops_a_model_date_that_overlaps_ours_and_keeps_ours() -> None:
    text = "Date: 06/27/2020 08:20 PM\nName: X"
    ours = RECOGNIZER.analyze(text, [], None)
    model = _foreign(text, "06/27/2020")
    assert FILTER(text, [model, *ours]) == ours


def test_filter_puts_back_our_date_that_the_analyzer_dropped_for_the_models() -> None:
    # Presidio removes a result contained in another of the same type with an equal or higher score before
    # any filter runs: the model's "1988" (0.85) can replace ours (0.5). The filter must restore ours.
    text = "the Civil Rights Act of 1988 protects"
    kept = FILTER(text, [_foreign(text, "1988")])
    assert [(text[r.start : r.end], r.recognition_metadata["recognizer_name"]) for r in kept] == [
        ("1988", dates.RECOGNIZER_NAME)
    ]


def test_filter_leaves_other_types_alone() -> None:
    text = "Call 030 1234567 next week"
    phone = RecognizerResult("PHONE_NUMBER", 5, 16, 0.9)
    assert FILTER(text, [phone]) == [phone]


@pytest.mark.parametrize(
    "text",
    [
        "He just turned 75 years old",
        "I will be travelling to South Africa next week, so I need my passport to be ready by then",
        "The quarterly numbers look good, we have grown for years.",
        "Please block card no 4824504000883873713",
    ],
)
def test_detector_reports_no_date_in_durations_ages_and_card_numbers(detector: Detector, text: str) -> None:
    assert [e for e in detector.detect(text, "en") if e.type == dates.ENTITY] == []


def test_detector_reports_exact_dates_in_both_languages(detector: Detector) -> None:
    text = "She was born on 5/24/2000 and married on 15. März 2021; the contract ends 2025-12-31."
    assert [text[e.start : e.end] for e in detector.detect(text) if e.type == dates.ENTITY] == [
        "5/24/2000", "15. März 2021", "2025-12-31",
    ]

from __future__ import annotations

import itertools
import threading

import pytest
from presidio_analyzer import RecognizerResult

from maskgate.detection import Detector, SpanCache, engine, guess_language
from maskgate.detection.cache import cache_key
from maskgate.detection.engine import resolve_overlaps
from maskgate.entities import Entity
from maskgate.policy import Policy

POLICY = {
    "allow_list": ["John Smith", "EMP-000000"],
    "deny_list": ["Project Falcon", {"value": "K-4711", "type": "CASE_ID"}],
    "entities": {"TICKET": {"threshold": 0.6}, "RETIRED_ID": {"enabled": False}},
    "custom_recognizers": [
        {"type": "EMPLOYEE_ID", "regex": r"\bEMP-\d{6}\b", "score": 0.9},
        {"type": "BADGE", "regex": r"\bB\d{5}\b", "score": 0.1, "context": ["badge", "Ausweis"]},
        {"type": "TICKET", "patterns": [{"regex": r"\bT-\d{4}\b", "score": 0.5}, {"regex": r"\bTK-\d{4}\b"}]},
        {"type": "RETIRED_ID", "regex": r"\bR-\d{4}\b"},
        {"type": "EN_ONLY", "regex": r"\bEN-\d{3}\b", "languages": ["en"]},
    ],
}


@pytest.fixture(scope="module")
def cache() -> SpanCache:
    return SpanCache(max_entries=64)


@pytest.fixture(scope="module")
def custom(cache: SpanCache) -> Detector:
    return Detector(Policy.from_dict(POLICY), cache=cache)


def spans(text: str, entities: list[Entity]) -> list[tuple[str, str]]:
    return [(e.type, text[e.start : e.end]) for e in entities]


def test_offsets_are_string_indices(detector: Detector) -> None:
    text = "Grüße 👋 an Frau Müller: IBAN DE89 3704 0044 0532 0130 00, Tel. +49 30 1234567."
    found = spans(text, detector.detect(text, "de"))
    assert ("IBAN_CODE", "DE89 3704 0044 0532 0130 00") in found
    assert ("PHONE_NUMBER", "+49 30 1234567") in found


def test_results_are_sorted_and_never_overlap(detector: Detector) -> None:
    text = (
        "Max Mustermann (max.mustermann@example.com, +49 171 2345678) paid with 4539 1488 0343 6467 from "
        "DE89370400440532013000 on 15.03.2024 in Berlin; see https://example.com/max for details."
    )
    found = detector.detect(text)
    assert found, "the text is full of PII"
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    assert all(0 <= e.start < e.end <= len(text) for e in found)


def test_deny_list_always_masks_case_insensitively(custom: Detector) -> None:
    text = "Status of project falcon and PROJECT FALCON: see case K-4711."
    assert spans(text, custom.detect(text, "en")) == [
        ("SENSITIVE", "project falcon"),
        ("SENSITIVE", "PROJECT FALCON"),
        ("CASE_ID", "K-4711"),
    ]


def test_deny_list_is_whole_words_only(custom: Detector) -> None:
    text = "The Project Falconry club meets on Friday."
    assert ("SENSITIVE", "Project Falcon") not in spans(text, custom.detect(text, "en"))


def test_allow_list_is_never_masked(detector: Detector, custom: Detector) -> None:
    text = "Please forward this to John Smith and file it under EMP-000000 and EMP-123456."
    assert ("PERSON", "John Smith") in spans(text, detector.detect(text, "en"))
    found = spans(text, custom.detect(text, "en"))
    assert ("PERSON", "John Smith") not in found
    assert ("EMPLOYEE_ID", "EMP-000000") not in found
    assert ("EMPLOYEE_ID", "EMP-123456") in found


def test_custom_recognizer_context_lifts_a_weak_pattern(custom: Detector) -> None:
    assert spans("Her badge B12345 expired.", custom.detect("Her badge B12345 expired.", "en")) == [
        ("BADGE", "B12345")
    ]
    assert custom.detect("Reference B12345 is attached.", "en") == []
    text = "Ihr Ausweis B54321 ist abgelaufen."
    assert spans(text, custom.detect(text, "de")) == [("BADGE", "B54321")]


def test_thresholds_and_disabled_types(custom: Detector) -> None:
    text = "Tickets T-1234 and TK-5678, retired id R-0001."
    assert spans(text, custom.detect(text, "en")) == [("TICKET", "TK-5678")]


def test_custom_recognizer_languages(custom: Detector) -> None:
    assert spans("Code EN-123 please.", custom.detect("Code EN-123 please.", "en")) == [("EN_ONLY", "EN-123")]
    assert custom.detect("Code EN-123 bitte.", "de") == []


def test_default_policy_leaves_organisations_and_nrp_out(detector: Detector) -> None:
    text = "Americans at Microsoft and Google signed the agreement."
    assert {e.type for e in detector.detect(text, "en")}.isdisjoint({"ORGANIZATION", "NRP"})


def test_organisations_can_be_enabled() -> None:
    detector = Detector(Policy.from_dict({"entities": {"ORGANIZATION": {"enabled": True}}}))
    text = "She joined Microsoft Corporation in Seattle last year."
    assert ("ORGANIZATION", "Microsoft Corporation") in spans(text, detector.detect(text, "en"))


def test_long_texts_are_cut_at_line_breaks_and_offsets_stay_right(
    custom: Detector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "MAX_CHUNK_CHARS", 80)
    lines = [f"Line {i}: employee EMP-{i:06d} checked in." for i in range(1, 40)]
    text = "\n".join(lines)
    found = [e for e in custom.detect(text, "en") if e.type == "EMPLOYEE_ID"]
    assert [text[e.start : e.end] for e in found] == [f"EMP-{i:06d}" for i in range(1, 40)]


def test_chunks_cover_the_text_exactly() -> None:
    text = ("word " * 50 + "\n") * 30 + "x" * 500
    pieces = list(engine._chunks(text, 200))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 200 for _, piece in pieces)
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_lone_surrogates_do_not_break_detection(custom: Detector) -> None:
    text = "bad \ud800 input from EMP-654321"
    assert spans(text, custom.detect(text, "en")) == [("EMPLOYEE_ID", "EMP-654321")]


def test_unsupported_language_is_rejected(detector: Detector) -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        detector.detect("Bonjour", "fr")


def test_repeated_texts_come_from_the_value_free_cache(custom: Detector, cache: SpanCache) -> None:
    text = "Unique cache probe for EMP-777777 at Project Falcon."
    first = custom.detect(text, "en")
    hits = cache.hits
    assert custom.detect(text, "en") == first
    assert cache.hits == hits + 1
    custom.detect(text, "de")  # another language is another key
    assert cache.hits == hits + 1
    for key, entities in cache._entries.items():
        assert isinstance(key, bytes) and len(key) == 20
        assert all(isinstance(e, Entity) for e in entities)
    assert "EMP-777777" not in repr(cache._entries)


def test_cache_is_bounded_and_keyed_by_policy() -> None:
    cache = SpanCache(max_entries=2)
    for i in range(5):
        cache.put(cache_key("p", "en", f"text {i}"), ())
    assert len(cache) == 2
    assert cache.get(cache_key("p", "en", "text 4")) == ()
    assert cache.get(cache_key("p", "en", "text 0")) is None
    assert cache_key("policy-a", "en", "x") != cache_key("policy-b", "en", "x")
    assert cache_key("ab", "en", "c") != cache_key("a", "en", "bc")


def test_detection_is_thread_safe(custom: Detector) -> None:
    errors: list[str] = []

    def work(worker: int) -> None:
        for round_no in range(15):
            number = f"EMP-{worker + 1:03d}{round_no:03d}"  # EMP-000000 is allow-listed
            text = f"Worker {worker}, round {round_no}: Maria Weber asks about {number} and Project Falcon."
            found = spans(text, custom.detect(text, "en"))
            if ("EMPLOYEE_ID", number) not in found or ("SENSITIVE", "Project Falcon") not in found:
                errors.append(f"{worker}/{round_no}: {found}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def _result(entity_type: str, start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(entity_type, start, end, score)


def test_overlaps_prefer_higher_score_then_longer_span() -> None:
    results = [
        _result("DATE_TIME", 0, 10, 0.6),
        _result("PHONE_NUMBER", 0, 10, 0.9),
        _result("PERSON", 20, 25, 0.85),
        _result("PERSON", 20, 30, 0.85),
        _result("LOCATION", 28, 40, 0.5),
        _result("URL", 45, 60, 0.5),
        _result("EMAIL_ADDRESS", 40, 60, 1.0),
        _result("PERSON", 62, 62, 1.0),
    ]
    assert [(e.type, e.start, e.end) for e in resolve_overlaps(results)] == [
        ("PHONE_NUMBER", 0, 10),
        ("PERSON", 20, 30),
        ("EMAIL_ADDRESS", 40, 60),
    ]


def test_overlaps_keep_adjacent_spans() -> None:
    results = [_result("LOCATION", 0, 5, 0.5), _result("LOCATION", 5, 9, 0.5), _result("URL", 9, 12, 0.9)]
    assert [(e.start, e.end) for e in resolve_overlaps(results)] == [(0, 5), (5, 9), (9, 12)]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hello, can you help me with my invoice?", "en"),
        ("Hallo, können Sie mir bei meiner Rechnung helfen?", "de"),
        ("Bitte an Jürgen schicken.", "de"),
        ("Please send it to Jürgen Müller in Köln.", "en"),
        ("Sehr geehrte Frau Schulz,\nvielen Dank für Ihre Nachricht vom 3. März. " * 20, "de"),
        ("Dear Ms Schulz,\nthank you for your message of March 3rd, it was very helpful. " * 20, "en"),
        ("Telefon: 030 1234567", "de"),
        ("Phone: 030 1234567", "en"),
    ],
)
def test_language_guess(text: str, language: str) -> None:
    assert guess_language(text) == language


def test_language_guess_falls_back_to_the_default() -> None:
    assert guess_language("max@example.com 030 1234567", default="de") == "de"
    assert guess_language("max@example.com 030 1234567", default="en") == "en"


def test_language_follows_the_policy(detector: Detector) -> None:
    german = Detector(Policy.from_dict({"language": {"default": "de", "detect": False}}))
    assert german.language_of("Hello, how are you doing today?") == "de"
    assert german.language_of("Hello", "en") == "en"
    assert detector.language_of("Hallo, wie geht es dir heute?") == "de"
    assert detector.language_of("Hello, how are you doing today?") == "en"

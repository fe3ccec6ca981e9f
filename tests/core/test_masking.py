"""Masking one conversation: numbering, sweep, overlaps, look-alikes, policy lists, stable history."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskgate import masking
from maskgate.ledger import Ledger
from maskgate.masking import mask, mask_texts
from maskgate.policy import Policy
from maskgate.restoring import RestoreStats, restore_text
from tests.core.conftest import EMAILS, NAMES, FixedDetector, RegexDetector

POLICY = Policy()


def run(texts: list[str], policy: Policy = POLICY,
        detector: object | None = None) -> tuple[list[str], Ledger]:
    ledger = Ledger(policy.placeholder)
    return mask_texts(texts, ledger, detector or RegexDetector(), policy), ledger


def restored(texts: list[str], ledger: Ledger) -> list[str]:
    return [restore_text(text, ledger, RestoreStats()) for text in texts]


def test_masks_detected_values_numbered_by_first_appearance() -> None:
    masked, ledger = run(["Anna Schmidt met Max Mustermann.",
                          "Mail max@example.com, cc Anna Schmidt and Bob."])
    assert masked == ["<<PERSON_1>> met <<PERSON_2>>.",
                      "Mail <<EMAIL_ADDRESS_1>>, cc <<PERSON_1>> and <<PERSON_3>>."]
    assert ledger.value("PERSON", 2) == "Max Mustermann"


def test_known_value_sweep_masks_what_detection_missed_everywhere() -> None:
    # The test detector is case-sensitive: "MAX MUSTERMANN" is only found because "Max Mustermann" was.
    masked, _ = run(["Note from MAX  MUSTERMANN:", "I am Max Mustermann", "max\nmustermann again"])
    assert masked == ["Note from <<PERSON_1>>:", "I am <<PERSON_1>>", "<<PERSON_1>> again"]


def test_sweep_respects_word_boundaries() -> None:
    masked, _ = run(["Bob", "Bobby and bob, BOB's kebob"])
    assert masked == ["<<PERSON_1>>", "Bobby and <<PERSON_1>>, <<PERSON_1>>'s kebob"]


def test_a_value_first_detected_later_is_masked_in_earlier_texts_too() -> None:
    masked, _ledger = run(["Greetings, ANNA SCHMIDT here", "Anna Schmidt"])
    assert masked == ["Greetings, <<PERSON_1>> here", "<<PERSON_1>>"]


def test_overlapping_detections_become_one_token_and_never_corrupt_text() -> None:
    text = "Account US12345678 LICENSE7 end"
    detector = FixedDetector({text: [("US_BANK_NUMBER", 8, 18), ("US_DRIVER_LICENSE", 10, 27),
                                     ("PERSON", 12, 14)]})
    masked, ledger = run([text], detector=detector)
    assert masked == ["Account <<US_DRIVER_LICENSE_1>> end"]  # the union, typed after the longest span
    assert ledger.value("US_DRIVER_LICENSE", 1) == "US12345678 LICENSE7"
    assert restored(masked, ledger) == [text]


def test_adjacent_detections_stay_separate() -> None:
    text = "MaxAnna"
    masked, ledger = run([text], detector=FixedDetector({text: [("PERSON", 0, 3), ("PERSON", 3, 7)]}))
    assert masked == ["<<PERSON_1>><<PERSON_2>>"]
    assert restored(masked, ledger) == [text]


def test_detections_out_of_order_or_out_of_range_are_handled() -> None:
    text = "Anna and Max"
    spans = [("PERSON", 9, 12), ("PERSON", 0, 4), ("PERSON", 5, 5), ("PERSON", 10, 99)]
    detector = FixedDetector({text: spans})
    masked, _ = run([text], detector=detector)
    assert masked == ["<<PERSON_1>> and <<PERSON_2>>"]


def test_input_look_alikes_are_neutralised_and_come_back_literally() -> None:
    texts = ["Template: Dear <<PERSON_1>>, see PERSON_2 and [[person_3]].", "I am Max Mustermann."]
    masked, ledger = run(texts)
    assert masked == ["Template: Dear <<PLACEHOLDER_1>>, see <<PLACEHOLDER_2>> and <<PLACEHOLDER_3>>.",
                      "I am <<PERSON_1>>."]
    assert restored(masked, ledger) == texts
    # The model quoting the user's literal gets the literal back; our own token gets the value.
    answer = restore_text("You wrote <<PLACEHOLDER_1>>, and you are <<PERSON_1>>.", ledger, RestoreStats())
    assert answer == "You wrote <<PERSON_1>>, and you are Max Mustermann."


def test_look_alikes_of_types_never_issued_are_left_alone() -> None:
    masked, _ = run(["Use <<IBAN_CODE_1>> and <<PERSON_1>> here", "Max Mustermann"])
    assert masked == ["Use <<IBAN_CODE_1>> and <<PLACEHOLDER_1>> here", "<<PERSON_1>>"]


def test_look_alike_next_to_a_masked_value_is_neutralised() -> None:
    # Only after masking does "PERSON_1" stand at a word boundary; it must still not be restored to Bob.
    text = "BobPERSON_1"
    masked, ledger = run([text], detector=FixedDetector({text: [("PERSON", 0, 3)]}))
    assert masked == ["<<PERSON_1>><<PLACEHOLDER_1>>"]
    assert restored(masked, ledger) == [text]


def test_allow_list_and_deny_list() -> None:
    policy = Policy.from_dict({"allow_list": ["anna  schmidt"],
                               "deny_list": ["Project Falcon", {"value": "K-4711", "type": "CASE_ID"}]})
    masked, _ledger = run(["Anna Schmidt runs project falcon (K-4711) with Bob", "PROJECT FALCON"], policy)
    assert masked == ["Anna Schmidt runs <<SENSITIVE_1>> (<<CASE_ID_1>>) with <<PERSON_1>>",
                      "<<SENSITIVE_1>>"]


def test_custom_placeholder_template() -> None:
    policy = Policy.from_dict({"placeholder": "[[{type}#{n}]]"})
    masked, ledger = run(["Bob and [[PERSON#1]]"], policy)
    assert masked == ["[[PERSON#1]] and [[PLACEHOLDER#1]]"]
    assert restored(masked, ledger) == ["Bob and [[PERSON#1]]"]


def test_counts_by_type() -> None:
    result = mask(["Bob, Bob, bob", "<<PERSON_1>>", "max@example.com"], Ledger(), RegexDetector(), POLICY)
    assert dict(result.detected) == {"PERSON": 2, "EMAIL_ADDRESS": 1}
    assert dict(result.masked) == {"PERSON": 3, "EMAIL_ADDRESS": 1, "PLACEHOLDER": 1}


def test_languages_are_passed_per_text() -> None:
    seen: list[str | None] = []

    class Recording(RegexDetector):
        def detect(self, text: str, language: str | None = None):
            seen.append(language)
            return super().detect(text, language)

    mask_texts(["a", "b"], Ledger(), Recording(), POLICY, languages=["de", None])
    assert seen == ["de", None]
    with pytest.raises(ValueError):
        mask_texts(["a"], Ledger(), RegexDetector(), POLICY, languages=[])


def test_multi_turn_history_stays_byte_identical() -> None:
    turns = [
        ["You are helpful.", "Hi, I am Max Mustermann, max@example.com"],
        ["Hello <<PERSON_1>>! How can I help?"],  # the assistant's restored answer comes back as history
        ["Write to Anna Schmidt about IBAN DE89370400440532013000"],
        ["And cc Bob, please."],
    ]
    history: list[str] = []
    previous: list[str] = []
    for turn in turns:
        history += turn
        masked, _ = run(history)
        assert masked[:len(previous)] == previous
        previous = masked
    assert previous[-1] == "And cc <<PERSON_3>>, please."


# -- properties --------------------------------------------------------------------------------------------

FILLER = ["the ", "code ", " ", "\n", ", ", "PERSON", "person", "EMAIL", "_", "1", "10", "<", ">", "<<", ">>",
          "[", "]", "{", "}", "«", "»", "\\", "&lt;", "&gt;", "\\u003c", "\\u003e", "-", "é", "ß",
          "PLACEHOLDER_1", "<<PERSON_1>>", "PERSON_2", "[[EMAIL_ADDRESS_1]]", "<<PLACEHOLDER_2>>"]
VALUES = [*NAMES, *EMAILS]
piece = st.sampled_from(FILLER) | st.sampled_from(VALUES).map(lambda v: f" {v} ")
message = st.lists(piece, max_size=20).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(message, min_size=1, max_size=5))
def test_mask_then_restore_round_trips_and_hides_every_value(texts: list[str]) -> None:
    masked, ledger = run(texts)
    assert restored(masked, ledger) == texts
    for value in VALUES:
        assert all(value.casefold() not in text.casefold() for text in masked)
    # The masked texts hold no token-like text except the exact tokens this ledger issued.
    matcher = ledger.matcher()
    for text in masked:
        for match in matcher.finditer(text):
            key = matcher.key(match)
            assert key is not None and match.group() == ledger.style.render(*key)


@settings(max_examples=100, deadline=None)
@given(st.lists(message, min_size=1, max_size=4), st.sampled_from(NAMES[:2]), message)
def test_appending_a_message_keeps_the_masked_history(history: list[str], name: str, filler: str) -> None:
    """A new message whose values are already known (or new but absent from the history) changes nothing
    that was masked before. (A look-alike of a type first issued by the new message would.)"""
    history = [*history, f"{name} and {EMAILS[0]}"]
    new = f"{filler} Bob"
    before, _ = run(history)
    after, _ = run([*history, new])
    if "bob" not in " ".join(history).casefold():
        assert after[:len(before)] == before


def test_real_detector_round_trip(real_detector: object) -> None:
    texts = ["Please email Max Mustermann at max.mustermann@example.com about IBAN DE89370400440532013000.",
             "Call me at +49 170 1234567. My colleague <<PERSON_1>> says hi.",
             "Max Mustermann will pay on 2024-05-01."]
    ledger = Ledger()
    masked = mask(texts, ledger, real_detector, POLICY)
    values = [value for _, _, value in ledger.items()]
    assert "Max Mustermann" in values and "DE89370400440532013000" in values
    for text in masked.texts:
        assert "Max Mustermann" not in text and "DE89370400440532013000" not in text
    assert masked.texts[1].count("<<PLACEHOLDER_1>>") == 1
    assert restored(masked.texts, ledger) == texts


@settings(max_examples=200, deadline=None)
@given(message, st.lists(st.sampled_from(VALUES), min_size=1, max_size=6))
def test_sweep_finds_the_same_spans_by_word_scan_and_by_find(text: str, values: list[str]) -> None:
    """The sweep locates first words with ``str.find`` when it can and by scanning every word otherwise
    (many values, or a text whose case folding changes its length); both must find exactly the same."""
    search = masking._ValueSearch(tuple(("PERSON", value) for value in values))
    for variant in (text, text.upper(), text.replace("e", "ß")):
        found = list(search.spans(variant))
        with patch.object(masking, "_FIND_LIMIT", -1):
            assert list(search.spans(variant)) == found

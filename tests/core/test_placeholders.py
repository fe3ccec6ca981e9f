"""Token syntax and the drift-tolerant recogniser: what is read as one of our tokens, and what is not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maskgate.ledger import Ledger
from maskgate.placeholders import DEFAULT_TEMPLATE, PlaceholderStyle
from maskgate.restoring import RestoreStats, restore_text


@pytest.fixture
def ledger() -> Ledger:
    ledger = Ledger()
    ledger.issue("PERSON", "Max Mustermann")
    ledger.issue("EMAIL_ADDRESS", "max@example.com")
    for n in range(2, 11):
        ledger.issue("PERSON", f"Person {n}")
    return ledger


def restore(text: str, ledger: Ledger) -> tuple[str, RestoreStats]:
    stats = RestoreStats()
    return restore_text(text, ledger, stats), stats


def test_default_template_renders_type_and_number() -> None:
    style = PlaceholderStyle()
    assert style.template == DEFAULT_TEMPLATE
    assert style.render("PERSON", 1) == "<<PERSON_1>>"
    assert style.render("EMAIL_ADDRESS", 12) == "<<EMAIL_ADDRESS_12>>"


def test_custom_template() -> None:
    style = PlaceholderStyle("[[{type}:{n}]]")
    assert style.render("PERSON", 3) == "[[PERSON:3]]"
    ledger = Ledger("[[{type}:{n}]]")
    token = ledger.issue("PERSON", "Max")
    assert token == "[[PERSON:3]]".replace("3", "1")
    assert restore(f"Hi {token}!", ledger)[0] == "Hi Max!"
    assert restore("Hi <<person:1>>!", ledger)[0] == "Hi Max!"  # the template's separator drifts too


@pytest.mark.parametrize("template", ["{n}_{type}", "<<{type}{n}>>", "<<{type}_{n}{n}>>", "<<{type}_{n:03}>>",
                                      "<<{type}_{n}7>>", "no fields", "<<{kind}_{n}>>"])
def test_unsupported_templates_are_rejected(template: str) -> None:
    with pytest.raises(ValueError, match=r"^must "):
        PlaceholderStyle(template)


DRIFTED = [
    "<<person_1>>", "<<Person_1>>", "PERSON_1", "<PERSON_1>", "[[PERSON_1]]", "[PERSON_1]", "«PERSON_1»",
    "‹PERSON_1›", "{{PERSON_1}}", "{PERSON_1}", "<< PERSON_1 >>", "<<PERSON 1>>", "<<PERSON  1>>",
    "<<PERSON - 1>>", "<<PERSON _ 1>>", "<<PERSON_1]]", "\\u003c\\u003cPERSON_1\\u003e\\u003e",
    "\\u003C\\u003CPERSON_1\\u003E\\u003E", "\\<\\<PERSON\\_1\\>\\>", "PERSON\\_1",
    "&lt;&lt;PERSON_1&gt;&gt;",
    "&LT;&LT;PERSON_1&GT;&GT;", "&#60;&#60;PERSON_1&#62;&#62;", "&#x3c;&#x3c;PERSON_1&#x3e;&#x3e;",
    "&laquo;PERSON_1&raquo;", "\\[\\[PERSON\\_1\\]\\]",
]


@pytest.mark.parametrize("form", DRIFTED)
def test_each_drift_form_is_repaired_and_counted(form: str, ledger: Ledger) -> None:
    text, stats = restore(f"Dear {form}, thanks.", ledger)
    assert text == "Dear Max Mustermann, thanks."
    assert stats == RestoreStats(restored=0, repaired=1, unrestored=0)


@pytest.mark.parametrize("form", ["<<EMAIL ADDRESS 1>>", "<<email-address-1>>", "EMAIL_ADDRESS_1",
                                  "[[Email_Address_1]]", "EMAIL\\_ADDRESS\\_1"])
def test_multi_word_types_drift_between_their_words(form: str, ledger: Ledger) -> None:
    assert restore(f"mail {form} now", ledger)[0] == "mail max@example.com now"


def test_exact_tokens_count_as_restored(ledger: Ledger) -> None:
    text, stats = restore("<<PERSON_1>> and <<EMAIL_ADDRESS_1>>", ledger)
    assert text == "Max Mustermann and max@example.com"
    assert stats == RestoreStats(restored=2)


def test_number_boundary_person_1_vs_person_10(ledger: Ledger) -> None:
    text, _ = restore("<<PERSON_10>> <<PERSON_1>> PERSON_10 PERSON_1 [PERSON_10]", ledger)
    assert text == "Person 10 Max Mustermann Person 10 Max Mustermann Person 10"
    assert restore("<<PERSON_100>>", ledger) == ("<<PERSON_100>>", RestoreStats(unrestored=1))


@pytest.mark.parametrize("text", [
    "person_1 = load()",  # an identifier: bare forms are case-sensitive
    "Person 1 said",  # prose: bare forms take no spaces
    "xPERSON_1", "PERSON_1x", "PERSON_1_", "_PERSON_1", "PERSON_01", "<<PERSON_0>>",
    "<<LOCATION_1>>",  # a type this conversation never issued
    "<<PERSON_1", "PERSON 1>>",
])
def test_not_our_token(text: str, ledger: Ledger) -> None:
    restored, stats = restore(text, ledger)
    if text == "<<PERSON_1":  # the bare core restores, the unclosed bracket stays
        assert restored == "<<Max Mustermann"
    else:
        assert restored == text
        assert stats.restored == stats.repaired == 0


def test_bare_form_never_consumes_surrounding_brackets(ledger: Ledger) -> None:
    assert restore("[see PERSON_1]", ledger)[0] == "[see Max Mustermann]"
    assert restore("(PERSON_1)", ledger)[0] == "(Max Mustermann)"
    assert restore("[PERSON_1 and PERSON_2]", ledger)[0] == "[Max Mustermann and Person 2]"


def test_brackets_around_a_token_survive(ledger: Ledger) -> None:
    assert restore("[<<PERSON_1>>]", ledger)[0] == "[Max Mustermann]"
    assert restore("<<<PERSON_1>>>", ledger)[0] == "<Max Mustermann>"
    assert restore("[<PERSON_1>]", ledger)[0] == "[Max Mustermann]"


def test_unknown_number_of_issued_type_is_counted_unrestored(ledger: Ledger) -> None:
    text, stats = restore("<<PERSON_99>> and person_99 and [[EMAIL_ADDRESS_2]]", ledger)
    assert text == "<<PERSON_99>> and person_99 and [[EMAIL_ADDRESS_2]]"
    assert stats == RestoreStats(unrestored=2)


def test_matcher_is_shared_per_type_set() -> None:
    style = PlaceholderStyle()
    assert style.matcher(["PERSON", "IBAN_CODE"]) is style.matcher(["IBAN_CODE", "PERSON"])


def test_empty_matcher_matches_nothing() -> None:
    matcher = PlaceholderStyle().matcher([])
    assert list(matcher.finditer("<<PERSON_1>>")) == []
    assert matcher.pending_start("<<PER", 0, 5) is None


_PIECES = [*DRIFTED, "<<PERSON_1>>", "<<EMAIL_ADDRESS_1>>", "<<PLACEHOLDER_3>>", "PERSON_10", "xPERSON_1",
           "<", "<<", "[", "&", "&lt;", "\\", "P", "E", "PE", "Paris", " ", "_", "1", "12", "-", "ß", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=12), st.integers(0, 5))
def test_fast_search_finds_exactly_what_the_full_pattern_finds(pieces: list[str], pos: int) -> None:
    """The matcher tries its pattern only where a token can start; that must never change what it finds."""
    matcher = PlaceholderStyle().matcher(["PERSON", "EMAIL_ADDRESS", "PLACEHOLDER"])
    text = "".join(pieces)
    full = [(m.span(), m.group()) for m in matcher.pattern.finditer(text, pos)]
    assert [(m.span(), m.group()) for m in matcher.finditer(text, pos)] == full
    assert matcher.sub(lambda m: "#", text) == matcher.pattern.sub("#", text)

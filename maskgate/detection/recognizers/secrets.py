"""Secrets: API keys, tokens, private keys, passwords and credentials, each reported with its exact span.

General-purpose secret scanners are built for repositories, not prompts: they report partial values (only the
header line of a PEM key), miss credentials inside URLs and "my password is ..." phrasing, and run hundreds of
regexes over every text. Here a secret is one ``SecretRule``: the literal keywords at (or just before) which
it starts, a pattern whose ``secret`` group is exactly the value to mask, and a check on that value (entropy,
structure, placeholder). A rule's pattern is only tried, anchored, where one of its keywords occurs in the
lower-cased text, so a text without secrets costs a few ``str.find`` calls per rule, not a regex scan.

The span is the secret itself, never the key that names it: ``DB_PASSWORD=<<PASSWORD_1>>`` and
``Authorization: Bearer <<BEARER_TOKEN_1>>`` keep the text useful to the model. Exceptions, where the whole
thing is the secret: PEM / OpenSSH private-key blocks (BEGIN line to END line) and vendor tokens whose prefix
is part of the token (``sk-proj-...``, ``ghp_...``). Credentials in a URL are reported as ``user:password``:
the user name is half of the credential and often a person's name, while scheme, host and path stay readable.

Where two rules claim overlapping text, the more specific one wins (a vendor format over a JWT over a bearer
header over a ``*_TOKEN=`` assignment), and ``drop_pii_inside_secrets`` removes what other recognizers found
inside a secret (a "phone number" in the digits of a key, the "e-mail address" ``pass@host`` of a URL), so
the secret is masked as one piece.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from maskgate.detection.recognizers import ResultFilter

OPENAI_API_KEY = "OPENAI_API_KEY"
ANTHROPIC_API_KEY = "ANTHROPIC_API_KEY"
AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID"
AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY"
GITHUB_TOKEN = "GITHUB_TOKEN"
GITLAB_TOKEN = "GITLAB_TOKEN"
SLACK_TOKEN = "SLACK_TOKEN"
STRIPE_KEY = "STRIPE_KEY"
GOOGLE_API_KEY = "GOOGLE_API_KEY"
AZURE_KEY = "AZURE_KEY"
BEARER_TOKEN = "BEARER_TOKEN"
JWT = "JWT"
PRIVATE_KEY = "PRIVATE_KEY"
URL_CREDENTIALS = "URL_CREDENTIALS"
PASSWORD = "PASSWORD"
SECRET = "SECRET"

SECRET_ENTITIES: frozenset[str] = frozenset({
    OPENAI_API_KEY, ANTHROPIC_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, GITLAB_TOKEN,
    SLACK_TOKEN, STRIPE_KEY, GOOGLE_API_KEY, AZURE_KEY, BEARER_TOKEN, JWT, PRIVATE_KEY, URL_CREDENTIALS,
    PASSWORD, SECRET,
})
"""Every type this family reports (documented in docs/detection-secrets.md)."""

# Priorities: which rule keeps overlapping text. Scores: how sure a hit is (what thresholds compare).
_WHOLE_BLOCK, _VENDOR, _NEAR_CONTEXT, _JWT = 100, 90, 80, 70
_URL, _HEADER, _ASSIGNMENT, _PHRASE = 60, 50, 40, 30


# --- value checks -----------------------------------------------------------------------------------------

def shannon_entropy(value: str) -> float:
    """Bits per character: ~4-6 for random keys, ~2.5-3.5 for words and identifiers."""
    if not value:
        return 0.0
    length = len(value)
    return -sum(count / length * math.log2(count / length) for count in Counter(value).values())


def char_classes(value: str) -> int:
    """How many of lower case, upper case and digits occur in ``value``."""
    return (
        any(c.islower() for c in value) + any(c.isupper() for c in value) + any(c.isdigit() for c in value)
    )


def looks_random(value: str, min_length: int = 8, min_entropy: float = 3.0) -> bool:
    """A machine-made value: long enough, mixes character classes, and is not a repetitive pattern."""
    return len(value) >= min_length and char_classes(value) >= 2 and shannon_entropy(value) >= min_entropy


_PLACEHOLDER_WORDS = frozenset({
    "none", "null", "nil", "true", "false", "yes", "no", "on", "off", "undefined", "empty", "blank",
    "required", "optional", "str", "string", "text", "int", "integer", "bool", "boolean", "bytes", "any",
    "object", "secretstr", "secret", "secrets", "password", "passwort", "kennwort", "pass", "pw", "pwd",
    "token", "key", "example", "sample", "placeholder", "redacted", "removed", "hidden", "masked", "censored",
    "default", "value", "n/a", "tbd", "todo", "changeme", "change_me", "replace_me", "replaceme",
})
_PLACEHOLDER_SHAPE = re.compile(
    r"""^(?:
        [$%{<\[(!|>&*\#\\~].*                   # variables, templates, YAML tags, shell, references
      | .*(?:\.\.\.|…).*                          # elided: "eyJ2IjoiMSIs..."
      | (?:os\.environ|process\.env|env)[./:\[].*  # os.environ/OPENAI_API_KEY, env:TOKEN
      | .*(?:\{\{|\$\{|\#\{|<%|%\().*             # template expressions anywhere
      | (?:your|my|dein|ihr|enter|insert)[_-]\w*  # your_token_here, my-secret-key
      | \w*[_-](?:here|hier)
      | (.)\1*                                    # one character repeated: xxxxxxxx, ********
      | [*x•·._-]+                                # masks
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


def is_placeholder(value: str) -> bool:
    """Documentation and template values that stand for a secret without being one."""
    return value.lower() in _PLACEHOLDER_WORDS or bool(_PLACEHOLDER_SHAPE.match(value))


def looks_like_password(value: str) -> bool:
    """A value in prose that is a password rather than a word: it carries a digit, a symbol or inner capitals.

    "my password is hunter2" is a password; "the password is required" and "Passwort ist abgelaufen" are not.
    """
    if len(value) < 4 or is_placeholder(value) or "://" in value or value.lower().startswith("www."):
        return False
    return any(c.isdigit() for c in value) or not value.isalnum() or any(c.isupper() for c in value[1:])


# Bare (unquoted) values that read as code rather than as a secret: a variable, an attribute path, a call.
_CODE_LIKE = re.compile(
    r"^[A-Za-z_]+$"  # a word: pwd, hashed_pw
    r"|^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$|^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$"  # snake_case: s3_session_token
    r"|^[A-Za-z_]\w*(?:(?:\.|::|->)[A-Za-z_]\w*)+$"  # an attribute path: self.password, os.environ
    r"|[(\[]"  # a call or an index: getpass(), os.environ["X"]
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BARE_WORD = re.compile(r"^[A-Za-z_]+$")
_TYPE_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]*)+$")
_SHORT_KEYS = frozenset({"pass", "pw", "pwd"})
_ENV_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_LINE_PREFIX_OF_KEY = re.compile(r"(?:^|\n)[ \t\-{\[,]*[\"']?$")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{16}")
_ANNOTATION_TAIL = re.compile(r"[ \t]*=(?!=)")
_REST_OF_LINE_EMPTY = re.compile(r"[ \t]*(?:\#.*)?(?:\r?\n|$)")


_SECRET_GROUPS = ("secret", "secret_2", "secret_3", "secret_4")


def secret_span(match: re.Match[str]) -> tuple[int, int]:
    """Where the value is: a pattern names it ``secret``, or ``secret_2`` ... in its other alternatives."""
    for name in _SECRET_GROUPS:
        if name in match.re.groupindex and match.start(name) >= 0:
            return match.span(name)
    raise ValueError(f"pattern without a matched secret group: {match.re.pattern[:40]!r}")


def _secret(match: re.Match[str]) -> str:
    start, end = secret_span(match)
    return match.string[start:end]


def _value_is_random(match: re.Match[str]) -> bool:
    return looks_random(_secret(match), min_length=16)


def _pem_has_key_material(match: re.Match[str]) -> bool:
    """A real body, not the ``-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END ...`` of a form placeholder."""
    return bool(_BASE64_RUN.search(_secret(match)))


def _jwt_header_has_alg(match: re.Match[str]) -> bool:
    header = _secret(match).split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False
    return isinstance(decoded, dict) and "alg" in decoded


_AWS_CONTEXT = re.compile(r"aws|secret|access|akia|asia", re.IGNORECASE)
_AWS_CONTEXT_WINDOW = 160


def _aws_secret_near_context(match: re.Match[str]) -> bool:
    """40 random base64 characters with "aws", "secret", "access" or a key id in the 160 characters before."""
    value, start = _secret(match), match.start()
    if char_classes(value) < 3 or shannon_entropy(value) < 4.0:
        return False
    return bool(_AWS_CONTEXT.search(match.string, max(0, start - _AWS_CONTEXT_WINDOW), start))


_SAS_VERSION_WINDOW = 400


def _azure_sas_signature(match: re.Match[str]) -> bool:
    start = match.start()
    return "sv=" in match.string[max(0, start - _SAS_VERSION_WINDOW) : start] and _value_is_random(match)


def _url_password_is_real(match: re.Match[str]) -> bool:
    secret = _secret(match)
    password = secret.split(":", 1)[1] if match.group("user") is not None else secret
    return not is_placeholder(password)


def _header_token(match: re.Match[str]) -> bool:
    value = _secret(match)
    return not is_placeholder(value) and looks_random(value, min_length=12)


def _full_key_start(match: re.Match[str]) -> int:
    """Where the whole key starts: ``password`` matched inside ``spring.datasource.password`` reaches back."""
    text, start = match.string, match.start("key")
    while start and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
        start -= 1
    return start


def _key_is_quoted(match: re.Match[str]) -> bool:
    """``"password": ...`` (JSON, Python and JS literals)."""
    text, start, end = match.string, _full_key_start(match), match.end("key")
    return start > 0 and text[start - 1] in "\"'" and text[end : end + 1] == text[start - 1]


def _key_opens_line(match: re.Match[str]) -> bool:
    """``password: ...`` / ``DB_PASSWORD=...`` at the start of a line (YAML, .env, INI, HTTP headers)."""
    start = _full_key_start(match)
    return bool(_LINE_PREFIX_OF_KEY.search(match.string, max(0, start - 80), start))


def _is_annotation(match: re.Match[str]) -> bool:
    """``password: "DataSource | None" = field()``: a type annotation in Python, not a YAML value."""
    return match.group("sep") == ":" and bool(_ANNOTATION_TAIL.match(match.string, match.end()))


def _value_ends_line(match: re.Match[str]) -> bool:
    """Nothing but spaces or a comment follows the value: ``password: hunter`` (YAML), not ``password: Final =
    str(...)`` (a Python annotation) or ``password: userPassword,`` (a JS object literal)."""
    return bool(_REST_OF_LINE_EMPTY.match(match.string, match.end()))


def _password_assignment(match: re.Match[str]) -> bool:
    value = _secret(match)
    if len(value) < 3 or is_placeholder(value) or _is_annotation(match):
        return False
    data_key = _key_is_quoted(match) or _key_opens_line(match)
    if match.group("sep") == ":" and match.group("key").lower() in _SHORT_KEYS and not data_key:
        return False  # "Second pass: sanitize the names" (the phrase rule handles "pw: ..." in prose)
    if match.group("bare") is not None and _CODE_LIKE.search(value):
        # A bare word is a password in .env (DB_PASSWORD=hunter) and YAML (password: hunter) but a variable
        # in code (password=pwd, "password": hashed_pw); paths and calls (self.password, getpass()) are code,
        # and so are type names (password: SecretBytes).
        if not _BARE_WORD.match(value) or _TYPE_NAME.match(value):
            return False
        if match.group("sep") == "=":
            return bool(_ENV_KEY.match(match.string[_full_key_start(match) : match.end("key")]))
        return (
            match.group("sep") == ":"
            and not _key_is_quoted(match)
            and _key_opens_line(match)
            and _value_ends_line(match)
        )
    if match.group("sep") == ":" and not data_key:
        return looks_like_password(value)  # "Please change your password: go to settings" is prose
    return True


def _secret_assignment(match: re.Match[str]) -> bool:
    """A machine-made value: digits among letters, no spaces, not a name from code.

    Not ``"output_token": "nextPageToken"``, ``token: "list[Credential]"``, ``api_key: os.environ/API_KEY``,
    ``private_key: Ed25519PrivateKey | Ed448PrivateKey`` or ``aws_session_token=s3_session_token``.
    """
    value = _secret(match)
    if is_placeholder(value) or "://" in value or value.startswith(("/", "./")) or _CODE_LIKE.search(value):
        return False
    if _UUID.match(value) or _is_annotation(match):
        return False  # a UUID after "token" is a request or idempotency id
    if any(c.isspace() for c in value) or not any(c.isdigit() for c in value):
        return False
    if match.group("bare") is not None and match.group("sep") == ":" and not _value_ends_line(match):
        return False
    return looks_random(value)


def _password_phrase(match: re.Match[str]) -> bool:
    value = _secret(match)
    if _ANNOTATION_TAIL.match(match.string, match.end()):
        return False  # password: "str | None" = None
    if match.group("quoted") is not None:
        return len(value) >= 3 and not is_placeholder(value)
    # "password = str(password)", "username, password = get_auth(url)": code, not a sentence
    return looks_like_password(value) and not _CODE_LIKE.search(value)


# --- rules ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SecretRule:
    """One kind of secret: where it can start, what it looks like, and how sure a hit is.

    The pattern is tried only where one of the ``keywords`` occurs (found with ``str.find`` in the lower-cased
    text, see ``KeywordIndex``): anchored there, or ``lookback`` characters earlier for secrets whose keyword
    is not their first character. A text without any keyword costs a few ``find`` calls, not a regex scan.
    """

    name: str
    entity: str
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]
    """The value to mask is the group ``secret`` (``secret_2``, ... in further alternatives)."""
    score: float
    priority: int
    check: Callable[[re.Match[str]], bool] | None = None
    lookback: int = 0
    anchor: re.Pattern[str] | None = None
    """For a secret found by its context rather than at a keyword: the pattern is tried where this one
    matches, once any keyword occurs in the text."""

    def find(self, text: str, keywords: KeywordIndex) -> Iterator[tuple[int, int]]:
        """Spans of this secret in ``text``; ``keywords`` locates keywords in it."""
        if self.anchor is not None:
            if not any(keywords.positions(word) for word in self.keywords):
                return
            anchors: Iterable[int] = [match.start() for match in self.anchor.finditer(text)]
        else:
            anchors = sorted(
                {max(0, at - self.lookback) for word in self.keywords for at in keywords.positions(word)}
            )
        for anchor in anchors:
            match = self.pattern.match(text, anchor)
            if match and (self.check is None or self.check(match)):
                yield secret_span(match)


class KeywordIndex:
    """Where each keyword occurs in one text (lower-cased), looked up once however many rules share it."""

    def __init__(self, text: str) -> None:
        self._lowered = lower_same_length(text)
        self._positions: dict[str, list[int]] = {}

    def positions(self, keyword: str) -> list[int]:
        found = self._positions.get(keyword)
        if found is None:
            found = self._positions[keyword] = []
            at = self._lowered.find(keyword)
            while at >= 0:
                found.append(at)
                at = self._lowered.find(keyword, at + 1)
        return found


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def lower_same_length(text: str) -> str:
    """``text.lower()``, unless that changes the length (e.g. "İ"): then ASCII-only, so offsets stay valid."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.translate(_ASCII_LOWER)


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.VERBOSE)


_TOKEN_END = r"(?![\w-])"
_QUOTED_OR_BARE = r"""
    (?: "(?P<secret>[^"\r\n]{1,200})"
      | '(?P<secret_2>[^'\r\n]{1,200})'
      | `(?P<secret_3>[^`\r\n]{1,200})`
      | (?P<bare>(?P<secret_4>(?:[^\s"'`,;&<>]|&(?![\w.-]+=))*[^\s"'`,;&<>.)\]}:]))  # "&x=" ends it
    )"""
# key ["'] (:= | => | = | :) value; "==" is a comparison, "::" a scope.
_ASSIGN = r"""["']?[ \t]*(?P<sep>:=|=>|(?<![=!<>])=(?![=>])|:(?![:/]))[ \t]*""" + _QUOTED_OR_BARE
_KEY_END = r"(?![\w-]|\.\w)"
_PASSWORD_KEY = (
    r"(?i:(?P<key>pass(?:word|wd|phrase|wort|code)|kennwort|(?<![A-Za-z])(?:pass|pwd|pw)))" + _KEY_END
)
_SECRET_KEY = (
    r"(?i:(?P<key>secret(?:[_-]?(?:access[_-]?)?key)?|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key"
    r"|private[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|credentials?))" + _KEY_END
)
_SECRET_KEY_STARTS = (
    "secret", "token", "api", "access", "auth", "private", "signing", "encryption", "master", "credential",
)
_PHRASE_CONNECTOR = r"(?:is|ist|lautet|lautete|was|war|heißt|are|sind)\b"

RULES: tuple[SecretRule, ...] = (
    SecretRule(
        "pem-private-key", PRIVATE_KEY, ("-----begin",),
        _rx(r"""(?P<secret>-----BEGIN[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----
            (?: .{0,20000}?-----END[ A-Z0-9]*PRIVATE\ KEY(?:\ BLOCK)?-----
              | (?:(?:\r?\n|\\n)(?:[A-Za-z0-9+/=]{4,}|[A-Za-z-]+:\ [^\r\n\\]*))*   # truncated: the body only
            ))""", re.DOTALL),
        1.0, _WHOLE_BLOCK, _pem_has_key_material,
    ),
    SecretRule(
        "anthropic", ANTHROPIC_API_KEY, ("sk-ant-",),
        _rx(r"(?<![\w-])(?P<secret>sk-ant-[A-Za-z0-9_-]{20,})" + _TOKEN_END), 0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "openai", OPENAI_API_KEY, ("sk-",),
        _rx(r"(?<![\w-])(?P<secret>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,}))"
            + _TOKEN_END),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "aws-access-key-id", AWS_ACCESS_KEY_ID, ("akia", "asia", "abia", "acca"),
        _rx(r"(?<![A-Za-z0-9])(?P<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])"), 0.95, _VENDOR,
    ),
    SecretRule(
        "aws-secret-access-key", AWS_SECRET_ACCESS_KEY, ("aws", "secret", "access", "akia", "asia"),
        _rx(r"(?P<secret>[A-Za-z0-9/+]{40})"), 0.9, _NEAR_CONTEXT, _aws_secret_near_context,
        anchor=re.compile(r"(?<![A-Za-z0-9/+_-])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=_-])"),
    ),
    SecretRule(
        "github", GITHUB_TOKEN, ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        _rx(r"""(?<![A-Za-z0-9_])(?P<secret>gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{50,})
                (?![A-Za-z0-9_])"""),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "gitlab", GITLAB_TOKEN,
        ("glpat-", "gldt-", "glptt-", "glrt-", "glcbt-", "glft-", "glimt-", "glagent-", "gloas-", "glsoat-",
         "glffct-", "gr1348941"),
        _rx(r"""(?<![\w-])(?P<secret>
                (?:glpat|gldt|glptt|glrt|glcbt|glft|glimt|glagent|gloas|glsoat|glffct)-[A-Za-z0-9_.-]{19,}[A-Za-z0-9_]
              | GR1348941[A-Za-z0-9_-]{20,})""" + _TOKEN_END),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "slack-token", SLACK_TOKEN, ("xox", "xapp-"),
        _rx(r"(?<![\w-])(?P<secret>(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{9,}[A-Za-z0-9])" + _TOKEN_END),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "slack-webhook", SLACK_TOKEN, ("hooks.slack.com",),
        _rx(r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_/+-]{20,}[A-Za-z0-9])"),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "stripe", STRIPE_KEY,
        ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_"),
        _rx(r"""(?<![A-Za-z0-9_])
                (?P<secret>(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9+/=]{20,})
                (?![A-Za-z0-9_])"""),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "google", GOOGLE_API_KEY, ("aiza", "gocspx-", "ya29."),
        _rx(r"(?<![\w-])(?P<secret>AIza[0-9A-Za-z_-]{35}|GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[0-9A-Za-z_-]{20,})"
            + _TOKEN_END),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "azure-connection-string-key", AZURE_KEY, ("accountkey", "sharedaccesskey"),
        _rx(r"(?i:AccountKey|SharedAccessKey)[ \t]*=[ \t]*(?P<secret>[A-Za-z0-9+/]{20,}={0,2})"),
        0.95, _VENDOR, _value_is_random,
    ),
    SecretRule(
        "azure-sas-signature", AZURE_KEY, ("sig=",),
        _rx(r"(?<=[?&;])sig=(?P<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){20,}(?:=|%3[Dd]){0,2})"),
        0.9, _NEAR_CONTEXT, _azure_sas_signature,
    ),
    SecretRule(
        "azure-subscription-key", AZURE_KEY,
        ("ocp-apim-subscription-key", "subscription", "abonnement", "azure"),
        _rx(r"""(?i:ocp-apim-subscription-key|subscription[ _-]?key|abonnementschlüssel
                  |azure[\w.-]{0,40}?(?:key|secret))
                ["']?[ \t]*(?:[:=]|=>|(?i:is|ist|lautet)\b)?[ \t]*["']?
                (?P<secret>[A-Za-z0-9]{32,100})(?![A-Za-z0-9])"""),
        0.9, _NEAR_CONTEXT, _value_is_random,
    ),
    SecretRule(
        # Entra ID (Azure AD) client secrets: three characters, a digit, "Q~", then 31-34 characters.
        "azure-client-secret", AZURE_KEY, ("q~",),
        _rx(r"(?<![\w~.-])(?P<secret>[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?![\w~.-])"),
        0.9, _VENDOR, _value_is_random, lookback=4,
    ),
    SecretRule(
        "jwt", JWT, ("eyj",),
        _rx(r"(?<![\w-])(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)" + _TOKEN_END),
        0.95, _JWT, _jwt_header_has_alg,
    ),
    SecretRule(
        "url-credentials", URL_CREDENTIALS, ("://",),
        _rx(r"""(?<=[A-Za-z0-9+.-])://
                (?: (?P<secret>(?P<user>[^\s:/?\#@"'<>\[\]]+):[^\s/?"'<>]+)    # user:password ("#" is
                  | :(?P<secret_2>[^\s/?"'<>]+) )                                 # a password character here)
                @(?=[A-Za-z0-9\[])"""),
        0.9, _URL, _url_password_is_real,
    ),
    SecretRule(
        "bearer", BEARER_TOKEN, ("bearer",),
        _rx(r"""(?i:\bbearer)[ \t]+(?P<secret>[A-Za-z0-9_~+/-](?:[A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-])?=*)
                (?![A-Za-z0-9._~+/=-])"""),
        0.85, _HEADER, _header_token,
    ),
    SecretRule(
        "authorization-header", BEARER_TOKEN, ("authorization",),
        _rx(r"""(?i:\bauthorization)["']?[ \t]*[:=][ \t]*["']?
                (?i:(?:basic|token|digest|apikey|sso-key)[ \t]+)?
                (?P<secret>[A-Za-z0-9_~+/-](?:[A-Za-z0-9._~+/-]*[A-Za-z0-9_~+/-])?=*)(?![A-Za-z0-9._~+/=-])"""),
        0.85, _HEADER, _header_token,
    ),
    SecretRule(
        "password-assignment", PASSWORD, ("pass", "pwd", "pw", "kennwort"),
        _rx(_PASSWORD_KEY + _ASSIGN), 0.85, _ASSIGNMENT, _password_assignment,
    ),
    SecretRule(
        "secret-assignment", SECRET, _SECRET_KEY_STARTS,
        _rx(_SECRET_KEY + _ASSIGN), 0.8, _ASSIGNMENT, _secret_assignment,
    ),
    SecretRule(
        "password-phrase", PASSWORD, ("pass", "pw", "kennwor", "pin", "geheimzahl", "zugangscode"),
        _rx(rf"""(?i)\b(?:passwor[dt]s?|passcode|pass\s?phrase|kennwor[dt]|pwd?|pin(?:-?code|-?nummer)?
                      |geheimzahl|zugangscode)\b
                (?:[ \t]+(?!{_PHRASE_CONNECTOR})[\w.@-]+){{0,4}}?          # "for the VPN", "für den Server"
                [ \t]*(?:{_PHRASE_CONNECTOR}[ \t]*:?|:|=)
                (?:[ \t]+(?:now|jetzt|still|noch|nun|immer[ \t]+noch|weiterhin|simply|einfach|just|nur)\b)?
                [ \t]*
                (?: (?P<quoted>["'`„“»‚‘])(?P<secret>[^"'`„“”»«‚‘’\r\n]{{1,80}})["'`“”«‘’]
                  | (?P<secret_2>[^\s"'`„“”»«]{{3,80}}?)(?=[.,;:?)\]"'`“”»«]*(?:\s|$)) )"""),
        0.8, _PHRASE, _password_phrase,
    ),
)


class SecretsRecognizer(EntityRecognizer):
    """Runs every ``SecretRule`` whose entity is requested and whose keywords occur, then settles overlaps."""

    def __init__(self, supported_language: str = "en", rules: tuple[SecretRule, ...] = RULES) -> None:
        self.rules = rules
        super().__init__(
            supported_entities=sorted({rule.entity for rule in rules}),
            name="SecretsRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        wanted = set(entities)
        keywords = KeywordIndex(text)
        found = [
            (rule, start, end)
            for rule in self.rules
            if rule.entity in wanted
            for start, end in rule.find(text, keywords)
            if end > start
        ]
        found.sort(key=lambda hit: (-hit[0].priority, hit[1] - hit[2], hit[1]))
        kept: list[RecognizerResult] = []
        for rule, start, end in found:
            if all(end <= other.start or start >= other.end for other in kept):
                kept.append(RecognizerResult(rule.entity, start, end, rule.score))
        return kept


def drop_pii_inside_secrets(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop other types' results that overlap a secret: the secret is masked as one piece.

    Digits inside a key look like phone numbers, ``pass@host`` in a URL like an e-mail address, words in a
    PEM block like names; masked separately they would split the secret and leave parts of it in clear.
    """
    secrets = [r for r in results if r.entity_type in SECRET_ENTITIES]
    if not secrets:
        return results
    return [
        r
        for r in results
        if r.entity_type in SECRET_ENTITIES or all(r.end <= s.start or r.start >= s.end for s in secrets)
    ]


def recognizers(language: str) -> list[EntityRecognizer]:
    """One recognizer for all secret types; secrets look the same in every language."""
    return [SecretsRecognizer(language)]


def result_filters(language: str) -> list[ResultFilter]:
    """Secrets take precedence over whatever else was found inside them."""
    return [drop_pii_inside_secrets]

"""Technical text is not personal data: result filters that drop what other recognizers report inside it.

Prompts to an LLM are full of code, logs and product talk, and general recognizers misread it: "S3", "EC2",
"C4" and the "v2" of ``v2.3.1`` look like driver-licence numbers, the digits of a git sha or a UUID like bank
or phone numbers, ``2024-03-15T10:23:45Z`` at the start of a log line like a person's date, ``max.mu`` and
``example.com`` inside ``max.mustermann@example.com`` like two more URLs, ``config.ge`` in
``config.get()`` like a Georgian domain. Masking them costs the model the
very context it needs and gains no privacy.

Each filter finds *technical tokens* with precise patterns (versions, commit hashes, UUIDs, log timestamps,
AWS service names and resource ids, instance types and part numbers, source file names, snake_case
identifiers) and drops a result
when its whole span is technical: every character outside the tokens is punctuation, a space or a
connecting word such as "part no." or "INFO". Only types that technical text is mistaken for are ever
dropped (``FILTERED_TYPES``); checksum-validated types (IBAN, card, national ids) and secrets never are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult

FILTERED_TYPES: frozenset[str] = frozenset({
    "PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "PHONE_NUMBER", "URL", "IP_ADDRESS", "UUID",
    "US_DRIVER_LICENSE", "US_BANK_NUMBER", "US_PASSPORT", "US_ITIN", "US_SSN", "MEDICAL_LICENSE",
})
"""The loose types that technical tokens are mistaken for; every other type is left alone."""


@dataclass(frozen=True)
class TechnicalToken:
    """One kind of technical token: a pattern, and optionally a judgement on each match."""

    name: str
    pattern: regex.Pattern[str]
    check: Callable[[regex.Match[str]], bool] | None = None

    def spans(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        """Tokens of this kind that start in ``text[start:end]`` (lookbehinds still see the text before)."""
        for match in self.pattern.finditer(text, start, len(text) if end is None else end):
            if self.check is None or self.check(match):
                yield match.span("token") if "token" in self.pattern.groupindex else match.span()


def _rx(pattern: str, flags: int = 0) -> regex.Pattern[str]:
    return regex.compile(pattern, flags | regex.VERBOSE)


# --- versions -----------------------------------------------------------------------------------------------

_VERSION_CONTEXT = _rx(
    r"""(?i)(?:\b(?:version|versions|ver|release|rel|build|python|py|node|nodejs|npm|pip|java|jdk|jre|go|golang
    |rust|ruby|php|perl|kernel|linux|ubuntu|debian|alpine|centos|macos|ios|android|windows|chrome|firefox
    |upgrade\w*|update\w*|bump\w*|install\w*|downgrade\w*|pinned|requires?|tag|tagged|sdk|api)\b[\s:]*
    |==|>=|<=|~=|!=|\^|~|@|-)\s*$"""
)


def _is_date(parts: list[str]) -> bool:
    """15.03.85, 1.12.10, 2024.03.15: a day-month-year or year-month-day, not a version."""
    if len(parts) != 3:
        return False
    first, second, third = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return 1 <= second <= 12 and 1 <= third <= 31
    return len(parts[2]) in (2, 4) and 1 <= first <= 31 and 1 <= second <= 12 and len(parts[0]) <= 2


def _numeric_version(match: regex.Match[str]) -> bool:
    """3.8.0 and 2.2.366 are versions; 15.03.85 and a four-part 10.0.0.12 only after a version word."""
    text = match.string
    if _VERSION_CONTEXT.search(text, max(0, match.start() - 24), match.start()):
        return True
    parts = match.group("numbers").split(".")
    return len(parts) == 3 and not _is_date(parts)


# --- log timestamps -----------------------------------------------------------------------------------------

_LOG_LEVEL = regex.compile(
    r"\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG)\b"
)
_LINE_START_PREFIX = regex.compile(r"[ \t]*(?:<\d+>|\[)?[ \t]*$")


def _in_log_line(match: regex.Match[str]) -> bool:
    """A timestamp with seconds is a log timestamp in machine ISO form, at a line start, or before a level."""
    if match.group("iso_t"):
        return True
    text = match.string
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    line_end = len(text) if line_end < 0 else line_end
    if _LINE_START_PREFIX.match(text, line_start, match.start()) or text[match.start() - 1 : match.start()] == "[":
        return True
    return bool(_LOG_LEVEL.search(text, line_start, line_end))


# --- codes and numbers --------------------------------------------------------------------------------------

def _is_hash(match: regex.Match[str]) -> bool:
    """Hex with both letters and digits in one case: a commit sha, a digest, a content hash."""
    value = match.group()
    has_letter = any(c.isalpha() for c in value)
    return has_letter and any(c.isdigit() for c in value) and (value.islower() or value.isupper())


def _is_part_code(match: regex.Match[str]) -> bool:
    """XJ-4410-B, ABC-1234-XL: capitals and digits in dashed groups; not a postcode such as A-1010 or CH-8001.

    Lower-case letters are words, not codes: "830-372-0026-Office" is a phone number with a label.
    """
    value = match.group()
    return not regex.fullmatch(r"[A-Z]{1,2}-\d{4,5}", value)


_AWS_SERVICES = (
    r"S3|EC2|EBS|EFS|EKS|ECS|ECR|EMR|RDS|IAM|VPC|SQS|SNS|SES|KMS|ELB|ALB|NLB|ACM|WAF|CDK|STS|SSM|MSK|DMS"
    r"|CloudFront|CloudWatch|CloudTrail|CloudFormation|DynamoDB|Redshift|Kinesis|Fargate|SageMaker"
    r"|ElastiCache|OpenSearch|DocumentDB|EventBridge|AppSync|QuickSight|Textract|Rekognition|Lightsail"
    r"|Route\s?53|Elastic\s+Beanstalk|Step\s+Functions|API\s+Gateway|Secrets\s+Manager"
)
# Service names that are also people's or places' names count only with the vendor in front.
_AWS_AMBIGUOUS = r"Lambda|Aurora|Athena|Glue|Bedrock|Cognito|Amplify|Glacier|Neptune|Polly|Lex|Comprehend|Outposts"

TECHNICAL_TOKENS: tuple[TechnicalToken, ...] = (
    TechnicalToken("uuid", _rx(r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")),
    TechnicalToken("hash", _rx(r"(?<![\w-])[0-9A-Fa-f]{7,128}(?![\w-])"), _is_hash),
    TechnicalToken(
        "version",
        _rx(r"(?<![\w.])[vV]\d+(?:\.\d+){1,3}(?:[-+][0-9A-Za-z.-]*[0-9A-Za-z])?(?!\w|\.\d)"),
    ),
    TechnicalToken(
        "numeric-version",
        _rx(r"(?<![\w.])(?P<numbers>\d+(?:\.\d+){2,3})(?:[-+][0-9A-Za-z.-]*[0-9A-Za-z])?(?!\w|\.\d)"),
        _numeric_version,
    ),
    TechnicalToken(
        "log-timestamp",
        _rx(r"""
            (?<![\w:.])
            (?: \d{4}-\d{2}-\d{2}(?:(?P<iso_t>T)|[ ])\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:[ ]?(?:Z|UTC|[+-]\d{2}:?\d{2}))?
              | \d{4}/\d{2}/\d{2}[ ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?
              | \d{2}\.\d{2}\.\d{4}[ ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?
              | \d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?:[ ][+-]\d{4})?
              | (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ ]{1,2}\d{1,2}[ ]\d{2}:\d{2}:\d{2}
              | \d{2}:\d{2}:\d{2}[.,]\d{3,9}
            )(?![\w:])"""),
        _in_log_line,
    ),
    TechnicalToken("aws-service", _rx(rf"(?<![\w-])(?:(?:AWS|Amazon)\s+)?(?:{_AWS_SERVICES})(?![\w-])")),
    TechnicalToken("aws-service-named", _rx(rf"\b(?:AWS|Amazon)\s+(?:{_AWS_AMBIGUOUS})\b")),
    TechnicalToken(
        "aws-resource",
        _rx(r"""\b(?:(?:i|ami|vol|snap|vpc|subnet|sg|igw|eni|rtb|acl|nat|eipalloc|lt)-[0-9a-f]{8,17}
                 |arn:aws[\w-]*:[\w-]*:[\w-]*:\d{0,12}:[^\s"'<>]+)\b"""),
    ),
    TechnicalToken(
        # S3, EC2, C4, M5, A100, x86, c5.xlarge, t3.micro: a short model / instance / part code.
        "product-code",
        _rx(r"(?<![\w-])[A-Za-z]{1,4}\d{1,4}[a-z]{0,2}(?:\.(?:nano|micro|small|medium|\d*x?large|metal))?(?![\w-])"),
    ),
    TechnicalToken(
        "part-code",
        _rx(r"(?<![\w-])(?=[\w-]*[A-Z])(?=[\w-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)+(?![\w-])"),
        _is_part_code,
    ),
    TechnicalToken(
        "part-number",
        _rx(r"""(?i)\b(?:parts?\s*(?:number|no\.?|nr\.?|\#)|p/n|pn|sku|mpn|art\.?[\s-]?nr\.?|artikel(?:nummer|nr\.?)
                 |teile?(?:nummer|-?nr\.?)|sachnummer|seriennummer|serial(?:\s*(?:number|no\.?))?
                 |modell?(?:\s*(?:number|no\.?|nr\.?|nummer))?|item\s*(?:number|no\.?|\#)|katalognummer
                 |catalog(?:ue)?\s*(?:number|no\.?))
                 [\s:\#.]*(?P<token>[A-Za-z0-9][A-Za-z0-9./_-]*[A-Za-z0-9])"""),
    ),
    TechnicalToken("source-file", _rx(r"(?<![\w./-])[\w-]+(?:\.[\w-]+)*\.(?:py|md|ipynb)(?![\w.])")),
    # API_KEY, user_id, MAX_RETRIES: identifiers joined by underscores are never names or places.
    TechnicalToken("identifier", _rx(r"\b[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+\b")),
)

# Words that may stand next to a technical token inside one result ("part no. 4711-0815", "sku ABC-1").
_FILLER_WORDS = frozenset({
    "part", "parts", "no", "nr", "number", "p", "n", "pn", "sku", "mpn", "art", "artikel", "artikelnummer",
    "teil", "teile", "teilenummer", "sachnummer", "seriennummer", "serial", "model", "modell", "item",
    "version", "ver", "release", "commit", "sha", "hash", "uuid", "id", "aws", "amazon", "instance", "bucket",
    "trace", "debug", "info", "notice", "warn", "warning", "error", "err", "fatal", "critical", "utc", "z",
})
_WORD = regex.compile(r"[^\W_]+")


# A result can be technical only if it holds a digit, an underscore, a dot or an AWS name: "Max Mustermann"
# and "Berlin" are never looked at, which keeps the filter cheap on ordinary text.
_MAYBE_TECHNICAL = _rx(rf"[\d_.]|{_AWS_SERVICES}|{_AWS_AMBIGUOUS}")
_WINDOW = 160
"""Characters searched for tokens on each side of a result: longer than any token and its context."""


def technical_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Every technical token starting in ``text[start:end]``, sorted by start."""
    return sorted(span for token in TECHNICAL_TOKENS for span in token.spans(text, start, end))


def _is_technical(text: str, result: RecognizerResult, spans: list[tuple[int, int]]) -> bool:
    """The result's span is technical tokens, with nothing but punctuation and filler words between them."""
    leftover, position, touched = [], result.start, False
    for start, end in spans:
        if end <= result.start or start >= result.end:
            continue
        touched = True
        if start > position:
            leftover.append(text[position:start])
        position = max(position, end)
    if not touched:
        return False
    leftover.append(text[position : result.end])
    return all(word.lower() in _FILLER_WORDS for word in _WORD.findall(" ".join(leftover)))


def drop_technical_tokens(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop results of loosely matched types whose whole span is technical text."""
    dropped = set()
    for result in results:
        if result.entity_type not in FILTERED_TYPES or not _MAYBE_TECHNICAL.search(text, result.start, result.end):
            continue
        spans = technical_spans(text, max(0, result.start - _WINDOW), min(len(text), result.end + _WINDOW))
        if _is_technical(text, result, spans):
            dropped.add(id(result))
    return [r for r in results if id(r) not in dropped] if dropped else results


_EMAIL_ADDRESS = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def drop_misread_urls(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop URLs that are part of an e-mail address or cut out of a longer word.

    A URL pattern finds ``example.com`` and ``max.mu`` inside ``max.mustermann@example.com``: the address is
    one entity, not three. It also finds ``config.ge`` in ``config.get(...)`` and ``db.int`` in ``db.internal``
    (".ge" and ".int" are top-level domains): a URL never ends in the middle of a word.
    """
    if not any(r.entity_type == "URL" for r in results):
        return results
    emails = [match.span() for match in _EMAIL_ADDRESS.finditer(text)] if "@" in text else []

    def misread(result: RecognizerResult) -> bool:
        if result.end < len(text) and text[result.end].isalnum() and text[result.end - 1].isalnum():
            return True
        return any(start <= result.start and result.end <= end for start, end in emails)

    return [r for r in results if r.entity_type != "URL" or not misread(r)]


def recognizers(language: str) -> list[EntityRecognizer]:
    """This family only filters; it recognizes nothing."""
    return []


def result_filters(language: str) -> list[Callable[[str, list[RecognizerResult]], list[RecognizerResult]]]:
    """The same technical vocabulary in every language."""
    return [drop_misread_urls, drop_technical_tokens]

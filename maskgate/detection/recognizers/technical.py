"""Technical text is not personal data: result filters that drop what other recognizers report inside it.

Prompts to an LLM are full of code, logs and product talk, and general recognizers misread it: "S3", "EC2",
"C4" and the "v2" of ``v2.3.1`` look like driver-licence numbers, the digits of a git sha or a UUID like bank
or phone numbers, ``2024-03-15T10:23:45Z`` at the start of a log line like a person's date, ``max.mu`` and
``example.com`` inside ``max.mustermann@example.com`` like two more URLs, ``config.ge`` in ``config.get()``
like a Georgian domain. Masking them costs the model the very context it needs and gains no privacy.

A result is dropped when its whole span is technical: every *segment* it touches (the text between spaces,
slashes, colons, quotes and the like, widened to the whole segment) is a technical token -- a version, a
commit hash, a UUID, an AWS service or resource id, an instance type or part code, a source file name, a
snake_case identifier -- or lies inside a log timestamp, an ARN or a multi-word AWS name, or is a connecting
word such as "part no." or "INFO". Only types that technical text is mistaken for are ever dropped
(``FILTERED_TYPES``); checksum-validated types (IBAN, card, national ids) and secrets never are.

Cost: results without a digit, underscore, dot or AWS name ("Max Mustermann", "Berlin") are not examined;
the others cost a few anchored matches on their own segments and line.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from maskgate.detection.recognizers import ResultFilter

FILTERED_TYPES: frozenset[str] = frozenset({
    "PERSON", "LOCATION", "ORGANIZATION", "NRP", "DATE_TIME", "PHONE_NUMBER", "URL", "IP_ADDRESS", "UUID",
    "US_DRIVER_LICENSE", "US_BANK_NUMBER", "US_PASSPORT", "US_ITIN", "US_SSN", "MEDICAL_LICENSE",
})
"""The loose types that technical tokens are mistaken for; every other type is left alone."""


def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags | re.VERBOSE)


_AWS_SERVICES = (
    r"S3|EC2|EBS|EFS|EKS|ECS|ECR|EMR|RDS|IAM|VPC|SQS|SNS|SES|KMS|ELB|ALB|NLB|ACM|WAF|CDK|STS|SSM|MSK|DMS"
    r"|CloudFront|CloudWatch|CloudTrail|CloudFormation|DynamoDB|Redshift|Kinesis|Fargate|SageMaker"
    r"|ElastiCache|OpenSearch|DocumentDB|EventBridge|AppSync|QuickSight|Textract|Rekognition|Lightsail"
)
# Service names that are also people's or places' names count only with the vendor in front.
_AWS_AMBIGUOUS = (
    r"Lambda|Aurora|Athena|Glue|Bedrock|Cognito|Amplify|Glacier|Neptune|Polly|Lex|Comprehend|Outposts"
)

_MODEL_CODE = r"[A-Za-z]{1,4}\d{1,4}[a-z]{0,2}"  # S3, EC2, C4, A100, x86, R6g

# One segment, matched whole. Groups name the kinds whose matches need a second look.
_TECHNICAL_SEGMENT = _rx(rf"""
    [0-9A-Fa-f]{{8}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{4}}-[0-9A-Fa-f]{{12}}     # UUID
  | (?P<hash>[0-9a-f]{{7,128}}|[0-9A-F]{{7,128}})                                          # sha, digest
  | [vV]\d+(?:\.\d+){{1,3}}(?:[-+][0-9A-Za-z.-]*[0-9A-Za-z])?                              # v2.3.1, v1.0-rc1
  | (?P<numeric_version>\d+(?:\.\d+){{2,3}})(?:[-+][0-9A-Za-z.-]*[0-9A-Za-z])?             # 3.8.0, 2.2.366
  | {_MODEL_CODE}(?:\.(?:nano|micro|small|medium|\d*x?large|metal))?                      # S3, C4, c5.xlarge
  | (?P<part_code>(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9]+(?:-[A-Z0-9]+)+)            # XJ-4410-B
  | [A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+                                               # API_KEY, user_id
  | (?=[\w.$]*_)[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+                                  # process.env.API_KEY
  | [\w-]+(?:\.[\w-]+)*\.(?:py|md|ipynb)                                                 # settings.py
  | (?:i|ami|vol|snap|vpc|subnet|sg|igw|eni|rtb|acl|nat|eipalloc|lt)-[0-9a-f]{{8,17}}    # AWS resource ids
  | {_AWS_SERVICES}
  | (?:{_AWS_SERVICES}|{_MODEL_CODE})-[^\W\d_]+                                          # EC2-Instanz
""")

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"

# Technical tokens that contain spaces or colons, searched on the result's line when a cheap hint is there.
_LOG_TIMESTAMP = _rx(rf"""
    (?<![\w:.])
    (?: \d{{4}}-\d{{2}}-\d{{2}}(?:(?P<iso_t>T)|[ ])\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?
        (?:[ ]?(?:Z|UTC|[+-]\d{{2}}:?\d{{2}}))?
      | \d{{4}}/\d{{2}}/\d{{2}}[ ]\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?
      | \d{{2}}\.\d{{2}}\.\d{{4}}[ ]\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?
      | \d{{2}}/[A-Z][a-z]{{2}}/\d{{4}}:\d{{2}}:\d{{2}}:\d{{2}}(?:[ ][+-]\d{{4}})?
      | (?:{_MONTHS})[ ]{{1,2}}\d{{1,2}}[ ]\d{{2}}:\d{{2}}:\d{{2}}
      | \d{{2}}:\d{{2}}:\d{{2}}[.,]\d{{3,9}}
    )(?![\w:])""")
_SECONDS = re.compile(r"\d:\d\d:\d\d")
_ARN = re.compile(r"\barn:aws[\w-]*:[\w-]*:[\w-]*:\d{0,12}:[^\s\"'<>]+")
_AWS_PHRASE = _rx(rf"""\b(?:(?:AWS|Amazon)\s+(?:{_AWS_SERVICES}|{_AWS_AMBIGUOUS})|Route\s?53
    |Elastic\s+Beanstalk|Step\s+Functions|API\s+Gateway|Secrets\s+Manager)\b""")
_AWS_PHRASE_HINTS = ("AWS", "Amazon", "Route", "Elastic", "Step", "API", "Secrets")
_AWS_PHRASE_HINT = re.compile("|".join(_AWS_PHRASE_HINTS))
_DIGIT = re.compile(r"\d")

_DELIMITERS = frozenset("/?&=@,;:()[]{}\"'`<>|*!#")
_SEGMENT = re.compile(rf"[^\s{re.escape(''.join(sorted(_DELIMITERS)))}]+")
_SEGMENT_EDGE = ".-"

_PART_CONTEXT = _rx(r"""(?i)\b(?:parts?\s*(?:number|no\.?|nr\.?|\#)|p/n|pn|sku|mpn|art\.?[\s-]?nr\.?
    |artikel(?:nummer|nr\.?)|teile?(?:nummer|-?nr\.?)|sachnummer|seriennummer|serial(?:\s*(?:number|no\.?))?
    |modell?(?:\s*(?:number|no\.?|nr\.?|nummer))?|item\s*(?:number|no\.?|\#)|katalognummer
    |catalog(?:ue)?\s*(?:number|no\.?))[\s:\#.]*$""")
_VERSION_CONTEXT = _rx(r"""(?i)(?:\b(?:version|versions|ver|release|rel|build|python|py|node|nodejs|npm|pip
    |java|jdk|jre|go|golang|rust|ruby|php|perl|kernel|linux|ubuntu|debian|alpine|centos|macos|ios|android
    |windows|chrome|firefox|upgrade\w*|update\w*|bump\w*|install\w*|downgrade\w*|pinned|requires?|tag|tagged
    |sdk|api)\b[\s:]*|==|>=|<=|~=|!=|\^|~|@|-)\s*$""")
_LOG_LEVEL = re.compile(
    r"\b(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG)\b"
)
_LINE_START_PREFIX = re.compile(r"[ \t]*(?:<\d+>|\[)?[ \t]*$")

# Words that may stand next to a technical token inside one result ("part no. 4711-0815", "sku ABC-1").
_FILLER_WORDS = frozenset({
    "part", "parts", "no", "nr", "number", "p", "n", "pn", "sku", "mpn", "art", "artikel", "artikelnummer",
    "teil", "teile", "teilenummer", "sachnummer", "seriennummer", "serial", "model", "modell", "item",
    "version", "ver", "release", "commit", "sha", "hash", "uuid", "id", "aws", "amazon", "instance", "bucket",
    "trace", "debug", "info", "notice", "warn", "warning", "error", "err", "fatal", "critical", "utc", "z",
})

# A result can be technical only if it holds a digit, an underscore, a dot or a word of an AWS name: "Max
# Mustermann" and "Berlin" are never looked at.
_TECHNICAL_CHARACTER = re.compile(r"[\d_.]")
_AWS_WORDS = frozenset([*_AWS_SERVICES.split("|"), *_AWS_AMBIGUOUS.split("|"), *_AWS_PHRASE_HINTS])
_PHRASE_WORDS = _AWS_WORDS | frozenset(_MONTHS.split("|"))
_LINE_REACH = 120
"""How far around a result its line is searched for timestamps, ARNs and AWS names."""


def _is_date(parts: list[str]) -> bool:
    """15.03.85, 1.12.10, 2024.03.15: a day-month-year or year-month-day, not a version."""
    if len(parts) != 3:
        return False
    first, second, third = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return 1 <= second <= 12 and 1 <= third <= 31
    return len(parts[0]) <= 2 and len(parts[2]) in (2, 4) and 1 <= first <= 31 and 1 <= second <= 12


def _technical_segment(text: str, start: int, end: int) -> bool:
    match = _TECHNICAL_SEGMENT.fullmatch(text, start, end)
    if match is None:  # "part no. 4711-0815-22": any code with digits after a part-number word
        return bool(_DIGIT.search(text, start, end)) and bool(
            _PART_CONTEXT.search(text, max(0, start - 32), start)
        )
    if match.group("hash") is not None:
        # Hex with both letters and digits: a sha or digest, not a word ("facade") or a number.
        value = match.group("hash")
        return bool(_DIGIT.search(value)) and not value.isdigit()
    if match.group("numeric_version") is not None:
        # 3.8.0 is a version; 15.03.85 and a four-part 10.0.0.12 (an IP) only after a version word.
        if _VERSION_CONTEXT.search(text, max(0, start - 24), start):
            return True
        parts = match.group("numeric_version").split(".")
        return len(parts) == 3 and not _is_date(parts)
    if match.group("part_code") is not None:
        return not re.fullmatch(r"[A-Z]{1,2}-\d{4,5}", match.group())  # A-1010, CH-8001 are postcodes
    return True


def _in_log_line(match: re.Match[str]) -> bool:
    """A timestamp with seconds is a log timestamp in machine ISO form, at a line start, or before a level."""
    if match.group("iso_t"):
        return True
    text, start = match.string, match.start()
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    if _LINE_START_PREFIX.match(text, line_start, start) or text[start - 1 : start] == "[":
        return True
    return bool(_LOG_LEVEL.search(text, line_start, line_end))


def _phrase_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Timestamps in log lines, ARNs and multi-word AWS names on the line(s) around ``text[start:end]``."""
    line_start = max(text.rfind("\n", 0, start) + 1, start - _LINE_REACH)
    line_end = text.find("\n", end)
    line_end = min(len(text) if line_end < 0 else line_end, end + _LINE_REACH)
    line = text[line_start:line_end]
    spans = []
    if _SECONDS.search(line):
        spans += [m.span() for m in _LOG_TIMESTAMP.finditer(text, line_start, line_end) if _in_log_line(m)]
    if "arn:" in line:
        spans += [m.span() for m in _ARN.finditer(text, line_start, line_end)]
    if _AWS_PHRASE_HINT.search(line):
        spans += [m.span() for m in _AWS_PHRASE.finditer(text, line_start, line_end)]
    return spans


def _is_delimiter(char: str) -> bool:
    return char.isspace() or char in _DELIMITERS


def is_technical(text: str, result: RecognizerResult) -> bool:
    """Whether every segment the result touches is technical (or a filler word), and at least one is."""
    start = result.start
    while start > 0 and not _is_delimiter(text[start - 1]):
        start -= 1
    end = result.end
    while end < len(text) and not _is_delimiter(text[end]):
        end += 1
    phrases: list[tuple[int, int]] | None = None  # searched only when a segment needs them
    found = False
    for segment in _SEGMENT.finditer(text, start, end):
        seg_start, seg_end = segment.span()
        while seg_start < seg_end and text[seg_start] in _SEGMENT_EDGE:
            seg_start += 1
        while seg_end > seg_start and text[seg_end - 1] in _SEGMENT_EDGE:
            seg_end -= 1
        value = text[seg_start:seg_end]
        if not value or value.lower() in _FILLER_WORDS:
            continue
        if _technical_segment(text, seg_start, seg_end):
            found = True
            continue
        if value not in _PHRASE_WORDS and not _DIGIT.search(value):
            return False  # a plain word ("March", "Street") is part of no timestamp, ARN or AWS name
        if phrases is None:
            phrases = _phrase_spans(text, result.start, result.end)
        if not any(p_start <= seg_start and seg_end <= p_end for p_start, p_end in phrases):
            return False
        found = True
    return found


def _may_be_technical(text: str, result: RecognizerResult) -> bool:
    return bool(_TECHNICAL_CHARACTER.search(text, result.start, result.end)) or any(
        word in _AWS_WORDS for word in text[result.start : result.end].split()
    )


def drop_technical_tokens(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop results of loosely matched types whose whole span is technical text."""
    dropped = {
        id(result)
        for result in results
        if result.entity_type in FILTERED_TYPES
        and _may_be_technical(text, result)
        and is_technical(text, result)
    }
    return [r for r in results if id(r) not in dropped] if dropped else results


_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def drop_misread_urls(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop URLs that are part of an e-mail address or cut out of a longer word.

    A URL pattern finds ``example.com`` and ``max.mu`` inside ``max.mustermann@example.com``: the address is
    one entity, not three. It also finds ``config.ge`` in ``config.get(...)`` and ``db.int`` in
    ``db.internal`` (".ge" and ".int" are top-level domains): a URL never ends in the middle of a word.
    """
    if not any(r.entity_type == "URL" for r in results):
        return results
    return [r for r in results if r.entity_type != "URL" or not _misread_url(text, r.start, r.end)]


def _misread_url(text: str, start: int, end: int) -> bool:
    if end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        return True
    # Widen to the surrounding run of address characters; an e-mail address there that covers the URL?
    low, high = start, end
    while low > 0 and (text[low - 1].isalnum() or text[low - 1] in "._+-@"):
        low -= 1
    while high < len(text) and (text[high].isalnum() or text[high] in "._+-@"):
        high += 1
    if "@" not in text[low:high]:
        return False
    return any(m.start() <= start and end <= m.end() for m in _EMAIL_ADDRESS.finditer(text, low, high))


def recognizers(language: str) -> list[EntityRecognizer]:
    """This family only filters; it recognizes nothing."""
    return []


def result_filters(language: str) -> list[ResultFilter]:
    """The same technical vocabulary in every language."""
    return [drop_misread_urls, drop_technical_tokens]

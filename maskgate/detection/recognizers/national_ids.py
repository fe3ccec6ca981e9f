"""National identification numbers of Germany, Switzerland and Austria, each validated by its checksum.

- ``DE_TAX_ID``: Steuerliche Identifikationsnummer (IdNr), ``12 345 678 903``. First digit not 0; in the
  first ten digits exactly one digit occurs twice or three times (never three in a row), every other digit
  at most once; ISO 7064 MOD 11,10 check digit.
- ``DE_SOCIAL_SECURITY``: Rentenversicherungsnummer, the German "Sozialversicherungsnummer",
  ``15 070649 C 103``. Area 02-89, birth date (day 01-31, or 51-81 when a day's serials ran out), initial of
  the birth name; check digit: the letter becomes its two-digit alphabet position, the twelve digits are
  weighted 2,1,2,5,7,1,2,1,2,1,2,1, the digit sums of the products are added, mod 10.
- ``CH_AHV``: Swiss AHV/AVS number, ``756.1234.5678.97``. Prefix 756, EAN-13 check digit.
- ``AT_SOCIAL_SECURITY``: Austrian Versicherungsnummer, ``1237 010180``. Serial 100-999, check digit (4th)
  = the other nine digits weighted 3,7,9,5,8,4,2,1,6, mod 11 (10 is never issued); then a birth date ddmmyy
  whose month may be 13-15 (assigned when the real date is unknown or its serials ran out).

A number that fails its checksum is never reported. A valid one is scored by how distinctive its notation is
and by context: a word such as "Steuer-ID", "IdNr", "SV-Nummer", "AHV" or "social security" before it (same
or previous line) raises it to near certainty. An unseparated 10- or 11-digit run without such a word stays
below the default threshold: such runs are common (order numbers, timestamps) and one in ten of them passes
any single check digit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

DE_TAX_ID = "DE_TAX_ID"
DE_SOCIAL_SECURITY = "DE_SOCIAL_SECURITY"
CH_AHV = "CH_AHV"
AT_SOCIAL_SECURITY = "AT_SOCIAL_SECURITY"

_CONTEXT_BEFORE = 50
_CONTEXT_SCORE = 0.95
_RVNR_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)
_AT_WEIGHTS = (3, 7, 9, 0, 5, 8, 4, 2, 1, 6)  # the 0 skips the check digit itself


def _de_tax_id_is_valid(digits: str) -> bool:
    if len(digits) != 11 or digits[0] == "0":
        return False
    counts = Counter(digits[:10])
    repeated = [count for count in counts.values() if count > 1]
    if len(repeated) != 1 or repeated[0] not in (2, 3):
        return False
    if any(digits[i] == digits[i + 1] == digits[i + 2] for i in range(8)):
        return False
    product = 10
    for digit in digits[:10]:
        total = (int(digit) + product) % 10 or 10
        product = total * 2 % 11
    return (11 - product) % 10 == int(digits[10])


def _de_social_security_is_valid(number: str) -> bool:
    area, day, month = int(number[0:2]), int(number[2:4]), int(number[4:6])
    if not (2 <= area <= 89 and (1 <= day <= 31 or 51 <= day <= 81) and 1 <= month <= 12):
        return False
    digits = number[:8] + f"{ord(number[8]) - ord('A') + 1:02d}" + number[9:11]
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, _RVNR_WEIGHTS, strict=True))
    return total % 10 == int(number[11])


def _ch_ahv_is_valid(digits: str) -> bool:
    if len(digits) != 13 or not digits.startswith("756"):
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _at_social_security_is_valid(digits: str) -> bool:
    if len(digits) != 10 or digits[0] == "0":
        return False
    day, month = int(digits[4:6]), int(digits[6:8])
    if not (1 <= day <= 31 and 1 <= month <= 15):
        return False
    total = sum(int(d) * w for d, w in zip(digits, _AT_WEIGHTS, strict=True))
    return total % 11 == int(digits[3])


@dataclass(frozen=True)
class _IdFormat:
    entity: str
    is_valid: Callable[[str], bool]
    context: re.Pattern[str]
    separated_score: float
    """Score of a valid number written with its usual separators (``756.1234.5678.97``)."""
    plain_score: float
    """Score of a valid number written as one run of characters (``7561234567897``)."""


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:^|[^\w-])(?:{pattern})(?![\w])", re.IGNORECASE)


_FORMATS = {
    "tax": _IdFormat(
        DE_TAX_ID,
        _de_tax_id_is_valid,
        _words(
            r"steuer-?id(?:nr)?|steuer-?identifikationsnummer|steuerliche[ \t]+identifikations(?:nummer|nr)"
            r"|identifikationsnummer|id-?nr\.?|idnr|steuer-?nummer|steuer|tin|tax[ \t]+id"
            r"|tax[ \t]+identification(?:[ \t]+number)?|taxpayer[ \t]+id\w*"
        ),
        separated_score=0.5,
        plain_score=0.3,
    ),
    "rvnr": _IdFormat(
        DE_SOCIAL_SECURITY,
        _de_social_security_is_valid,
        _words(
            r"sozialversicherungs-?nummer|sozialversicherungs-?nr\.?|sv-?nummer|sv-?nr\.?|svnr|sozialversicherung"
            r"|versicherungs-?nummer|versicherungs-?nr\.?|rentenversicherungs-?nummer|rv-?nummer|rv-?nr\.?|rvnr"
            r"|social[ \t]+security|social[ \t]+insurance|pension[ \t]+insurance"
        ),
        separated_score=0.85,
        plain_score=0.85,
    ),
    "ahv": _IdFormat(
        CH_AHV,
        _ch_ahv_is_valid,
        _words(
            r"ahv|avs|ahv-?nr\.?|ahv-?nummer|ahvn13|sozialversicherungs-?nummer|versicherten-?nummer"
            r"|social[ \t]+security|social[ \t]+insurance"
        ),
        separated_score=0.9,
        plain_score=0.5,
    ),
    "at": _IdFormat(
        AT_SOCIAL_SECURITY,
        _at_social_security_is_valid,
        _words(
            r"sozialversicherungs-?nummer|sozialversicherungs-?nr\.?|sv-?nummer|sv-?nr\.?|svnr|vsnr"
            r"|versicherungs-?nummer|versicherungs-?nr\.?|e-card|social[ \t]+security|social[ \t]+insurance"
        ),
        separated_score=0.5,
        plain_score=0.3,
    ),
}

# One pass for all four notations. A candidate is never a slice of a longer number or word.
_CANDIDATE = re.compile(
    r"""(?<![\w.,/+-])
    (?:
        (?P<ahv>756(?P<ahv_sep>[. ]?)\d{4}(?P=ahv_sep)\d{4}(?P=ahv_sep)\d{2})
      | (?P<rvnr>\d{2}[ ]?\d{6}[ ]?[A-Z][ ]?\d{3})
      | (?P<tax>[1-9]\d(?P<tax_sep>[ ]?)\d{3}(?P=tax_sep)\d{3}(?P=tax_sep)\d{3})
      | (?P<at>[1-9]\d{3}[ ]?\d{6})
    )
    (?![\w-])(?![.,/]\d)""",
    re.VERBOSE,
)
_SEPARATORS = re.compile(r"[ .]")


class NationalIdRecognizer(EntityRecognizer):
    """German tax id and pension insurance number, Swiss AHV number, Austrian social security number."""

    def __init__(self, supported_language: str) -> None:
        super().__init__(
            supported_entities=[f.entity for f in _FORMATS.values()],
            name="MaskgateNationalIdRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:  # nothing to load: the pattern is compiled at import
        pass

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        """One result per checksum-valid number; the score reflects its notation and context."""
        wanted = set(entities) if entities else set(self.supported_entities)
        results = []
        for match in _CANDIDATE.finditer(text):
            kind = match.lastgroup  # the outer group of the alternative that matched
            id_format = _FORMATS[kind]
            if id_format.entity not in wanted:
                continue
            raw = match.group(kind)
            if not id_format.is_valid(_SEPARATORS.sub("", raw)):
                continue
            score = id_format.separated_score if _SEPARATORS.search(raw) else id_format.plain_score
            if _has_context(text, match.start(), id_format.context):
                score = _CONTEXT_SCORE
            results.append(RecognizerResult(id_format.entity, match.start(), match.end(), score))
        return results



def _has_context(text: str, start: int, context: re.Pattern[str]) -> bool:
    """A context word before the number, on its line or the line above ("SV-Nummer:\n15 070649 C 103")."""
    low = max(0, start - _CONTEXT_BEFORE)
    line_start = text.rfind("\n", low, start)
    if line_start >= 0:
        low = max(low, text.rfind("\n", low, line_start) + 1)
    return context.search(text, low, start) is not None


def recognizers(language: str) -> list[EntityRecognizer]:
    """The national-id recognizer for ``language``: the numbers and their context words are the same."""
    return [NationalIdRecognizer(supported_language=language)]

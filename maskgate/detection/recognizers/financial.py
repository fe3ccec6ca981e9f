"""IBAN_CODE and CREDIT_CARD: checksum-validated, with the same rules in English and German text.

Presidio's own recognizers miss too much here: its IBAN pattern knows neither lower case nor every country's
length, its card pattern misses Mastercard's 2-series, 19-digit Visa and 12-digit Maestro, and its German
registry has no card recognizer at all. Both families are pure data plus a checksum:

- IBAN: the SWIFT IBAN registry's BBAN structure per country (89 countries) compiles into one exact pattern
  per country, so a match is never longer or shorter than the country's length; the ISO 7064 mod-97 check
  then decides. Separators (space, no-break space, dash) are accepted between any two characters, which
  covers the printed groups of four as well as ``DE89 37040044 0532013000``; case is ignored.
- Cards: the issuer ranges (IIN) with each brand's lengths, then Luhn. Luhn alone is weak evidence (one random
  number in ten passes), so a number must also *look* like a card: written in the usual groups
  (``4111 1111 1111 1111``, Amex ``3782 822463 10005``), or next to a card word ("card", "Visa", "Karte",
  "Kreditkartennummer", ...). A bare run of digits with no card word nearby -- an order number, a timestamp
  in milliseconds, a database key -- is not reported even when it happens to pass Luhn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

IBAN_ENTITY = "IBAN_CODE"
CREDIT_CARD_ENTITY = "CREDIT_CARD"

# --- IBAN -------------------------------------------------------------------------------------------------

# BBAN structure per country from the SWIFT IBAN registry (release of December 2024), in the registry's own
# notation: "8n" eight digits, "4a" four upper-case letters, "12c" twelve letters or digits.
IBAN_BBAN_STRUCTURE: dict[str, str] = {
    "AD": "4n4n12c", "AE": "3n16n", "AL": "8n16c", "AT": "5n11n", "AZ": "4a20c", "BA": "3n3n8n2n",
    "BE": "3n7n2n", "BG": "4a4n2n8c", "BH": "4a14c", "BI": "5n5n11n2n", "BR": "8n5n10n1a1c",
    "BY": "4c4n16c", "CH": "5n12c", "CR": "4n14n", "CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n",
    "DJ": "5n5n11n2n", "DK": "4n9n1n", "DO": "4c20n", "EE": "2n14n", "EG": "4n4n17n", "ES": "4n4n1n1n10n",
    "FI": "3n11n", "FK": "2a12n", "FO": "4n9n1n", "FR": "5n5n11c2n", "GB": "4a6n8n", "GE": "2a16n",
    "GI": "4a15c", "GL": "4n9n1n", "GR": "3n4n16c", "GT": "4c20c", "HN": "4a20n", "HR": "7n10n",
    "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IL": "3n3n13n", "IQ": "4a3n12n", "IS": "4n2n6n10n",
    "IT": "1a5n5n12c", "JO": "4a4n18c", "KW": "4a22c", "KZ": "3n13c", "LB": "4n20c", "LC": "4a24c",
    "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c", "LY": "3n3n15n", "MC": "5n5n11c2n",
    "MD": "2c18c", "ME": "3n13n2n", "MK": "3n10c2n", "MN": "4n12n", "MR": "5n5n11n2n", "MT": "4a5n18c",
    "MU": "4a2n2n12n3n3a", "NI": "4a20n", "NL": "4a10n", "NO": "4n6n1n", "OM": "3n16c", "PK": "4a16c",
    "PL": "8n16n", "PS": "4a21c", "PT": "4n4n11n2n", "QA": "4a21c", "RO": "4a16c", "RS": "3n13n2n",
    "RU": "9n5n15c", "SA": "2n18c", "SC": "4a2n2n16n3a", "SD": "2n12n", "SE": "3n16n1n", "SI": "5n8n2n",
    "SK": "4n6n10n", "SM": "1a5n5n12c", "SO": "4n3n12n", "ST": "4n4n11n2n", "SV": "4a20n", "TL": "3n14n2n",
    "TN": "2n3n13n2n", "TR": "5n1n16c", "UA": "6n19c", "VA": "3n15n", "VG": "4a16n", "XK": "4n10n2n",
    "YE": "4a4n18c",
}

_IBAN_SEPARATOR = "[ \u00a0-]"  # space, no-break space, dash
_IBAN_CLASSES = {"n": "[0-9]", "a": "[A-Za-z]", "c": "[A-Za-z0-9]"}


def _bban_pattern(structure: str) -> str:
    """The registry notation as a regex in which every character may follow a separator."""
    parts = re.findall(r"(\d+)([nac])", structure)
    return "".join(f"(?:{_IBAN_SEPARATOR}?{_IBAN_CLASSES[kind]}){{{count}}}" for count, kind in parts)


# A cheap locator (two letters and two digits at a word start); each hit is then matched, anchored, against
# its country's exact pattern.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}")
_IBAN_BY_COUNTRY: dict[str, re.Pattern[str]] = {
    country: re.compile(rf"[A-Za-z]{{2}}[0-9]{{2}}{_bban_pattern(structure)}(?![A-Za-z0-9])")
    for country, structure in IBAN_BBAN_STRUCTURE.items()
}
_IBAN_SEPARATORS = re.compile(_IBAN_SEPARATOR)


def iban_checksum_ok(compact: str) -> bool:
    """ISO 7064 MOD 97-10 over an IBAN without separators (any case)."""
    rearranged = (compact[4:] + compact[:4]).upper()
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


class IbanRegistryRecognizer(EntityRecognizer):
    """Every registry country's IBAN, exact length, any case, with or without separators, mod-97 checked."""

    SCORE = 1.0

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[IBAN_ENTITY],
            name="IbanRegistryRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if IBAN_ENTITY not in entities:
            return []
        return [RecognizerResult(IBAN_ENTITY, start, end, self.SCORE) for start, end in find_ibans(text)]


def find_ibans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of checksum-valid IBANs in ``text``."""
    for hit in _IBAN_START.finditer(text):
        pattern = _IBAN_BY_COUNTRY.get(text[hit.start() : hit.start() + 2].upper())
        if pattern is None:
            continue
        match = pattern.match(text, hit.start())
        if match and iban_checksum_ok(_IBAN_SEPARATORS.sub("", match.group())):
            yield match.span()


# --- Payment cards ----------------------------------------------------------------------------------------

# Issuer identification number ranges: (brand, first prefix, last prefix, allowed lengths). Prefixes of equal
# width are compared numerically, so (2221, 2720) covers Mastercard's whole 2-series.
_ANY = tuple(range(12, 20))
CARD_RANGES: tuple[tuple[str, int, int, tuple[int, ...]], ...] = (
    ("Visa", 4, 4, (13, 16, 19)),
    ("Mastercard", 51, 55, (16,)),
    ("Mastercard", 2221, 2720, (16,)),
    ("American Express", 34, 34, (15,)),
    ("American Express", 37, 37, (15,)),
    ("Discover", 6011, 6011, (16, 17, 18, 19)),
    ("Discover", 644, 649, (16, 17, 18, 19)),
    ("Discover", 65, 65, (16, 17, 18, 19)),
    # JCB's registered block is 3528-3589; the whole 35 block is what test generators and common validators
    # use, and the Luhn + grouping/context requirements keep the wider range precise.
    ("JCB", 35, 35, (16, 17, 18, 19)),
    ("JCB", 1800, 1800, (15,)),
    ("JCB", 2131, 2131, (15,)),
    ("Diners Club", 300, 305, (14, 15, 16, 17, 18, 19)),
    ("Diners Club", 3095, 3095, (14, 15, 16, 17, 18, 19)),
    ("Diners Club", 36, 36, (14, 15, 16, 17, 18, 19)),
    ("Diners Club", 38, 39, (14, 15, 16, 17, 18, 19)),
    ("Maestro", 50, 50, _ANY),  # includes Dankort 5019 and Verve 506099-506198
    ("Maestro", 56, 69, _ANY),  # includes 6304, 6759, 676x, RuPay 60/65, InstaPayment 637-639
    ("UnionPay", 62, 62, (16, 17, 18, 19)),
    ("UnionPay", 81, 81, (16, 17, 18, 19)),
    ("RuPay", 82, 82, (16,)),
    ("Mir", 2200, 2204, (16, 17, 18, 19)),
    ("Troy", 9792, 9792, (16,)),
)


def card_brand(digits: str) -> str | None:
    """The brand whose issuer range and length fit ``digits``, or None."""
    for brand, first, last, lengths in CARD_RANGES:
        width = len(str(first))
        if len(digits) in lengths and first <= int(digits[:width]) <= last:
            return brand
    return None


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number carries in its last digit."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# A contiguous run of 12-19 digits, or a whole run of digit groups with one consistent separator: never
# glued to a word, a "+" (phone) or a decimal point, never starting or ending inside a longer run of groups
# (an IBAN's groups, a long reference). (The regex module scans this several times faster than re.)
_CARD_CANDIDATE = regex.compile(
    r"(?<![\w+/-])(?<!\d[.,])(?<!\d[ \u00a0-])"
    r"(?:\d{12,19}|\d{4}(?P<sep>[ \u00a0-])\d{4,6}(?:(?P=sep)\d{1,5}){1,3})"
    r"(?!\w)(?![.,-]\d)(?!(?P=sep)\d)"
)
_CARD_SEPARATORS = re.compile("[ \u00a0-]")

# Card words in English and German: whole words, and German compounds by their stem ("Kreditkarte",
# "Kartennummer", "EC-Karte"). Words about paying in general ("payment", "Zahlung") are not enough: order and
# invoice numbers stand next to them just as often.
_CARD_CONTEXT = re.compile(
    r"\b(?:cards?|credit|debit|cc|ccn|visa|master\s?card|amex|american\s+express|discover|jcb|diners|maestro"
    r"|union\s?pay|rupay|cvv|cvc|cvv2|expiry|expires|expiration|exp\.?\s+date|girocard|gültig\s+bis"
    r"|ablaufdatum)\b|karte",
    re.IGNORECASE,
)
_CONTEXT_BEFORE = 80
_CONTEXT_AFTER = 40


def card_grouping_ok(candidate: str) -> bool:
    """Whether the separators split the number the way cards are printed.

    Groups of four with a shorter last group (13-19 digits), or American Express / Diners 4-6-5 and 4-6-4.
    """
    groups = [len(group) for group in _CARD_SEPARATORS.split(candidate)]
    if groups in ([4, 6, 5], [4, 6, 4]):
        return True
    return all(size == 4 for size in groups[:-1]) and 1 <= groups[-1] <= 4


class PaymentCardRecognizer(EntityRecognizer):
    """Payment cards of every brand: issuer range + length + Luhn, and a card grouping or a card word.

    Scores: a card word nearby gives 1.0; the printed grouping alone gives 0.85; neither gives no result.
    """

    CONTEXT_SCORE = 1.0
    GROUPED_SCORE = 0.85

    def __init__(self, supported_language: str = "en") -> None:
        super().__init__(
            supported_entities=[CREDIT_CARD_ENTITY],
            name="PaymentCardRecognizer",
            supported_language=supported_language,
        )

    def load(self) -> None:
        """Patterns are compiled at import."""

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if CREDIT_CARD_ENTITY not in entities:
            return []
        results = []
        for match in _CARD_CANDIDATE.finditer(text):
            for start, end in _card_spans(match):
                candidate = text[start:end]
                digits = _CARD_SEPARATORS.sub("", candidate)
                if not 12 <= len(digits) <= 19 or card_brand(digits) is None or not luhn_ok(digits):
                    continue
                window = f"{text[max(0, start - _CONTEXT_BEFORE) : start]} {text[end : end + _CONTEXT_AFTER]}"
                if _CARD_CONTEXT.search(window):
                    results.append(RecognizerResult(CREDIT_CARD_ENTITY, start, end, self.CONTEXT_SCORE))
                elif match.group("sep") and card_grouping_ok(candidate):
                    results.append(RecognizerResult(CREDIT_CARD_ENTITY, start, end, self.GROUPED_SCORE))
                break  # a valid number was found: its shorter variant is not another card
        return results


def _card_spans(match: regex.Match[str]) -> list[tuple[int, int]]:
    """The run of groups, then the run without its last group: "4111 1111 1111 1111 123" ends in a CVV."""
    start, end = match.span()
    separator = match.group("sep")
    if separator is None:
        return [(start, end)]
    return [(start, end), (start, start + match.group().rindex(separator))]


def recognizers(language: str) -> list[EntityRecognizer]:
    """IBAN and card recognizers; the same rules for every language (card words of both are known).

    The class names differ from Presidio's ``IbanRecognizer`` and ``CreditCardRecognizer`` on purpose: the
    registry finds classes by name, so a clash would break a stock Presidio engine in the same process.
    """
    return [IbanRegistryRecognizer(language), PaymentCardRecognizer(language)]

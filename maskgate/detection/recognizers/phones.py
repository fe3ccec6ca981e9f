"""PHONE_NUMBER: German, international and North-American notations in one regex pass.

Presidio's phone recognizer runs libphonenumber's matcher over the whole text for every region it knows; that
costs ~17 ms per 2 KB and reports German dates (``15.03.1985``) as phone numbers. Here one compiled pattern
finds *maximal* runs of digit groups (possessive quantifiers: a run is judged whole, never a slice of it, so
the middle of an IBAN, a card number or a date can never surface as a "phone number"), and a few cheap
checks on the run decide:

- ``+49 30 1234567``, ``0049 …``, ``+49(0)…``: international prefix with a real country calling code;
- ``030 1234567``, ``(030) …``, ``0171/1234567``, ``0171-1234567``, ``01711234567``: trunk prefix 0 and an
  area code;
- ``(555) 123-4567``, ``555-123-4567``, ``555.123.4567``, ``1-800-…``: North-American grouping;
- any other grouping (``413 8721``, ``88 649 24 60``) only next to a phone word ("Phone:", "call me",
  "Telefon", "anrufen", "mobil", …).

Dates, times, IPs, version strings and amounts never qualify: dots are accepted only in the North-American
``555.123.4567`` shape, digits glued to ``:``, ``.``, ``,`` or ``/`` and more digits are no run, a run that
reads as a date is rejected, and a run followed by a currency or unit is an amount. A nearby "order",
"invoice", "Kundennummer", "IBAN", … vetoes the number: such digits are references, not phones.
"""

from __future__ import annotations

import re

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from presidio_analyzer import EntityRecognizer, RecognizerResult

from maskgate.detection.recognizers._shared import OneEntityRecognizer
from maskgate.detection.recognizers.financial import luhn_ok

ENTITY = "PHONE_NUMBER"

_S = r"[ \t\u00a0]"  # a separator space never spans a line break: a run is one line
_SEPARATOR = rf"(?:{_S}?[-/.]{_S}?|{_S}?\){_S}?|{_S}?\({_S}?|{_S})"
_RUN = re.compile(
    rf"""
    (?=[+(\d])                                  # first-character test before the lookbehinds
    (?<![\w@#$€£+=])(?<!\w[-/])(?<!\d[.,:])     # not glued to a word, a handle, an amount or a number
    (?<![$€£]{_S})(?<![A-Z]{{2}}\d\d{_S})        # not an amount, not the second group of an IBAN
    (?P<run>(?:\+{_S}?|\+?\({_S}?)?\d++(?:{_SEPARATOR}\d++)*+)
    (?:{_S}?(?:x|ext\.?|extension|Durchwahl|Dw\.?|App\.?){_S}?\d{{1,6}})?
    (?![\w@])(?![.,:/]\d)
    (?!{_S}?(?:[%€$£°]|(?:EUR|USD|CHF|GBP|Euro|Prozent|percent|kg|km|mm|cm|ms|MB|GB|KB|bytes?|px)\b))
    """,
    re.VERBOSE | re.IGNORECASE,
)
_GROUP = re.compile(r"\d+")

# Phone words, matched as word prefixes within a short window around the number. Language-independent on
# purpose: German numbers appear in English text and the other way round.
_PHONE_WORDS = re.compile(
    r"\b(?:phone|tel|telephone|mobile|mobil|cell|cellphone|fax|call|calling|ring|dial|reach|text\s+me|sms"
    r"|whatsapp|signal|hotline|landline|desk|office|answering|contact|number"
    r"|telefon\w*|rufnummer\w*|handy\w*|anruf\w*|anrufen|ruf|rufen|erreich\w*|durchwahl|festnetz\w*|büro"
    r"|zentrale|nummer)\b",
    re.IGNORECASE,
)
# Reference words: digits next to them are order, account or card numbers, not phones.
_REFERENCE_WORDS = re.compile(
    r"\b(?:order|invoice|account|acct|customer|client|ticket|tracking|case|ref|reference|id|iban|bic|swift"
    r"|routing|sort\s+code|card|credit|serial|version|isbn|issn|ean|sku|part|item|article|po|zip|postcode"
    r"|suite|apt|apartment|unit|room|floor|box|social\s+security|ssn|passport|licen[cs]e|tax"
    r"|postal|plz|pin|tan|bestell\w*|rechnung\w*|konto\w*|kunden\w*|auftrag\w*|vorgang\w*|artikel\w*"
    r"|karte\w*|kreditkarte\w*|vertrag\w*|aktenzeichen|az|referenz\w*|sendung\w*|steuer\w*|versicherung\w*"
    r"|personalnummer|mitgliedsnummer|matrikel\w*|seriennummer|postleitzahl|kassenzeichen"
    r"|sv|svnr|vsnr|rvnr|ahv|avs|idnr)\b"
    r"(?:[\s-]*(?:number|no\.?|nr\.?|nummer|#))?",
    re.IGNORECASE,
)
_CONTEXT_BEFORE = 48
_CONTEXT_AFTER = 16

_STRONG_SCORE = 0.75
_MEDIUM_SCORE = 0.5
_CONTEXT_BOOST = 0.25
_WEAK_WITH_CONTEXT_SCORE = 0.6

_MIN_DIGITS = 7
_MAX_DIGITS = 15  # E.164: at most 15 digits including the country code


class PhoneRecognizer(OneEntityRecognizer):
    """Finds phone numbers by one regex pass over digit runs, then classifies each run by its notation."""

    ENTITY = ENTITY
    NAME = "MaskgatePhoneRecognizer"

    def find(self, text: str) -> list[RecognizerResult]:
        """Return one result per run that reads as a phone number in its notation and context."""
        results = []
        for match in _RUN.finditer(text):
            score = _score(text, match)
            if score > 0:
                results.append(RecognizerResult(ENTITY, match.start(), match.end(), score))
        return results



def _score(text: str, match: re.Match[str]) -> float:
    """Score one run: 0 when it is not a phone number."""
    run = match.group("run")
    if len(run) < _MIN_DIGITS:
        return 0.0
    groups = _GROUP.findall(run)
    digits = sum(len(g) for g in groups)
    if not _MIN_DIGITS <= digits <= _MAX_DIGITS or _is_degenerate("".join(groups)):
        return 0.0
    if "." in run and not _is_dotted_nanp(groups, run):
        return 0.0  # dd.mm.yyyy, IPs, version strings, 1.234.567
    if _looks_like_date(groups, run) or _looks_like_us_ssn(groups, run):
        return 0.0
    before = text[max(0, match.start() - _CONTEXT_BEFORE) : match.start()]
    after = text[match.end() : match.end() + _CONTEXT_AFTER]
    phone_word = _last_match_end(_PHONE_WORDS, before)
    # A label on the line above ("Phone:\n…") still counts; a reference word vetoes only on the same line,
    # so an address block's "Suite 353" does not veto the number on the next line.
    same_line = before.rfind("\n") + 1
    reference_word = _last_match_end(_REFERENCE_WORDS, before, same_line)
    if reference_word and reference_word >= phone_word:
        return 0.0
    has_context = phone_word > 0 or _PHONE_WORDS.match(after.lstrip(" -\t(")) is not None
    base = _notation_score(run, groups, digits)
    if base == 0:
        return _WEAK_WITH_CONTEXT_SCORE if has_context and not _is_card_number(groups, run) else 0.0
    return min(1.0, base + _CONTEXT_BOOST) if has_context else base


def _notation_score(run: str, groups: list[str], digits: int) -> float:
    """Confidence from the notation alone; 0 for groupings that need a phone word to count."""
    compact = run.replace(" ", "").replace("\t", "").replace("\u00a0", "")
    if compact.startswith(("+", "(+")):
        return _STRONG_SCORE if _has_country_code("".join(groups)) and digits >= 8 else 0.0
    if compact.startswith("00") and not compact.startswith("000"):
        return _STRONG_SCORE if _has_country_code("".join(groups)[2:]) and digits >= 9 else 0.0
    if compact.startswith(("0", "(0")):
        if digits < 8 or digits > 13:
            return 0.0
        if len(groups) == 1:  # 01711234567: plausible, but so is a zero-padded reference number
            return _MEDIUM_SCORE if digits >= 9 else 0.0
        area_code = groups[0]
        subscriber = digits - len(area_code)
        return _STRONG_SCORE if 2 <= len(area_code) <= 6 and subscriber >= 5 else 0.0
    return _nanp_score(compact, groups)


def _nanp_score(compact: str, groups: list[str]) -> float:
    """North-American grouping (3-3-4, optionally after a leading 1); space-only grouping scores lower."""
    sizes = [len(g) for g in groups]
    if sizes[:1] == [1] and groups[0] == "1":
        sizes = sizes[1:]
    if sizes != [3, 3, 4]:
        return 0.0
    if "(" in compact or "-" in compact or "." in compact:
        return _STRONG_SCORE
    return _MEDIUM_SCORE


def _has_country_code(digits: str) -> bool:
    return any(int(digits[:n]) in COUNTRY_CODE_TO_REGION_CODE for n in (1, 2, 3) if digits[:n][0] != "0")


def _is_dotted_nanp(groups: list[str], run: str) -> bool:
    return [len(g) for g in groups] == [3, 3, 4] and run.count(".") == 2 and "(" not in run


def _looks_like_date(groups: list[str], run: str) -> bool:
    """``15-03-1985``, ``03/15/85``, ``2024-05-01``: three groups that form a calendar date."""
    if len(groups) != 3 or re.search(r"[()+ ]", run.strip()):
        return False
    a, b, c = (int(g) for g in groups)
    sizes = [len(g) for g in groups]
    if sizes[0] == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    if sizes[2] in (2, 4) and sizes[0] <= 2 and sizes[1] <= 2:
        return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)
    return False


def _looks_like_us_ssn(groups: list[str], run: str) -> bool:
    return [len(g) for g in groups] == [3, 2, 4] and run.count("-") == 2


def _is_degenerate(digits: str) -> bool:
    """0000000, 1111111, 1212121: placeholders and test patterns, not numbers anyone owns."""
    return len(set(digits)) <= 2


def _is_card_number(groups: list[str], run: str) -> bool:
    """A Luhn-valid 13-15 digit run is a payment card (or a fragment of one), whatever the words around it."""
    digits = "".join(groups)
    if len(digits) < 13 or run.lstrip().startswith(("+", "0")):
        return False
    return luhn_ok(digits)


def _last_match_end(pattern: re.Pattern[str], window: str, pos: int = 0) -> int:
    """End offset of the last match in ``window[pos:]`` (offsets into ``window``); 0 when there is none."""
    end = 0
    for m in pattern.finditer(window, pos):
        end = m.end()
    return end


def recognizers(language: str) -> list[EntityRecognizer]:
    """The phone recognizer for ``language``: the notations are the same in English and German text."""
    return [PhoneRecognizer(supported_language=language)]

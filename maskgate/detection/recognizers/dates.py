"""DATE_TIME: German and English calendar dates and clock times, and a filter for the NER model's guesses.

The English spaCy model tags far more than dates as DATE: card numbers, postcodes and house numbers,
durations ("for years", "a few months ago"), ages ("75 years old", "the age of"), relative days ("next
week"). With it Presidio's DATE_TIME precision is about .36. Dates worth masking are written in a small
number of notations, so this module recognises those notations itself, with exact spans:

- numeric: ``15.03.1985``, ``15.03.85``, ``01.04.``, ``5/1/2021``, ``05/24/2020``, ``15-03-1985``, ISO
  ``2021-01-05`` and ``2021-01-05T10:30Z``; day and month are range-checked;
- with month names (English and German, full or abbreviated): ``15. März 1985``, ``5 January 2021``,
  ``January 5, 2021``, ``5th of May``, ``März 2024``;
- an optional weekday in front (``Mittwoch, 28.08.2024``) and an optional time behind (``08:20 PM``,
  ``, 09:34 Uhr``, ``um 23 Uhr``); weekdays alone (``Thursday``) and clock times alone (``14:30 Uhr``,
  ``3:30 PM``; an hour alone, "bis 23 Uhr", is a time of day, not a date);
- a year alone only after a word that announces one (``in 1985``, ``since 2004``, ``seit 2004``, ``a 2007
  film``) and not followed by a unit (``in 2000 ms``).

Version strings (``Version 3.11.24``), IPs and numbers glued to other numbers are not dates, and a time with
seconds (``2024-03-15 10:32:01``, ``Mar 15 10:32:01``) is a machine's log timestamp, not a person's date.
:func:`result_filters` then keeps another recognizer's DATE_TIME (spaCy's, in practice) only where this
module found nothing and the span has a month or weekday name together with a digit and no duration or
relative wording: the model may still add a notation this module lacks, but no longer its noise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult

from maskgate.detection.recognizers import ResultFilter
from maskgate.detection.recognizers._shared import OneEntityRecognizer

ENTITY = "DATE_TIME"
RECOGNIZER_NAME = "MaskgateDateRecognizer"

_MONTHS = frozenset({
    "january", "jan", "januar", "jänner", "jaenner", "february", "feb", "februar", "feber", "march", "mar",
    "märz", "maerz", "mär", "mrz", "april", "apr", "may", "mai", "june", "jun", "juni", "july", "jul", "juli",
    "august", "aug", "september", "sep", "sept", "october", "oct", "oktober", "okt", "november", "nov",
    "december", "dec", "dezember", "dez",
})  # fmt: skip
# Month words that are also ordinary words ("you may", "to march", "Jan" the name): without a day AND a year,
# or a capital letter, they are not dates.
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "aug", "sep", "mai", "dez", "nov"}
_WEEKDAYS_FULL = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    "|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
)
_WEEKDAYS_SHORT = "mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|mo|di|mi|do|fr|sa|so"


def _alternation(words: Iterable[str]) -> str:
    """Longest first, so "september" is tried before "sep"."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_MONTH_WORD = _alternation(_MONTHS)
_ORDINAL = r"(?:\.|st|nd|rd|th)?"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?"
_MERIDIEM = r"(?:[ap]\.m\.|(?-i:AM|PM|am|pm)\b)"
_TIME_SUFFIX = (
    rf"(?:,?[ \t]*(?:um|at|@|-|,)?[ \t]*"
    rf"(?:{_CLOCK}(?:[ \t]*(?:Uhr\b|h\b|{_MERIDIEM}))?|\d{{1,2}}(?:[.:]\d{{2}})?[ \t]*Uhr\b"
    rf"|\d{{1,2}}[ \t]*{_MERIDIEM}))?"
)
_END = r"(?![\w@])(?![.,:/-]?\d)"  # not glued to a word or to more digits (IPs, versions, longer numbers)
_YEAR_CUES = (
    "in|during|since|of|from|until|till|by|before|after|around|circa|ca\\.|year|a|an|the|spring|summer"
    "|autumn|fall|winter|im|seit|bis|von|ab|vor|nach|jahr|jahre|jahres|anno|frühjahr|frühling|sommer"
    "|herbst|anfang|mitte|ende"
)
_UNITS = (
    r"[%€$£]|(?:EUR|USD|CHF|GBP|Euro|Dollar|ms|s|MB|GB|KB|kb|km|kg|m|px|bytes?|items?|people|users|rows"
    r"|lines|times|x|years|Stück|Personen|Mitarbeiter|Kunden|mal|Zeilen|Einträge|Jahre|Jahren)\b"
)

# Dates and times that start with a digit.
_NUMERIC = re.compile(
    rf"""
    (?:
        (?P<iso>\d{{4}}(?P<isep>[-/])(?P<im>\d{{2}})(?P=isep)(?P<id>\d{{2}})
            (?:[T ]{_CLOCK}(?:[.,]\d+)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)
      | (?P<dotted>(?P<dd>\d{{1,2}})\.[ \t]?(?P<dm>\d{{1,2}})\.(?:[ \t]?(?P<dy>\d{{4}}|\d{{2}}))?)
      | (?P<slashed>(?P<s1>\d{{1,2}})/(?P<s2>\d{{1,2}})/(?:\d{{4}}|\d{{2}}))
      | (?P<dashed>(?P<h1>\d{{1,2}})-(?P<h2>\d{{1,2}})-\d{{4}})
      | (?P<day_month>(?P<day>\d{{1,2}}){_ORDINAL}[ \t]*(?:of[ \t]+)?(?P<month>{_MONTH_WORD})\.?
            (?:,?[ \t]+(?P<year>\d{{4}}))?)
      | (?P<time>{_CLOCK}[ \t]*(?:Uhr\b|{_MERIDIEM})|\d{{1,2}}\.\d{{2}}[ \t]*Uhr\b)
    )
    {_TIME_SUFFIX}{_END}
    """,
    re.VERBOSE | re.IGNORECASE,
)
# Dates that start with the month's name.
_NAMED = re.compile(
    rf"""
    (?:
        (?P<month_day>(?P<month>{_MONTH_WORD})\.?[ \t]+(?P<day>\d{{1,2}}){_ORDINAL}
            (?:,?[ \t]+(?P<year>\d{{4}}))?)(?![\d:])
      | (?P<month_year>(?P<month2>{_MONTH_WORD})\.?[ \t]+\d{{4}})
    )
    {_TIME_SUFFIX}{_END}
    """,
    re.VERBOSE | re.IGNORECASE,
)
_WEEKDAY = re.compile(
    rf"(?:(?P<full>{_WEEKDAYS_FULL})|(?:{_WEEKDAYS_SHORT})\.?)(?P<joint>,?[ \t]+(?:(?:the|den|der)[ \t]+)?)?",
    re.IGNORECASE,
)
_WEEKDAY_TIME = re.compile(
    rf",?[ \t]+(?:at|um)[ \t]+(?:{_CLOCK}|\d{{1,2}})[ \t]*(?:Uhr\b|{_MERIDIEM})?{_END}", re.IGNORECASE
)
_WORD_END = re.compile(_END)
_YEAR = re.compile(r"(?:19|20)\d\d(?![\w@])(?![.,:/-]?\d)")
_YEAR_CUE_BEFORE = re.compile(rf"\b(?:{_YEAR_CUES})[ \t]+$", re.IGNORECASE)
_UNIT_AFTER = re.compile(rf"[ \t]*(?:{_UNITS})", re.IGNORECASE)
# Where a date can start: at most four digits (not a longer number, not an item of a list) or a month or
# weekday word, at the start of a word. Scanning for these with one cheap pattern and a set look-up, then
# trying the full patterns only there, is several times faster than letting the full patterns' alternations
# try every position.
_ANCHOR = re.compile(r"(?<![\w.=@/\\-])(?:\d{1,4}(?![\d;)\]}'\"])|[^\W\d_]{2,10}\b)")
_ANCHOR_WORDS = frozenset(
    [*_MONTHS, *_WEEKDAYS_FULL.split("|"), *_WEEKDAYS_SHORT.split("|")]
)
_VERSION_CONTEXT = re.compile(
    r"(?:\b(?:version|vers|ver|v|release|rel|build|python|node|java|kernel|firmware|patch|update)"
    r"\.?|[=@~^<>])\s*$",
    re.IGNORECASE,
)
_SECONDS = re.compile(r"\d:\d\d:\d\d")
_DATE_OR_WEEKDAY_WORD = re.compile(rf"\b(?:{_MONTH_WORD}|{_WEEKDAYS_FULL})\b", re.IGNORECASE)
_DURATION_OR_RELATIVE = re.compile(
    r"\b(?:ago|next|last|past|previous|coming|every|each|within|for|over|since|later|earlier|recent\w*"
    r"|years?|months?|weeks?|days?|hours?|minutes?|old|age|aged|today|tomorrow|yesterday|tonight|daily"
    r"|weekly|monthly|quarterly|annual\w*|yearly|nächste\w*|letzte\w*|vergangene\w*|jahre?n?|monate?n?"
    r"|wochen?|tage?n?|stunden?|alt|heute|morgen|gestern|täglich|wöchentlich|monatlich|jährlich)\b",
    re.IGNORECASE,
)

_FULL_DATE_SCORE = 0.85
_PARTIAL_DATE_SCORE = 0.6
_BARE_YEAR_SCORE = 0.5


class DateRecognizer(OneEntityRecognizer):
    """Calendar dates and clock times in German and English notations, with exact spans."""

    ENTITY = ENTITY
    NAME = RECOGNIZER_NAME

    def find(self, text: str) -> list[RecognizerResult]:
        """Return one result per date or time expression (with its weekday and time, if written)."""
        results = []
        resume = 0
        for anchor in _ANCHOR.finditer(text):
            pos = anchor.start()
            if pos < resume:
                continue
            if text[pos].isdigit():
                judged = _numeric_at(text, pos) or _bare_year_at(text, pos)
            elif anchor.group().lower() in _ANCHOR_WORDS:
                judged = _worded_at(text, pos)
            else:
                continue
            if judged:
                start, end, score = judged
                # Labelled here rather than by the analyzer: the filter must know its own results apart
                # from the model's, also when it calls this recognizer itself.
                metadata = {RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME}
                results.append(RecognizerResult(ENTITY, start, end, score, recognition_metadata=metadata))
                resume = end
        return results


Judged = tuple[int, int, float]


def _numeric_at(text: str, pos: int) -> Judged | None:
    """A date or time starting with the digit at ``pos``, range-checked."""
    match = _NUMERIC.match(text, pos)
    if match is None or _SECONDS.search(match.group()):
        return None  # 2024-03-15 10:32:01: a machine's timestamp, not a person's date
    g = match.groupdict()
    if g["iso"]:
        valid, full = _is_day_month(int(g["id"]), int(g["im"])), True
    elif g["dotted"]:
        day, month = g["dd"], g["dm"]
        # "3.4." is a section number, "01.04." a date; "Version 3.11.24" is a version
        valid = _is_day_month(int(day), int(month)) and (g["dy"] is not None or len(day) == len(month) == 2)
        valid = valid and not _after_version_word(text, pos)
        full = g["dy"] is not None
    elif g["slashed"] or g["dashed"]:
        first, second = (int(g["s1"]), int(g["s2"])) if g["slashed"] else (int(g["h1"]), int(g["h2"]))
        valid = _is_day_month(first, second) or _is_day_month(second, first)
        valid = valid and not _after_version_word(text, pos)
        full = True
    elif g["day_month"]:
        valid, full = _is_named_date(int(g["day"]), g["month"], g["year"]), g["year"] is not None
    else:  # a clock time with Uhr / AM / PM
        valid, full = True, False
    if not valid:
        return None
    return pos, match.end(), _FULL_DATE_SCORE if full else _PARTIAL_DATE_SCORE


def _worded_at(text: str, pos: int) -> Judged | None:
    """A date that starts with a weekday or a month name at ``pos``."""
    weekday = _WEEKDAY.match(text, pos)
    if weekday is None:
        return _named_at(text, pos)
    if weekday.group("joint"):
        date = _numeric_at(text, weekday.end()) or _named_at(text, weekday.end())
        if date:
            return pos, date[1], date[2]
    if not weekday.group("full"):
        return None  # "So", "Mi", "Sat" alone are words, not days
    end = weekday.end("full")
    clock = _WEEKDAY_TIME.match(text, end)
    if clock:
        end = clock.end()
    elif not _WORD_END.match(text, end):
        return None
    return pos, end, _PARTIAL_DATE_SCORE


def _named_at(text: str, pos: int) -> Judged | None:
    match = _NAMED.match(text, pos)
    if match is None or _SECONDS.search(match.group()):
        return None  # "Mar 15 10:32:01": a syslog timestamp
    if match.group("month_day"):
        year = match.group("year")
        if not _is_named_date(int(match.group("day")), match.group("month"), year):
            return None
        return pos, match.end(), _FULL_DATE_SCORE if year else _PARTIAL_DATE_SCORE
    month = match.group("month2")
    if month.lower() in _AMBIGUOUS_MONTHS and not month[0].isupper():
        return None
    return pos, match.end(), _PARTIAL_DATE_SCORE


def _is_named_date(day: int, month: str, year: str | None) -> bool:
    unambiguous = year is not None or month[0].isupper() or month.lower() not in _AMBIGUOUS_MONTHS
    return 1 <= day <= 31 and unambiguous


def _bare_year_at(text: str, pos: int) -> Judged | None:
    """A year standing alone counts only after a word that announces one, and not before a unit."""
    year = _YEAR.match(text, pos)
    if year is None or _UNIT_AFTER.match(text, year.end()):
        return None
    if not _YEAR_CUE_BEFORE.search(text, max(0, pos - 16), pos):
        return None
    return pos, year.end(), _BARE_YEAR_SCORE


def _is_day_month(day: int, month: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12


def _after_version_word(text: str, start: int) -> bool:
    return _VERSION_CONTEXT.search(text, max(0, start - 24), start) is not None


def recognizers(language: str) -> list[EntityRecognizer]:
    """The date recognizer for ``language``: German and English notations are recognised in both."""
    return [DateRecognizer(supported_language=language)]


def result_filters(language: str) -> list[ResultFilter]:
    """Replace other recognizers' DATE_TIME guesses by the dates this module finds in the same place."""
    return [UnsupportedDateFilter(DateRecognizer(supported_language=language))]


class UnsupportedDateFilter:
    """Keep a foreign DATE_TIME result only where no date of ours overlaps it and it reads as a date.

    "Reads as a date" means a month or weekday name together with a digit, and no duration or relative word:
    that keeps a model's "the 3rd of May 2021" and drops its "for years", "75 years old", "next week",
    postcodes, card numbers and house numbers.

    Presidio's analyzer drops a result that another result of the same type contains with an equal or
    higher score *before* any filter runs, so a model's "1988" (0.85) may have replaced our own "1988".
    Where a foreign result is dropped, this filter therefore looks for our dates around it again and puts
    back the ones that overlap it.
    """

    _WINDOW = 40

    def __init__(self, recognizer: DateRecognizer) -> None:
        self._recognizer = recognizer

    def __call__(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        ours = [r for r in results if r.entity_type == ENTITY and _is_ours(r)]
        kept = []
        for result in results:
            if result.entity_type != ENTITY or _is_ours(result):
                kept.append(result)
            elif any(r.start < result.end and result.start < r.end for r in ours):
                continue
            elif _reads_as_date(text[result.start : result.end]):
                kept.append(result)
            else:
                recovered = [
                    r for r in self._dates_around(text, result.start, result.end)
                    if not any(o.start < r.end and r.start < o.end for o in ours)
                ]
                ours.extend(recovered)
                kept.extend(recovered)
        return kept

    def _dates_around(self, text: str, start: int, end: int) -> list[RecognizerResult]:
        """Our dates overlapping ``[start, end)``, found in a window cut at whitespace around it."""
        low = max(0, start - self._WINDOW)
        while 0 < low < start and not text[low - 1].isspace():
            low += 1
        high = min(len(text), end + self._WINDOW)
        while end < high < len(text) and not text[high].isspace():
            high -= 1
        found = self._recognizer.analyze(text[low:high], [ENTITY])
        for result in found:
            result.start += low
            result.end += low
        return [r for r in found if r.start < end and start < r.end]


def _reads_as_date(span: str) -> bool:
    return (
        any(ch.isdigit() for ch in span)
        and _DATE_OR_WEEKDAY_WORD.search(span) is not None
        and _DURATION_OR_RELATIVE.search(span) is None
    )


def _is_ours(result: RecognizerResult) -> bool:
    metadata = result.recognition_metadata or {}
    return metadata.get(RecognizerResult.RECOGNIZER_NAME_KEY) == RECOGNIZER_NAME

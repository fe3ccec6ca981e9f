"""LOCATION: postal addresses in German and English notation.

The English NER model finds cities and countries, but not streets, house numbers or postcodes, and nothing
at all in most German addresses. This module parses the address notations themselves:

- German streets: one word with a street suffix (``Musterstraße``, ``Hauptstr.``, ``Benthinallee``),
  hyphenated names (``Karl-Marx-Allee``), adjective + type (``Berliner Straße``) and, inside a full
  address, preposition names (``Am Markt 3``); then house number (``12``, ``5a``, ``57-58``), postcode and
  city (``12345 Berlin``, also across a line break), country; ``Postfach 12 34 56``;
- Austrian and Swiss 4-digit postcodes, but only where the notation says so: after a street and number,
  with an ``A-``/``CH-`` prefix, or followed by the country;
- postcode + city alone where it stands as an address line or after a word such as "PLZ";
- English: ``123 Main Street``, ``Apt 4B``/``Suite 300``, ``P.O. Box 254``, military ``APO AE 09012``,
  ``Springfield, IL 62704``, and a ZIP code after "zip code".

Street suffixes differ in how much they prove: ``-straße`` or ``-allee`` is a street on its own, ``-weg`` or
``-platz`` only with a house number (``Lösungsweg``, ``Arbeitsplatz``), ``-berg`` or ``-hof`` only inside a
full address with postcode (``Nürnberg 2024`` is no address).

Granularity: a full address (street and number followed by postcode and city) is one span, masked as one
token; without a postcode, street name and house number are separate spans, as are the lines of an English
address block. See docs/detection-formats.md for the measured trade-off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult

from maskgate.detection.recognizers._shared import OneEntityRecognizer

ENTITY = "LOCATION"
RECOGNIZER_NAME = "MaskgateAddressRecognizer"

# German street suffixes by how much they prove on their own.
_STRONG_SUFFIXES = (
    "straße", "strasse", "str.", "allee", "gasse", "chaussee", "promenade", "gässchen", "gässle",
)  # fmt: skip
_NUMBERED_SUFFIXES = (
    "weg", "platz", "ring", "damm", "ufer", "steig", "pfad", "stieg", "twiete", "zeile", "kamp", "deich",
    "kai",
)  # fmt: skip
# Street suffixes of neighbouring languages, as in addresses quoted in English or German text.
_FOREIGN_SUFFIXES = (
    "vej", "gatan", "gata", "vägen", "väg", "veien", "vegen", "straat", "laan", "plein", "gracht", "kade",
    "utca", "katu", "iela",
)  # fmt: skip
_FULL_ADDRESS_SUFFIXES = (
    "berg", "hof", "feld", "park", "tor", "garten", "grund", "höhe", "aue", "heide", "wall", "steg",
    "passage", "terrasse", "anger", "stiege", "bogen", "winkel", "graben", "markt",
)  # fmt: skip
# Common nouns that end like a street and are often followed by a number ("Stellplatz 12", "during 2019").
_NOT_STREETS = frozenset({
    "arbeitsplatz", "parkplatz", "stellplatz", "sitzplatz", "spielplatz", "sportplatz", "campingplatz",
    "liegeplatz", "studienplatz", "ausbildungsplatz", "kitaplatz", "abstellplatz", "stehplatz", "messeplatz",
    "rückweg", "heimweg", "umweg", "ausweg", "lösungsweg", "rechtsweg", "radweg", "fußweg", "bildungsweg",
    "dienstweg", "fluchtweg", "zugangsweg", "lieferweg", "staudamm", "string", "spring", "bring", "wring",
})  # fmt: skip
_TYPE_WORDS = {
    "straße": "strong", "strasse": "strong", "str.": "strong", "allee": "strong", "gasse": "strong",
    "chaussee": "strong", "landstraße": "strong", "weg": "numbered", "platz": "numbered", "ring": "numbered",
    "damm": "numbered", "ufer": "numbered", "markt": "numbered", "steig": "numbered", "pfad": "numbered",
    "brücke": "numbered", "kai": "numbered", "tor": "full",
}  # fmt: skip
_STREET_ENDINGS = tuple(
    sorted({*_STRONG_SUFFIXES, *_NUMBERED_SUFFIXES, *_FOREIGN_SUFFIXES, *_FULL_ADDRESS_SUFFIXES})
)
# The word that ends where a street suffix was found (searched with ``endpos`` at the suffix's end).
_WORD_ENDING_HERE = re.compile(r"(?<![\w'’-])[^\W\d_][\w'’-]*\.?\Z")
_PREPOSITION_STREET = re.compile(
    r"(?:Am|An[ \t]+der|An[ \t]+den|Auf[ \t]+der|Auf[ \t]+dem|Auf[ \t]+den|Im|In[ \t]+der"
    r"|In[ \t]+den|Unter[ \t]+den|Zum|Zur|Hinter[ \t]+der|Hinter[ \t]+dem|Vor[ \t]+dem|Vor[ \t]+der"
    r"|Neben[ \t]+der|Bei[ \t]+der|Über[ \t]+der)[ \t]+[A-ZÄÖÜ][\wäöüß-]+"
)
_ADJECTIVE = re.compile(r"[A-ZÄÖÜ][\wäöüß]*(?:er|e|es|sche|sches)$|St\.$|Sankt$")

_HOUSE_NUMBER = re.compile(
    r"[ \t]+(?P<nr>\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?(?:[ \t]?[-–/][ \t]?\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?)?)"
    r"(?![\w%€$°])(?![.,:/-]\d)"
)
# A city's first word may be lower-case (all-lower-case text); further words are capitalised ("Bad Kreuznach",
# "Frankfurt am Main"), case-sensitively even inside an IGNORECASE pattern: "Berlin schicken" is no city.
_CITY = (
    r"[^\W\d_][\w'’-]*"
    r"(?:[ \t]+(?:(?:am|an[ \t]+der|im|in[ \t]+der|ob[ \t]+der|bei|vor[ \t]+der|unter|a\.[ \t]?d\.)[ \t]+)?"
    r"(?-i:[A-ZÄÖÜ][\w'’-]*|\([A-ZÄÖÜ][\w ]*\))){0,3}"
)
_COUNTRIES_DACH = (
    r"Deutschland|Germany|Österreich|Oesterreich|Austria|Schweiz|Switzerland|Suisse|Svizzera|Liechtenstein"
    r"|Luxemburg|Luxembourg"
)
_POSTCODE_CITY = re.compile(
    rf"""(?P<sep>[ \t]*,[ \t]*|[ \t]*\r?\n[ \t]*|[ \t]+)
    (?P<plz>(?:(?:D|DE|A|AT|CH|FL|L)-)?\d{{5}}|(?:(?:A|AT|CH|FL|L)-)?\d{{4}})[ \t]+(?P<city>{_CITY})
    (?P<country>[ \t]*,?[ \t]*(?:{_COUNTRIES_DACH})\b)?""",
    re.VERBOSE | re.IGNORECASE,
)
_STANDALONE_POSTCODE_CITY = re.compile(
    rf"""\d(?<![\w.,/]\d)\d{{3,4}}(?!\d)   # a digit first: the scan for it is fast
    [ \t]+(?P<city>[A-ZÄÖÜ][\w'’-]*(?:[ \t]+(?:(?:am|an[ \t]+der|im|in[ \t]+der|ob[ \t]+der|bei)[ \t]+)?
        (?:[A-ZÄÖÜ][\w'’-]*|\([A-ZÄÖÜ][\w ]*\))){{0,3}})
    (?P<country>[ \t]*,?[ \t]*(?:{_COUNTRIES_DACH})\b)?""",
    re.VERBOSE,
)
_COUNTRY_PREFIX = re.compile(r"(?<![\w-])(?:D|DE|A|AT|CH|FL|L)-\Z")
_POSTCODE_CONTEXT = re.compile(
    r"(?:\b(?:PLZ|Postleitzahl|Ort|Wohnort|Anschrift|Adresse|Address|wohnhaft|Sitz|in|aus|nach|bei)\b[ \t]*:?"
    r"|^|\n)[ \t]*$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_POSTCODE_LIKE = re.compile(r"\d(?<!\d\d)\d{3,4}(?!\d)")  # a digit first: the scan for it is fast
_NUMBER_BEFORE = re.compile(r"(?<![\w.,:/-])(?P<nr>\d{1,4}[a-zA-Z]?)[ \t]+$")
_COMMA_CITY = re.compile(
    r"[ \t]*,[ \t]*(?P<city>[A-ZÄÖÜ][\w'’-]*(?:[ \t]+[A-ZÄÖÜ][\w'’-]*){0,2})(?=[ \t]*(?:[.;!?\n]|$))"
)
_CITY_END = re.compile(r"[ \t]*(?:[,.;:!?)\]\n]|$)")
_POSTFACH = re.compile(r"\b(?:Postfach|Postlagernd)[ \t]+\d{1,3}(?:[ \t]?\d{2,3}){0,3}(?![\w.,]?\d)")

_EN_STREET_TYPES = (
    "Street|Avenue|Road|Boulevard|Lane|Drive|Court|Place|Way|Terrace|Circle|Parkway|Highway|Square|Loop|Trail"
    "|Crescent|Close|Grove|Gardens|Mews|Alley|Plaza|Ridge|Junction|Crossing|Heights|Pike|Expressway|Freeway"
    "|Turnpike|Causeway"
)
_EN_STREET_ABBREVIATIONS = "St|Ave|Av|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl"
_EN_STREET = re.compile(
    rf"""(?P<street>\d(?<![\w.,/#-]\d)\d{{0,5}}[A-Za-z]?[ \t]+(?:(?:[NSEW]\.?|North|South|East|West)[ \t]+)?
        (?P<name>(?:(?:[A-Z][\w'’.-]*|\d+(?:st|nd|rd|th))[ \t]+){{1,3}}|(?:[a-z][\w'’.-]*[ \t]+){{1,3}})
        (?P<type>(?:{_EN_STREET_TYPES}|{_EN_STREET_TYPES.lower()})\b
            |(?:{_EN_STREET_ABBREVIATIONS}|{_EN_STREET_ABBREVIATIONS.lower()})\b\.?)
        (?:[ \t]+(?:NE|NW|SE|SW)\b)?)
    (?![ \t]*\d)""",
    re.VERBOSE,
)
# Streets named type-first, as in French, Italian, Spanish, Portuguese and Polish addresses: "Rue du
# Commerce 12", "Via Roma 3", "ul. Fałata 18". The number is required; "via" is only the lower-case word.
_PREFIX_WORDS = (
    "rua ", "rue ", "via ", "viale ", "avenida ", "avda.", "calle ", "carrer ", "ctra.", "carretera ",
    "piazza ", "corso ", "largo ", "strada ", "ul.", "ulica ", "aleja ", "chemin ", "quai ", "impasse ",
    "allée ",
)  # fmt: skip
_PREFIX_STREET = re.compile(
    r"(?<![\w-])(?P<street>(?:Rua|Rue|rue|Via|Viale|Avenida|Avda\.|Calle|Carrer|Ctra\.|Carretera|Piazza"
    r"|Corso|Largo|Strada|Ul\.|ul\.|Ulica|ulica|Aleja|Chemin|Quai|Impasse|Allée)"
    r"(?:[ \t]+[^\W\d_][\w'’.-]*){1,4}?[ \t]+\d{1,4}[a-zA-Z]?)(?![\w-])(?![.,/]\d)"
)
_UNIT_LINE = re.compile(
    r"(?m)^[^\w\n]*(?P<unit>(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm)\.?[ \t]*#?\d{1,5}[A-Za-z]?)[ \t]*$",
    re.IGNORECASE,
)
_COUNTING_WORD_BEFORE = re.compile(
    r"\b(?:the|these|those|all|of|about|some|over|only|top)[ \t]+$", re.IGNORECASE
)
_EN_UNIT = re.compile(
    r"(?P<sep>[ \t]*,?[ \t]*|[ \t]*\r?\n[ \t]*)"
    r"(?P<unit>(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl|Bldg|Building)\.?[ \t]*#?[A-Za-z0-9-]{1,6}"
    r"|\#[ \t]?\d{1,5}[A-Za-z]?)(?![\w-])",
    re.IGNORECASE,
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND"
    "|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR|VI|GU|AS|MP"
)
_STATE_ZIP = re.compile(rf",[ \t]*(?:{_US_STATES})[ \t]+\d{{5}}")
_US_CITY_STATE_ZIP = re.compile(
    rf"(?<![\w-])(?P<city>[A-Z][a-zA-Z.'’-]*(?:[ \t]+[A-Z][a-zA-Z.'’-]*){{0,3}}),[ \t]*(?:{_US_STATES})"
    rf"[ \t]+\d{{5}}(?:-\d{{4}})?(?![\w-])"
)
# A post-office box; a US military address ("PSC 1234, Box 5678" / "Unit 4000 Box 0091", then
# "APO AE 09012" on the same or the next line) is one address and one span.
_MILITARY_POST = r"(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5}(?![\w-])"
_PO_BOX = re.compile(
    rf"(?<![\w-])(?:(?:P\.?[ \t]?O\.?[ \t]*Box|PO[ \t]+Box|Post[ \t]+Office[ \t]+Box"
    rf"|(?:PSC|Unit)[ \t]+\d{{1,5}},?[ \t]*Box)[ \t]+\d{{1,6}}(?![\w-])"
    rf"(?:[ \t]*(?:,|\r?\n)[ \t]*{_MILITARY_POST})?"
    rf"|{_MILITARY_POST})",
    re.IGNORECASE,
)
_ZIP_AFTER_WORD = re.compile(
    r"\b(?:zip(?:[ \t]?code)?|postal[ \t]+code|postcode|PLZ|Postleitzahl)\b[ \t]*(?:is|:|=|lautet|ist)?[ \t]*"
    r"(?P<zip>\d{4,5}(?:-\d{3,4})?)(?![\w-])",
    re.IGNORECASE,
)

_FULL_SCORE = 0.85
_STREET_SCORE = 0.7
_WEAK_SCORE = 0.6


@dataclass
class _Part:
    start: int
    end: int


@dataclass
class _Address:
    """Consecutive parts of one address; ``full`` when it reaches from street and number to postcode+city."""

    parts: list[_Part]
    score: float
    full: bool = False


class AddressRecognizer(OneEntityRecognizer):
    """German and English street addresses, postcodes with their city, post-office boxes."""

    ENTITY = ENTITY
    NAME = RECOGNIZER_NAME

    def find(self, text: str) -> list[RecognizerResult]:
        """One result per address (a full address) or per address part (street, number, unit, ...)."""
        addresses = _find_addresses(text)
        results = []
        for address in addresses:
            for start, end in _spans(address):
                results.append(RecognizerResult(ENTITY, start, end, address.score))
        return results


def _spans(address: _Address) -> list[tuple[int, int]]:
    if address.full:
        return [(address.parts[0].start, address.parts[-1].end)]
    return [(part.start, part.end) for part in address.parts]


def _find_addresses(text: str) -> list[_Address]:
    found: list[_Address] = []
    taken: list[tuple[int, int]] = []

    def add(address: _Address | None) -> None:
        if address is None:
            return
        start, end = address.parts[0].start, address.parts[-1].end
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append(address)

    lowered = text.lower()
    for start, end in _street_words(text, lowered):
        add(_suffix_street(text, start, end, lowered[start:end]))
    if not _DIGIT.search(text):
        return found
    if _POSTCODE_LIKE.search(text):
        for match in _PREPOSITION_STREET.finditer(text):
            before = text[match.start() - 1 : match.start()]
            if not (before.isalnum() or before == "-"):
                add(_preposition_street(text, match))
    for match in _EN_STREET.finditer(text):
        add(_english_street(text, match))
    if any(word in lowered for word in _PREFIX_WORDS):
        for match in _PREFIX_STREET.finditer(text):
            add(_Address([_Part(*match.span("street"))], _STREET_SCORE))
    for match in _UNIT_LINE.finditer(text):
        add(_Address([_Part(*match.span("unit"))], _WEAK_SCORE))
    if "box" in lowered or "po " in lowered:
        for match in _PO_BOX.finditer(text):
            add(_Address([_Part(*match.span())], _STREET_SCORE))
    if _STATE_ZIP.search(text):
        for match in _US_CITY_STATE_ZIP.finditer(text):
            add(_Address([_Part(*match.span())], _STREET_SCORE))
    if "postfach" in lowered or "postlagernd" in lowered:
        for match in _POSTFACH.finditer(text):
            box = [_Part(*match.span())]
            add(_with_postcode_city(text, box) or _Address(box, _STREET_SCORE))
    for match in _STANDALONE_POSTCODE_CITY.finditer(text):
        add(_standalone_postcode_city(text, match))
    if any(word in lowered for word in ("zip", "postal", "postcode", "plz", "postleitzahl")):
        for match in _ZIP_AFTER_WORD.finditer(text):
            add(_Address([_Part(*match.span("zip"))], _WEAK_SCORE))
    return found


def _street_words(text: str, lowered: str) -> list[tuple[int, int]]:
    """Spans of the words that end with a street suffix; ``str.find`` per suffix beats one big regex."""
    spans = set()
    for suffix in _STREET_ENDINGS:
        index = lowered.find(suffix)
        while index >= 0:
            end = index + len(suffix)
            if end == len(lowered) or not (lowered[end].isalnum() or lowered[end] in "-_"):
                word = _WORD_ENDING_HERE.search(text, max(0, end - 60), end)
                if word:
                    spans.add(word.span())
            index = lowered.find(suffix, end)
    return sorted(spans)


def _suffix_street(text: str, start: int, end: int, lower: str) -> _Address | None:
    """A street whose name is the word ``text[start:end]`` (``Musterstraße``, ``Hauptstr.``, ``Straße``)."""
    token = text[start:end]
    if token.endswith(".") and not lower.endswith("str."):
        token, lower, end = token[:-1], lower[:-1], end - 1
    strength = _suffix_strength(lower)
    if strength is None:
        return None
    if lower in _TYPE_WORDS:  # "Straße" alone is no name: "Berliner Straße" is
        adjective = re.search(r"(\S+)[ \t]+$", text[max(0, start - 40) : start])
        if adjective is None or not token[0].isupper() or not _ADJECTIVE.search(adjective.group(1)):
            return None
        start = max(0, start - 40) + adjective.start(1)
    elif "-" not in token and not token[0].isupper() and strength != "strong":
        strength = "full"  # lower-case "…weg", "…ring": only inside a full address
    street = _Part(start, end)
    number = _HOUSE_NUMBER.match(text, end)
    if number is None:
        return _number_first(text, street, strength, "-" in token)
    parts = [street, _Part(*number.span("nr"))]
    full = _with_postcode_city(text, parts)
    if full is not None:
        return full
    nr = number.group("nr")
    if strength == "full" or (len(nr) == 4 and nr.isdigit()):  # "Nürnberg 2024", "Spring 2020"
        return None
    return _Address([*parts, *_city_after_comma(text, parts[-1].end)], _STREET_SCORE)


def _preposition_street(text: str, match: re.Match[str]) -> _Address | None:
    """``Am Markt 3, 04109 Leipzig``: only as a full address ("Am Montag 5 Leute" is none)."""
    number = _HOUSE_NUMBER.match(text, match.end())
    if number is None:
        return None
    return _with_postcode_city(text, [_Part(*match.span()), _Part(*number.span("nr"))])


def _number_first(text: str, street: _Part, strength: str, hyphenated: bool) -> _Address | None:
    """A street without a number after it: ``Hauptstraße``, or in English order ``7 Benthinallee``.

    A ``-weg`` or ``-platz`` word needs the number (``Lösungsweg`` alone is a noun) unless it is hyphenated.
    """
    if strength == "full":
        return None
    number = _NUMBER_BEFORE.search(text, max(0, street.start - 8), street.start)
    if number is None and strength == "numbered" and not hyphenated:
        return None
    parts = [_Part(*number.span("nr")), street] if number else [street]
    return _Address([*parts, *_city_after_comma(text, street.end)], _WEAK_SCORE)


def _city_after_comma(text: str, position: int) -> list[_Part]:
    """``Hauptstr. 5, Bad Kissingen.``: a capitalised name closing the sentence or line after the street."""
    match = _COMMA_CITY.match(text, position)
    return [_Part(*match.span("city"))] if match else []


def _suffix_strength(lower: str) -> str | None:
    """How much a word's ending proves that it names a street (None: it does not end like a street)."""
    if lower in _TYPE_WORDS:
        return _TYPE_WORDS[lower]
    if lower in _NOT_STREETS or (lower.endswith("ring") and lower[-5:-4] in "aeiouy"):
        return None  # "Stellplatz", "during", "sharing"
    for suffixes, strength in (
        (_STRONG_SUFFIXES, "strong"),
        (_NUMBERED_SUFFIXES + _FOREIGN_SUFFIXES, "numbered"),
        (_FULL_ADDRESS_SUFFIXES, "full"),
    ):
        for suffix in suffixes:
            if lower.endswith(suffix) and len(lower) >= len(suffix) + 3:
                return strength
    return None


def _with_postcode_city(text: str, parts: list[_Part]) -> _Address | None:
    """The full address when postcode and city follow ``parts`` (street and number, or a post box)."""
    match = _POSTCODE_CITY.match(text, parts[-1].end)
    if match is None or "\n\n" in match.group("sep"):
        return None
    city_end = _city_end(text, match)
    if city_end is None:
        return None
    found = [*parts, _Part(*match.span("plz")), _Part(match.start("city"), city_end)]
    if match.group("country"):
        found.append(_Part(match.end("country") - len(match.group("country").lstrip(" \t,")), match.end()))
    return _Address(found, _FULL_SCORE, full=True)


def _city_end(text: str, match: re.Match[str]) -> int | None:
    """Where the city name ends: the longest run of its words that is followed by punctuation, a line end
    or a lower-case word (so "12345 Berlin Ich" does not swallow the next sentence's first word)."""
    city = match.group("city")
    start = match.start("city")
    words = list(re.finditer(r"\S+", city))
    for word in reversed(words):
        end = start + word.end()
        if _CITY_END.match(text, end) or re.match(r"[ \t]+[a-zäöüß]", text[end : end + 2]):
            return end
    return None


def _standalone_postcode_city(text: str, match: re.Match[str]) -> _Address | None:
    """``12345 Berlin`` without a street: only as an address line, after "PLZ"/"in"/..., or with a country.

    Four digits are a postcode (Austria, Switzerland) only with a country prefix or name: ``A-1010 Wien``,
    ``8001 Zürich, Schweiz``; otherwise they are a year or a count.
    """
    start = match.start()
    prefix = _COUNTRY_PREFIX.search(text, max(0, start - 3), start)
    if prefix:
        start = prefix.start()
    elif start > 0 and text[start - 1] == "-":
        return None
    country = match.group("country")
    if match.start("city") - match.start() < 6 and not (prefix or country):  # four digits
        return None
    city_end = _city_end(text, match)
    if city_end is None:
        return None
    if not (country or _POSTCODE_CONTEXT.search(text, max(0, start - 30), start)):
        return None
    if not (country or _CITY_END.match(text, city_end)):
        return None  # "in 12345 Fällen wurde": a count, not a place
    return _Address([_Part(start, match.end("country") if country else city_end)], _WEAK_SCORE)


def _english_street(text: str, match: re.Match[str]) -> _Address | None:
    """``123 Main Street`` (one span with its number), then an ``Apt``/``Suite`` line as a part of its own."""
    name, street_type = match.group("name"), match.group("type")
    if name[0].islower() != street_type[0].islower():
        return None  # "3 people Street": lower-case names only in all-lower-case text
    if _COUNTING_WORD_BEFORE.search(text, max(0, match.start() - 8), match.start()):
        return None  # "the 9 Supreme Court justices": a count, not a house number
    parts = [_Part(*match.span("street"))]
    unit = _EN_UNIT.match(text, match.end())
    if unit:
        parts.append(_Part(*unit.span("unit")))
    return _Address(parts, _STREET_SCORE)


def recognizers(language: str) -> list[EntityRecognizer]:
    """The address recognizer for ``language``: German addresses also appear in English text."""
    return [AddressRecognizer(supported_language=language)]


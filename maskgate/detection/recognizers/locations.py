"""Named places (countries, regions, cities) in English and German text.

The English NER model finds few places (LOCATION recall ~0.25 on our sets) and, on German text, tags
capitalised nouns ("Weisheit", "Kunden") as places. This module looks capitalised words up in a gazetteer
of real place names (GeoNames countries, US states, cities with 15,000+ inhabitants and every DACH town
with 1,000+; German Wiktionary toponyms for German exonyms such as "Mailand" or "Kolumbien") and uses
context where the gazetteer alone is not enough:

- a place name that is also a common word, first name or surname ("Essen", "Florence", "Roth") counts only
  after a place cue ("in", "aus", "nach", "from", a postcode) or in an address line;
- after a strong cue ("wohnt in", "lives in", "based in", "Wohnort:") an unknown capitalised word is taken
  as a place even when the gazetteer does not know it (villages).

Street addresses (street, number, postcode) belong to the address recognizer; this module only names the
places. :func:`result_filters` drops LOCATION spans of other recognizers (the spaCy model) that are common
German or English words, technical strings, or persons' names.
"""

from __future__ import annotations

import functools
import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from maskgate.detection.recognizers import ResultFilter
from maskgate.detection.recognizers._shared import named_result
from maskgate.detection.recognizers.names import (
    ARTICLES,
    LINE_DECORATION,
    MAX_PLACE_TOKENS,
    NER_RECOGNIZER_NAME,
    NEVER_NAMES,
    PLACE_RECOGNIZER_NAME,
    LexiconRecognizer,
    Token,
    TokenView,
    is_compound_noun,
    line_bounds,
    neighbour_line,
    source_of,
    token_view,
    word_set,
)
from maskgate.detection.recognizers.names import RECOGNIZER_NAME as NAME_RECOGNIZER_NAME

ENTITY = "LOCATION"
RECOGNIZER_NAME = PLACE_RECOGNIZER_NAME

SCORE_CERTAIN = 0.85  # a country or region, or a city after a place cue
SCORE_CITY = 0.75  # an unambiguous city name without a cue
SCORE_CONTEXT = 0.6  # an ambiguous name after a cue, or an unknown word after a strong cue

# Parts of an address line that are also place names somewhere ("Apt" is a town in Provence).
_ADDRESS_WORDS = word_set(
    "apt apartment suite ste unit box floor room building bldg postfach zimmer etage wohnung haus"
    " tel fax mobil"
)

# Right before a place. Weak cues make an ambiguous gazetteer name a place ("in Essen", "from Florence");
# strong cues make even an unknown capitalised word one ("wohnt in Kleinkleckersdorf").
_WEAK_CUE = re.compile(
    r"(?i:\b(?:in|im|aus|nach|bei|von|vom|zur|ab|bis|über|from|to|near|at|into|via|around|outside|of)[ \t]+"
    r"|\b\d{4,5}[ \t]+|,[ \t]*)$"
)
_STRONG_CUE_DE = re.compile(
    r"(?i:\b(?:(?:wohn(?:e|t|en|te|ten)?|leb(?:e|t|en|te|ten)|wohnhaft|geboren|aufgewachsen|umgezogen|gezogen"
    r"|sitz|standort|niederlassung|filiale|reise|reisen|fahre|fahren|fliege|fliegen|urlaub)[ \t]+(?:in|nach)"
    r"|aus|nach)[ \t]+"
    r"|\b(?:wohnort|ort|stadt|geburtsort|land|wo)[ \t]*:[ \t]*)$"
)
_STRONG_CUE_EN = re.compile(
    r"(?i:\b(?:(?:live[sd]?|living|born|grew\s+up|moved|relocated|based|located|headquartered|situated"
    r"|stay(?:ing)?|travel(?:l?ing)?|flying|going|trip|originally|come[s]?|came|am|i'm|is|are)"
    r"[ \t]+(?:in|to|from)"
    r"|home\s+city|hometown)[ \t]+"
    r"|\b(?:city|town|country|place\s+of\s+birth|where|location)[ \t]*:[ \t]*)$"
)


class PlaceRecognizer(LexiconRecognizer):
    """LOCATION from a place gazetteer plus context; see the module docstring."""

    ENTITY = ENTITY
    NAME = RECOGNIZER_NAME

    def find(self, text: str) -> list[RecognizerResult]:
        return [
            _result(start, end, score) for start, end, score in find_places(text, self.supported_language)
        ]


def _result(start: int, end: int, score: float) -> RecognizerResult:
    return named_result(ENTITY, RECOGNIZER_NAME, start, end, score)


def _eligible(v: TokenView, tok: Token) -> bool:
    """Place names start with a capital; "SÖDERBÄRK" in an address is fine, "IBAN" is not a place."""
    if v.lower_text:
        return True
    return tok.text[0].isupper() and (not v.acronym(tok) or len(tok.text) >= 4)


def _longest_match(v: TokenView, i: int) -> tuple[int, str] | None:
    """(end token index, kind) of the longest gazetteer name starting at token i."""
    places = v.lex.places
    key = v.tokens[i].key
    kind = places.get(key)
    best = (i + 1, kind) if kind else None
    if key not in v.lex.place_heads:
        return best
    for j in range(i + 1, min(len(v.tokens), i + MAX_PLACE_TOKENS)):
        if not v.joined(j - 1, j):
            break
        key = f"{key} {v.tokens[j].key}"
        kind = places.get(key)
        if kind and (v.lower_text or v.tokens[j].text[0].isupper()):
            best = (j + 1, kind)
    return best


def _ambiguous(v: TokenView, i: int, j: int) -> bool:
    """A place name that may be something else: one word that is also a common word or a person's name
    ("Essen", "Florence", "Roth"), or several words that are all common words ("Country Club")."""
    if j - i > 1:
        return all(v.is_common(t) for t in v.tokens[i:j])
    tok = v.tokens[i]
    return v.is_common(tok) or v.is_first(tok) or v.is_last(tok)


def _address_line(v: TokenView, i: int, j: int) -> tuple[bool, bool]:
    """(in an address block, followed by a country line) for tokens i..j-1 that fill a line by themselves
    (apart from a postcode): a city line of an address ("Seguin" between "Suite 353" and "United States")."""
    text = v.text
    start, end = v.tokens[i].start, v.tokens[j - 1].end
    line_start, line_end = line_bounds(text, start, end)
    if text[line_start:start].strip(LINE_DECORATION) or re.search(r"[^\s\d,.]", text[end:line_end]):
        return False, False
    before = neighbour_line(text, line_start, line_end, -1)
    after = neighbour_line(text, line_start, line_end, 1)
    country_next = v.is_country_line(after)
    return country_next or any(ch.isdigit() for ch in before), country_next


def _line_start(v: TokenView, tok: Token) -> bool:
    k = tok.start - 1
    while k >= 0 and v.text[k] in LINE_DECORATION:
        k -= 1
    return k < 0 or v.text[k] == "\n"


def _unknown_city_line(v: TokenView, i: int) -> int:
    """End token index of a line of unknown words between an address line and a country line
    ("BURTRÄSK", "Dol pri Ljubljani"), or 0."""
    j = i + 1
    while j < len(v.tokens) and j - i < MAX_PLACE_TOKENS and v.joined(j - 1, j):
        j += 1
    toks = v.tokens[i:j]
    if any(v.is_first(t) or v.is_last(t) or (v.is_common(t) and t.text[0].isupper()) for t in toks):
        return 0
    in_block, country_next = _address_line(v, i, j)
    return j if in_block and country_next else 0


def _after_first_name(v: TokenView, i: int) -> bool:
    if i == 0 or not v.joined(i - 1, i):
        return False
    prev = v.tokens[i - 1]
    return prev.text[0].isupper() and v.is_first(prev) and not v.ambiguous_first(prev)


def _unknown_place_word(v: TokenView, tok: Token) -> bool:
    """A word no list knows, spelt like a name: after "wohnt in" it is most likely a village."""
    key = tok.key
    lex = v.lex
    return (
        len(key) >= 4
        and tok.text.istitle()
        and key not in lex.nouns_de
        and key not in lex.words_de
        and key not in lex.words_en
        and not v.is_common(tok)
        and not v.is_first(tok)
        and not v.is_last(tok)
        and not (v.language == "de" and is_compound_noun(v, tok))
    )


@functools.lru_cache(maxsize=4)
def find_places(text: str, language: str) -> tuple[tuple[int, int, float], ...]:
    """(start, end, score) of every named place in ``text``. Cached like :func:`names.find_names`."""
    v = token_view(text, language)
    strong = _STRONG_CUE_DE if language == "de" else _STRONG_CUE_EN

    def after(cue: re.Pattern[str], tok: Token) -> bool:
        return cue.search(text, max(0, tok.start - 40), tok.start) is not None

    spans: list[tuple[int, int, float]] = []
    n = len(v.tokens)
    i = 0
    while i < n:
        tok = v.tokens[i]
        if not _eligible(v, tok) or tok.key in NEVER_NAMES or tok.key in _ADDRESS_WORDS or v.is_street(i):
            i += 1
            continue
        match = _longest_match(v, i)
        if match and _after_first_name(v, i):
            i = match[0]  # "Katja Gersdorf": a surname that is also a town
            continue
        if match:
            j, kind = match
            ambiguous = _ambiguous(v, i, j)
            cue = after(strong, tok) or after(_WEAK_CUE, tok) or (ambiguous and _address_line(v, i, j)[0])
            if kind in ("country", "region"):
                score = SCORE_CERTAIN if cue or not ambiguous else SCORE_CONTEXT
            elif ambiguous:
                score = SCORE_CONTEXT if cue else 0.0
            else:
                score = SCORE_CERTAIN if cue else SCORE_CITY
            if score:
                spans.append((tok.start, v.tokens[j - 1].end, score))
            i = j
            continue
        if _unknown_place_word(v, tok) and after(strong, tok):
            spans.append((tok.start, tok.end, SCORE_CONTEXT))
        elif _line_start(v, tok) and (j := _unknown_city_line(v, i)):
            spans.append((tok.start, v.tokens[j - 1].end, SCORE_CONTEXT))
            i = j
            continue
        i += 1
    return tuple(spans)


def recognizers(language: str) -> list[EntityRecognizer]:
    """The family's recognizers (see the package docstring)."""
    return [PlaceRecognizer(language)] if language in ("en", "de") else []


# --- filtering other recognizers' LOCATION spans -----------------------------------------------------------
_TECHNICAL = re.compile(r"[@/\\|%=_#<>{}]|\d{6,}")


def _foreign_place_ok(v: TokenView, start: int, end: int) -> bool:
    """Whether a LOCATION span from another recognizer (the NER model) is plausible as a place."""
    if _TECHNICAL.search(v.text, start, end):
        return False
    toks = [v.tokens[k] for k in v.tokens_in(start, end)]
    if toks and toks[0].key in ARTICLES:
        toks = toks[1:]  # "the Netherlands"
    if not toks or (len(toks) == 1 and (toks[0].key in _ADDRESS_WORDS or toks[0].key in NEVER_NAMES)):
        return False
    if " ".join(t.key for t in toks) in v.lex.places:
        return True
    if any((v.is_first(t) or v.is_last(t)) and t.key not in v.lex.places for t in toks):
        return False  # "Carolina Hedlund", "Mehmet"
    if v.language == "de" and any(v.is_common(t) or is_compound_noun(v, t) for t in toks):
        return False  # "Weisheit", "Die Entwicklung"
    return not all(v.is_common(t) for t in toks)


def _place_filter(language: str) -> ResultFilter:
    def keep_plausible_places(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop implausible LOCATION spans of other recognizers; restore ours where such a span had
        absorbed them (see names._person_filter)."""
        foreign = [r for r in results if r.entity_type == ENTITY and source_of(r) == NER_RECOGNIZER_NAME]
        if not foreign:
            return results
        v = token_view(text, language)
        persons = [r for r in results if r.entity_type == "PERSON" and source_of(r) == NAME_RECOGNIZER_NAME]

        def plausible(r: RecognizerResult) -> bool:
            if any(p.start < r.end and r.start < p.end for p in persons):
                # "Carolina Hedlund": a person's name unless it names a place exactly
                return " ".join(v.tokens[k].key for k in v.tokens_in(r.start, r.end)) in v.lex.places
            return _foreign_place_ok(v, r.start, r.end)

        drop = {id(r) for r in foreign if not plausible(r)}
        kept = [r for r in results if id(r) not in drop]
        for start, end, score in find_places(text, language):
            if not any(r.entity_type == ENTITY and r.start <= start and end <= r.end for r in kept):
                kept.append(_result(start, end, score))
        return kept

    return keep_plausible_places


def result_filters(language: str) -> list[ResultFilter]:
    """The family's result filters (see the package docstring)."""
    return [_place_filter(language)] if language in ("en", "de") else []

"""Person names in English and German text, without a German NER model.

The only NER model available offline is English. On German text it misses many names and, because German
capitalises every noun, tags nouns and polite forms ("Konto", "Könnten Sie", "Depotübersicht") as PERSON.
Capitalisation alone therefore says little in German; this module combines it with word lists and context:

- a first-name list (54k names from 50+ countries) and a surname list, both from independent sources
  (``maskgate/detection/data/README.md``), anchor a name: a known first name followed by capitalised
  tokens that are not common words ("Jürgen Weber", "Tilly Bolander");
- context cues announce a name whatever its spelling: titles (Herr, Frau, Dr., Mr, Mrs), salutations
  (Hallo, Liebe, Dear, Hi), labels (Name:, Ansprechpartner:), naming phrases (Mein Name ist, ich heiße,
  my name is) and the line after a closing formula (Mit freundlichen Grüßen, Best regards);
- lists of common German and English words keep nouns, verbs and function words out of names, and decide
  when a first name that is also a word ("Rose", "Will", "Meine") needs a surname or a cue next to it.
  Position matters in German: its verbs and function words are capitalised only at the start of a
  sentence ("Senden Sie ..."), its nouns everywhere.

:func:`result_filters` applies the same lists to the PERSON spans of other recognizers (the spaCy model):
spans made only of common words, streets, companies, places or technical strings are dropped, greetings
and titles cut off ("Hallo Herr Becker" -> "Becker"), and no PERSON survives inside a street address.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from maskgate.detection.recognizers import ResultFilter
from maskgate.detection.recognizers._shared import OneEntityRecognizer, named_result

ENTITY = "PERSON"
RECOGNIZER_NAME = "MaskgateNameRecognizer"
NER_RECOGNIZER_NAME = "SpacyRecognizer"
PLACE_RECOGNIZER_NAME = "MaskgatePlaceRecognizer"  # locations.py: named places, not street addresses
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# A cue or a full name is near certain; a lone first name or a weak cue ("ich bin", "this is") is likely.
SCORE_CUE = 0.85
SCORE_FULL_NAME = 0.85
SCORE_WEAK = 0.65

MAX_NAME_TOKENS = 4
MAX_PLACE_TOKENS = 4  # "Santa Marta de Penaguião"


# --- word lists -------------------------------------------------------------------------------------------
def fold(word: str) -> str:
    """Casefold and strip diacritics: "Müller" -> "muller", so a German spelling finds a census entry."""
    if word.isascii():
        return word.casefold()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def _lines(name: str) -> Iterator[str]:
    with gzip.open(DATA_DIR / f"{name}.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line[0] != "#" and line != "\n":
                yield line.rstrip("\n")


def word_set(words: str) -> frozenset[str]:
    """A set of lowercase words written as one whitespace-separated string."""
    return frozenset(words.split())


def place_key(name: str) -> str:
    """How a place name is looked up: casefolded words between single spaces ("St. Gallen" -> "st gallen")."""
    return " ".join(name.casefold().replace(".", " ").split())


def _read_set(name: str) -> frozenset[str]:
    return frozenset(line.casefold() for line in _lines(name))


@dataclass(frozen=True)
class Lexicon:
    """The word lists, casefolded. Loaded once per process (a few tenths of a second), when the first
    recognizer is built."""

    first: frozenset[str]
    first_folded: frozenset[str]
    last: frozenset[str]  # folded with :func:`fold`
    nouns_de: frozenset[str]  # German common nouns and their inflected forms
    words_de: frozenset[str]  # other frequent German words (verbs, adjectives, function words)
    words_en: frozenset[str]  # frequent English words that are common words, not proper names
    # place_key(name) -> "country" | "region" | "city" | "place" (a German toponym of unknown kind)
    places: dict[str, str]
    place_heads: frozenset[str]  # first words of the places that have several


@functools.cache
def lexicon() -> Lexicon:
    first = _read_set("names_first.txt")
    places = {place_key(name): "place" for name in _lines("locations_toponyms_de.txt")}
    for line in _lines("locations_geonames.tsv"):
        name, _, kind = line.partition("\t")
        places[place_key(name)] = kind or "city"
    return Lexicon(
        first=first,
        first_folded=frozenset(fold(n) for n in first),
        last=frozenset(fold(n) for n in _lines("names_last.txt")),
        nouns_de=_read_set("names_nouns_de.txt"),
        words_de=_read_set("names_words_de.txt"),
        words_en=_read_set("names_words_en.txt"),
        places=places,
        place_heads=frozenset(name.split(" ", 1)[0] for name in places if " " in name),
    )


# Capitalised in both languages but never a person or a place here: months, weekdays, holidays, salutation
# and title words, and banking acronyms that happen to be rare first names (Iban) or towns (March).
NEVER_NAMES = word_set("""
    january february march april may june july august september october november december
    januar februar märz mai juni juli oktober dezember jänner
    monday tuesday wednesday thursday friday saturday sunday
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    christmas easter weihnachten ostern pfingsten
    english german french spanish italian deutsch englisch
    god gott herr herrn frau fräulein mr mrs ms miss sir madam dame dr prof
    hallo hi hey hello dear liebe lieber moin servus
    iban bic swift pin tan nr tel fax ca bzw ggf inkl zzgl evtl usw vgl no ref
    """)

ARTICLES = word_set("the a an der die das ein eine")

# Pronouns, articles and other closed-class words that even a strong cue must not take for a name.
_FUNCTION_WORDS = word_set(
    """
    ich du er sie es wir ihr ihre ihrem ihren ihrer ihres ihnen ihm ihn mein meine meinem meinen meiner
    dein deine deinem deinen deiner dich dir euch sein seine unser unsere euer eure man der die das den dem
    des ein eine einen einem einer und oder aber nicht bitte danke ja nein hier da wie was wer wo wann
    warum welche welcher welches i you he she it we they me him her us them my your his its our their the a
    an and or but not please thanks yes no here there how what who where when why which this that
    in im an am auf aus bei mit nach von vom zu zum zur für über unter um durch gegen ohne seit bis ab
    on at to for from with by of about into over under
    """
)

# What follows a company name or a street name, never a person's name.
_LEGAL_FORMS = word_set(
    "gmbh ag kg ohg gbr ug se kgaa ev mbh co inc ltd llc plc corp corporation sa nv bv ab oy"
)
_STREET_WORDS = word_set(
    """
    straße strasse str weg allee gasse platz ring damm ufer chaussee steig pfad street st road rd avenue
    ave lane ln drive boulevard blvd square sq court ct way place pl terrace parkway highway alley arcade
    bypass causeway circle cir crescent crossing cove expressway freeway gateway junction junctions knoll
    knolls landing loop motorway plaza route skyway spur trail tunnel turnpike vista walkway
    """
)
_STREET_SUFFIX = re.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee|weg|ring|damm|ufer|str)$")
_STRONG_STREET_SUFFIX = re.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee)$")

_LEGAL_AFTER = re.compile(r"[ \t]*(?:e\.[ \t]?V\.|&[ \t]*Co\b)")
_ORGANISATION_WORDS = word_set(
    "company corporation group holding holdings partners stiftung verein gruppe bank versicherung"
)
_NUMBER_BEFORE = re.compile(
    r"(?<![\d.,:/-])\d{1,5}[a-zA-Z]?[ \t]+(?:(?:rue|via|ul\.|calle|avenida|avda\.)[ \t]+)?$"
)
_NUMBER_AFTER = re.compile(
    r"[ \t]+\d{1,5}[a-zA-Z]?(?=[ \t]*(?:$|\n|[,.?!](?:\s|$)|(?:St|Street|Suite|Apt|Rd|Road|Ave)\b))"
)
_ADDRESS_LINE = re.compile(
    r"(?i)\d.*\b(?:apt|suite|unit|box|st|street|road|rd|ave|avenue|lane|drive|blvd)\b"
    r"|(?i:straße|str\.|weg|allee|gasse|platz|ring|vej|gatan|veien|straat|laan)\s+\d"
    r"|\b(?:apt|suite|unit)\.?\s*\d"
)
LINE_DECORATION = " \t}{>|*-•,;"
_COUNTRY_LINE = re.compile(r"[^\W\d_][\w .'’-]*?(?=\s*(?:\(|\d|$|[,.?!]))")


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the line around text[start:end]."""
    nl = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if nl < 0 else nl


def neighbour_line(text: str, start: int, end: int, step: int) -> str:
    """The nearest non-empty line before (step -1) or after (step 1) the line text[start:end]."""
    while True:
        if step < 0:
            if start == 0:
                return ""
            end = start - 1
            start = text.rfind("\n", 0, end) + 1
        else:
            if end >= len(text):
                return ""
            start = end + 1
            nl = text.find("\n", start)
            end = len(text) if nl < 0 else nl
        line = text[start:end].strip(LINE_DECORATION)
        if line:
            return line


# German derivational suffixes that make nouns and practically never end a name.
_NOUN_ENDINGS = tuple(
    stem + ending
    for stem in (
        "ung",
        "heit",
        "keit",
        "schaft",
        "tion",
        "sion",
        "tät",
        "ität",
        "ismus",
        "nis",
        "tum",
        "übersicht",
        "konto",
        "nummer",
        "vertrag",
        "adresse",
        "name",
    )
    for ending in ("", "en", "s", "e", "n", "se", "sen")
)

# Name particles between the parts of a name (Ludwig van Beethoven, Ursula von der Leyen).
_PARTICLES = word_set("van von der den de del della di da dos das du le la ten ter zu vom al el bin ibn")

# Prepositions and labels that put the next capitalised word in a place ("in Austin", "City: Valencia").
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:in|aus|nach|from|near)\s+"
    r"|\b(?:city|town|country|stadt|ort|wohnort|geburtsort|land)[ \t]*:\s*)$"
)
_ARTICLE_BEFORE = re.compile(r"(?i:\b(?:the|der|die|das|dem|den|des)[ \t]+)$")


# --- cues -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Cue:
    """Words that announce a name. ``pattern`` is matched at a token whose casefolded text is one of
    ``triggers`` and ends right before the name, so a text is scanned once for its tokens, not once per cue.

    ``kind``: "strong" (the name may be any word but a common one: "Herr Koch", "Name: Weihmann"), "weak"
    (a known first name or surname, or two name-like words: "this is Anna", "called Bibulat Sultygov"),
    "closing" (the line after a closing formula, which the name must fill) or "signature" (a possessive
    the name follows to the end of the line: "eure Lena", "Ihr Thomas Becker").
    """

    triggers: frozenset[str]
    pattern: re.Pattern[str]
    kind: str
    score: float


def _cue(triggers: str, pattern: str, kind: str = "strong", score: float = SCORE_CUE) -> _Cue:
    return _Cue(word_set(triggers), re.compile(pattern), kind, score)


_GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # spaces, or one line break: "Name:\n  Max Mustermann"
_ACADEMIC = r"(?:[ \t]+(?i:dr|prof|dipl\.-ing|ing|mag|med|rer\.[ ]?nat|jur|phil)\.)*"
_CUE_LIST = (
    _cue(
        "herr herrn frau fr hr mr mrs ms mx dr prof",
        rf"(?i:herrn?|frau|fr|hr|mr|mrs|ms|mx|dr|prof)\.?{_ACADEMIC}[ \t]+",
    ),
    _cue("familie eheleute", r"(?:Familie|Eheleute)[ \t]+"),
    _cue("miss sir madam madame monsieur", rf"(?:Miss|Sir|Madame?|Monsieur){_ACADEMIC}[ \t]+"),
    _cue(
        "name names vorname nachname familienname mädchenname geburtsname rufname surname last first full "
        "maiden family given",
        r"(?i:(?:(?:last|first|full|maiden|family|given)[ \t-]?)?"
        r"(?:name|nachname|vorname|familienname|mädchenname|geburtsname|rufname|surname)n?"
        rf"(?:[ \t]*(?:is|ist|lautet|lauten|:|\?)|'s)){_GAP}",
    ),
    _cue(
        "ich heiße heißt hieß hießen heißen nennen nennt namens mit my i people they call",
        r"(?i:(?:ich[ \t]+)?heiße|heißt|hieß|hießen|heißen[ \t]+sie\?"
        r"|nennen[ \t]+mich(?:[ \t]+die[ \t]+leute)?"
        r"|nennt[ \t]+mich|namens|mit[ \t]+namen|my[ \t]+name[ \t]+is|i[ \t]+am[ \t]+called"
        r"|(?:people|they)[ \t]+call[ \t]+me|call[ \t]+me)[ \t]+",
    ),
    _cue(
        "ansprechpartner ansprechpartnerin kontakt kontaktperson kontoinhaber kontoinhaberin empfänger "
        "empfängerin absender absenderin inhaber inhaberin kunde kundin patient patientin mitarbeiter "
        "mitarbeiterin unterschrift contact account recipient sender customer attn attention signed z c",
        r"(?i:(?:ansprechpartner(?:in)?|kontakt(?:person)?|kontoinhaber(?:in)?|empfänger(?:in)?|absender(?:in)?"
        r"|inhaber(?:in)?|kunde|kundin|patient(?:in)?|mitarbeiter(?:in)?|unterschrift|contact"
        r"|account[ \t]+holder"
        rf"|recipient|sender|customer|attn|attention|signed)[ \t]*:|z\.[ \t]?hd\.?|c/o){_GAP}",
    ),
    _cue(
        "hallo hi hey hello dear liebe lieber liebes moin servus grüß guten sehr good",
        r"(?i:hallo|hi|hey|hello|dear|liebe[rs]?|moin|servus|grüß[ \t]+dich|guten[ \t]+(?:tag|morgen|abend)"
        r"|sehr[ \t]+geehrte[rs]?|good[ \t]+(?:morning|afternoon|evening))[ \t]+",
    ),
    _cue(
        "hier ich this i'm i called named",
        r"(?i:hier[ \t]+spricht|hier[ \t]+ist|ich[ \t]+bin|this[ \t]+is|i'm|i[ \t]+am|called|named)[ \t]+",
        "weak",
        SCORE_WEAK,
    ),
    _cue(
        "mit freundliche viele beste liebe herzliche schöne mfg lg vg gruß grüße best kind warm regards "
        "cheers thanks thank many sincerely yours",
        r"(?i:mit[ \t]+freundlichen[ \t]+grüßen|(?:freundliche|viele|beste|liebe|herzliche|schöne)[ \t]+grüße"
        r"|mfg|lg|vg|gruß|grüße|(?:best|kind|warm)[ \t]+regards|regards|best[ \t]+wishes|best|cheers|thanks"
        r"|thank[ \t]+you|many[ \t]+thanks|(?:yours[ \t]+)?sincerely|yours[ \t]+truly|yours)"
        r"[ \t]*[,!.]?[ \t]*\n(?:[ \t]*\n)*[ \t]*",
        "closing",
    ),
    _cue(
        "eure euer dein deine ihr ihre your yours",
        r"(?i:eure|euer|deine?|ihre?|your|yours)[ \t]+",
        "signature",
    ),
)
_CUES_BY_TRIGGER: dict[str, tuple[_Cue, ...]] = {
    word: tuple(c for c in _CUE_LIST if word in c.triggers) for c in _CUE_LIST for word in c.triggers
}

# A word: letters with inner apostrophes (O'Brien) and hyphens (Karl-Georg), not glued to digits (IBANs).
_TOKEN = re.compile(r"(?<!\w)[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+)*(?![\d_])")
_SENTENCE_END = frozenset(".!?:;\n•*–")


class Token(NamedTuple):
    start: int
    end: int
    text: str  # without a trailing possessive 's
    key: str  # casefolded text
    possessive: bool  # was followed by 's ("Ruth's address")


class TokenView:
    """The words of one text with their classes (first name, surname, common word, street, place), for
    one language. Shared with the location recognizer."""

    def __init__(self, text: str, language: str, lex: Lexicon):
        self.text = text
        self.language = language
        self.lex = lex
        self.lower_text = text == text.lower()  # "lisa otto\nheidrich gmbh": casing cannot help
        self.upper_text = text == text.upper()
        self.tokens = list(self._tokens())
        self.starts = [t.start for t in self.tokens]
        self._first: dict[int, bool] = {}  # token start -> class, memoised: every recognizer asks
        self._common: dict[int, bool] = {}

    def _tokens(self) -> Iterator[Token]:
        for m in _TOKEN.finditer(self.text):
            start, end = m.span()
            word = m.group()
            possessive = word[-2:] in ("'s", "’s")
            if possessive:
                end -= 2
                word = word[:-2]
            yield Token(start, end, word, word.casefold(), possessive)

    def tokens_in(self, start: int, end: int) -> list[int]:
        """Indices of the tokens that overlap text[start:end]."""
        found = []
        for k in range(max(0, bisect.bisect_right(self.starts, start) - 1), len(self.tokens)):
            if self.tokens[k].start >= end:
                break
            if self.tokens[k].end > start:
                found.append(k)
        return found

    # --- token classes ------------------------------------------------------------------------------
    def capitalised(self, tok: Token) -> bool:
        return self.lower_text or tok.text[0].isupper()

    def acronym(self, tok: Token) -> bool:
        """IBAN, AP, CO: all-caps tokens in normal text are not name parts (in all-caps text they may be)."""
        return len(tok.text) > 1 and tok.text.isupper() and not self.upper_text

    def is_initial(self, tok: Token) -> bool:
        return len(tok.text) == 1 and tok.text.isupper()

    def is_first(self, tok: Token) -> bool:
        known = self._first.get(tok.start)
        if known is None:
            known = self._first[tok.start] = self._is_first(tok)
        return known

    def _is_first(self, tok: Token) -> bool:
        key = tok.key
        if key in self.lex.first or fold(key) in self.lex.first_folded:
            return True
        parts = key.split("-")
        return len(parts) > 1 and all(p in self.lex.first for p in parts)

    def is_last(self, tok: Token) -> bool:
        key = fold(tok.key)
        return (
            key in self.lex.last
            or key.replace("ae", "a").replace("oe", "o").replace("ue", "u") in self.lex.last
        )

    def is_common(self, tok: Token) -> bool:
        known = self._common.get(tok.start)
        if known is None:
            known = self._common[tok.start] = self._is_common(tok)
        return known

    def _is_common(self, tok: Token) -> bool:
        """A common word of the language here; a hyphenated token by its last part. German capitalises
        only nouns, so its other words count only where they may be capitalised: at a sentence start
        ("Senden Sie ..."), in lowercase text, or written lowercase."""
        key = tok.key
        if key in NEVER_NAMES:
            return True
        if self.language == "de":
            if key.endswith(_NOUN_ENDINGS) or self._german_word(tok, key):
                return True
        elif key in self.lex.words_en:
            return True
        last = key.rsplit("-", 1)[-1]
        if last == key or fold(last) in self.lex.last:
            return False
        return last in (self.lex.nouns_de if self.language == "de" else self.lex.words_en)

    def _german_word(self, tok: Token, key: str) -> bool:
        if key in self.lex.nouns_de:
            return True
        if key not in self.lex.words_de:
            return False
        return self.lower_text or not tok.text[0].isupper() or self.sentence_initial(tok)

    def sentence_initial(self, tok: Token) -> bool:
        k = tok.start - 1
        while k >= 0 and self.text[k] in " \t\"'„“”«»‚‘’()[]-":
            k -= 1
        return k < 0 or self.text[k] in _SENTENCE_END

    def ambiguous_first(self, tok: Token) -> bool:
        """A first name that may be an ordinary word here: "Rose" or "Hope" anywhere, "Meine" or "Bitte"
        at the start of a sentence (mid-sentence, German capitalises only nouns)."""
        key = tok.key
        if key in NEVER_NAMES or key in _FUNCTION_WORDS:
            return True
        return self.is_common(tok)

    def is_street(self, i: int) -> bool:
        tok = self.tokens[i]
        key = tok.key
        if key in _STREET_WORDS:
            return True
        if _STRONG_STREET_SUFFIX.search(key) and len(key) > 6:
            return True
        if _STREET_SUFFIX.search(key) and len(key) > 5:
            after = self.text[tok.end : tok.end + 3]
            return after[:1] == "." or (after[:1] == " " and after[1:2].isdigit())
        return False

    def joined(self, i: int, j: int) -> bool:
        """Tokens i and j are adjacent words of one name: separated by spaces only (or an initial's dot)."""
        gap = self.text[self.tokens[i].end : self.tokens[j].start]
        if gap.strip(" \t") == "":
            return 0 < len(gap) <= 3
        return gap in (". ", ".") and self.is_initial(self.tokens[i])

    def stops_name(self, j: int) -> bool:
        """The words right after a run show that it names a company ("Lehmann e.V.", "... Investors
        Company Inc.") or a street ("Tobias Ports Street"), not a person."""
        if j > 0 and _LEGAL_AFTER.match(self.text, self.tokens[j - 1].end):
            return True
        k = j
        while k < len(self.tokens) and k - j < 3 and self.joined(k - 1, k):
            key = self.tokens[k].key
            if key in _LEGAL_FORMS or key in _ORGANISATION_WORDS or self.is_street(k):
                return True
            if not self.tokens[k].text[0].isupper():
                break
            k += 1
        return False

    def house_number_around(self, start: int, end: int) -> bool:
        """A house number right before ("45 rue Pierre Motte", "6143 Martin Linges veg") or right after
        and ending the address part ("Holmatun 45 St.", "Männi 48") marks a street, not a person."""
        return bool(
            _NUMBER_BEFORE.search(self.text, max(0, start - 24), start) or _NUMBER_AFTER.match(self.text, end)
        )

    def in_address_block(self, start: int, end: int) -> bool:
        """The span's line sits in a postal address: the line before is an address line (a street with a
        number, "Apt. 263") or the line after names a country."""
        line_start, line_end = line_bounds(self.text, start, end)
        before = neighbour_line(self.text, line_start, line_end, -1)
        after = neighbour_line(self.text, line_start, line_end, 1)
        return bool(_ADDRESS_LINE.search(before)) or self.is_country_line(after)

    def is_country_line(self, line: str) -> bool:
        m = _COUNTRY_LINE.match(line)
        return m is not None and self.lex.places.get(place_key(m.group())) == "country"

    def place_kind(self, i: int, j: int) -> str | None:
        """The kind of place that tokens i..j-1, alone or with up to two neighbours on either side, name
        ("San Antonio", "Los Angeles" around "Angeles", "Den Helder")."""
        n = len(self.tokens)
        for k in range(max(0, i - 2), i + 1):
            if any(not self.joined(x, x + 1) for x in range(k, i)):
                continue
            for m in range(min(n, j + 2), j - 1, -1):
                if m - k > MAX_PLACE_TOKENS or any(not self.joined(x, x + 1) for x in range(j - 1, m - 1)):
                    continue
                kind = self.lex.places.get(" ".join(t.key for t in self.tokens[k:m]))
                if kind:
                    return kind
        return None

    def after_place_preposition(self, tok: Token) -> bool:
        return _PLACE_BEFORE.search(self.text, max(0, tok.start - 20), tok.start) is not None

    def after_article(self, tok: Token) -> bool:
        """A name rarely follows an article: "the Jira ticket", "die Rose"."""
        return _ARTICLE_BEFORE.search(self.text, max(0, tok.start - 8), tok.start) is not None

    # --- spans --------------------------------------------------------------------------------------
    def extend(self, i: int) -> int:
        """Index one past the last token of the name that starts at token i."""
        n = len(self.tokens)
        j = i + 1
        while j < n and j - i < MAX_NAME_TOKENS and self.joined(j - 1, j):
            tok = self.tokens[j]
            if tok.key in _PARTICLES and j + 1 < n and self.joined(j, j + 1):
                nxt = self.tokens[j + 1]
                # "Ludwig van Beethoven", but not "sagte Elsbeth zu Agathe"
                if (
                    nxt.text[0].isupper()
                    and not self.is_common(nxt)
                    and (self.is_last(nxt) or not self.is_first(nxt))
                ):
                    j += 2
                    continue
                break
            if not self.capitalised(tok) or self.acronym(tok) or tok.key in _LEGAL_FORMS or self.is_street(j):
                break
            if not (self.is_initial(tok) or self.is_first(tok) or self.is_last(tok)) and self.is_common(tok):
                break
            j += 1
        while j - i > 1 and self.is_initial(self.tokens[j - 1]):
            j -= 1  # a trailing capital letter is an article or a list marker, not an initial
        return j

    def unknown_capitalised(self, tok: Token) -> bool:
        """Spelt like a name ("Niemeier-Gorlitz", not "IDs") and no common word or place."""
        return tok.text.istitle() and not self.is_common(tok) and tok.key not in self.lex.places


class LexiconRecognizer(OneEntityRecognizer):
    """A recognizer backed by the shared name and place lexicon (this module's and locations.py's): loading
    it loads the lexicon, and it answers only when its entity is asked for by name."""

    VERSION = "1.0"

    def load(self) -> None:
        lexicon()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if self.ENTITY not in entities:
            return []
        return self.find(text)


class NameRecognizer(LexiconRecognizer):
    """PERSON from first-name and surname lists plus context cues; see the module docstring."""

    ENTITY = ENTITY
    NAME = RECOGNIZER_NAME

    def find(self, text: str) -> list[RecognizerResult]:
        return [_result(start, end, score) for start, end, score in find_names(text, self.supported_language)]


def _result(start: int, end: int, score: float) -> RecognizerResult:
    return named_result(ENTITY, RECOGNIZER_NAME, start, end, score)


@functools.lru_cache(maxsize=4)
def token_view(text: str, language: str) -> TokenView:
    """The token view of ``text``, shared by the recognizers and filters of both families for one text.
    The caches here are tiny on purpose: they only bridge the calls for the text being analysed and keep
    no conversation text around."""
    return TokenView(text, language, lexicon())


@functools.lru_cache(maxsize=4)
def find_names(text: str, language: str) -> tuple[tuple[int, int, float], ...]:
    """(start, end, score) of every person name in ``text``. Cached because the recognizer and the
    result filter both need it for the same text."""
    a = token_view(text, language)
    found: dict[int, tuple[int, float]] = {}  # first token index -> (end token index, score)

    def add(i: int, j: int, score: float) -> None:
        if j <= i or a.stops_name(j) or a.house_number_around(a.tokens[i].start, a.tokens[j - 1].end):
            return
        if i not in found or (j, score) > found[i]:
            found[i] = (j, score)

    _cue_names(a, add)
    _list_names(a, add)
    _repeated_surnames(a, found, add)

    taken: set[int] = set()
    spans: list[tuple[int, int, float]] = []
    for i, (j, score) in sorted(found.items(), key=lambda item: (-item[1][1], item[0] - item[1][0], item[0])):
        if taken.isdisjoint(range(i, j)):
            taken.update(range(i, j))
            spans.append((a.tokens[i].start, a.tokens[j - 1].end, score))
    return tuple(sorted(spans))


def _repeated_surnames(
    a: TokenView, found: dict[int, tuple[int, float]], add: Callable[[int, int, float], None]
) -> None:
    """A surname of a full name found in the text is a name wherever else it stands ("directed by Juan
    Lopez and starring Lopez"), so the same person is masked everywhere."""
    surnames = set()
    for i, (j, _) in found.items():
        last = a.tokens[j - 1]
        if j - i >= 2 and not a.is_initial(last) and not a.is_common(last):
            surnames.add(last.key)
    if not surnames:
        return
    covered = {k for i, (j, _) in found.items() for k in range(i, j)}
    for k, tok in enumerate(a.tokens):
        if tok.key in surnames and k not in covered and a.capitalised(tok):
            add(k, k + 1, SCORE_WEAK)


def _cue_names(a: TokenView, add: Callable[[int, int, float], None]) -> None:
    text, n = a.text, len(a.tokens)
    for t in a.tokens:
        for cue in _CUES_BY_TRIGGER.get(t.key, ()):
            m = cue.pattern.match(text, t.start)
            if m is None:
                continue
            if cue.kind == "closing" and text[line_bounds(text, t.start, t.start)[0] : t.start].strip():
                continue  # a closing formula stands on a line of its own
            i = bisect.bisect_left(a.starts, m.end())
            if i >= n or a.tokens[i].start != m.end():
                continue
            tok = a.tokens[i]
            if not a.capitalised(tok) or a.acronym(tok) or a.is_street(i) or tok.key in _FUNCTION_WORDS:
                continue
            known = a.is_first(tok) or a.is_last(tok)
            if tok.key in NEVER_NAMES or (a.is_common(tok) and not known):
                continue  # "Hallo Team", "Frau Ministerin"; but "Herr Koch" (a surname)
            j = a.extend(i)
            if cue.kind == "weak" and not known and not (j - i >= 2 and a.tokens[i + 1].text.istitle()):
                continue  # "this is Anna", "called Bibulat Sultygov"; not "called Acme"
            line_rest = text[a.tokens[j - 1].end : line_bounds(text, tok.start, tok.start)[1]]
            if cue.kind in ("closing", "signature") and line_rest.strip(" \t.!"):
                continue  # a signature fills its line: "Grüße, eure Lena", not "Ihr Kundenservice wünscht"
            add(i, j, cue.score)


def _list_names(a: TokenView, add: Callable[[int, int, float], None]) -> None:
    n = len(a.tokens)
    i = 0
    while i < n:
        tok = a.tokens[i]
        if not (a.lower_text or tok.text[0].isupper()):
            i += 1
            continue
        if _unknown_then_surname(a, i):
            # "Czcibor Kaczmarek": a first name the list lacks, then a known surname.
            j = a.extend(i)
            add(i, j, SCORE_WEAK)
            i = j
            continue
        if (
            len(tok.text) < 2
            or not (a.lower_text or a.upper_text or tok.text.istitle())
            or a.acronym(tok)
            or tok.key in _LEGAL_FORMS
            or tok.key in _FUNCTION_WORDS
            or tok.key in NEVER_NAMES
            or not a.is_first(tok)
            or a.is_street(i)
        ):
            i += 1
            continue
        j = a.extend(i)
        score = _list_name_score(a, i, j)
        if score:
            add(i, j, score)
        i = max(j, i + 1)


def _unknown_then_surname(a: TokenView, i: int) -> bool:
    """Token i is a name-like word no list knows, followed by a known surname."""
    if i + 1 >= len(a.tokens):
        return False
    tok, nxt = a.tokens[i], a.tokens[i + 1]
    return (
        len(tok.text) > 2
        and nxt.text.istitle()
        and a.is_last(nxt)
        and a.joined(i, i + 1)
        and a.unknown_capitalised(tok)
        and not a.is_first(tok)
        and not a.is_last(tok)
        and not (a.language == "de" and is_compound_noun(a, tok))
        and not a.is_common(nxt)
        and not a.is_street(i + 1)
        and a.place_kind(i, i + 2) is None
    )


def _list_name_score(a: TokenView, i: int, j: int) -> float:
    """Score of a run that starts with a known first name, or 0 when it is not a person."""
    tok = a.tokens[i]
    place = a.place_kind(i, j)
    if place == "country" or (place and (j - i > 1 or a.after_place_preposition(tok))):
        return 0.0
    if a.ambiguous_first(tok):
        # "Rose", "Will", "Meine": a word unless a known name follows ("Rose Müller", "Will Smith"); in
        # English also an unknown capitalised word ("Harm Niemeier-Gorlitz"). Not in a Title Case line.
        if a.language == "en" and i > 0 and a.joined(i - 1, i) and a.tokens[i - 1].text[0].isupper():
            return 0.0
        # A possessive mid-sentence marks a person too ("here's Ruth's address"; not "Here's").
        if j - i < 2:
            possessive = tok.possessive and tok.key not in _FUNCTION_WORDS and not a.sentence_initial(tok)
            return SCORE_WEAK if possessive and tok.key not in NEVER_NAMES else 0.0
        nxt = a.tokens[i + 1]
        anchored = (
            (a.is_first(nxt) or a.is_last(nxt))
            and nxt.key not in NEVER_NAMES
            and nxt.key not in _FUNCTION_WORDS
            and (not a.is_common(nxt) or (nxt.text[0].isupper() and not a.lower_text))
        )
        # An unknown capitalised word next to it is a surname too ("Erika Mustermann"); in German only if it
        # is no compound of a known noun, since German capitalises every noun ("Erika Gartenpflege").
        unknown_surname = a.unknown_capitalised(nxt) and (
            (a.language == "en" and not a.sentence_initial(tok))
            or (a.language == "de" and a.joined(i, i + 1) and not is_compound_noun(a, nxt))
        )
        if anchored or unknown_surname:
            return SCORE_WEAK
        return 0.0
    surname = any(a.is_last(t) and not a.is_common(t) for t in a.tokens[i + 1 : j])
    if a.after_place_preposition(tok) and not surname:
        return 0.0  # "in Santa Marta de Penaguião"
    if j - i >= 2:
        return SCORE_FULL_NAME
    if place or (a.lower_text and len(tok.text) < 4) or a.after_article(tok):
        return 0.0  # a lone "Florence" may be the city; "ida", "ben" in lowercase chat; "the Jira ticket"
    if a.in_address_block(tok.start, tok.end):
        return 0.0  # "Leke" on the city line of an address
    return SCORE_WEAK


def recognizers(language: str) -> list[EntityRecognizer]:
    """The family's recognizers (see the package docstring)."""
    return [NameRecognizer(language)] if language in ("en", "de") else []


# --- filtering other recognizers' PERSON spans ------------------------------------------------------------
_TECHNICAL = re.compile(r"[\d@/\\|:%=_#<>{}]")


def _plausible_person(a: TokenView, start: int, end: int) -> tuple[int, int] | None:
    """The part of a PERSON span from another recognizer (the NER model) that is plausible as a name, with
    greetings, titles and common words at its edges cut off ("Hi Priya" -> "Priya"), or None."""
    if (
        _TECHNICAL.search(a.text, start, end)
        or "\n" in a.text[start:end]
        or a.house_number_around(start, end)
    ):
        return None
    idx = a.tokens_in(start, end)
    if not idx or a.tokens[idx[0]].key in ARTICLES:
        return None  # "The Swedish Border Force"

    def edge_junk(k: int) -> bool:
        t = a.tokens[k]
        return (
            t.key in NEVER_NAMES
            or t.key in _FUNCTION_WORDS
            or not a.capitalised(t)
            or (a.is_common(t) and not (a.is_first(t) or a.is_last(t)))
        )

    while idx and edge_junk(idx[0]):
        idx.pop(0)
    for n, k in enumerate(idx[1:], 1):
        if not a.capitalised(a.tokens[k]) and a.tokens[k].key not in _PARTICLES:
            idx = idx[:n]  # "Sabine Hoffmann aus Köln"
            break
    while idx and (edge_junk(idx[-1]) or (len(idx) > 1 and a.is_initial(a.tokens[idx[-1]]))):
        idx.pop()
    if not idx:
        return None
    toks = [a.tokens[k] for k in idx]
    start, end = toks[0].start, toks[-1].end
    if any(t.key in _LEGAL_FORMS or a.is_street(k) or a.acronym(t) for k, t in zip(idx, toks, strict=True)):
        return None
    if a.stops_name(idx[-1] + 1) or (len(toks) == 1 and a.in_address_block(start, end)):
        return None  # a company, a street, or "Hamilton" on the city line of an address
    if len(toks) == 1 and a.after_article(toks[0]):
        return None  # "the Jira ticket"
    place = a.place_kind(idx[0], idx[-1] + 1)
    if place and (place in ("country", "region") or a.after_place_preposition(toks[0])):
        return None  # "City: Valencia"
    anchored = any((a.is_first(t) or a.is_last(t)) and not a.ambiguous_first(t) for t in toks) or (
        len(toks) > 1 and all(a.is_first(t) or a.is_last(t) for t in toks)
    )
    if anchored:
        return start, end
    if place or a.after_place_preposition(toks[0]) or (len(toks) == 1 and a.language == "de"):
        return None  # a place; a lone capitalised German word is a noun far more often than a name
    if a.language == "de":
        # No anchor from the lists: no German word, no compound of one, no English word ("Docker"), also
        # as part of a hyphenated word ("Online-Banking").
        lex = a.lex
        for t in toks:
            parts = t.key.split("-")
            if (
                a.is_common(t)
                or is_compound_noun(a, t)
                or any(p in lex.words_en or p in lex.nouns_de for p in parts)
            ):
                return None
        return start, end
    return None if all(a.is_common(t) for t in toks) else (start, end)


def is_compound_noun(a: TokenView, tok: Token) -> bool:
    """German compounds end in a known noun ("Depot|übersicht", "Kunden|konto")."""
    key = tok.key
    return any(key[k:] in a.lex.nouns_de for k in range(3, len(key) - 4))


def source_of(result: RecognizerResult) -> str:
    """The name of the recognizer that produced ``result``."""
    return (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")


def _person_filter(language: str) -> ResultFilter:
    def keep_plausible_persons(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """PERSON spans of other recognizers are cut to their plausible part or dropped; where they overlap
        a name of ours, ours wins (Presidio may have removed it as contained in an equal-scored span).
        No PERSON inside a street address ("Karl-Marx-Allee")."""
        persons = [r for r in results if r.entity_type == ENTITY]
        if not persons:
            return results
        a = token_view(text, language)
        addresses = [
            (r.start, r.end)
            for r in results
            if r.entity_type == "LOCATION"
            and source_of(r) not in (NER_RECOGNIZER_NAME, PLACE_RECOGNIZER_NAME)
        ]
        ours = [(s, e, score) for s, e, score in find_names(text, language) if not _overlaps(s, e, addresses)]
        kept = [r for r in results if r.entity_type != ENTITY]
        for r in persons:
            if _overlaps(r.start, r.end, addresses):
                continue
            if source_of(r) == RECOGNIZER_NAME:
                kept.append(r)
                continue
            span = _plausible_person(a, r.start, r.end)
            if span is None:
                continue
            mine = [(s, e) for s, e, _ in ours if s < span[1] and span[0] < e]
            if len(mine) > 1 or (mine and not (span[0] <= mine[0][0] and mine[0][1] <= span[1])):
                continue  # ours has the better boundaries ("Sabine Hoffmann aus Köln", "Elsbeth zu Agathe")
            kept.append(r if span == (r.start, r.end) else _copy(r, *span))
        for start, end, score in ours:
            if not any(r.entity_type == ENTITY and r.start <= start and end <= r.end for r in kept):
                kept.append(_result(start, end, score))
        return kept

    return keep_plausible_persons


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _copy(result: RecognizerResult, start: int, end: int) -> RecognizerResult:
    return RecognizerResult(
        result.entity_type,
        start,
        end,
        result.score,
        analysis_explanation=result.analysis_explanation,
        recognition_metadata=result.recognition_metadata,
    )


def result_filters(language: str) -> list[ResultFilter]:
    """The family's result filters (see the package docstring)."""
    return [_person_filter(language)] if language in ("en", "de") else []

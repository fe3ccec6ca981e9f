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
  Position matters: a sentence-initial "Will" is a verb, a capitalised "Will" mid-sentence in English is
  a name; in German only the nouns stay ambiguous mid-sentence.

:func:`result_filters` applies the same lists to the PERSON spans of other recognizers (the spaCy model):
spans made only of common words, streets, companies, places or technical strings are dropped.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from maskgate.detection.recognizers import ResultFilter

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
MAX_PLACE_TOKENS = 4


# --- word lists -------------------------------------------------------------------------------------------
def fold(word: str) -> str:
    """Casefold and strip diacritics: "Müller" -> "muller", so a German spelling finds a census entry."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def _lines(name: str) -> Iterator[str]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        for line in fh:
            if line[0] != "#" and line != "\n":
                yield line.rstrip("\n")


def place_key(name: str) -> str:
    """How a place name is looked up: casefolded words separated by single spaces ("St. Gallen" -> "st gallen")."""
    return " ".join(name.casefold().replace(".", " ").split())


def _read_set(name: str) -> frozenset[str]:
    return frozenset(line.casefold() for line in _lines(name))


@dataclass(frozen=True)
class Lexicon:
    """The word lists, casefolded. Loaded once per process (~0.1 s) on first use."""

    first: frozenset[str]
    first_folded: frozenset[str]
    last: frozenset[str]  # folded with :func:`fold`
    nouns_de: frozenset[str]  # German common nouns and their inflected forms
    words_de: frozenset[str]  # other frequent German words (verbs, adjectives, function words)
    words_en: frozenset[str]  # frequent English words that are common words, not proper names
    places: dict[str, str]  # casefolded place name (may have several words) -> country | region | city | place


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
    )


# Capitalised in both languages but never a person or a place here: months, weekdays, holidays, salutation
# and title words, and banking acronyms that happen to be rare first names (Iban) or towns (March).
NEVER_NAMES = frozenset(
    """
    january february march april may june july august september october november december
    januar februar märz mai juni juli oktober dezember jänner
    monday tuesday wednesday thursday friday saturday sunday
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag
    christmas easter weihnachten ostern pfingsten
    english german french spanish italian deutsch englisch
    god gott herr herrn frau fräulein mr mrs ms miss sir madam dame dr prof
    hallo hi hey hello dear liebe lieber moin servus
    iban bic swift pin tan
    """.split()
)

# Pronouns, articles and other closed-class words that even a strong cue must not take for a name.
_FUNCTION_WORDS = frozenset(
    """ich du er sie es wir ihr ihnen ihm ihn mein meine dein deine sein seine unser unsere euer eure
    der die das den dem des ein eine einen einem einer und oder aber nicht bitte danke ja nein hier da
    wie was wer wo wann warum welche welcher welches
    i you he she it we they me him her us them my your his its our their the a an and or but not please
    thanks yes no here there how what who where when why which this that""".split()
)

# What follows a company name or a street name, never a person's name.
_LEGAL_FORMS = frozenset(
    "gmbh ag kg ohg gbr ug se kgaa ev mbh co inc ltd llc plc corp corporation sa nv bv ab oy".split()
)
_STREET_WORDS = frozenset(
    """straße strasse str weg allee gasse platz ring damm ufer chaussee steig pfad street st road rd avenue ave
    lane ln drive boulevard blvd square sq court ct way place pl terrace parkway highway""".split()
)
_STREET_SUFFIX = regex.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee|weg|ring|damm|ufer|str)$")
_STRONG_STREET_SUFFIX = regex.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee)$")

# German derivational suffixes that make nouns and practically never end a name.
_NOUN_SUFFIX = regex.compile(
    r"(?:ung|heit|keit|schaft|tion|sion|tät|ismus|nis|tum|ität|übersicht|konto|nummer|vertrag|adresse)"
    r"(?:en|s|e|n)?$"
)

# Name particles between the parts of a name (Ludwig van Beethoven, Ursula von der Leyen).
_PARTICLES = frozenset("van von der den de del della di da dos das du le la ten ter zu vom al el bin ibn".split())

# Prepositions that put the next capitalised word in a place ("in Austin", "aus Florenz").
_PLACE_BEFORE = regex.compile(
    r"(?i:\b(?:in|aus|nach|bei|from|to|near|at|wohnhaft\s+in|lives\s+in|based\s+in)\s+)$"
)

# --- cues -------------------------------------------------------------------------------------------------
_TITLE = r"(?:Dr|Prof|Dipl\.-Ing|Ing|Mag|med|rer\.\s?nat|jur|phil)\.?"
_CUES: list[tuple[str, float]] = [
    # Each pattern ends right before the name.
    (rf"(?i:\b(?:herrn?|frau|fr\.|hr\.|mr|mrs|ms|mx|miss|sir|madame?|monsieur)\.?(?:\s+{_TITLE})*)\s+", SCORE_CUE),
    (rf"\b(?:Dr|Prof)\.(?:\s+{_TITLE})*\s+", SCORE_CUE),
    (
        r"(?i:\b(?:(?:vor|nach|familien|mädchen|geburts|ruf|last|first|full|maiden|sur|family|given|user)[\s-]?)?"
        r"(?:name|nachname|vorname)n?\s*(?:is|ist|lautet|lauten|:|\?)|\bname's)\s+",
        SCORE_CUE,
    ),
    (
        r"(?i:\b(?:ich\s+heiße|heißt|hieß|hießen|heißen\s+sie\?|nennen\s+mich(?:\s+die\s+leute)?|nennt\s+mich"
        r"|namens|mit\s+namen|my\s+name\s+is|i\s+am\s+called|called|named|call\s+me"
        r"|(?:people|they)\s+call\s+me))\s+",
        SCORE_CUE,
    ),
    (
        r"(?i:\b(?:ansprechpartner(?:in)?|kontakt(?:person)?|kontoinhaber(?:in)?|empfänger(?:in)?|absender(?:in)?"
        r"|inhaber(?:in)?|kunde|kundin|patient(?:in)?|mitarbeiter(?:in)?|unterschrift|vertreten\s+durch"
        r"|contact|account\s+holder|recipient|sender|customer|attn|attention|signed)\s*:|\bz\.\s?hd\.?|\bc/o)"
        r"[ \t]*\n?[ \t]*",
        SCORE_CUE,
    ),
    (
        r"(?i:\b(?:hallo|hi|hey|hello|dear|liebe|lieber|liebes|moin|servus|grüß\s+dich|guten\s+(?:tag|morgen|abend)"
        r"|sehr\s+geehrte[rs]?|good\s+(?:morning|afternoon|evening)))[ \t]+",
        SCORE_CUE,
    ),
    (r"(?i:\b(?:hier\s+spricht|hier\s+ist|ich\s+bin|this\s+is|i'm|i\s+am)\s+)", SCORE_WEAK),
    (
        r"(?im:^[ \t]*(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|beste\s+grüße|liebe\s+grüße"
        r"|herzliche\s+grüße|schöne\s+grüße|mfg|lg|vg|gruß|grüße|best\s+regards|kind\s+regards|warm\s+regards"
        r"|regards|best\s+wishes|best|cheers|thanks|thank\s+you|many\s+thanks|sincerely|yours\s+sincerely"
        r"|yours\s+truly|yours)[ \t]*[,!.]?[ \t]*\n(?:[ \t]*\n)*[ \t]*)",
        SCORE_CUE,
    ),
]
_CUE = regex.compile("|".join(f"(?P<c{i}>{p})" for i, (p, _) in enumerate(_CUES)))

# A word: letters with inner apostrophes (O'Brien) and hyphens (Karl-Georg), not glued to digits (IBANs).
_TOKEN = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_])\p{L}[\p{L}\p{M}]*(?:['’]\p{L}[\p{L}\p{M}]*)*(?:-\p{L}[\p{L}\p{M}]*)*(?![\p{N}_])"
)
_POSSESSIVE = regex.compile(r"['’]s?$")
_SENTENCE_END = frozenset(".!?:;\n•*–")


@dataclass(frozen=True)
class Token:
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

    def _tokens(self) -> Iterator[Token]:
        for m in _TOKEN.finditer(self.text):
            word = m.group()
            strip = _POSSESSIVE.search(word) if "'" in word or "’" in word else None
            end = m.end() - (len(strip.group()) if strip else 0)
            if end > m.start():
                text = self.text[m.start() : end]
                yield Token(m.start(), end, text, text.casefold(), strip is not None)

    # --- token classes ------------------------------------------------------------------------------
    def capitalised(self, tok: Token) -> bool:
        return self.lower_text or tok.text[0].isupper()

    def acronym(self, tok: Token) -> bool:
        """IBAN, AP, CO: all-caps tokens in normal text are not name parts (in an all-caps text they may be)."""
        return len(tok.text) > 1 and tok.text.isupper() and not self.upper_text

    def is_initial(self, tok: Token) -> bool:
        return len(tok.text) == 1 and tok.text.isupper()

    def is_first(self, tok: Token) -> bool:
        key = tok.key
        if key in self.lex.first or fold(key) in self.lex.first_folded:
            return True
        parts = key.split("-")
        return len(parts) > 1 and all(p in self.lex.first for p in parts)

    def is_last(self, tok: Token) -> bool:
        key = fold(tok.key)
        return key in self.lex.last or key.replace("ae", "a").replace("oe", "o").replace("ue", "u") in self.lex.last

    def is_common(self, tok: Token) -> bool:
        """A common word of the language here; a hyphenated token by its last part. German capitalises
        only nouns, so its other words count only where they may be capitalised: at a sentence start
        ("Senden Sie ..."), in lowercase text, or written lowercase."""
        key = tok.key
        if key in NEVER_NAMES:
            return True
        if self.language == "de":
            if _NOUN_SUFFIX.search(key) or self._german_word(tok, key):
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
        """Token j, right after a run, shows the run is a company or a street, not a person."""
        if j >= len(self.tokens) or not self.joined(j - 1, j):
            return False
        return self.tokens[j].key in _LEGAL_FORMS or self.is_street(j)

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

    # --- spans --------------------------------------------------------------------------------------
    def extend(self, i: int) -> int:
        """Index one past the last token of the name that starts at token i."""
        n = len(self.tokens)
        j = i + 1
        while j < n and j - i < MAX_NAME_TOKENS and self.joined(j - 1, j):
            tok = self.tokens[j]
            if tok.key in _PARTICLES and j + 1 < n and self.joined(j, j + 1):
                nxt = self.tokens[j + 1]
                if nxt.text[0].isupper() and not self.is_common(nxt):
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


class NameRecognizer(EntityRecognizer):
    """PERSON from first-name and surname lists plus context cues; see the module docstring."""

    def __init__(self, language: str):
        super().__init__(
            supported_entities=[ENTITY], name=RECOGNIZER_NAME, supported_language=language, version="1.0"
        )

    def load(self) -> None:
        lexicon()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if ENTITY not in entities:
            return []
        return [_result(start, end, score) for start, end, score in find_names(text, self.supported_language)]


def _result(start: int, end: int, score: float) -> RecognizerResult:
    return RecognizerResult(
        ENTITY, start, end, score, recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: RECOGNIZER_NAME}
    )


@functools.lru_cache(maxsize=32)
def find_names(text: str, language: str) -> tuple[tuple[int, int, float], ...]:
    """(start, end, score) of every person name in ``text``. Cached because the recognizer and the
    result filter both need it for the same text."""
    a = TokenView(text, language, lexicon())
    found: dict[int, tuple[int, float]] = {}  # first token index -> (end token index, score)

    def add(i: int, j: int, score: float) -> None:
        if j > i and not a.stops_name(j) and (i not in found or (j, score) > found[i]):
            found[i] = (j, score)

    _cue_names(a, add)
    _list_names(a, add)

    spans: list[tuple[int, int, float]] = []
    covered_until = -1
    for i in sorted(found):
        j, score = found[i]
        if i >= covered_until:
            spans.append((a.tokens[i].start, a.tokens[j - 1].end, score))
            covered_until = j
    return tuple(spans)


def _cue_names(a: TokenView, add: Callable[[int, int, float], None]) -> None:
    for m in _CUE.finditer(a.text):
        i = bisect.bisect_left(a.starts, m.end())
        if i >= len(a.tokens) or a.tokens[i].start != m.end():
            continue
        tok = a.tokens[i]
        if not a.capitalised(tok) or a.acronym(tok) or a.is_street(i) or tok.key in _FUNCTION_WORDS:
            continue
        if tok.key in NEVER_NAMES or (a.is_common(tok) and not (a.is_first(tok) or a.is_last(tok))):
            continue  # "Hallo Team", "Frau Ministerin"; but "Herr Koch" (a surname)
        add(i, a.extend(i), _CUES[int(m.lastgroup[1:])][1])


def _list_names(a: TokenView, add: Callable[[int, int, float], None]) -> None:
    n = len(a.tokens)
    i = 0
    while i < n:
        tok = a.tokens[i]
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
    if i + 1 >= len(a.tokens) or not a.joined(i, i + 1):
        return False
    tok, nxt = a.tokens[i], a.tokens[i + 1]
    return (
        len(tok.text) > 2
        and a.unknown_capitalised(tok)
        and not a.is_first(tok)
        and not a.is_last(tok)
        and not (a.language == "de" and is_compound_noun(a, tok))
        and nxt.text.istitle()
        and a.is_last(nxt)
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
        # English also an unknown capitalised word ("Harm Niemeier-Gorlitz").
        # A possessive mid-sentence marks a person too ("here's Ruth's address"; not "Here's").
        if j - i < 2:
            possessive = tok.possessive and tok.key not in _FUNCTION_WORDS and not a.sentence_initial(tok)
            return SCORE_WEAK if possessive and tok.key not in NEVER_NAMES else 0.0
        nxt = a.tokens[i + 1]
        anchored = (a.is_first(nxt) or a.is_last(nxt)) and not a.is_common(nxt)
        if anchored or (a.language == "en" and a.unknown_capitalised(nxt)):
            return SCORE_WEAK
        return 0.0
    if j - i >= 2:
        return SCORE_FULL_NAME
    if place or (a.lower_text and len(tok.text) < 4):
        return 0.0  # a lone "Florence" or "Austin" may be the city; "ida", "ben" in lowercase chat
    return SCORE_WEAK


def recognizers(language: str) -> list[EntityRecognizer]:
    return [NameRecognizer(language)] if language in ("en", "de") else []


# --- filtering other recognizers' PERSON spans ------------------------------------------------------------
_TECHNICAL = regex.compile(r"[\d@/\\|:%=_#<>{}]")


def _foreign_person_ok(a: TokenView, start: int, end: int) -> bool:
    """Whether a PERSON span from another recognizer (the NER model) is plausible as a name."""
    if _TECHNICAL.search(a.text, start, end):
        return False
    first = bisect.bisect_right(a.starts, start - 1)
    idx = [k for k in range(max(0, first - 1), len(a.tokens)) if a.tokens[k].start < end and a.tokens[k].end > start]
    if not idx:
        return False
    toks = [a.tokens[k] for k in idx]
    if toks[0].key in _FUNCTION_WORDS:
        return False  # "The Swedish Border Force", "Mein Name"
    if any(t.key in _LEGAL_FORMS or a.is_street(k) or a.acronym(t) for k, t in zip(idx, toks, strict=True)):
        return False
    if a.stops_name(idx[-1] + 1):
        return False
    if any((a.is_first(t) or a.is_last(t)) and not a.ambiguous_first(t) for t in toks):
        return a.place_kind(idx[0], idx[-1] + 1) not in ("country", "region")
    if a.place_kind(idx[0], idx[-1] + 1) or a.after_place_preposition(toks[0]):
        return False
    if a.language == "de":
        # No anchor from the lists: keep it only if no token is a German word or a compound of one.
        return not any(a.is_common(t) or is_compound_noun(a, t) for t in toks)
    return not all(a.is_common(t) for t in toks)


def is_compound_noun(a: TokenView, tok: Token) -> bool:
    """German compounds end in a known noun ("Depot|übersicht", "Kunden|konto")."""
    key = tok.key
    return any(key[k:] in a.lex.nouns_de for k in range(3, len(key) - 4))


def _source(result: RecognizerResult) -> str:
    return (result.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY, "")


def _person_filter(language: str) -> ResultFilter:
    def keep_plausible_persons(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        """Drop implausible PERSON spans of other recognizers and any PERSON inside a street address;
        restore ours where a dropped span had absorbed them (Presidio removes a result contained in an
        equal-scored one of the same type)."""
        persons = [r for r in results if r.entity_type == ENTITY]
        if not persons:
            return results
        a = TokenView(text, language, lexicon())
        addresses = [
            r
            for r in results
            if r.entity_type == "LOCATION" and _source(r) not in (NER_RECOGNIZER_NAME, PLACE_RECOGNIZER_NAME)
        ]

        def in_address(start: int, end: int) -> bool:
            return any(r.start < end and start < r.end for r in addresses)

        drop = {
            id(r)
            for r in persons
            if in_address(r.start, r.end)
            or (_source(r) != RECOGNIZER_NAME and not _foreign_person_ok(a, r.start, r.end))
        }
        kept = [r for r in results if id(r) not in drop]
        for start, end, score in find_names(text, language):
            if in_address(start, end):
                continue
            if not any(r.entity_type == ENTITY and r.start <= start and end <= r.end for r in kept):
                kept.append(_result(start, end, score))
        return kept

    return keep_plausible_persons


def result_filters(language: str) -> list[ResultFilter]:
    return [_person_filter(language)] if language in ("en", "de") else []

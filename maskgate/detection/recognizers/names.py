"""Person names in English and German text, without a German NER model.

The only NER model available offline is English. On German text it misses many names and, because German
capitalises every noun, tags nouns and polite forms ("Konto", "Könnten Sie", "Depotübersicht") as PERSON.
Capitalisation alone therefore says little in German; this module combines it with word lists and context:

- a first-name list (54k names from 50+ countries) and a surname list, both from independent sources
  (see ``maskgate/detection/data/README.md``), which anchor a name: a known first name followed by
  capitalised tokens that are not common words ("Jürgen Weber", "Tilly Bolander");
- context cues that announce a name whatever its spelling: titles (Herr, Frau, Dr., Mr, Mrs), salutations
  (Hallo, Liebe, Dear, Hi), labels (Name:, Ansprechpartner:), naming phrases (Mein Name ist, ich heiße,
  my name is) and the line after a closing formula (Mit freundlichen Grüßen, Best regards);
- lists of common German and English words, which keep nouns, verbs and function words out of names and
  decide when a first name that is also a word ("Rose", "Will", "Mark") needs context.

The same lists drive :func:`result_filters`, which drops PERSON spans from other recognizers (the spaCy
model) that consist only of common words, streets, companies or technical strings.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

ENTITY = "PERSON"
RECOGNIZER_NAME = "NameRecognizer"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Scores: a cue or a full name (first name + surname) is near certain; a lone first name is likely.
SCORE_CUE = 0.85
SCORE_FULL_NAME = 0.85
SCORE_SALUTATION = 0.8
SCORE_FIRST_NAME = 0.65
SCORE_WEAK_CUE = 0.7

MAX_NAME_TOKENS = 4

ResultFilter = Callable[[str, list[RecognizerResult]], list[RecognizerResult]]


def _read_list(name: str) -> frozenset[str]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n").casefold() for line in fh if line[0] != "#" and line != "\n")


def fold(word: str) -> str:
    """Casefold and strip diacritics: "Müller" -> "muller", so a German spelling finds a census entry."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


# Words that are capitalised in both languages but never a person: months, weekdays, languages/nationalities
# that double as first names in the lists, and salutations' own nouns.
_NEVER_NAMES = frozenset(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "januar", "februar", "märz", "mai", "juni", "juli", "oktober", "dezember", "jänner", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag", "christmas", "easter", "weihnachten", "ostern", "pfingsten", "english", "german", "french", "spanish", "italian", "deutsch", "englisch", "god", "gott", "herr", "herrn", "frau", "fräulein", "mr", "mrs", "ms", "miss", "sir", "madam", "dame", "hallo", "hi", "hey", "hello", "dear", "liebe", "lieber", "moin", "servus"]
)


@dataclass(frozen=True)
class Lexicon:
    """The word lists, casefolded. Loaded once per process (about 0.2 s) on first use."""

    first: frozenset[str]
    last: frozenset[str]  # folded with :func:`fold`
    words: dict[str, frozenset[str]]
    places: frozenset[str]  # countries, regions, cities; may span several words ("bad liebenwerda")

    def common(self, key: str, language: str) -> bool:
        return key in self.words[language] or key in _NEVER_NAMES


@functools.cache
def lexicon() -> Lexicon:
    last = frozenset(fold(n) for n in _read_list("names_last.txt"))
    return Lexicon(
        first=_read_list("names_first.txt"),
        last=last,
        words={"de": _read_list("names_words_de.txt"), "en": _read_list("names_words_en.txt")},
        places=_read_list("locations_geonames.txt") | _read_list("locations_toponyms_de.txt"),
    )


# A word: letters with inner apostrophes (O'Brien, d'Angelo) and hyphens (Karl-Georg, Wirth-Förster).
_TOKEN = regex.compile(r"\p{L}[\p{L}\p{M}]*(?:['’]\p{L}[\p{L}\p{M}]*)*(?:-\p{L}[\p{L}\p{M}]*(?:['’]\p{L}+)*)*")
_POSSESSIVE = regex.compile(r"['’]s?$")

# What follows a company name, a street name or a house number, never a person's name.
_LEGAL_FORMS = frozenset(
    ["gmbh", "ag", "kg", "ohg", "gbr", "ug", "se", "kgaa", "ev", "e.v", "mbh", "co", "inc", "ltd", "llc", "plc", "corp", "corporation", "sa", "nv", "bv", "ab", "oy", "as"]
)
_STREET_WORDS = frozenset(
    ["straße", "strasse", "str", "weg", "allee", "gasse", "platz", "ring", "damm", "ufer", "chaussee", "steig", "pfad", "street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "boulevard", "blvd", "square", "sq", "court", "ct", "way", "place", "pl", "terrace", "parkway", "highway"]
)
_STREET_SUFFIX = regex.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee|weg|ring|damm|ufer|str)$")
_STRONG_STREET_SUFFIX = regex.compile(r"(?:straße|strasse|allee|gasse|platz|chaussee)$")

# German derivational suffixes that make nouns and practically never end a name.
_NOUN_SUFFIX = regex.compile(
    r"(?:ung|heit|keit|schaft|tion|sion|tät|ismus|nis|tum|ität|übersicht|konto|nummer|vertrag|adresse)"
    r"(?:en|s|e|n)?$"
)

# Name particles that may stand between the parts of a name (Ludwig van Beethoven, Ursula von der Leyen).
_PARTICLES = frozenset(["van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "le", "la", "ten", "ter", "zu", "vom", "al", "el", "bin", "ibn"])

# Cues, matched case-insensitively where the casing of the cue itself carries nothing.
_TITLE = r"(?:Dr|Prof|Dipl\.-Ing|Ing|Mag|med|rer\.\s?nat|jur|phil)\.?"
_CUES: list[tuple[str, float, bool]] = [
    # (pattern ending right before the name, score, strict: the name may be a common word)
    (rf"\b(?:Herrn?|Frau|Fr\.|Hr\.|Mr|Mrs|Ms|Mx|Miss|Sir|Madame?|Monsieur)\.?(?:\s+{_TITLE})*\s+", SCORE_CUE, True),
    (rf"\b(?:Dr|Prof)\.(?:\s+{_TITLE})*\s+", SCORE_CUE, True),
    (
        r"(?i:\b(?:(?:vor|nach|familien|mädchen|geburts|ruf|last|first|full|maiden|sur|family|given|user)[\s-]?)?"
        r"(?:name|nachname|vorname)n?\s*(?:is|ist|lautet|lauten|:|\?)|\bname's)\s+",
        SCORE_CUE,
        True,
    ),
    (
        r"(?i:\b(?:ich\s+heiße|heißt|hieß|hießen|heißen\s+sie\?|nennen\s+mich(?:\s+die\s+leute)?|nennt\s+mich"
        r"|namens|mit\s+namen|my\s+name\s+is|i\s+am\s+called|called|named|call\s+me"
        r"|(?:people|they)\s+call\s+me|what's\s+your\s+name\?|wie\s+heißen\s+sie\?))\s+",
        SCORE_CUE,
        True,
    ),
    (
        r"(?i:\b(?:ansprechpartner(?:in)?|kontakt(?:person)?|kontoinhaber(?:in)?|empfänger(?:in)?|absender(?:in)?"
        r"|inhaber(?:in)?|kunde|kundin|patient(?:in)?|mitarbeiter(?:in)?|unterschrift|vertreten\s+durch"
        r"|contact|account\s+holder|recipient|sender|customer|attn|attention|signed)\s*:|\bz\.\s?hd\.?|\bc/o)"
        r"[ \t]*\n?[ \t]*",
        SCORE_CUE,
        True,
    ),
    (
        r"(?i:\b(?:hallo|hi|hey|hello|dear|liebe|lieber|liebes|moin|servus|grüß\s+dich|guten\s+(?:tag|morgen|abend)"
        r"|sehr\s+geehrte[rs]?|good\s+(?:morning|afternoon|evening)))[ \t]+",
        SCORE_SALUTATION,
        False,
    ),
    (
        r"(?i:\b(?:hier\s+spricht|hier\s+ist|ich\s+bin|this\s+is|i'm|i\s+am|mit\s+(?:herrn?|frau))\s+)",
        SCORE_WEAK_CUE,
        False,
    ),
    (
        r"(?im:^[ \t]*(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|viele\s+grüße|beste\s+grüße|liebe\s+grüße"
        r"|herzliche\s+grüße|schöne\s+grüße|mfg|lg|vg|gruß|grüße|best\s+regards|kind\s+regards|warm\s+regards"
        r"|regards|best\s+wishes|best|cheers|thanks|thank\s+you|many\s+thanks|sincerely|yours\s+sincerely"
        r"|yours\s+truly|yours)[ \t]*[,!.]?[ \t]*\n(?:[ \t]*\n)*[ \t]*)",
        SCORE_CUE,
        False,
    ),
]
_CUE = regex.compile("|".join(f"(?P<c{i}>{p})" for i, (p, _, _) in enumerate(_CUES)))


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str  # without a trailing possessive 's


class _Analysis:
    """Token classification for one text and language, computed lazily and cached per token."""

    def __init__(self, text: str, language: str, lex: Lexicon):
        self.text = text
        self.language = language
        self.lex = lex
        self.lower_text = text == text.lower()  # "lisa otto\nheidrich gmbh": casing cannot help
        self.upper_text = text == text.upper()
        self.tokens = list(self._tokens())

    def _tokens(self) -> Iterator[_Token]:
        for m in _TOKEN.finditer(self.text):
            word = m.group()
            strip = _POSSESSIVE.search(word) if "'" in word or "’" in word else None
            end = m.end() - (len(strip.group()) if strip else 0)
            if end > m.start():
                yield _Token(m.start(), end, self.text[m.start() : end])

    # --- token classes ------------------------------------------------------------------------------
    def capitalised(self, tok: _Token) -> bool:
        return self.lower_text or tok.text[0].isupper()

    def is_first(self, tok: _Token) -> bool:
        key = tok.text.casefold()
        if key in self.lex.first:
            return True
        parts = key.split("-")
        return len(parts) > 1 and all(p in self.lex.first for p in parts)

    def is_last(self, tok: _Token) -> bool:
        key = fold(tok.text)
        return key in self.lex.last or key.replace("ae", "a").replace("oe", "o").replace("ue", "u") in self.lex.last

    def is_common(self, tok: _Token) -> bool:
        """A common word of the language: a noun, verb, function word; a hyphenated token by its last part."""
        key = tok.text.casefold()
        if self.lex.common(key, self.language):
            return True
        if self.language == "de" and _NOUN_SUFFIX.search(key):
            return True
        last = key.rsplit("-", 1)[-1]
        return last != key and self.lex.common(last, self.language) and fold(last) not in self.lex.last

    def acronym(self, tok: _Token) -> bool:
        """IBAN, PDF, GmbH-style tokens in normal text are not name parts (in an all-caps text they may be)."""
        return len(tok.text) > 1 and tok.text.isupper() and not self.upper_text

    def is_initial(self, tok: _Token) -> bool:
        return len(tok.text) == 1 and tok.text.isupper()

    def is_street(self, i: int) -> bool:
        tok = self.tokens[i]
        key = tok.text.casefold()
        if key in _STREET_WORDS:
            return True
        if _STRONG_STREET_SUFFIX.search(key) and len(key) > 6:
            return True
        if _STREET_SUFFIX.search(key) and len(key) > 5:
            after = self.text[tok.end : tok.end + 3]
            return after[:1] == "." or (after[:1] == " " and after[1:2].isdigit())
        return False

    def stops_name(self, i: int) -> bool:
        """The token after a run shows the run is a company or a street, not a person."""
        if i >= len(self.tokens) or not self.joined(i - 1, i):
            return False
        key = self.tokens[i].text.casefold()
        return key in _LEGAL_FORMS or self.is_street(i)

    def joined(self, i: int, j: int) -> bool:
        """Tokens i and j are adjacent words of one name: separated by spaces only (or an initial's dot)."""
        gap = self.text[self.tokens[i].end : self.tokens[j].start]
        if gap.strip(" \t") == "":
            return 0 < len(gap) <= 3
        return gap in (". ", ".") and self.is_initial(self.tokens[i])

    # --- spans --------------------------------------------------------------------------------------
    def extend(self, i: int) -> int:
        """Index one past the last token of the name starting at token i."""
        j = i + 1
        while j < len(self.tokens) and j - i < MAX_NAME_TOKENS and self.joined(j - 1, j):
            tok = self.tokens[j]
            key = tok.text.casefold()
            if key in _PARTICLES and j + 1 < len(self.tokens) and self.joined(j, j + 1):
                nxt = self.tokens[j + 1]
                if nxt.text[0].isupper() and not self.is_common(nxt):
                    j += 2
                    continue
                break
            if not self.capitalised(tok) or self.is_street(j) or key in _LEGAL_FORMS or self.acronym(tok):
                break
            if self.is_initial(tok) or self.is_first(tok) or self.is_last(tok):
                j += 1
                continue
            if self.is_common(tok):
                break
            j += 1
        return j

    def name_tokens_ok(self, i: int, j: int) -> bool:
        """Reject runs whose last token is an initial or a particle (a trailing "A" is an article)."""
        last = self.tokens[j - 1]
        return not (j - i > 1 and self.is_initial(last))


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
        spans = find_names(text, self.supported_language)
        return [
            RecognizerResult(
                ENTITY,
                start,
                end,
                score,
                analysis_explanation=None,
                recognition_metadata={
                    RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                    RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                },
            )
            for start, end, score in spans
        ]


def find_names(text: str, language: str) -> list[tuple[int, int, float]]:
    """(start, end, score) of every person name found in ``text``."""
    a = _Analysis(text, language, lexicon())
    if not a.tokens:
        return []
    found: dict[int, tuple[int, int, float]] = {}  # first token index -> (end token index, start, score)

    def add(i: int, j: int, score: float) -> None:
        if j <= i or not a.name_tokens_ok(i, j) or a.stops_name(j):
            return
        prev = found.get(i)
        if prev is None or (j, score) > (prev[0], prev[2]):
            found[i] = (j, a.tokens[i].start, score)

    starts = [t.start for t in a.tokens]
    _cue_names(a, starts, add)
    _list_names(a, add)

    spans: list[tuple[int, int, float]] = []
    covered_until = -1
    for i in sorted(found):
        j, start, score = found[i]
        if i < covered_until:
            continue
        spans.append((start, a.tokens[j - 1].end, score))
        covered_until = j
    return spans


def _cue_names(a: _Analysis, starts: list[int], add: Callable[[int, int, float], None]) -> None:
    import bisect

    for m in _CUE.finditer(a.text):
        i = bisect.bisect_left(starts, m.end())
        if i >= len(a.tokens) or a.tokens[i].start != m.end():
            continue
        index = int(m.lastgroup[1:])
        _, score, strict = _CUES[index]
        tok = a.tokens[i]
        key = tok.text.casefold()
        if not a.capitalised(tok) or a.is_street(i) or key in _NEVER_NAMES or key in _FUNCTION_WORDS:
            continue
        if a.is_common(tok) and not (a.is_first(tok) or a.is_last(tok)) and not strict:
            continue
        add(i, a.extend(i), score)


# Pronouns and other closed-class words that even a strong cue must not take for a name ("Name: Sie").
_FUNCTION_WORDS = frozenset(
    ["ich", "du", "er", "sie", "es", "wir", "ihr", "ihnen", "ihm", "ihn", "mein", "meine", "dein", "deine", "sein", "seine", "unser", "unsere", "euer", "eure", "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer", "und", "oder", "aber", "nicht", "bitte", "danke", "ja", "nein", "hier", "da", "wie", "was", "wer", "wo", "wann", "warum", "welche", "welcher", "welches", "i", "you", "he", "she", "it", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "its", "our", "their", "the", "a", "an", "and", "or", "but", "not", "please", "thanks", "yes", "no", "here", "there", "how", "what", "who", "where", "when", "why", "which", "this", "that"]
)


def _list_names(a: _Analysis, add: Callable[[int, int, float], None]) -> None:
    n = len(a.tokens)
    i = 0
    while i < n:
        tok = a.tokens[i]
        if not a.capitalised(tok) or len(tok.text) < 2 or not a.is_first(tok) or a.is_street(i):
            i += 1
            continue
        j = a.extend(i)
        if tok.text.casefold() in _NEVER_NAMES or a.is_common(tok):
            # "Rose", "Will", "Meine": a word unless a known name follows ("Rose Müller", "Will Smith").
            nxt = a.tokens[i + 1] if j - i >= 2 else None
            if nxt is not None and (a.is_first(nxt) or a.is_last(nxt)) and not a.is_common(nxt):
                add(i, j, SCORE_FIRST_NAME)
        elif j - i >= 2 and not a.is_initial(a.tokens[j - 1]):
            add(i, j, SCORE_FULL_NAME)
        elif not (a.lower_text and len(tok.text) < 4):
            add(i, j, SCORE_FIRST_NAME)
        i = max(j, i + 1)


def recognizers(language: str) -> list[EntityRecognizer]:
    if language not in ("en", "de"):
        return []
    return [NameRecognizer(language)]


# --- filtering other recognizers' PERSON spans ------------------------------------------------------------
_TECHNICAL = regex.compile(r"[\d@/\\|:%=_#<>{}]")


def _foreign_person_ok(a: _Analysis, start: int, end: int) -> bool:
    """Whether a PERSON span from another recognizer (the NER model) is plausible as a name."""
    span = a.text[start:end]
    if _TECHNICAL.search(span):
        return False
    idx = [k for k, t in enumerate(a.tokens) if t.start < end and t.end > start]
    if not idx:
        return False
    toks = [a.tokens[k] for k in idx]
    if any(t.text.casefold() in _LEGAL_FORMS or a.is_street(k) for k, t in zip(idx, toks, strict=True)):
        return False
    if idx[-1] + 1 < len(a.tokens) and a.stops_name(idx[-1] + 1):
        return False
    if any(a.is_first(t) or (a.is_last(t) and not a.is_common(t)) for t in toks):
        return True
    if a.language == "de":
        # No anchor from the lists: keep it only if no token is a German word or a compound of one.
        return not any(a.is_common(t) or _is_compound_noun(a, t) for t in toks)
    return not all(a.is_common(t) for t in toks)


def _is_compound_noun(a: _Analysis, tok: _Token) -> bool:
    """German compounds end in a known noun ("Depot|übersicht", "Kunden|konto")."""
    key = tok.text.casefold()
    words = a.lex.words["de"]
    return any(key[k:] in words for k in range(3, len(key) - 4))


def _person_filter(language: str) -> ResultFilter:
    def keep_plausible_persons(text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        foreign = [
            r
            for r in results
            if r.entity_type == ENTITY
            and (r.recognition_metadata or {}).get(RecognizerResult.RECOGNIZER_NAME_KEY) != RECOGNIZER_NAME
        ]
        if not foreign:
            return results
        a = _Analysis(text, language, lexicon())
        drop = {id(r) for r in foreign if not _foreign_person_ok(a, r.start, r.end)}
        return [r for r in results if id(r) not in drop]

    return keep_plausible_persons


def result_filters(language: str) -> list[ResultFilter]:
    if language not in ("en", "de"):
        return []
    return [_person_filter(language)]

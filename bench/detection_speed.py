"""Detection speed: maskgate vs plain Presidio on ~2 KB prompts, in the same process, interleaved.

    .venv/bin/python bench/detection_speed.py [--rounds 60] [--warmup 5] [--profile]

Both detectors are built first, then warmed up; each round times one call of each on the English and the
German prompt, rotating which system goes first, so machine noise (this is a shared 2-core box) hits all
alike. maskgate runs with its span cache disabled: every call is a full detection. Presidio runs as in
``bench/detection_quality.py`` (default recognizers, the same spaCy model). The ratio is maskgate / Presidio.
For scale, the last column times the spaCy NER component alone on the same text: the floor for any
detector built on this model.
``--profile`` prints where maskgate's time goes (cProfile, top functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from plain_presidio import plain_presidio

from maskgate.detection import Detector, SpanCache
from maskgate.detection.nlp import load_ner_pipeline
from maskgate.policy import DEFAULT_MODEL

ENGLISH_PROMPT = """\
Hi, I need help drafting a reply to a customer complaint. Here is the background.

The customer, Margaret O'Connell, called our support line on March 3rd, 2024 about a duplicate charge on
her Visa card 4539 1488 0343 6467. She says the second payment of $249.00 went out on 02/28/2024 although
she cancelled the order (order no. 88213) the day before. Her account manager is David Okafor; he is on
leave until next Monday, so please address the reply from me, Priya Raman, Customer Success Lead.

Her contact details from the CRM:
  Email: margaret.oconnell@bluewillow-consulting.com
  Phone: (415) 555-0198, mobile +1 628 555 0143
  Address: 1847 Larkin Street, Apt 5B, San Francisco, CA 94109
  Refunds go to her bank account: IBAN GB33 BUKB 2020 1555 5555 55

She mentioned she already wrote to billing@acme-payments.io and got no answer, and that our status page
https://status.acme-payments.io/incidents/4471 showed an outage at that time. Our logs show her session
came from 73.162.44.201 and the retry from 2001:db8:85a3::8a2e:370:7334, which matches the outage window.

Please write a short, friendly email that (1) apologizes for the double charge, (2) confirms the refund of
$249.00 within 5 business days to the card ending in 6467, (3) gives her a direct line to Priya at
+1 (415) 555-0123, and (4) offers a 20% discount code for her next order. Keep it under 200 words, no
legal language, and do not mention the outage details. Sign it "Priya Raman, Acme Payments".
Also add a one-line internal note for David so he can follow up when he is back in Chicago.

For context, the previous ticket (opened 2023-11-17 by her colleague Tom Brennan,
tom.brennan@bluewillow-consulting.com) was about a failed SEPA transfer and was closed by Lucia Fernandez
from our Dublin office.
Tom can be reached at 020 7946 0958 if Margaret refers to it. Don't mention Tom or Lucia in the email itself.
"""

GERMAN_PROMPT = """\
Hallo, bitte hilf mir, eine Antwort auf folgende Kundenanfrage zu formulieren.

Frau Sabine Hoffmann hat sich am 14. März 2024 bei uns gemeldet. Sie ist seit dem 01.07.2019 Kundin und
möchte ihre Lastschrift auf ein neues Konto umstellen. Die alte Bankverbindung war
DE89 3704 0044 0532 0130 00, die neue lautet DE02 1203 0000 0000 2020 51 bei der Sparkasse Köln.
Ihr Ansprechpartner bei uns ist Herr Dr. Thomas Becker aus der Filiale in Hamburg.

Kontaktdaten laut Kundenakte:
  E-Mail: sabine.hoffmann@posteo.de
  Telefon: 0221 4567890, mobil 0171/2345678
  Anschrift: Lindenallee 23, 50968 Köln
  Geburtsdatum: 12.05.1978

Außerdem schreibt sie, dass ihr Mann Jürgen Hoffmann ebenfalls ein Depot bei uns hat und die
Depotübersicht für März nicht per Post, sondern an juergen.hoffmann@web.de geschickt werden soll.
Ihre Kreditkarte 5425 2334 3010 9903 soll gesperrt werden, da sie sie am Wochenende in München verloren
hat. Sie hat sich über unser Kundenportal https://banking.beispielbank.de/login von der IP 84.142.17.203
eingeloggt und konnte die Sperre dort nicht selbst vornehmen.

Bitte formuliere eine kurze, freundliche Antwort in der Sie-Form, die (1) die Umstellung der Lastschrift
zum 1. April bestätigt, (2) die Sperrung der Karte bestätigt und eine Ersatzkarte an die oben genannte
Anschrift ankündigt, (3) erklärt, dass die Depotübersicht ihres Mannes nur auf seinen eigenen Wunsch an
eine andere Adresse gehen kann, und (4) die Durchwahl von Herrn Becker nennt: +49 40 3698 1234.
Bitte maximal 180 Wörter, keine Floskeln. Unterschrift: Ihr Service-Team der Beispielbank.

Zur Info: Die letzte Beschwerde von Frau Hoffmann (Vorgang vom 03.11.2023) hat Frau Katrin Schulz aus
Düsseldorf bearbeitet, erreichbar unter 0211 9876543 oder katrin.schulz@beispielbank.de. Bitte erwähne
Frau Schulz in der Antwort nicht; die Steuer-ID der Kundin (12 345 678 903) gehört ebenfalls nicht hinein.
"""

PROMPTS = {"en": ENGLISH_PROMPT, "de": GERMAN_PROMPT}


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile maskgate and print the top functions")
    args = parser.parse_args(argv)

    presidio = plain_presidio()
    detector = Detector(cache=SpanCache(max_entries=0))
    ner_only = load_ner_pipeline(DEFAULT_MODEL)
    systems: dict[str, Callable[[str, str], object]] = {
        "maskgate": lambda text, language: detector.detect(text, language),
        "presidio": lambda text, language: presidio.analyze(text=text, language=language, score_threshold=0),
        "ner-only": lambda text, language: ner_only(text),
    }
    for _ in range(args.warmup):
        for language, text in PROMPTS.items():
            for run in systems.values():
                run(text, language)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.rounds):
            for language, text in PROMPTS.items():
                detector.detect(text, language)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return 0

    samples: dict[tuple[str, str], list[float]] = {(s, lang): [] for s in systems for lang in PROMPTS}
    for round_no in range(args.rounds):
        order = list(systems)[round_no % len(systems) :] + list(systems)[: round_no % len(systems)]
        for language, text in PROMPTS.items():
            for system in order:
                samples[(system, language)].append(timed(lambda: systems[system](text, language)))  # noqa: B023

    print(f"\n{args.rounds} rounds after {args.warmup} warm-up rounds; times in ms\n")
    print(
        "| prompt | chars | maskgate median | maskgate p95 | presidio median | presidio p95 "
        "| ratio median | ratio p95 | NER pass alone, median |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for language, text in PROMPTS.items():
        ours, theirs = samples[("maskgate", language)], samples[("presidio", language)]
        m_med, m_p95 = statistics.median(ours) * 1000, p95(ours) * 1000
        p_med, p_p95 = statistics.median(theirs) * 1000, p95(theirs) * 1000
        n_med = statistics.median(samples[("ner-only", language)]) * 1000
        print(
            f"| {language} | {len(text)} | {m_med:.1f} | {m_p95:.1f} | {p_med:.1f} | {p_p95:.1f} "
            f"| **{m_med / p_med:.2f}x** | {m_p95 / p_p95:.2f}x | {n_med:.1f} ({n_med / p_med:.2f}x) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

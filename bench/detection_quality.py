"""Detection quality: maskgate vs plain Presidio on the labelled evaluation sets, side by side.

    .venv/bin/python bench/detection_quality.py [--eval-dir ../shared/eval] [--skip-presidio]
        [--show-errors LABEL] [--given-language]

Each ``*.jsonl`` file of the evaluation directory holds sentences with gold spans (``start``, ``end``,
``label``). For every file the script prints per-label precision, recall and F1 of both detectors and the
micro average over the scored labels (``SCORED``).

Matching rule (overlap, one-to-one). Within one sentence, a predicted span and a gold span *can match* when
they have the same label and share at least one character (``p.start < g.end and g.start < p.end``). Among
the possible pairs a maximum one-to-one matching is taken (each gold span and each prediction is used at most
once; ties are irrelevant because only the number of pairs counts). Then per label:
TP = matched pairs, FP = predictions left unmatched, FN = gold spans left unmatched.
Consequence for addresses: the gold marks street, number, postcode and city as separate adjacent LOCATION
spans where the sentence template had separate placeholders, and a whole address as one span where it had
one. A single prediction covering four gold parts is one TP and three FN; four predictions inside one gold
address are one TP and three FP. The rule is not relaxed for this: granularity differences cost what they
cost, in both directions, for both detectors alike.

Labels. Gold labels outside ``SCORED`` (ORGANIZATION, NRP, AGE, TITLE, ...) are shown but not part of the
micro average; predictions of labels outside ``SCORED`` (secrets, national ids such as a German tax id,
ORGANIZATION, ...) are ignored in the micro average too. No type is renamed: every type maskgate reports
for the scored kinds already has Presidio's name (a street address is LOCATION, as in the gold).

Setup. maskgate runs with the default policy and guesses each sentence's language itself (as in production;
``--given-language`` passes the file's language instead). Presidio runs as its users run it: the default
recognizer registry for the sentence's language (given, not guessed), the same spaCy model for ``en`` and
``de``, Presidio's default NER configuration, score threshold 0. Its e-mail recognizer is pointed at the
bundled Public Suffix List so it does not fetch one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plain_presidio import plain_presidio

from maskgate.detection import Detector

REPO = Path(__file__).resolve().parent.parent

SCORED = (
    "PERSON", "LOCATION", "DATE_TIME", "EMAIL_ADDRESS", "PHONE_NUMBER", "URL", "IBAN_CODE", "CREDIT_CARD",
    "IP_ADDRESS",
)
TARGETS: dict[str, dict[str, float]] = {
    "en.jsonl": {"micro": 0.85},
    "en_devalues.jsonl": {"micro": 0.85},
    "de.jsonl": {"micro": 0.80, "PERSON": 0.80},
}

Span = tuple[int, int, str]
Predict = Callable[[str, str], list[Span]]


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match(gold: Sequence[Span], predicted: Sequence[Span]) -> list[tuple[int, int]]:
    """Maximum one-to-one matching of overlapping same-label spans (Kuhn's augmenting paths)."""
    candidates = [
        [j for j, p in enumerate(predicted) if p[2] == g[2] and p[0] < g[1] and g[0] < p[1]] for g in gold
    ]
    owner: dict[int, int] = {}  # prediction index -> gold index

    def augment(g: int, seen: set[int]) -> bool:
        for j in candidates[g]:
            if j not in seen:
                seen.add(j)
                if j not in owner or augment(owner[j], seen):
                    owner[j] = g
                    return True
        return False

    for g in range(len(gold)):
        augment(g, set())
    return [(g, j) for j, g in owner.items()]


def score_sentence(gold: Sequence[Span], predicted: Sequence[Span]) -> tuple[dict[str, Counts], set, set]:
    pairs = match(gold, predicted)
    matched_gold = {g for g, _ in pairs}
    matched_pred = {j for _, j in pairs}
    counts: dict[str, Counts] = {}
    for g, span in enumerate(gold):
        c = counts.setdefault(span[2], Counts())
        if g in matched_gold:
            c.tp += 1
        else:
            c.fn += 1
    for j, span in enumerate(predicted):
        if j not in matched_pred:
            counts.setdefault(span[2], Counts()).fp += 1
    return counts, matched_gold, matched_pred


Totals = dict[str, Counts]


def evaluate(rows: Iterable[dict], predict: Predict, show_errors: str | None) -> tuple[Totals, float]:
    totals: dict[str, Counts] = {}
    elapsed = 0.0
    for row in rows:
        text = row["text"]
        gold = [(s["start"], s["end"], s["label"]) for s in row["spans"]]
        started = time.perf_counter()
        predicted = predict(text, row["lang"])
        elapsed += time.perf_counter() - started
        counts, matched_gold, matched_pred = score_sentence(gold, predicted)
        for label, c in counts.items():
            totals.setdefault(label, Counts()).add(c)
        if show_errors:
            for g, (start, end, label) in enumerate(gold):
                if label == show_errors and g not in matched_gold:
                    print(f"  FN {row['id']}: {text[start:end]!r} in {_excerpt(text, start, end)}")
            for j, (start, end, label) in enumerate(predicted):
                if label == show_errors and j not in matched_pred:
                    print(f"  FP {row['id']}: {text[start:end]!r} in {_excerpt(text, start, end)}")
    return totals, elapsed


def _excerpt(text: str, start: int, end: int) -> str:
    return repr(text[max(0, start - 40) : end + 40])


def micro(totals: dict[str, Counts]) -> Counts:
    result = Counts()
    for label in SCORED:
        result.add(totals.get(label, Counts()))
    return result


def maskgate_predictor(detector: Detector, given_language: bool) -> Predict:
    def predict(text: str, language: str) -> list[Span]:
        found = detector.detect(text, language if given_language else None)
        return [(e.start, e.end, e.type) for e in found]

    return predict


def presidio_predictor() -> Predict:
    analyzer = plain_presidio()

    def predict(text: str, language: str) -> list[Span]:
        found = analyzer.analyze(text=text, language=language, score_threshold=0)
        return [(r.start, r.end, r.entity_type) for r in found]

    return predict


def report(name: str, results: dict[str, tuple[Totals, float]], sentences: int) -> dict[str, float]:
    """Print one markdown table for a file; return the F1 figures the targets are checked against."""
    systems = list(results)
    labels = sorted({label for totals, _ in results.values() for label in totals}, key=_label_order)
    print(f"\n### {name} ({sentences} sentences)\n")
    print("| label | " + " | ".join(f"{s} P | {s} R | {s} F1" for s in systems) + " | gold spans |")
    print("|---|" + "---:|" * (3 * len(systems) + 1))
    for label in labels:
        gold = results[systems[0]][0].get(label, Counts())
        cells = " | ".join(_cells(results[s][0].get(label, Counts())) for s in systems)
        shown = label if label in SCORED else f"{label} (not scored)"
        print(f"| {shown} | {cells} | {gold.tp + gold.fn} |")
    summary: dict[str, float] = {}
    for system in systems:
        summary[f"{system}.micro"] = micro(results[system][0]).f1
        summary[f"{system}.PERSON"] = results[system][0].get("PERSON", Counts()).f1
    cells = " | ".join(_cells(micro(results[s][0]), bold=True) for s in systems)
    print(f"| **micro, scored labels** | {cells} | |")
    timing = ", ".join(f"{s} {results[s][1] / sentences * 1000:.1f} ms" for s in systems)
    print(f"\nmean time per sentence: {timing}")
    return summary


def _cells(c: Counts, bold: bool = False) -> str:
    """P, R, F1; "–" where a figure is undefined (no predictions, or no gold spans, of the label)."""
    predicted, gold = c.tp + c.fp, c.tp + c.fn
    values = (
        f"{c.precision:.2f}" if predicted else "–",
        f"{c.recall:.2f}" if gold else "–",
        f"{c.f1:.2f}" if predicted and gold else ("0.00" if predicted or gold else "–"),
    )
    return " | ".join(f"**{v}**" if bold else v for v in values)


def _label_order(label: str) -> tuple[int, str]:
    return (SCORED.index(label) if label in SCORED else len(SCORED), label)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--skip-presidio", action="store_true", help="measure maskgate only (faster)")
    parser.add_argument("--show-errors", metavar="LABEL", help="print maskgate's misses and false positives")
    parser.add_argument("--given-language", action="store_true", help="pass each file's language to maskgate")
    parser.add_argument("--files", nargs="*", help="file names inside --eval-dir (default: all *.jsonl)")
    args = parser.parse_args(argv)

    files = [args.eval_dir / f for f in args.files] if args.files else sorted(args.eval_dir.glob("*.jsonl"))
    predictors: dict[str, Predict] = {}
    if not args.skip_presidio:
        predictors["presidio"] = presidio_predictor()
    predictors["maskgate"] = maskgate_predictor(Detector(), args.given_language)
    predictors = dict(sorted(predictors.items()))
    failures = []
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        results = {}
        for system, predict in predictors.items():
            if args.show_errors and system == "maskgate":
                print(f"\n-- maskgate errors for {args.show_errors} in {path.name}")
            show = args.show_errors if system == "maskgate" else None
            results[system] = evaluate(rows, predict, show)
        summary = report(path.name, results, len(rows))
        for metric, target in TARGETS.get(path.name, {}).items():
            value = summary[f"maskgate.{metric}"]
            verdict = "ok" if value >= target else "BELOW TARGET"
            print(f"target {metric} F1 >= {target:.2f}: maskgate {value:.3f} {verdict}")
            if value < target:
                failures.append(f"{path.name} {metric}")
    print("\nall targets met" if not failures else f"\nbelow target: {', '.join(failures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""How much restoring a streamed answer costs per SSE event, and that the cost stays flat as answers grow.

Targets (issue 3): median <= 50 us per event when the answer holds no placeholder, <= 200 us when it does,
and no growth from a 100-event to a 5,000-event answer (nothing re-scans the text already streamed).

The restorer is the real one, reached as the adapters reach it: ``Gate.stream_restorer`` with the ledger the
Gate issued for a masked request (real detector). Each provider event is fed as its own chunk and timed.
For contrast, a "re-scan" line restores the whole accumulated text at every event, which is what a
restorer without a hold-back has to do to stay correct across split placeholders; its cost grows with the
answer.

Run: ``.venv/bin/python bench/stream_restore.py`` (``--quick`` for fewer repetitions).
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from maskgate import ApiFormat, Gate, Ledger, Policy
from maskgate.restoring import RestoreStats, restore_text

TARGET_PLAIN_US = 50.0
TARGET_TOKENS_US = 200.0
WORDS = (
    "the contract",
    "was signed",
    "on Monday",
    "and the",
    "payment of",
    "EUR 1,200",
    "is due",
    "next week.",
    "Please",
    "confirm",
    "receipt",
    "of the",
    "documents",
    "so we",
    "can",
    "proceed",
    "\n\n",
    "- item",
)
QUESTION = (
    "Please draft a reply to Erika Musterfrau (erika.musterfrau@example.org) about the invoice for "
    "IBAN DE89370400440532013000; call +49 30 1234567 if needed."
)
REQUEST = {
    "model": "gpt-4o",
    "messages": [
        {"role": "system", "content": "You are the assistant of Max Mustermann."},
        {"role": "user", "content": QUESTION},
    ],
}
COMPACT = (",", ":")


def answer_pieces(events: int, tokens: list[str], with_tokens: bool, seed: int) -> list[tuple[str, bool]]:
    """Text deltas of a few words, each with whether it carries (part of) a token; with tokens, every ~8th
    delta carries one, half of them split across two deltas."""
    rng = random.Random(seed)
    pieces: list[tuple[str, bool]] = []
    while len(pieces) < events:
        text = " " + rng.choice(WORDS)
        if with_tokens and rng.random() < 0.125:
            token = rng.choice(tokens)
            if rng.random() < 0.5:
                cut = rng.randrange(1, len(token))
                pieces += [(text + " " + token[:cut], True), (token[cut:], True)]
                continue
            pieces.append((text + " " + token, True))
        else:
            pieces.append((text, False))
    return pieces[:events]


def _sse(events: list[dict], named: bool) -> list[bytes]:
    """Events as a provider writes them (compact JSON; Anthropic and Responses name each event)."""
    lines = [f"data: {json.dumps(e, separators=COMPACT)}\n\n" for e in events]
    if named:
        lines = [f"event: {e['type']}\n{line}" for e, line in zip(events, lines, strict=True)]
    return [line.encode() for line in lines]


def chat_events(pieces: list[str]) -> list[bytes]:
    base = {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion.chunk",
        "created": 1741570283,
        "model": "gpt-4o-2024-08-06",
        "system_fingerprint": "fp_fc9f1d7035",
    }
    events = [
        {**base, "choices": [{"index": 0, "delta": {"content": p}, "logprobs": None, "finish_reason": f}]}
        for p, f in [*((p, None) for p in pieces), ("", "stop")]
    ]
    return [*_sse(events, named=False), b"data: [DONE]\n\n"]


def responses_events(pieces: list[str]) -> list[bytes]:
    events = [
        {
            "type": "response.output_text.delta",
            "sequence_number": i + 4,
            "item_id": "msg_67ccd3acc8d4819",
            "output_index": 0,
            "content_index": 0,
            "delta": p,
            "logprobs": [],
        }
        for i, p in enumerate(pieces)
    ]
    events.append(
        {
            "type": "response.output_text.done",
            "sequence_number": len(pieces) + 4,
            "item_id": "msg_67ccd3acc8d4819",
            "output_index": 0,
            "content_index": 0,
            "text": "".join(pieces),
            "logprobs": [],
        }
    )
    return _sse(events, named=True)


def anthropic_events(pieces: list[str]) -> list[bytes]:
    delta = "content_block_delta"
    events = [{"type": delta, "index": 0, "delta": {"type": "text_delta", "text": p}} for p in pieces]
    events.append({"type": "content_block_stop", "index": 0})
    return _sse(events, named=True)


FORMATS: dict[ApiFormat, Callable[[list[str]], list[bytes]]] = {
    ApiFormat.OPENAI_CHAT: chat_events,
    ApiFormat.OPENAI_RESPONSES: responses_events,
    ApiFormat.ANTHROPIC_MESSAGES: anthropic_events,
}


def per_event_us(gate: Gate, fmt: ApiFormat, ledger: Ledger, events: list[bytes]) -> list[float]:
    restorer = gate.stream_restorer(fmt, ledger)
    timings = []
    clock = time.perf_counter_ns
    gc.disable()
    try:
        for event in events:
            start = clock()
            restorer.feed(event)
            timings.append((clock() - start) / 1000)
        restorer.finish()
    finally:
        gc.enable()
    return timings


def rescan_us(ledger: Ledger, pieces: list[tuple[str, bool]]) -> list[float]:
    """The contrast: restore everything received so far at every event."""
    timings, text = [], ""
    for piece, _ in pieces:
        start = time.perf_counter_ns()
        text += piece
        restore_text(text, ledger, RestoreStats())
        timings.append((time.perf_counter_ns() - start) / 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition instead of five")
    args = parser.parse_args()
    repetitions = 1 if args.quick else 5

    started = time.perf_counter()
    gate = Gate(Policy())
    print(f"detector loaded in {time.perf_counter() - started:.1f} s")
    outcome = gate.process_request(ApiFormat.OPENAI_CHAT, json.dumps(REQUEST).encode())
    tokens = outcome.ledger.tokens()
    print(f"ledger from a masked request: {len(tokens)} tokens ({', '.join(sorted(outcome.report.types))})\n")

    header = f"{'format':<20}{'events':>7}{'no tokens':>11}{'with tokens':>13}{'token events':>14}{'p95':>8}"
    print(
        f"median us per SSE event (targets: <= {TARGET_PLAIN_US:.0f} without placeholders, "
        f"<= {TARGET_TOKENS_US:.0f} with)"
    )
    print("  with tokens: all events of an answer where every ~8th delta carries a placeholder;")
    print("  token events / p95: only the events that carry (part of) one")
    print(header)
    print("-" * len(header))
    worst = {False: 0.0, True: 0.0}
    medians: dict[tuple[ApiFormat, str, int], float] = {}
    for fmt, build in FORMATS.items():
        for size in (100, 5000):
            figures: dict[str, list[float]] = {"plain": [], "all": [], "token": [], "p95": []}
            for repetition in range(repetitions):
                plain = answer_pieces(size, tokens, False, seed=repetition)
                figures["plain"].append(
                    statistics.median(per_event_us(gate, fmt, outcome.ledger, build([p for p, _ in plain])))
                )
                mixed = answer_pieces(size, tokens, True, seed=repetition)
                timings = per_event_us(gate, fmt, outcome.ledger, build([p for p, _ in mixed]))
                carrying = [t for t, (_, has_token) in zip(timings, mixed, strict=False) if has_token]
                figures["all"].append(statistics.median(timings))
                figures["token"].append(statistics.median(carrying))
                figures["p95"].append(statistics.quantiles(carrying, n=20)[-1])
            row = {name: statistics.median(values) for name, values in figures.items()}
            for name in row:
                medians[(fmt, name, size)] = row[name]
            worst[False] = max(worst[False], row["plain"])
            worst[True] = max(worst[True], row["token"])
            print(
                f"{fmt:<20}{size:>7}{row['plain']:>11.1f}{row['all']:>13.1f}{row['token']:>14.1f}"
                f"{row['p95']:>8.1f}"
            )

    print("\nflat: median per event of a 5000-event answer / of a 100-event answer")
    for fmt in FORMATS:
        ratios = [medians[(fmt, name, 5000)] / medians[(fmt, name, 100)] for name in ("plain", "token")]
        print(f"  {fmt:<20} no tokens x{ratios[0]:.2f}   token events x{ratios[1]:.2f}")

    rescan = [
        statistics.median(rescan_us(outcome.ledger, answer_pieces(n, tokens, True, seed=0)))
        for n in (100, 5000)
    ]
    chat = medians[(ApiFormat.OPENAI_CHAT, "all", 5000)]
    print("\ncontrast: re-restoring the accumulated text at every event (text only, no JSON or SSE)")
    print(
        f"  100 events: {rescan[0]:.1f} us/event, 5000 events: {rescan[1]:.1f} us/event "
        f"(x{rescan[1] / rescan[0]:.0f}); maskgate's chat stream at 5000 events: {chat:.1f} us/event "
        f"({rescan[1] / chat:.0f}x less)"
    )

    ok = worst[False] <= TARGET_PLAIN_US and worst[True] <= TARGET_TOKENS_US
    print(
        f"\nworst median: {worst[False]:.1f} us without placeholders (target {TARGET_PLAIN_US:.0f}), "
        f"{worst[True]:.1f} us on events carrying one (target {TARGET_TOKENS_US:.0f}): "
        f"{'MET' if ok else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

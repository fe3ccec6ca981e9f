"""What the LiteLLM packaging costs: the real ``litellm`` proxy with maskgate's guardrail vs the same proxy
without it, in the same run, in front of the same mock provider (a separate process).

Every request goes to both proxies, in alternating order, so machine noise hits both alike; the added
latency is the median of the per-request differences. The guardrail's work is the core's (detection and
masking of the request, restoring the answer) plus the adapter around it (the thread hop, the wire view,
the ledger in LiteLLM's metadata, rebuilding LiteLLM's response objects, the logging copies). To see how
much of it is the adapter, the core's own time for exactly the same request bodies is measured in this
process (``Gate.process_request_json``, the call the guardrail makes), interleaved with the two proxies so
that load changes on the shared machine hit all three alike. Every prompt is new (another person, another
number), so neither side answers from the detector's span cache.

Target: the guardrail adds at most 1.2x the core's own detection time per request (non-streamed chat).
Streamed chat (time to the last byte) is printed alongside: there restoring runs once per chunk.

Run: ``.venv/bin/python bench/litellm_overhead.py`` (``--requests 30`` for a quicker run). Timings are
medians on a shared machine: read them as ratios, not as constants.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from examples.litellm.proxy_process import MASTER_KEY, LiteLLMProxy  # noqa: E402
from examples.mock_provider import MockProviderProcess  # noqa: E402
from maskgate import ApiFormat, Gate, Policy  # noqa: E402

TARGET_RATIO = 1.2
CONFIG = ROOT / "examples" / "litellm" / "config.yaml"
POLICY = ROOT / "examples" / "litellm" / "policy.yaml"
MODEL = "gpt-4o-mini"
FIRST = ("Anna", "Lukas", "Marie", "Jonas", "Sophie", "Felix", "Emma", "Paul", "Lena", "Maximilian")
LAST = ("Schmidt", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein")
FILLER = (
    "We reviewed the quarterly figures and the open items from the last steering meeting. The delivery "
    "schedule moved by two weeks because the supplier confirmed the new components late, and the team "
    "agreed to keep the release scope unchanged. Please summarise the situation for the customer. "
)


def prompt(i: int) -> str:
    name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
    return (f"Please write to {name} (phone +49 151 {2000000 + 7919 * i:08d}) about order {1000 + i}. "
            f"{FILLER}")


def chat_body(i: int, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODEL, "messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": prompt(i)},
    ]}
    if stream:
        body["stream"] = True
    return body


def proxies(mock_url: str, workdir: Path) -> tuple[LiteLLMProxy, LiteLLMProxy]:
    example = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    example["guardrails"][0]["litellm_params"]["policy"] = str(POLICY)
    plain = {key: value for key, value in example.items() if key != "guardrails"}
    env = {"OPENAI_BASE_URL": mock_url + "/v1", "ANTHROPIC_BASE_URL": mock_url,
           "OPENAI_API_KEY": "mock", "ANTHROPIC_API_KEY": "mock"}
    return (LiteLLMProxy(example, workdir, name="with-maskgate", env=env),
            LiteLLMProxy(plain, workdir, name="without", env=env))


def timed(send: Callable[[], None]) -> float:
    started = time.perf_counter()
    send()
    return (time.perf_counter() - started) * 1000


def exchange(client: httpx.Client, url: str, body: dict[str, Any]) -> None:
    """One request, read to the last byte (a stream included)."""
    with client.stream("POST", url + "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for _ in response.iter_raw():
            pass


def interleaved(client: httpx.Client, guarded: str, plain: str, gate: Gate,
                bodies: list[dict[str, Any]]) -> list[tuple[float, float, float]]:
    """(with, without, core) milliseconds per body, in rotating order so that load changes hit all three."""
    results = []
    for i, body in enumerate(bodies):
        runs: list[Callable[[], None]] = [
            lambda body=body: exchange(client, guarded, body),
            lambda body=body: exchange(client, plain, body),
            lambda body=body: gate.process_request_json(ApiFormat.OPENAI_CHAT, copy.deepcopy(body)),
        ]
        times = [0.0, 0.0, 0.0]
        for slot in (i % 3, (i + 1) % 3, (i + 2) % 3):
            times[slot] = timed(runs[slot])
        results.append((times[0], times[1], times[2]))
    return results


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def report(label: str, runs: list[tuple[float, float, float]]) -> float:
    with_ms, without_ms, core = ([run[k] for run in runs] for k in range(3))
    added = [w - wo for w, wo in zip(with_ms, without_ms, strict=True)]
    added_p50, core_p50 = statistics.median(added), statistics.median(core)
    ratio = added_p50 / core_p50
    print(f"\n{label} ({len(runs)} requests, ms)")
    print(f"  {'':34} {'p50':>8} {'p90':>8}")
    for name, values in (("proxy without maskgate", without_ms), ("proxy with maskgate", with_ms),
                         ("added by the guardrail", added), ("core detection, same requests", core)):
        print(f"  {name:34} {statistics.median(values):8.2f} {p(values, 90):8.2f}")
    print(f"  added / core detection: {ratio:.2f}x")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="non-streamed requests per proxy")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/maskgate-bench-litellm"))
    args = parser.parse_args(argv)
    whole = [chat_body(i, stream=False) for i in range(args.requests)]
    streamed = [chat_body(args.requests + i, stream=True) for i in range(max(args.requests // 2, 4))]
    gate = Gate(Policy.load(POLICY))
    gate.process_request_json(ApiFormat.OPENAI_CHAT, chat_body(10_000, False))  # load lazily built parts
    with MockProviderProcess() as mock:
        guarded, plain = proxies(mock.url, args.workdir)
        try:
            guarded.start(), plain.start()
            guarded.wait_ready(), plain.wait_ready()
            headers = {"authorization": f"Bearer {MASTER_KEY}"}
            with httpx.Client(timeout=120, headers=headers) as client:
                warm_up = [chat_body(20_000 + i, stream) for i in range(6) for stream in (False, True)]
                interleaved(client, guarded.url, plain.url, gate, warm_up)
                whole_runs = interleaved(client, guarded.url, plain.url, gate, whole)
                stream_runs = interleaved(client, guarded.url, plain.url, gate, streamed)
        finally:
            guarded.stop()
            plain.stop()
    print("LiteLLM proxy 1.106.2 with vs without maskgate's guardrail (same mock provider, interleaved)")
    ratio = report("non-streamed chat", whole_runs)
    report("streamed chat, time to last byte", stream_runs)
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"\ntarget: added <= {TARGET_RATIO}x core detection (non-streamed): {verdict} ({ratio:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

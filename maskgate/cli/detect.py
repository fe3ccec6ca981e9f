"""``maskgate detect``: JSON lines in, one JSON line of entities out per input line.

    echo '{"text": "Call Max Mustermann at 030 1234567", "language": "de"}' | maskgate detect
    {"entities": [{"type": "PERSON", "start": 5, "end": 19, "score": 0.85}, ...], "language": "de"}

Built for batch use (thousands of lines per run): the detector loads once, every output line is flushed as
soon as it is written (so the command can sit behind a pipe and answer line by line), and a bad line gets an
``{"error": ...}`` object on its own line instead of ending the run. Error messages describe what is wrong
with the line's shape, never its content: the input is presumed to be personal data.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from maskgate.detection import LANGUAGES, Detector, ModelError
from maskgate.policy import Policy, PolicyError


class LineError(ValueError):
    """An input line this command cannot use; the message is safe to print (no input content)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", metavar="FILE", help="policy YAML file (default: built-in defaults)")
    parser.epilog = (
        'Input: one JSON object per line, {"text": "...", "language": "en"|"de" (optional)}. '
        'Output: one line per input, {"entities": [{"type", "start", "end", "score"}], "language": ...} '
        'or {"error": "..."}. Offsets are character (Unicode code point) indices into "text", end exclusive.'
    )


def run(args: argparse.Namespace) -> int:
    try:
        policy = Policy.load(args.policy) if args.policy else Policy()
        detector = Detector(policy)
    except (PolicyError, ModelError) as exc:
        print(f"maskgate detect: {exc}", file=sys.stderr)
        return 2
    serve(detector, sys.stdin.buffer, sys.stdout)
    return 0


def serve(detector: Detector, lines: IO[bytes], out: IO[str]) -> None:
    """Answer every line of ``lines`` on ``out``, one line each, in order."""
    max_bytes = detector.policy.limits.max_body_bytes
    for raw in lines:
        try:
            reply = answer(detector, raw, max_bytes)
        except LineError as exc:
            reply = {"error": str(exc)}
        except Exception as exc:  # one failing line must not end a batch of thousands
            reply = {"error": f"internal error during detection ({type(exc).__name__})"}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()


def answer(detector: Detector, raw: bytes, max_bytes: int) -> dict[str, Any]:
    if len(raw) > max_bytes:
        raise LineError(f"line is longer than limits.max_body_bytes ({max_bytes} bytes)")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"line is not valid UTF-8 (byte {exc.start})") from None
    if not line.strip():
        raise LineError('empty line: expected a JSON object such as {"text": "..."}')
    try:
        request = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(request, dict):
        raise LineError('expected a JSON object such as {"text": "..."}')
    text = request.get("text")
    if not isinstance(text, str):
        raise LineError('"text" is missing or not a string')
    language = request.get("language")
    if language is not None and language not in LANGUAGES:
        raise LineError(f'"language" must be one of: {", ".join(LANGUAGES)} (or absent to guess)')
    language = detector.language_of(text, language)
    entities = detector.detect(text, language)
    return {
        "entities": [
            {"type": e.type, "start": e.start, "end": e.end, "score": round(e.score, 3)} for e in entities
        ],
        "language": language,
    }

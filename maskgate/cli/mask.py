"""``maskgate mask``: mask a request body (or plain text) read from stdin; print the result and the ledger.

The standalone counterpart of a gateway's request phase (and of other products' ``/v1/pseudonymize``):
the same core, the same formats, the same tokens. Output is one JSON object::

    {"format": "openai_chat", "body": {...masked body...}, "entities": {"PERSON": 2}, "ledger": {...}}
    {"format": "text", "text": "...masked text...", "entities": {...}, "ledger": {...}}

The ledger maps tokens back to the original values: it is personal data, keep it where the input was kept.
``maskgate restore --ledger FILE`` accepts this whole output as its ledger file.
"""

from __future__ import annotations

import argparse
import json
import sys

from maskgate.formats import ApiFormat
from maskgate.formats.sniff import request_format

TEXT = "text"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=[*ApiFormat, TEXT],
                        help="the request's API (default: told from the body's shape; non-JSON is text)")
    parser.add_argument("--policy", metavar="FILE", help="policy YAML file (default: built-in defaults)")


def run(args: argparse.Namespace) -> int:
    from maskgate.masking import mask
    from maskgate.pipeline import Action, Gate
    from maskgate.policy import Policy, PolicyError

    raw = sys.stdin.buffer.read()
    fmt = args.format
    body = None
    if fmt != TEXT:
        try:
            body = json.loads(raw)
        except ValueError:
            if fmt is not None:
                print(f"maskgate mask: stdin is not a JSON {fmt} request body", file=sys.stderr)
                return 2
            fmt = TEXT
    if fmt is None:
        fmt = request_format(body)
        if fmt is None:
            print("maskgate mask: cannot tell the API of this body; name it with --format", file=sys.stderr)
            return 2
    try:
        policy = Policy.load(args.policy) if args.policy else Policy()
    except PolicyError as error:
        print(f"maskgate mask: {error}", file=sys.stderr)
        return 2
    gate = Gate(policy)
    if fmt == TEXT:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            print("maskgate mask: stdin is not UTF-8 text", file=sys.stderr)
            return 2
        ledger = gate.new_ledger()
        result = mask([text], ledger, gate.detector, policy)
        output = {"format": TEXT, "text": result.texts[0], "entities": _counts(result.masked)}
    else:
        outcome = gate.process_request(ApiFormat(fmt), raw, mode="mask")
        if outcome.action is Action.BLOCK:
            error = json.loads(outcome.error_body or b"{}").get("error", {})
            print(f"maskgate mask: {error.get('message', 'request refused')}", file=sys.stderr)
            return 1
        ledger = outcome.ledger
        masked = json.loads(outcome.body) if outcome.body is not None else body
        output = {"format": str(fmt), "body": masked, "entities": dict(outcome.report.entities)}
    output["ledger"] = json.loads(ledger.to_json())
    sys.stdout.write(json.dumps(output, ensure_ascii=False, indent=2) + "\n")
    return 0


def _counts(masked: dict[str, int]) -> dict[str, int]:
    from maskgate.placeholders import NEUTRAL_TYPE

    return {entity_type: n for entity_type, n in sorted(masked.items()) if n and entity_type != NEUTRAL_TYPE}

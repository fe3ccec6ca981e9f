"""``maskgate restore --ledger FILE``: put original values back into a response read from stdin.

Reads a JSON response body, an SSE stream (told by its ``data:``/``event:`` lines) or plain text, and
writes the restored result to stdout. Streams are restored as they arrive, so a live stream can be piped
through: ``curl -N ... | maskgate restore --ledger masked.json``. ``FILE`` is the output of ``maskgate mask``
or a bare ledger (``Ledger.to_json()``). Counts go to stderr with ``--stats``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
from typing import TYPE_CHECKING, BinaryIO

from maskgate.formats import ApiFormat

if TYPE_CHECKING:
    from maskgate.ledger import Ledger
    from maskgate.restoring import RestoreStats

_SSE_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:data|event|id|retry)?:", re.ASCII)
_CHUNK = 64 * 1024


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ledger", required=True, metavar="FILE",
                        help="the output of `maskgate mask`, or a serialised ledger")
    parser.add_argument("--format", choices=list(ApiFormat),
                        help="the response's API (default: told from its shape)")
    parser.add_argument("--stats", action="store_true",
                        help="print restored/repaired/unrestored counts to stderr")


def run(args: argparse.Namespace) -> int:
    from maskgate.ledger import Ledger

    try:
        with open(args.ledger, encoding="utf-8") as handle:
            document = json.load(handle)
        if isinstance(document, dict) and "ledger" in document:
            document = document["ledger"]
        ledger = Ledger.from_json(json.dumps(document))
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not a maskgate ledger"
        print(f"maskgate restore: {args.ledger}: {reason}", file=sys.stderr)
        return 2
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    first = b""
    while b"\n" not in first and b"\r" not in first and (chunk := stdin.read1(_CHUNK)):
        first += chunk  # the first line tells a stream from a body
    if _SSE_START.match(first):
        stats = _restore_stream(first, stdin, stdout, ledger, args.format)
    else:
        stats = _restore_body(first + stdin.read(), stdout, ledger, args.format)
    stdout.flush()
    if args.stats:
        print(f"restored={stats.restored} repaired={stats.repaired} unrestored={stats.unrestored}",
              file=sys.stderr)
    return 0


def _restore_body(raw: bytes, out: BinaryIO, ledger: Ledger, fmt: str | None) -> RestoreStats:
    from maskgate.formats.sniff import response_format
    from maskgate.pipeline import restore_body

    if fmt is None:
        with contextlib.suppress(ValueError):
            fmt = response_format(json.loads(raw))
    # An unknown shape (or plain text) is restored as an error body is: every string in it.
    restored = restore_body(ApiFormat(fmt) if fmt else None, raw, ledger)
    out.write(restored.body)
    return restored.stats


def _restore_stream(
    first: bytes, stdin: BinaryIO, out: BinaryIO, ledger: Ledger, fmt: str | None
) -> RestoreStats:
    from maskgate.pipeline import StreamRestorer

    pending = [first]
    if fmt is None:
        fmt = _sniff_stream(pending, stdin)
    restorer = StreamRestorer(ApiFormat(fmt), ledger)
    for chunk in pending:
        out.write(restorer.feed(chunk))
    while chunk := stdin.read1(_CHUNK):
        out.write(restorer.feed(chunk))
        out.flush()
    out.write(restorer.finish())
    return restorer.stats


def _sniff_stream(pending: list[bytes], stdin: BinaryIO) -> str:
    """Read ahead until an event tells the stream's API; what was read stays in ``pending``."""
    from maskgate.formats.sniff import event_format
    from maskgate.sse import SSEReader

    reader = SSEReader()
    chunk = pending[0]
    while True:
        for event in reader.feed(chunk):
            try:
                fmt = event_format(json.loads(event.data)) if event.has_data else None
            except ValueError:
                fmt = None
            if fmt is not None:
                return fmt
        chunk = stdin.read1(_CHUNK)
        if not chunk:
            return ApiFormat.OPENAI_CHAT  # no event told: restore deltas the chat way
        pending.append(chunk)

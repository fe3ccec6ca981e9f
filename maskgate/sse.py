"""Incremental Server-Sent Events reader and writer.

Bytes arrive split anywhere: inside a line, inside a UTF-8 character, between the ``\\r`` and ``\\n`` of a
line end. :class:`SSEReader` keeps the carry-over and yields one :class:`SSEEvent` per block (the lines up to
and including a blank line), in order, comments (``: keep-alive``) and blocks without data included, so that
re-emitting every event rebuilds the stream. An event whose data is not changed encodes to exactly the bytes
it was read from, which makes an untouched event cost nothing and keeps streams byte-identical.

API used by the wire formats::

    reader = SSEReader()
    for event in reader.feed(chunk):      # bytes -> list[SSEEvent]
        if event.has_data:
            event = event.with_data(restore(event.data))
        out += event.encode()
    for event in reader.close(): ...      # a trailing block the stream did not end with a blank line

Line ends follow the SSE specification: ``\\r\\n``, ``\\n`` or ``\\r``. A block is parsed as the
specification says (a leading BOM is ignored, one space after the colon is stripped, ``data`` lines are
joined with ``\\n``); a rewritten event keeps its other lines, their order and the stream's line-end style.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_BOM = "\ufeff"
_BLANK = frozenset((b"\n", b"\r\n", b"\r"))


class SSEEvent:
    """One block of an event stream: its lines (fields and comments) and, when read, its exact bytes."""

    __slots__ = ("_data", "_raw", "lines", "newline", "terminated")

    def __init__(self, lines: Sequence[str], newline: str = "\n", terminated: bool = True,
                 raw: bytes | None = None) -> None:
        self.lines = tuple(lines)
        self.newline = newline
        self.terminated = terminated  # ends with a blank line (only the last block of a stream may not)
        self._raw = raw
        self._data: str | None = None

    @classmethod
    def create(cls, data: str, event: str | None = None, id: str | None = None) -> SSEEvent:
        """A new event, e.g. to flush held-back text before the end of a stream."""
        lines = [f"event: {event}"] if event is not None else []
        if id is not None:
            lines.append(f"id: {id}")
        lines.extend(_data_lines(data, "data: "))
        return cls(lines)

    def _fields(self, name: str) -> list[str]:
        values = []
        for line in self.lines:
            field, _, value = line.partition(":")
            if field == name:
                values.append(value[1:] if value.startswith(" ") else value)
        return values

    @property
    def data(self) -> str:
        """The ``data`` lines joined with ``\\n``; empty for a block without data (a comment, say)."""
        if self._data is None:
            self._data = "\n".join(self._fields("data"))
        return self._data

    @property
    def has_data(self) -> bool:
        """Whether the block has a ``data`` line, i.e. whether a client dispatches it as an event."""
        return any(line.startswith("data") and line[4:5] in ("", ":") for line in self.lines)

    @property
    def event(self) -> str | None:
        values = self._fields("event")
        return values[-1] if values else None

    @property
    def id(self) -> str | None:
        values = self._fields("id")
        return values[-1] if values else None

    @property
    def retry(self) -> int | None:
        values = [v for v in self._fields("retry") if v.isascii() and v.isdigit()]
        return int(values[-1]) if values else None

    @property
    def comments(self) -> list[str]:
        return [line[1:] for line in self.lines if line.startswith(":")]

    def with_data(self, data: str) -> SSEEvent:
        """This event with ``data`` instead of its data lines (itself when nothing changes).

        The new data lines take the place of the first old one; every other line keeps its place.
        """
        if data == self.data and self.has_data:
            return self
        lines: list[str] = []
        replaced = False
        for line in self.lines:
            field, colon, value = line.partition(":")
            if field != "data":
                lines.append(line)
            elif not replaced:
                lines.extend(_data_lines(data, "data: " if value.startswith(" ") or not colon else "data:"))
                replaced = True
        if not replaced:
            lines.extend(_data_lines(data, "data: "))
        return SSEEvent(lines, self.newline, self.terminated)

    def encode(self) -> bytes:
        if self._raw is None:
            newline = self.newline
            text = newline.join(self.lines)
            if self.lines and self.terminated:
                text += newline
            if self.terminated:
                text += newline
            self._raw = text.encode("utf-8")
        return self._raw

    def __repr__(self) -> str:
        # Data carries (masked or restored) user text: show its size, never its content.
        return f"<SSEEvent event={self.event!r} lines={len(self.lines)} data_chars={len(self.data)}>"


def _data_lines(data: str, prefix: str) -> list[str]:
    return [prefix + line for line in re.split(r"\r\n|\r|\n", data)]


class SSEReader:
    """Turns chunks of bytes into complete :class:`SSEEvent` blocks; keeps what is not complete yet.

    Lines are split by ``bytes.splitlines`` (exactly the three SSE line ends, in C); an unfinished line is
    carried as a list of pieces, so a huge line arriving in many small chunks costs linear time.
    """

    __slots__ = ("_carry", "_lines", "_raw", "_started")

    def __init__(self) -> None:
        self._carry: list[bytes] = []  # an unfinished line, in pieces
        self._raw: list[bytes] = []  # complete lines of the current block, with their line ends
        self._lines: list[str] = []  # the same, decoded
        self._started = False  # past the first line of the stream (where a BOM may stand)

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        if self._carry:
            if b"\n" not in chunk and b"\r" not in chunk:
                self._carry.append(chunk)
                return []
            self._carry.append(chunk)
            chunk = b"".join(self._carry)
            self._carry = []
        return self._split(chunk, final=False)

    def close(self) -> list[SSEEvent]:
        """The end of the stream: a last block without a closing blank line, if any."""
        data = b"".join(self._carry)
        self._carry = []
        events = self._split(data, final=True) if data else []
        if self._raw:
            events.append(SSEEvent(self._lines, _newline(self._raw[0]), terminated=False,
                                   raw=b"".join(self._raw)))
            self._raw, self._lines = [], []
        return events

    def _split(self, data: bytes, final: bool) -> list[SSEEvent]:
        lines = data.splitlines(keepends=True)
        if not final and lines and (lines[-1][-1:] not in (b"\n", b"\r") or lines[-1][-1:] == b"\r"):
            self._carry.append(lines.pop())  # unfinished, or a "\r" whose "\n" may still come
        events: list[SSEEvent] = []
        raw, decoded = self._raw, self._lines
        for line in lines:
            raw.append(line)
            if line not in _BLANK:
                decoded.append(self._decode(line.rstrip(b"\r\n")))  # one line holds one line end at most
                continue
            events.append(SSEEvent(decoded, _newline(raw[0]), raw=b"".join(raw)))
            raw, decoded = [], []
        self._raw, self._lines = raw, decoded
        return events

    def _decode(self, line: bytes) -> str:
        text = line.decode("utf-8", errors="replace")
        if not self._started:
            self._started = True
            text = text.removeprefix(_BOM)
        return text


def _newline(line: bytes) -> str:
    return "\r\n" if line.endswith(b"\r\n") else "\r" if line.endswith(b"\r") else "\n"

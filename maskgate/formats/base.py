"""What every wire format shares: text fields addressed by JSON path, and the per-stream field restorers.

Each format is three separate steps (the shape Envoy AI Gateway's processors use): *extract* the
``(path, text)`` pairs a body carries, let the core transform the whole list in one call, *write back* each
changed text by its path. The format modules only know where text lives; they never see how it is masked.

Tool arguments are JSON documents inside a JSON string. Going out, each string literal inside such a
document is its own text (a :class:`JsonLiteral` path step), so masking replaces values, never keys or
punctuation, and the document stays valid JSON with its original layout. Coming back, the whole document is
restored at once with JSON escaping, exactly as its streamed fragments are, so a streamed and a whole
response restore identically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from json.decoder import scanstring
from typing import Any, ClassVar

from maskgate.formats import ApiFormat
from maskgate.restoring import RestoreStats, StreamTextRestorer, restore_text

__all__ = [
    "ChoicesStream",
    "EventStream",
    "JsonLiteral",
    "Path",
    "Restoration",
    "TextCollector",
    "TextField",
    "WireFormat",
    "as_dict",
    "as_list",
    "restore_fields",
    "write_back",
]


@dataclass(frozen=True, slots=True)
class JsonLiteral:
    """Path step into a string that holds a JSON document: the string literal at ``[start, end)`` of it."""

    start: int
    end: int


Path = tuple[Any, ...]  # str keys, int indices, and a JsonLiteral as the last step


@dataclass(frozen=True, slots=True)
class TextField:
    """One text in a body. ``json_escape``: the text is JSON source (tool arguments), restored as such.
    ``parsed``: the text is the serialisation of the JSON value at ``path``, written back parsed."""

    path: Path
    text: str
    json_escape: bool = False
    parsed: bool = False


_OBJECT_OR_ARRAY = re.compile(r"\s*[\[{]")
_KEY_FOLLOWS = re.compile(r"\s*:")


class TextCollector:
    """Builds the ordered field list of one body; the helpers encode the shapes the APIs share.

    ``restoring`` tells which way the texts go: a JSON document in a string is split into its value
    literals going out (:meth:`json_document`), and restored whole with JSON escaping coming back."""

    def __init__(self, restoring: bool = False) -> None:
        self.restoring = restoring
        self.fields: list[TextField] = []

    def text(self, path: Path, value: object, json_escape: bool = False) -> None:
        if isinstance(value, str) and value:
            self.fields.append(TextField(path, value, json_escape))

    def content(
        self, path: Path, content: object, part_fields: dict[str, str], tool_output: bool = False
    ) -> None:
        """A ``content`` that is a string or a list of typed parts; ``part_fields`` maps a part type to the
        field holding its text (``{"text": "text", "refusal": "refusal"}``). Other parts (images, audio,
        files) are not text and are left alone. A tool's output is often JSON: see :meth:`json_document`."""
        add = self.document if tool_output else self.text
        if isinstance(content, str):
            add(path, content)
        elif isinstance(content, list):
            for i, part in enumerate(content):
                if isinstance(part, dict):
                    name = part_fields.get(part.get("type"))  # type: ignore[arg-type]
                    if name is not None:
                        add((*path, i, name), part.get(name))

    def text_or_items(
        self, path: Path, value: object, item: Callable[[TextCollector, Path, dict[str, Any]], None]
    ) -> None:
        """A value that is one string or a list of typed objects, each handed to ``item``: Anthropic's
        ``system`` and ``content`` blocks, and the Responses API's ``input`` / ``output`` items."""
        if isinstance(value, str):
            self.text(path, value)
            return
        for i, entry in enumerate(as_list(value)):
            if isinstance(entry, dict):
                item(self, (*path, i), entry)

    def string_values(self, path: Path, value: object) -> None:
        """Every string value inside a JSON value (object keys are schema, not data), in document order."""
        if isinstance(value, str):
            self.text(path, value)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.string_values((*path, key), item)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                self.string_values((*path, i), item)

    def object_document(self, path: Path, value: object) -> None:
        """A JSON value sent as an object (Anthropic's ``tool_use.input``): its string values going out;
        coming back it is restored as its JSON source, exactly as its streamed ``partial_json`` is."""
        if not self.restoring:
            self.string_values(path, value)
        elif isinstance(value, (dict, list)) and value:
            self.fields.append(TextField(path, json.dumps(value, ensure_ascii=False), True, parsed=True))

    def document(self, path: Path, source: object) -> None:
        """A string that holds (or may hold) a JSON document: tool arguments, a tool's output."""
        if self.restoring:
            self.text(path, source, json_escape=True)
        else:
            self.json_document(path, source)

    def json_document(self, path: Path, source: object) -> None:
        """Going out, a JSON object or array in a string yields its string values, each addressed by its
        literal's position, so write-back leaves every other byte of the document as it was.

        Anything else — plain text, a bare number, broken JSON — is masked as one text: a tool result such as
        ``4915112345678`` is still a phone number to the detector."""
        if not isinstance(source, str) or not source:
            return
        if _OBJECT_OR_ARRAY.match(source):
            try:
                json.loads(source)
            except ValueError:
                pass
            else:
                self.fields.extend(_literal_fields(path, source))
                return
        self.text(path, source)


def _literal_fields(path: Path, source: str) -> Iterator[TextField]:
    """The value literals of a valid JSON document. In valid JSON every ``"`` outside a string opens one,
    so scanning from quote to quote visits exactly the literals; one followed by ``:`` is a key."""
    position = source.find('"')
    while position != -1:
        value, end = scanstring(source, position + 1)
        if value and not _KEY_FOLLOWS.match(source, end):
            yield TextField((*path, JsonLiteral(position, end)), value)
        position = source.find('"', end)


def as_list(value: object) -> list[Any]:
    """``value`` if it is a list, else empty: clients send odd shapes, and a wrong type is not text."""
    return value if isinstance(value, list) else []


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def get_path(body: Any, path: Path) -> Any:
    for step in path:
        body = body[step]
    return body


def _set_path(body: Any, path: Path, value: object) -> None:
    get_path(body, path[:-1])[path[-1]] = value


def write_back(body: Any, fields: Iterable[TextField], texts: Iterable[str]) -> int:
    """Put each changed text back where its field came from; returns how many fields changed.

    Literals inside one JSON document are spliced from the last to the first, so earlier offsets stay valid.
    """
    documents: dict[Path, list[tuple[JsonLiteral, str]]] = {}
    changed = 0
    for field, text in zip(fields, texts, strict=True):
        if text == field.text:
            continue
        changed += 1
        step = field.path[-1]
        if isinstance(step, JsonLiteral):
            documents.setdefault(field.path[:-1], []).append((step, text))
        elif field.parsed:
            _set_path(body, field.path, json.loads(text))
        else:
            _set_path(body, field.path, text)
    for path, literals in documents.items():
        source = get_path(body, path)
        for literal, text in sorted(literals, key=lambda item: item[0].start, reverse=True):
            source = source[: literal.start] + json.dumps(text, ensure_ascii=False) + source[literal.end :]
        _set_path(body, path, source)
    return changed


class Restoration:
    """The restore side of one response or stream: the ledger, and the stats its tokens are counted in."""

    def __init__(self, ledger: Any, stats: RestoreStats) -> None:
        self.ledger = ledger
        self.stats = stats

    def text(self, text: str, json_escape: bool = False) -> str:
        return restore_text(text, self.ledger, self.stats, json_escape=json_escape)

    def stream_field(self, json_escape: bool = False) -> StreamTextRestorer:
        return StreamTextRestorer(self.ledger, self.stats, json_escape=json_escape)

    def quietly(self) -> Restoration:
        """The same ledger with throw-away stats: for the whole texts a stream repeats at its end (``.done``
        events, ``response.completed``), whose tokens were already counted as their deltas went by."""
        return Restoration(self.ledger, RestoreStats())


def restore_fields(body: Any, fields: list[TextField], restoration: Restoration) -> bool:
    """Restore the given fields of ``body`` in place; True when anything changed."""
    texts = [restoration.text(field.text, field.json_escape) for field in fields]
    return write_back(body, fields, texts) > 0


def error_fields(value: Any, path: Path = ()) -> list[TextField]:
    """An error may quote the request (``Invalid value: '<<PERSON_1>>'``): all its strings are restored."""
    collector = TextCollector(restoring=True)
    collector.string_values(path, value)
    return collector.fields


class EventStream:
    """Restores one streamed response, one parsed event at a time.

    Each streamed text field (a choice's content, a tool call's arguments, a content block) gets its own
    :class:`StreamTextRestorer`, keyed by the indices the API uses to tell fields apart. A restorer holds back
    only a suffix that could still become a token; the format subclass flushes it at the event that ends the
    field, by merging the held text into that event or by emitting an extra delta event of the same shape
    before it, so that the text a client assembles equals the whole restored text.
    """

    def __init__(self, restoration: Restoration) -> None:
        self.restoration = restoration
        self._fields: dict[Hashable, StreamTextRestorer] = {}

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        """Restore ``event`` in place. Returns the events to emit before it, and whether it changed."""
        raise NotImplementedError

    def finish(self) -> list[dict[str, Any]]:
        """End of stream (or ``[DONE]``): events carrying whatever is still held."""
        raise NotImplementedError

    def fragment(self, key: Hashable, text: str, json_escape: bool = False) -> str:
        field = self._fields.get(key)
        if field is None:
            field = self._fields[key] = self.restoration.stream_field(json_escape)
        return field.feed(text)

    def flush(self, key: Hashable) -> str:
        """Release and forget the field ``key``: its text is complete."""
        field = self._fields.pop(key, None)
        return "" if field is None else field.flush()

    def open_fields(self) -> list[Hashable]:
        return list(self._fields)

    def restore_error(self, event: dict[str, Any]) -> bool:
        return restore_fields(event, error_fields(event), self.restoration)


class ChoicesStream(EventStream):
    """A stream of chunks carrying ``choices[]`` (Chat Completions, legacy Completions).

    Both APIs number a chunk's choices by ``index``, send usage, filter results and errors in chunks without
    choices, and need the last chunk as the template of the extra chunks that release held text at the end;
    the subclass only says how one choice is restored."""

    def __init__(self, restoration: Restoration) -> None:
        super().__init__(restoration)
        self._last: dict[str, Any] = {}

    def feed(self, event: dict[str, Any], event_type: str | None = None) -> tuple[list[dict[str, Any]], bool]:
        choices = event.get("choices")
        if not isinstance(choices, list) or not choices:  # usage chunk, Azure's prompt-filter chunk, error
            return [], bool(event.get("error")) and self.restore_error(event)
        self._last = event
        changed = False
        for position, choice in enumerate(choices):
            if isinstance(choice, dict):
                changed |= self.restore_choice(choice.get("index", position), choice)
        return [], changed

    def restore_choice(self, index: Hashable, choice: dict[str, Any]) -> bool:
        """Restore one choice in place; True when it changed."""
        raise NotImplementedError

    def chunk(self, choice: dict[str, Any]) -> dict[str, Any]:
        """An extra chunk for ``choice``, shaped like the last one the provider sent (id, model, created)."""
        template = {key: value for key, value in self._last.items() if key not in ("choices", "usage")}
        return {**template, "choices": [choice]}


class WireFormat:
    """One API's knowledge of where text lives. Subclasses fill in the three field lists and the stream."""

    api: ClassVar[ApiFormat]

    def request_fields(self, body: dict[str, Any]) -> list[TextField]:
        """The texts a request sends, in conversation order (system first, messages in order, parts in order),
        so a resent history is numbered exactly as before."""
        raise NotImplementedError

    def response_fields(self, body: dict[str, Any]) -> list[TextField]:
        """The texts of a non-streamed response that are restored for the client."""
        raise NotImplementedError

    def fit(self, field: TextField, masked: str) -> str:
        """A masked text in the form the API accepts in that field (most fields take any text)."""
        return masked

    def event_stream(self, restoration: Restoration) -> EventStream:
        raise NotImplementedError

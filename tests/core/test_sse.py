"""The SSE reader/writer: any split of the bytes gives the same events, and untouched events re-encode to
exactly the bytes they came from."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from maskgate.sse import SSEEvent, SSEReader

STREAM = (
    b"\xef\xbb\xbf: keep-alive\r\n\r\n"
    b"event: message_start\r\nid: 1\r\nretry: 2500\r\n"
    b"data: {\"text\": \"Gr\xc3\xbc\xc3\x9fe \xe2\x82\xac\"}\r\n\r\n"
    b"data: first line\ndata:second line\ndata\n\n"
    b"\n"
    b"data: \xf0\x9f\x98\x80 emoji\rdata: cr only\r\r"
    b": comment\nevent: ping\nunknown: field\n\n"
    b"data: [DONE]\n\n"
    b"data: unterminated"
)


def read(chunks: list[bytes]) -> list[SSEEvent]:
    reader = SSEReader()
    events = [event for chunk in chunks for event in reader.feed(chunk)]
    return events + reader.close()


def summary(events: list[SSEEvent]) -> list[tuple[object, ...]]:
    return [(e.lines, e.data, e.event, e.id, e.retry, e.has_data, e.terminated, e.encode()) for e in events]


EXPECTED = summary(read([STREAM]))


def test_parses_fields_comments_and_multi_line_data() -> None:
    events = read([STREAM])
    assert [e.data for e in events] == ["", '{"text": "Grüße €"}', "first line\nsecond line\n", "",
                                        "😀 emoji\ncr only", "", "[DONE]", "unterminated"]
    assert events[0].comments == [" keep-alive"] and not events[0].has_data
    assert (events[1].event, events[1].id, events[1].retry) == ("message_start", "1", 2500)
    assert json.loads(events[1].data) == {"text": "Grüße €"}
    assert events[5].event == "ping" and not events[5].has_data
    assert [e.terminated for e in events] == [True] * 7 + [False]


def test_untouched_events_rebuild_the_stream_byte_for_byte() -> None:
    assert b"".join(e.encode() for e in read([STREAM])) == STREAM


def test_every_single_split_position() -> None:
    for i in range(len(STREAM) + 1):
        assert summary(read([STREAM[:i], STREAM[i:]])) == EXPECTED, i


def test_every_pair_of_split_positions() -> None:
    for i in range(len(STREAM) + 1):
        for j in range(i, len(STREAM) + 1):
            assert summary(read([STREAM[:i], STREAM[i:j], STREAM[j:]])) == EXPECTED, (i, j)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=30))
def test_any_split_into_many_chunks(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(STREAM)]
    assert summary(read([STREAM[a:b] for a, b in itertools.pairwise(bounds)])) == EXPECTED


def test_one_byte_at_a_time() -> None:
    assert summary(read([STREAM[i:i + 1] for i in range(len(STREAM))])) == EXPECTED


def test_crlf_split_between_chunks_is_one_line_end() -> None:
    events = read([b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"])
    assert [e.data for e in events] == ["a", "b"]
    assert [e.encode() for e in events] == [b"data: a\r\n\r\n", b"data: b\r\n\r\n"]


def test_events_are_returned_as_soon_as_complete() -> None:
    reader = SSEReader()
    assert reader.feed(b"data: a\n") == []
    assert [e.data for e in reader.feed(b"\ndata: b")] == ["a"]
    assert [e.data for e in reader.feed(b"\n\n")] == ["b"]
    assert reader.close() == []


def test_with_data_rewrites_only_the_data_and_keeps_the_rest() -> None:
    event = read([b"event: delta\r\nid: 9\r\ndata: old 1\r\ndata: old 2\r\n: note\r\n\r\n"])[0]
    assert event.with_data(event.data) is event
    new = event.with_data("new\nlines")
    assert new.encode() == b"event: delta\r\nid: 9\r\ndata: new\r\ndata: lines\r\n: note\r\n\r\n"
    assert (new.data, new.event, new.id) == ("new\nlines", "delta", "9")
    assert event.encode() == b"event: delta\r\nid: 9\r\ndata: old 1\r\ndata: old 2\r\n: note\r\n\r\n"


def test_with_data_keeps_the_colon_style_and_adds_data_where_there_was_none() -> None:
    assert read([b"data:x\n\n"])[0].with_data("y").encode() == b"data:y\n\n"
    assert read([b"event: ping\n\n"])[0].with_data("z").encode() == b"event: ping\ndata: z\n\n"


def test_unterminated_last_event_stays_unterminated() -> None:
    event = read([b"data: a\ndata: b"])[0]
    assert not event.terminated and event.data == "a\nb"
    assert event.with_data("c").encode() == b"data: c"


def test_created_events() -> None:
    assert SSEEvent.create('{"a": 1}').encode() == b'data: {"a": 1}\n\n'
    event = SSEEvent.create("x\ny", event="content_block_delta", id="4")
    assert event.encode() == b"event: content_block_delta\nid: 4\ndata: x\ndata: y\n\n"
    assert read([event.encode()])[0].data == "x\ny"


def test_invalid_utf8_is_replaced_in_data_but_kept_in_bytes() -> None:
    raw = b"data: \xff\xfe ok\n\n"
    event = read([raw])[0]
    assert event.data == "\ufffd\ufffd ok"
    assert event.encode() == raw


def test_repr_shows_no_data() -> None:
    event = SSEEvent.create("Max Mustermann")
    assert "Max" not in repr(event)


def test_a_long_line_in_many_small_chunks() -> None:
    payload = b"data: " + b"x" * 200_000 + b"\n\n"
    events = read([payload[i:i + 100] for i in range(0, len(payload), 100)])
    assert len(events) == 1 and len(events[0].data) == 200_000

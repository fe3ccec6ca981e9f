"""Properties over generated traffic, for every format:

* a stream restored in arbitrary chunks gives the client exactly the whole-text restore of each field
  (text split at any character into deltas, the SSE bytes split at any byte);
* no original value appears anywhere in a serialised masked body, and every masked field restores to the
  original;
* tool-call arguments stay valid JSON after masking and after restoring.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maskgate import ApiFormat, Gate, Policy, StreamRestorer
from maskgate.formats import wire_format
from maskgate.restoring import RestoreStats, restore_text
from tests.core.conftest import EMAILS, NAMES, RegexDetector
from tests.core.wire_support import assemble, fixture_ledger, split_at, sse_events, whole

LEDGER = fixture_ledger()
GATE = Gate(Policy(), detector=RegexDetector())
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of model output: exact and drifted tokens, tokens never issued, fragments of tokens, plain text.
PIECES = [
    "<<PERSON_1>>",
    "<<PERSON_2>>",
    "<<EMAIL_ADDRESS_1>>",
    "<<IBAN_CODE_1>>",
    "[[PERSON_1]]",
    "«PERSON_2»",
    "<< person 1 >>",
    "PERSON_1",
    "PERSON_2",
    "\\<\\<PERSON\\_1\\>\\>",
    "&lt;&lt;IBAN_CODE_1&gt;&gt;",
    "\\u003c\\u003cPERSON_1\\u003e\\u003e",
    "<<PERSON_99>>",
    "<<PERSON_10>>",
    "<",
    "<<",
    "<<PER",
    "[",
    "«",
    "{",
    "&",
    "\\",
    "PER",
    "SON",
    "_1",
    "1",
    "0",
    ">>",
    ">",
    "]",
    " ",
    "\n",
    "ü",
    "Max",
    "a",
    '"',
    "x",
    "😀",
]
texts = st.lists(st.sampled_from(PIECES), max_size=25).map("".join)


@st.composite
def fragments(draw: st.DrawFn, text_strategy: st.SearchStrategy[str] = texts) -> list[str]:
    text = draw(text_strategy)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12)))
    return [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


arguments = st.builds(lambda a, b: json.dumps({"a": a, "list": [b, 7]}, ensure_ascii=False), texts, texts)


def _sse(events: list[dict], named: bool = False, done: bool = False) -> bytes:
    out = []
    for event in events:
        name = f"event: {event['type']}\n" if named else ""
        out.append(f"{name}data: {json.dumps(event, ensure_ascii=False)}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def chat_stream(content: list[str], args: list[str]) -> bytes:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o"}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"content": c}, "finish_reason": None}]} for c in content
    ]
    events += [
        {
            **base,
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": a}}]},
                    "finish_reason": None,
                }
            ],
        }
        for a in args
    ]
    events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    events.append({**base, "choices": [], "usage": {"total_tokens": 3}})
    return _sse(events, done=True)


def completions_stream(content: list[str], args: list[str]) -> bytes:
    base = {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "m"}
    events = [
        {**base, "choices": [{"text": c, "index": 0, "logprobs": None, "finish_reason": None}]}
        for c in content + args
    ]
    return _sse(events, done=True)


def responses_stream(content: list[str], args: list[str]) -> bytes:
    events = [
        {
            "type": "response.output_text.delta",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "delta": c,
            "logprobs": [],
        }
        for c in content
    ]
    events.append(
        {
            "type": "response.output_text.done",
            "item_id": "m",
            "output_index": 0,
            "content_index": 0,
            "text": "".join(content),
            "logprobs": [],
        }
    )
    events += [
        {"type": "response.function_call_arguments.delta", "item_id": "f", "output_index": 1, "delta": a}
        for a in args
    ]
    events.append(
        {
            "type": "response.function_call_arguments.done",
            "item_id": "f",
            "output_index": 1,
            "arguments": "".join(args),
        }
    )
    events.append({"type": "response.completed", "response": {"object": "response", "output": []}})
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return _sse(events, named=True)


def anthropic_stream(content: list[str], args: list[str]) -> bytes:
    events = [
        {"type": "message_start", "message": {"type": "message", "content": []}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    ]
    events += [
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": c}}
        for c in content
    ]
    events += [
        {"type": "content_block_stop", "index": 0},
        {"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "input": {}}},
    ]
    events += [
        {"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": a}}
        for a in args
    ]
    events += [{"type": "content_block_stop", "index": 1}, {"type": "message_stop"}]
    return _sse(events, named=True)


STREAMS: dict[ApiFormat, tuple[Callable[[list[str], list[str]], bytes], tuple, tuple]] = {
    # format: (stream builder, key of the text field, key of the arguments field (None: part of the text))
    ApiFormat.OPENAI_CHAT: (chat_stream, (0, "content"), (0, "tool", 0)),
    ApiFormat.COMPLETIONS: (completions_stream, (0, "text"), None),
    ApiFormat.OPENAI_RESPONSES: (responses_stream, (0, 0, "text"), (1, "arguments")),
    ApiFormat.ANTHROPIC_MESSAGES: (anthropic_stream, (0, "text"), (1, "partial_json")),
}


def _restore_in_chunks(fmt: ApiFormat, stream: bytes, cuts: list[int]) -> bytes:
    restorer = StreamRestorer(fmt, LEDGER)
    return b"".join(restorer.feed(chunk) for chunk in split_at(stream, cuts)) + restorer.finish()


@PROPERTY
@given(fmt=st.sampled_from(list(STREAMS)), content=fragments(), args=fragments(arguments), data=st.data())
def test_streamed_restore_equals_whole_restore(
    fmt: ApiFormat, content: list[str], args: list[str], data: st.DataObject
) -> None:
    build, text_key, args_key = STREAMS[fmt]
    stream = build(content, args)
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=20))
    out = _restore_in_chunks(fmt, stream, cuts)
    assert out == _restore_in_chunks(fmt, stream, [])  # byte splits never change the result
    texts_out = assemble(fmt, out)
    if args_key is None:
        assert texts_out.get(text_key, "") == whole("".join(content + args), LEDGER)
        return
    assert texts_out.get(text_key, "") == whole("".join(content), LEDGER)
    restored_args = whole("".join(args), LEDGER, json_escape=True)
    assert texts_out.get(args_key, "") == restored_args
    json.loads(restored_args)  # still valid JSON
    if fmt is ApiFormat.OPENAI_RESPONSES:
        events = [e for _, e in sse_events(out)]
        assert [e["sequence_number"] for e in events] == list(range(len(events)))
        done = next(i for i, e in enumerate(events) if e["type"] == "response.output_text.done")
        streamed = "".join(e["delta"] for e in events[:done] if e["type"] == "response.output_text.delta")
        assert events[done]["text"] == streamed == texts_out.get(text_key, "")  # all text came before .done


# -- requests ------------------------------------------------------------------------------------------------

VALUES = (*NAMES, *EMAILS, "DE89370400440532013000", "+49 151 23456789")
FILLER = (
    "the",
    "contract",
    "pays",
    "ok",
    "42",
    "über",
    '"q"',
    "a\\b",
    "line\nbreak",
    "<b>",
    "{x}",
    "«»",
    "<<PERSON_1>>",
)
user_texts = st.lists(st.sampled_from(VALUES + FILLER), min_size=1, max_size=8).map(" ".join)
tool_arguments = st.builds(
    lambda a, b: json.dumps({"to": a, "cc": [b, 3], "ok": True}), user_texts, user_texts
)


def chat_body(t: list[str], args: str) -> dict:
    return {
        "model": "gpt-4o",
        "messages": [
            {"role": "system", "content": t[0]},
            {
                "role": "user",
                "content": [{"type": "text", "text": t[1]}, {"type": "image_url", "image_url": {"url": "u"}}],
            },
            {
                "role": "assistant",
                "content": t[2],
                "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": args}}],
            },
            {"role": "tool", "tool_call_id": "c", "content": t[3]},
        ],
    }


def responses_body(t: list[str], args: str) -> dict:
    return {
        "model": "m",
        "instructions": t[0],
        "input": [
            {"role": "user", "content": t[1]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": t[2]}]},
            {"type": "function_call", "call_id": "c", "name": "f", "arguments": args},
            {"type": "function_call_output", "call_id": "c", "output": t[3]},
        ],
    }


def anthropic_body(t: list[str], args: str) -> dict:
    return {
        "model": "claude",
        "max_tokens": 10,
        "system": t[0],
        "messages": [
            {"role": "user", "content": t[1]},
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": t[2]},
                    {"type": "tool_use", "id": "t", "name": "f", "input": json.loads(args)},
                ],
            },
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": t[3]}]},
        ],
    }


BODIES = {
    ApiFormat.OPENAI_CHAT: chat_body,
    ApiFormat.OPENAI_RESPONSES: responses_body,
    ApiFormat.ANTHROPIC_MESSAGES: anthropic_body,
    # plain prompts: a JSON document pasted into one is text (its \u-escapes are beyond any detector)
    ApiFormat.COMPLETIONS: lambda t, args: {"model": "m", "prompt": t, "suffix": t[0]},
    ApiFormat.EMBEDDINGS: lambda t, args: {"model": "m", "input": t},
}


def _present(value: str, data: bytes) -> bool:
    forms = {value, json.dumps(value)[1:-1], json.dumps(json.dumps(value))[3:-3]}
    return any(form.encode() in data for form in forms)


@PROPERTY
@given(
    fmt=st.sampled_from(list(BODIES)), parts=st.lists(user_texts, min_size=4, max_size=4), args=tool_arguments
)
def test_no_original_value_in_a_masked_body_and_every_field_restores(
    fmt: ApiFormat, parts: list[str], args: str
) -> None:
    original = BODIES[fmt](parts, args)
    outcome = GATE.process_request(fmt, json.dumps(original, ensure_ascii=False).encode())
    sent = outcome.body if outcome.body is not None else json.dumps(original).encode()
    assert [v for v in VALUES if _present(v, sent)] == []
    handler = wire_format(fmt)
    masked = json.loads(sent)
    for before, after in zip(handler.request_fields(original), handler.request_fields(masked), strict=True):
        assert restore_text(after.text, outcome.ledger, RestoreStats()) == before.text


@PROPERTY
@given(args=tool_arguments)
def test_tool_arguments_stay_valid_json_after_masking_and_after_restoring(args: str) -> None:
    request = chat_body(["s", "u", "a", "t"], args)
    raw = json.dumps(request).encode()
    outcome = GATE.process_request(ApiFormat.OPENAI_CHAT, raw)
    masked = json.loads(outcome.body or raw)["messages"][2]["tool_calls"][0]["function"]["arguments"]
    masked_value = json.loads(masked)  # valid JSON on the way out
    assert masked_value["ok"] is True and masked_value["cc"][1] == 3
    # the model echoes the masked arguments; the client gets the original document back
    response = {
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "tool_calls": [
                        {"id": "c", "type": "function", "function": {"name": "f", "arguments": masked}}
                    ],
                },
            }
        ]
    }
    restored = GATE.restore_body(ApiFormat.OPENAI_CHAT, json.dumps(response).encode(), outcome.ledger)
    arguments = json.loads(restored.body)["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(arguments) == json.loads(args)

"""Which format a path speaks, and the shared extract / write-back steps every format uses."""

from __future__ import annotations

import json

import pytest

from maskgate import ApiFormat, format_for_path
from maskgate.formats.base import JsonLiteral, TextCollector, write_back
from maskgate.formats.sniff import event_format, request_format, response_format


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/chat/completions", ApiFormat.OPENAI_CHAT),
        ("/chat/completions?stream=true", ApiFormat.OPENAI_CHAT),
        ("/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", ApiFormat.OPENAI_CHAT),
        ("/openai/deployments/instruct/completions?api-version=2024-10-21", ApiFormat.COMPLETIONS),
        ("/openai/deployments/ada/embeddings?api-version=2024-10-21", ApiFormat.EMBEDDINGS),
        ("/openai/v1/responses?api-version=preview", ApiFormat.OPENAI_RESPONSES),
        ("/openai/responses?api-version=2025-04-01-preview", ApiFormat.OPENAI_RESPONSES),
        ("/v1/responses", ApiFormat.OPENAI_RESPONSES),
        ("/v1/responses/input_tokens", ApiFormat.OPENAI_RESPONSES),
        ("/v1/messages", ApiFormat.ANTHROPIC_MESSAGES),
        ("/v1/messages/count_tokens", ApiFormat.ANTHROPIC_MESSAGES),
        ("/v1/completions", ApiFormat.COMPLETIONS),
        ("/v1/embeddings", ApiFormat.EMBEDDINGS),
        ("/v1/chat/completions/", ApiFormat.OPENAI_CHAT),
        ("//v1//chat/./completions", ApiFormat.OPENAI_CHAT),  # spellings an upstream may normalise
        ("/v1/chat/%63ompletions", ApiFormat.OPENAI_CHAT),
        ("/v1/models", None),
        ("/v1/files", None),
        ("/v1/responses/resp_123", None),
        ("/v1/messages/batches", None),
        ("/healthz", None),
        ("/v1/chat/completions-legacy", None),
    ],
)
def test_format_for_path(path: str, expected: ApiFormat | None) -> None:
    assert format_for_path(path) is expected


def test_gateway_prefix_is_stripped_on_segment_boundaries() -> None:
    assert format_for_path("/llm/v1/messages", prefix="/llm") is ApiFormat.ANTHROPIC_MESSAGES
    assert (
        format_for_path("/llm/openai/deployments/d/chat/completions", prefix="/llm/") is ApiFormat.OPENAI_CHAT
    )
    assert format_for_path("/llmx/v1/messages", prefix="/llm") is None
    assert format_for_path("/v1/messages", prefix="/llm") is ApiFormat.ANTHROPIC_MESSAGES


def test_json_document_literals_are_values_only_and_written_back_in_place() -> None:
    source = '{ "name" : "Max", "tags": ["a\\"b", 1, null], "nested": {"k": "v"}, "": "" }'
    collector = TextCollector()
    collector.json_document(("args",), source)
    assert [(f.text, type(f.path[-1])) for f in collector.fields] == [
        ("Max", JsonLiteral),
        ('a"b', JsonLiteral),
        ("v", JsonLiteral),
    ]
    body = {"args": source}
    changed = write_back(body, collector.fields, ["<<PERSON_1>>", 'x"y\\', "v"])
    assert changed == 2
    assert (
        body["args"]
        == '{ "name" : "<<PERSON_1>>", "tags": ["x\\"y\\\\", 1, null], "nested": {"k": "v"}, "": "" }'
    )
    assert json.loads(body["args"])["tags"][0] == 'x"y\\'


@pytest.mark.parametrize("source", ["plain text Max", "4915112345678", '{"broken": ', '"a string"'])
def test_anything_but_a_json_object_or_array_is_one_text(source: str) -> None:
    collector = TextCollector()
    collector.json_document(("x",), source)
    assert [(f.path, f.text) for f in collector.fields] == [(("x",), source)]


def test_shapes_tell_the_api_for_the_cli() -> None:
    assert request_format({"messages": [{"role": "user", "content": "hi"}]}) is ApiFormat.OPENAI_CHAT
    assert request_format({"system": "s", "messages": []}) is ApiFormat.ANTHROPIC_MESSAGES
    assert request_format({"messages": [{"role": "user", "content": [{"type": "tool_result"}]}]}) is (
        ApiFormat.ANTHROPIC_MESSAGES
    )
    assert request_format({"input": [{"role": "user", "content": "x"}]}) is ApiFormat.OPENAI_RESPONSES
    assert request_format({"input": "x", "instructions": "y"}) is ApiFormat.OPENAI_RESPONSES
    assert request_format({"input": ["a", "b"]}) is ApiFormat.EMBEDDINGS
    assert request_format({"prompt": "x"}) is ApiFormat.COMPLETIONS
    assert request_format({"model": "m"}) is None
    assert response_format({"type": "message", "content": []}) is ApiFormat.ANTHROPIC_MESSAGES
    assert response_format({"object": "response", "output": []}) is ApiFormat.OPENAI_RESPONSES
    assert response_format({"choices": [{"message": {}}]}) is ApiFormat.OPENAI_CHAT
    assert response_format({"choices": [{"text": ""}]}) is ApiFormat.COMPLETIONS
    assert response_format({"object": "list", "data": []}) is ApiFormat.EMBEDDINGS
    assert event_format({"type": "response.created"}) is ApiFormat.OPENAI_RESPONSES
    assert event_format({"type": "message_start"}) is ApiFormat.ANTHROPIC_MESSAGES
    assert event_format({"object": "chat.completion.chunk", "choices": []}) is ApiFormat.OPENAI_CHAT
    assert event_format({"choices": [], "prompt_filter_results": []}) is None  # Azure's first chunk: read on

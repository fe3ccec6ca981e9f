"""LiteLLM's logging callbacks never receive an original value: not from the request, not from what the
client was served (restored), not from a stream, not from a refused request.

A recording callback in each proxy writes down everything it is handed (``recording_logger.py``).
"""

from __future__ import annotations

import pytest

from examples.mock_provider import MockProvider
from tests.litellm import sdk
from tests.litellm.conftest import BLOCK, BROKEN, CHAT_MODEL, CLAUDE_MODEL, EMBEDDING_MODEL, Gateway
from tests.litellm.conversations import (
    ANTHROPIC_TOOLS,
    ASK,
    CHAT_TOOLS,
    RESPONSES_TOOLS,
    TOKEN,
    assert_no_originals,
    chat_history_with_tool_call,
)

pytestmark = pytest.mark.e2e
SUCCESS = ("async_success",)


def _every_api(gateway: Gateway) -> list[sdk.Reply]:
    openai_client, anthropic_client = gateway.openai, gateway.anthropic
    user = [{"role": "user", "content": ASK}]
    replies = []
    for stream in (False, True):
        replies += [
            sdk.chat(openai_client, user, model=CHAT_MODEL, stream=stream),
            sdk.chat(openai_client, chat_history_with_tool_call(), model=CHAT_MODEL, stream=stream,
                     tools=CHAT_TOOLS),
            sdk.chat(openai_client, user, model=CHAT_MODEL, stream=stream, tools=CHAT_TOOLS),
            sdk.completion(openai_client, ASK, model=CHAT_MODEL, stream=stream),
            sdk.responses(openai_client, ASK, model=CHAT_MODEL, stream=stream),
            sdk.responses(openai_client, ASK, model=CHAT_MODEL, stream=stream, tools=RESPONSES_TOOLS),
            sdk.messages(anthropic_client, user, model=CLAUDE_MODEL, stream=stream),
            sdk.messages(anthropic_client, user, model=CLAUDE_MODEL, stream=stream, tools=ANTHROPIC_TOOLS),
        ]
    replies.append(sdk.embedding(openai_client, ASK, model=EMBEDDING_MODEL))
    return replies


def test_logging_callbacks_never_see_originals(gateway: Gateway, provider: MockProvider) -> None:
    replies = _every_api(gateway)
    call_ids = {reply.call_id for reply in replies}
    assert None not in call_ids
    records = gateway.wait_for_logs(call_ids, SUCCESS)  # type: ignore[arg-type]
    seen = "\n".join(record["seen"] for record in records if record["call_id"] in call_ids)
    assert_no_originals(seen)
    assert TOKEN.search(seen), "the logging callback received no placeholder: did it get the calls at all?"


@pytest.mark.parametrize("selection", [BLOCK, BROKEN], ids=["blocked", "failed"])
def test_refused_requests_are_logged_without_originals(guardrails_gateway: Gateway, selection: dict) -> None:
    client = guardrails_gateway.openai
    calls = [
        lambda: client.chat.completions.with_raw_response.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": ASK}], extra_body=selection),
        lambda: client.completions.with_raw_response.create(model=CHAT_MODEL, prompt=ASK,
                                                            extra_body=selection),
        lambda: client.responses.with_raw_response.create(model=CHAT_MODEL, input=ASK, extra_body=selection),
    ]
    call_ids = set()
    for call in calls:
        with pytest.raises(Exception) as refused:
            call()
        call_ids.add(refused.value.response.headers[sdk.CALL_ID_HEADER])
    records = guardrails_gateway.wait_for_logs(call_ids, ("async_failure", "failure"))
    seen = "\n".join(record["seen"] for record in records if record["call_id"] in call_ids)
    assert_no_originals(seen)
    assert "withheld by maskgate" in seen

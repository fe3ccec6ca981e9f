"""Requests maskgate refuses never reach the provider, and the client learns why in its API's error format.

``maskgate-broken`` names a spaCy model that does not exist: masking cannot run at all, which must refuse the
request (fail closed) instead of forwarding it unmasked. ``maskgate-block`` runs the policy in block mode.
"""

from __future__ import annotations

import anthropic
import openai
import pytest

from examples.mock_provider import MockProvider
from tests.litellm import sdk
from tests.litellm.conftest import BLOCK, BROKEN, CHAT_MODEL, CLAUDE_MODEL, EMBEDDING_MODEL, Gateway
from tests.litellm.conversations import ASK, assert_no_originals

pytestmark = pytest.mark.e2e


def _openai_calls(gateway: Gateway, selection: dict[str, list[str]]) -> list:
    client = gateway.openai
    return [
        lambda: sdk.chat(client, [{"role": "user", "content": ASK}], model=CHAT_MODEL, extra_body=selection),
        lambda: sdk.chat(client, [{"role": "user", "content": ASK}], model=CHAT_MODEL, stream=True,
                         extra_body=selection),
        lambda: sdk.completion(client, ASK, model=CHAT_MODEL, extra_body=selection),
        lambda: sdk.embedding(client, ASK, model=EMBEDDING_MODEL, extra_body=selection),
        lambda: sdk.responses(client, ASK, model=CHAT_MODEL, stream=True, extra_body=selection),
    ]


def test_masking_failure_fails_closed(guardrails_gateway: Gateway, provider: MockProvider) -> None:
    for call in _openai_calls(guardrails_gateway, BROKEN):
        with pytest.raises(openai.InternalServerError) as refused:
            call()
        assert "maskgate: masking is unavailable; the request was not forwarded" in str(refused.value)
        assert_no_originals(str(refused.value.body))
    with pytest.raises(anthropic.InternalServerError) as refused_messages:
        sdk.messages(guardrails_gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                     extra_body=BROKEN)
    assert refused_messages.value.body["type"] == "error"
    assert "masking is unavailable" in refused_messages.value.body["error"]["message"]
    assert provider.requests == []


def test_block_mode_refuses_personal_data(guardrails_gateway: Gateway, provider: MockProvider) -> None:
    for call in _openai_calls(guardrails_gateway, BLOCK):
        with pytest.raises(openai.BadRequestError) as refused:
            call()
        assert refused.value.body["type"] == "invalid_request_error"
        assert "personal data (PERSON, PHONE_NUMBER)" in refused.value.body["message"]
        assert_no_originals(str(refused.value.body))
    with pytest.raises(anthropic.BadRequestError) as refused_messages:
        sdk.messages(guardrails_gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                     extra_body=BLOCK)
    assert refused_messages.value.body["error"]["type"] == "invalid_request_error"
    assert provider.requests == []


def test_block_mode_forwards_requests_without_personal_data(guardrails_gateway: Gateway,
                                                            provider: MockProvider) -> None:
    reply = sdk.chat(guardrails_gateway.openai, [{"role": "user", "content": "What is two plus two?"}],
                     model=CHAT_MODEL, extra_body=BLOCK)
    assert reply.text == "You said: What is two plus two?"
    assert len(provider.requests) == 1

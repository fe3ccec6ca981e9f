"""What users of LiteLLM's built-in Presidio guardrail complain about, one test each (from the notes).

Output not restored, tool-call arguments and failing closed are covered where their APIs are
(``test_apis.py``, ``test_refusals.py``); the rest is here.
"""

from __future__ import annotations

import pytest

from examples.mock_provider import MockProvider
from tests.litellm import sdk
from tests.litellm.conftest import CHAR_CHAT_MODEL, CHAT_MODEL, CLAUDE_MODEL, SLOW_CHAT_MODEL, Gateway
from tests.litellm.conversations import (
    ASK,
    ASK_OTHER,
    IBAN,
    OTHER_PERSON,
    PERSON,
    PHONE,
    TOKEN,
    assert_masked,
    assert_restored,
)

pytestmark = pytest.mark.e2e


def test_two_people_in_different_messages_get_different_tokens(gateway: Gateway,
                                                               provider: MockProvider) -> None:
    conversation = [
        {"role": "user", "content": f"Hello, my name is {PERSON}."},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": f"Please greet {OTHER_PERSON} from me."},
    ]
    reply = sdk.chat(gateway.openai, conversation, model=CHAT_MODEL)
    sent = provider.requests[-1].json()["messages"]
    assert_masked(provider.requests[-1])
    first, second = TOKEN.findall(sent[0]["content"]), TOKEN.findall(sent[2]["content"])
    assert first and second and set(first).isdisjoint(second), (first, second)
    assert reply.text == f"You said: Please greet {OTHER_PERSON} from me."


def test_tokens_are_stable_across_turns(gateway: Gateway, provider: MockProvider) -> None:
    """Turn 2 resends turn 1 and the restored answer: the provider sees turn 1 byte for byte as before, and
    the answer (which quotes the originals) is masked with the same tokens, not renumbered or re-masked."""
    turn1 = [{"role": "user", "content": ASK}]
    answer = sdk.chat(gateway.openai, turn1, model=CHAT_MODEL)
    sent1 = provider.requests[-1].json()["messages"]
    turn2 = [*turn1, {"role": "assistant", "content": answer.text},
             {"role": "user", "content": f"{ASK_OTHER} And call {PERSON} again."}]
    reply = sdk.chat(gateway.openai, turn2, model=CHAT_MODEL, stream=True)
    sent2 = provider.requests[-1].json()["messages"]
    assert sent2[0] == sent1[0]
    assert sent2[1]["content"] == f"You said: {sent1[0]['content']}"
    person_token = TOKEN.findall(sent1[0]["content"])[0]
    assert person_token in sent2[2]["content"]
    assert_masked(provider.requests[-1])
    assert_restored(reply.text, OTHER_PERSON, IBAN, PERSON)


@pytest.mark.parametrize("model", [CHAT_MODEL, CHAR_CHAT_MODEL], ids=["4-chars", "1-char"])
def test_placeholders_split_across_chunks_are_restored(gateway: Gateway, provider: MockProvider,
                                                        model: str) -> None:
    reply = sdk.chat(gateway.openai, [{"role": "user", "content": ASK}], model=model, stream=True)
    sent = assert_masked(provider.requests[-1])
    assert max(len(token) for token in TOKEN.findall(sent)) > 4  # so every placeholder was split
    assert reply.text == f"You said: {ASK}"
    assert all("<<" not in piece and ">>" not in piece for _, piece in reply.text_chunks)


def test_chat_stream_is_not_buffered(gateway: Gateway, provider: MockProvider) -> None:
    """The client receives the answer in many chunks, the first long before the provider has finished."""
    reply = sdk.chat(gateway.openai, [{"role": "user", "content": ASK}], model=SLOW_CHAT_MODEL, stream=True)
    upstream = provider.requests[-1]
    pieces = reply.text_chunks
    assert reply.text == f"You said: {ASK}"
    assert len(pieces) >= len(reply.text) // 8, f"only {len(pieces)} chunks for {len(reply.text)} characters"
    assert upstream.finished_at is not None
    first_at = pieces[0][0]
    assert first_at < upstream.events_sent_at[len(upstream.events_sent_at) // 2] < upstream.finished_at


def test_responses_stream_deltas_are_restored(gateway: Gateway, provider: MockProvider) -> None:
    reply = sdk.responses(gateway.openai, ASK, model=CHAT_MODEL, stream=True)
    assert_masked(provider.requests[-1])
    deltas = [event.delta for _, event in reply.chunks if event.type == "response.output_text.delta"]
    assert len(deltas) > 3 and "".join(deltas) == f"You said: {ASK}"
    done = next(event for _, event in reply.chunks if event.type == "response.output_text.done")
    completed = next(event for _, event in reply.chunks if event.type == "response.completed")
    assert done.text == f"You said: {ASK}"
    assert completed.response.output_text == f"You said: {ASK}"


def test_restored_output_is_not_masked_again(gateway: Gateway, provider: MockProvider) -> None:
    """The answer reaches the client with originals in every shape (text, streamed, Anthropic), never with
    placeholders put back by a second masking pass."""
    whole = sdk.chat(gateway.openai, [{"role": "user", "content": ASK}], model=CHAT_MODEL)
    streamed = sdk.messages(gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                            stream=True)
    for reply in (whole, streamed):
        assert_restored(reply.text, PERSON, PHONE)


def test_anthropic_thinking_blocks_stay_signed(gateway: Gateway, provider: MockProvider) -> None:
    """A signed thinking block goes back to the provider byte-identical (the mock checks its signature)."""
    thinking = {"type": "enabled", "budget_tokens": 1024}
    first = sdk.messages(gateway.anthropic, [{"role": "user", "content": ASK}], model=CLAUDE_MODEL,
                         thinking=thinking, max_tokens=2048)
    blocks = [block.model_dump() for block in first.result.content]
    assert blocks[0]["type"] == "thinking"
    conversation = [{"role": "user", "content": ASK}, {"role": "assistant", "content": blocks},
                    {"role": "user", "content": f"Thanks. {ASK_OTHER}"}]
    reply = sdk.messages(gateway.anthropic, conversation, model=CLAUDE_MODEL, thinking=thinking,
                         max_tokens=2048)
    assert_masked(provider.requests[-1])
    assert reply.text == f"You said: Thanks. {ASK_OTHER}"

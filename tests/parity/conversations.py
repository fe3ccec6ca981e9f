"""The conversations both packagings must treat identically, and what the client must get back from each.

Every row is sent unchanged through Envoy and through the LiteLLM proxy (``test_parity.py``). Its personal
data, in English or German (names, e-mail addresses, IBANs, phone numbers, API keys), sits where each API
carries text: user and system turns, history, tool-call arguments and tool results. The mock provider echoes
("You said: <last user text>", "Tool said: <last tool result>", tool-call arguments echoing the last user
text), so a row's expected answer follows from its originals alone.

``tests/litellm/conversations.py`` holds that suite's values and checks rather than a table of whole
requests, so the table lives here; its tool definitions are reused.

Not in the table, for a reason each:

- requests LiteLLM translates to another API (``/v1/messages`` to an OpenAI model, chat to a Claude model):
  Envoy never translates, so there is no second path to compare with;
- legacy completions as such: the example config has only chat models, and LiteLLM sends a completion for a
  chat model upstream as a chat completion. The completion rows therefore compare the prompt Envoy forwards
  with the user message LiteLLM makes of it (``litellm_api``), which still proves the same masked text;
- provider errors: the mock fails when an ``x-mock-status`` request header asks it to, which the LiteLLM
  proxy does not pass on from the client (its test models set their mock headers in the config), and LiteLLM
  answers with an error body of its own rather than the provider's;
- Anthropic thinking blocks *with* personal data: signed content is forwarded untouched by design, so its
  originals reach the provider on both paths. The thinking row carries a signed block with placeholders only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from examples.mock_provider import signature_for
from tests.litellm.conversations import ANTHROPIC_TOOLS, CHAT_TOOLS, RESPONSES_TOOLS

Api = Literal["chat", "responses", "messages", "completions", "embeddings"]

# -- the personal data -------------------------------------------------------------------------------------
EN_PERSON = "John Smith"
EN_OTHER_PERSON = "Mary Johnson"
EN_EMAIL = "john.smith@example.com"
EN_PHONE = "+1 415 555 0132"
EN_OTHER_PHONE = "+1 415 555 0198"
EN_IBAN = "GB82WEST12345698765432"
EN_KEY = "sk-proj-4fT9xQ2LmZ8vB7nR1kW3yH6jD0sA5eC"

DE_PERSON = "Erika Musterfrau"
DE_OTHER_PERSON = "Max Mustermann"
DE_EMAIL = "erika.musterfrau@beispiel.de"
DE_OTHER_EMAIL = "max.mustermann@beispiel.de"
DE_PHONE = "+49 151 23456789"
DE_IBAN = "DE89370400440532013000"
DE_KEY = "ghp_R8mK2pX7qL4vN9tB3wZ6yC1dF5hJ0sA2eG4i"

VALUES = (EN_PERSON, EN_OTHER_PERSON, EN_EMAIL, EN_PHONE, EN_OTHER_PHONE, EN_IBAN, EN_KEY,
          DE_PERSON, DE_OTHER_PERSON, DE_EMAIL, DE_OTHER_EMAIL, DE_PHONE, DE_IBAN, DE_KEY)

EN_ASK = (f"Please email {EN_PERSON} at {EN_EMAIL} or call {EN_PHONE}; our key is {EN_KEY}, "
          f"and the refund goes to IBAN {EN_IBAN}.")
EN_REPLY = f"Sure, I will write to {EN_PERSON} at {EN_EMAIL}."
EN_FOLLOW_UP = f"Then send {EN_OTHER_PERSON} the key {EN_KEY} by phone at {EN_OTHER_PHONE}."
EN_SYSTEM = f"Answer {EN_PERSON} politely."
# A signed thinking block as an earlier answer brought it back: placeholders inside, not to be touched.
EN_THINKING = "The user wants <<PERSON_1>> e-mailed at <<EMAIL_ADDRESS_1>>."

DE_ASK = (f"Bitte schreiben Sie Frau {DE_PERSON} an {DE_EMAIL} oder rufen Sie {DE_PHONE} an. "
          f"Die Überweisung geht an {DE_IBAN}, der Schlüssel lautet {DE_KEY}.")
DE_REPLY = f"Gern, ich schreibe {DE_PERSON} an {DE_EMAIL}."  # the name alone: found by the known-value sweep
DE_FOLLOW_UP = f"Und schicken Sie {DE_OTHER_PERSON} die IBAN {DE_IBAN} per E-Mail an {DE_OTHER_EMAIL}."
DE_SYSTEM = f"Du unterstützt {DE_PERSON} bei ihrer Korrespondenz."
DE_NOTE = f"{DE_PERSON} anrufen: {DE_PHONE}"
DE_TOOL_RESULT = f"Notiert: {DE_PERSON} ist unter {DE_PHONE} erreichbar, E-Mail {DE_EMAIL}."


def said(text: str) -> str:
    return f"You said: {text}"


def tool_said(text: str) -> str:
    return f"Tool said: {text}"


@dataclass(frozen=True)
class Conversation:
    """One request, as the SDK call's keyword arguments (model and stream aside), and its expected answer."""

    name: str
    api: Api
    request: dict[str, Any]
    answer: str | None = None  # every choice's text; None where the answer is a tool call
    arguments: dict[str, Any] | None = None  # every choice's tool-call arguments
    choices: int = 1
    streams: tuple[bool, ...] = (False, True)
    litellm_api: Api | None = None  # the API LiteLLM calls the provider with, where it is not ``api``

    @property
    def originals(self) -> tuple[str, ...]:
        """Every personal value in the request: none of them may reach the provider."""
        sent = json.dumps(self.request, ensure_ascii=False)
        return tuple(value for value in VALUES if value in sent)


def _user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def _chat_tool_history(ask: str, note: str, result: str) -> list[dict[str, Any]]:
    call = {"name": "take_note", "arguments": json.dumps({"note": note}, ensure_ascii=False)}
    return [
        *_user(ask),
        {"role": "assistant", "content": None,
         "tool_calls": [{"id": "call_1", "type": "function", "function": call}]},
        {"role": "tool", "tool_call_id": "call_1", "content": result},
    ]


CONVERSATIONS: tuple[Conversation, ...] = (
    # -- OpenAI Chat Completions
    Conversation("chat-single-en", "chat", {"messages": _user(EN_ASK)}, answer=said(EN_ASK)),
    Conversation("chat-history-de", "chat", {"messages": [
        {"role": "system", "content": DE_SYSTEM},
        *_user(DE_ASK),
        {"role": "assistant", "content": DE_REPLY},
        {"role": "user", "content": [{"type": "text", "text": DE_FOLLOW_UP}]},
    ]}, answer=said(DE_FOLLOW_UP)),
    Conversation("chat-tool-call-en", "chat", {"messages": _user(EN_ASK), "tools": CHAT_TOOLS},
                 arguments={"note": EN_ASK}),
    Conversation("chat-tool-result-de", "chat",
                 {"messages": _chat_tool_history(DE_ASK, DE_NOTE, DE_TOOL_RESULT), "tools": CHAT_TOOLS},
                 answer=tool_said(DE_TOOL_RESULT)),
    Conversation("chat-n2-de", "chat", {"messages": _user(DE_ASK), "n": 2}, answer=said(DE_ASK), choices=2),
    # -- OpenAI Responses
    Conversation("responses-text-en", "responses", {"input": EN_ASK, "instructions": EN_SYSTEM},
                 answer=said(EN_ASK)),
    Conversation("responses-history-de", "responses", {"input": [
        *_user(DE_ASK),
        {"role": "assistant", "content": DE_REPLY},
        {"role": "user", "content": [{"type": "input_text", "text": DE_FOLLOW_UP}]},
    ]}, answer=said(DE_FOLLOW_UP)),
    Conversation("responses-tool-call-en", "responses", {"input": EN_ASK, "tools": RESPONSES_TOOLS},
                 arguments={"note": EN_ASK}),
    Conversation("responses-tool-result-de", "responses", {"input": [
        *_user(DE_ASK),
        {"type": "function_call", "call_id": "call_1", "name": "take_note",
         "arguments": json.dumps({"note": DE_NOTE}, ensure_ascii=False)},
        {"type": "function_call_output", "call_id": "call_1", "output": DE_TOOL_RESULT},
    ], "tools": RESPONSES_TOOLS}, answer=tool_said(DE_TOOL_RESULT)),
    # -- Anthropic Messages
    Conversation("messages-system-de", "messages", {"system": DE_SYSTEM, "messages": _user(DE_ASK)},
                 answer=said(DE_ASK)),
    Conversation("messages-history-en", "messages", {"messages": [
        *_user(EN_ASK),
        {"role": "assistant", "content": EN_REPLY},
        {"role": "user", "content": [{"type": "text", "text": EN_FOLLOW_UP}]},
    ]}, answer=said(EN_FOLLOW_UP)),
    Conversation("messages-tool-use-en", "messages", {"system": [{"type": "text", "text": EN_SYSTEM}],
                                                      "messages": _user(EN_ASK), "tools": ANTHROPIC_TOOLS},
                 arguments={"note": EN_ASK}),
    Conversation("messages-tool-result-de", "messages", {"messages": [
        *_user(DE_ASK),
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "take_note", "input": {"note": DE_NOTE}}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": DE_TOOL_RESULT}]},
    ], "tools": ANTHROPIC_TOOLS}, answer=tool_said(DE_TOOL_RESULT)),
    Conversation("messages-thinking-en", "messages", {
        "thinking": {"type": "enabled", "budget_tokens": 1024}, "max_tokens": 2048, "messages": [
            *_user(EN_ASK),
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": EN_THINKING, "signature": signature_for(EN_THINKING)},
                {"type": "text", "text": EN_REPLY}]},
            *_user(EN_FOLLOW_UP),
        ]}, answer=said(EN_FOLLOW_UP)),
    # -- legacy Completions (see above) and Embeddings
    Conversation("completions-en", "completions", {"prompt": EN_ASK}, answer=said(EN_ASK),
                 litellm_api="chat"),
    Conversation("completions-de", "completions", {"prompt": DE_FOLLOW_UP}, answer=said(DE_FOLLOW_UP),
                 litellm_api="chat"),
    Conversation("embeddings-de-en", "embeddings", {"input": [DE_ASK, EN_ASK]},
                 streams=(False,)),  # embeddings have no streamed form
)

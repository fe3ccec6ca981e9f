"""Wire formats: one module per LLM API, each knowing which JSON fields carry user text.

A format module answers three questions and nothing else: which texts a request carries (in conversation
order, so token numbering is stable across turns), which fields of a response are restored, and how a
streamed response's events carry text fragments. Masking and restoring live in the core; a format module
only hands texts over and writes them back.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maskgate.formats.base import WireFormat

__all__ = ["ApiFormat", "wire_format"]


class ApiFormat(StrEnum):
    """The supported APIs. Azure OpenAI speaks the OpenAI formats under its own paths."""

    OPENAI_CHAT = "openai_chat"
    OPENAI_RESPONSES = "openai_responses"
    ANTHROPIC_MESSAGES = "anthropic_messages"
    COMPLETIONS = "completions"
    EMBEDDINGS = "embeddings"


@cache
def wire_format(fmt: ApiFormat | str) -> WireFormat:
    """The handler of ``fmt``. Imported on first use, so routing a path loads no format code."""
    from maskgate.formats import anthropic_messages, completions, embeddings, openai_chat, openai_responses

    modules = {
        ApiFormat.OPENAI_CHAT: openai_chat,
        ApiFormat.OPENAI_RESPONSES: openai_responses,
        ApiFormat.ANTHROPIC_MESSAGES: anthropic_messages,
        ApiFormat.COMPLETIONS: completions,
        ApiFormat.EMBEDDINGS: embeddings,
    }
    return modules[ApiFormat(fmt)].FORMAT

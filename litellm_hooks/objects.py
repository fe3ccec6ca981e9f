"""LiteLLM's response objects as the wire-format dicts the core restores, and back.

The core knows which JSON fields carry text; LiteLLM hands over pydantic objects (``ModelResponse``,
``ModelResponseStream``, ``TextCompletionResponse``, ``ResponsesAPIResponse``, the Responses stream event
classes) whose JSON dump is exactly that wire format. So an object is dumped, restored as a dict, and rebuilt
as a new object of the same class carrying the same private attributes (``_hidden_params`` holds the
deployment id the proxy puts into response headers).

The object LiteLLM handed over is never modified: its logging keeps a reference to it (streamed chunks are
assembled into the logged response, a non-streamed one is logged as it is), and that copy must keep the
placeholders.
"""

from __future__ import annotations

from typing import Any

from litellm.llms.openai.responses.transformation import OpenAIResponsesAPIConfig
from pydantic import BaseModel, ValidationError

from maskgate import ApiFormat

__all__ = ["as_wire", "copy_json", "rebuild"]


def as_wire(obj: BaseModel) -> dict[str, Any]:
    return obj.model_dump(mode="json", exclude_none=True)


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON (dicts, lists, scalars): cheaper than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {key: copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_json(item) for item in value]
    return value


def _class_for(fmt: ApiFormat, wire: dict[str, Any], like: BaseModel) -> type[BaseModel]:
    """Responses stream events have one class per event type (a flush event may differ from the event it
    precedes); every other shape keeps its class."""
    kind = wire.get("type")
    if fmt is ApiFormat.OPENAI_RESPONSES and isinstance(kind, str) and kind.startswith("response."):
        return OpenAIResponsesAPIConfig.get_event_model_class(event_type=kind)
    return type(like)


def rebuild(fmt: ApiFormat, wire: dict[str, Any], like: BaseModel) -> BaseModel:
    """A new object holding ``wire``, of ``like``'s class (or of the event class ``wire`` names)."""
    cls = _class_for(fmt, wire, like)
    try:
        obj = cls(**wire)
    except ValidationError:
        obj = cls.model_construct(**wire)  # what LiteLLM itself does with events it cannot validate
    if cls is type(like) and like.__pydantic_private__:
        obj.__pydantic_private__ = dict(like.__pydantic_private__)
    return obj

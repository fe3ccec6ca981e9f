"""The LiteLLM proxy guardrail: masks requests before the provider sees them, restores what comes back.

Every hook the proxy calls is defined on this class itself: the proxy looks hooks up in the registered
class's own ``__dict__`` and silently skips inherited ones (a subclass that only inherited them sent PII
upstream unmasked). ``apply_guardrail`` is deliberately absent: when a class has it, the proxy routes through
its "unified" guardrail path, these hooks are never called and stream rewrites are dropped.

Request (``async_pre_call_hook``): the call type names the wire format; the core masks the client's body in
place (tool calls and tool results included) and returns the ledger, which is kept in LiteLLM's metadata
bucket of the request (:mod:`litellm_hooks.state`). A request the core refuses, or that cannot be masked at
all, is rejected with the API's own error: nothing reaches the provider unmasked.

Response: ``async_post_call_success_hook`` restores a whole response, the streaming iterator hook restores
chunk by chunk with the core's hold-back (:mod:`litellm_hooks.streaming`). Neither modifies the objects it
is handed, and the logging object is made to keep placeholders (:mod:`litellm_hooks.log_hygiene`), so
logging callbacks never receive an original value.

Telemetry: the core reports every phase (spans and metrics); the hooks only hand it the proxy's request span
(LiteLLM's ``otel`` callback keeps it in ``user_api_key_dict.parent_otel_span`` without making it current),
so maskgate's spans join the proxy's trace, and close a stream the client abandoned so it counts as aborted.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any, NoReturn

from litellm.caching import DualCache
from litellm.integrations.custom_guardrail import CustomGuardrail
from litellm.proxy._types import UserAPIKeyAuth
from litellm.types.guardrails import GuardrailEventHooks
from opentelemetry.context import Context
from pydantic import BaseModel

from litellm_hooks import state
from litellm_hooks.calls import format_for_call, request_size, wire_body
from litellm_hooks.gates import load_policy, shared_gate
from litellm_hooks.log_hygiene import log_masked_request, log_refusal, withhold_request
from litellm_hooks.objects import as_wire, copy_json, rebuild
from litellm_hooks.refusals import Refusal, refusal, refusal_for_failure
from litellm_hooks.streaming import ChunkRestorer
from maskgate import Action, ApiFormat, Mode, Outcome, telemetry

__all__ = ["MaskgateGuardrail"]

logger = logging.getLogger("maskgate.litellm")

POLICY_ENV = "MASKGATE_POLICY"
MODE_ENV = "MASKGATE_MODE"

INLINE_BODY_BYTES = 32 * 1024
"""Requests up to this size are masked on the event loop, bigger ones on a worker thread. Detection holds the
GIL either way; a thread only keeps other requests' streams moving meanwhile, which matters for a long
document but not for a chat turn, whose few milliseconds of detection cost less than the hop to a thread and
back (measured: ~4 ms on a busy 2-core machine, about the detection time of a short message)."""


class MaskgateGuardrail(CustomGuardrail):
    """maskgate as a LiteLLM guardrail. Options (``litellm_params`` of a ``guardrails:`` entry):

    ``policy``: path of the policy file the Envoy service uses too (default: ``$MASKGATE_POLICY``, else the
    built-in defaults); ``maskgate_mode``: ``mask`` | ``block`` | ``detect`` | ``route``, overriding the
    policy's ``mode`` (default: ``$MASKGATE_MODE``). In ``route`` mode a request with PII is sent to LiteLLM's
    ``sensitive_data_route_to_model`` instead (and refused if none is configured). Everything else the proxy
    passes (``guardrail_name``, ``event_hook``, ``default_on``, ...) goes to ``CustomGuardrail``.
    """

    def __init__(self, policy: str | None = None, maskgate_mode: str | None = None, **kwargs: Any) -> None:
        # Defaults for the ready-made instance (``litellm_settings: callbacks``); an entry passes its own.
        kwargs.setdefault("guardrail_name", "maskgate")
        kwargs.setdefault("event_hook", [GuardrailEventHooks.pre_call.value,
                                         GuardrailEventHooks.post_call.value])
        kwargs.setdefault("default_on", True)
        super().__init__(**kwargs)
        path = policy or os.environ.get(POLICY_ENV) or None
        self.policy_path = str(Path(path).resolve()) if path else None
        policy_mode = load_policy(self.policy_path).mode  # a broken policy stops the proxy at startup
        self.mode = Mode(maskgate_mode or os.environ.get(MODE_ENV) or policy_mode)
        telemetry.configure_from_env()  # once per process; keeps providers the proxy's otel callback set up

    # -- request ----------------------------------------------------------------------------------------

    async def async_pre_call_hook(self, user_api_key_dict: UserAPIKeyAuth, cache: DualCache, data: dict,
                                  call_type: Any) -> dict:
        fmt = format_for_call(call_type)
        if fmt is None:
            return data  # a route without a text format maskgate knows (images, audio, files): untouched
        body = wire_body(data)
        outcome = await self._mask(fmt, body, request_size(data), _trace_context(user_api_key_dict))
        if outcome is None:  # the detector could not be built or crashed: fail closed
            await self._refuse(data, fmt, refusal_for_failure(fmt, "masking is unavailable"))
        if outcome.action is Action.BLOCK:
            await self._refuse(data, fmt, refusal(outcome))
        data.update(body)  # the core rewrote the view; top-level strings (prompt, input) were replaced in it
        if outcome.route_alternate:
            await self._route(data, fmt)
        if outcome.ledger:
            state.keep(data, outcome.ledger, fmt)
        log_masked_request(data, fmt, outcome.ledger)
        return data

    async def _mask(self, fmt: ApiFormat, body: dict[str, Any], size: int | None,
                    trace_context: Context | None) -> Outcome | None:
        """The core's decision on ``body`` (masked in place), or None when masking could not run at all."""
        try:
            gate = await shared_gate(self.policy_path)
            if size is not None and size <= INLINE_BODY_BYTES:
                return gate.process_request_json(fmt, body, self.mode, trace_context=trace_context)
            return await asyncio.to_thread(gate.process_request_json, fmt, body, self.mode,
                                           trace_context=trace_context)
        except Exception as exc:  # its message may quote the request: log the type only, chain nothing
            logger.error("maskgate: masking failed (%s); request refused", type(exc).__name__)
            return None

    async def _refuse(self, data: dict[str, Any], fmt: ApiFormat, reason: Refusal) -> NoReturn:
        withhold_request(data, fmt)
        await log_refusal(data, reason)
        raise reason

    async def _route(self, data: dict[str, Any], fmt: ApiFormat) -> None:
        alternate = self.sensitive_data_route_to_model
        if not alternate:
            await self._refuse(data, fmt, refusal_for_failure(
                fmt, "route mode found personal data but no sensitive_data_route_to_model is configured"))
        data["model"] = alternate

    # -- response ---------------------------------------------------------------------------------------

    async def async_post_call_success_hook(self, data: dict, user_api_key_dict: UserAPIKeyAuth,
                                           response: Any) -> Any:
        slot = state.slot_of(data)
        if slot is None or slot.fmt is ApiFormat.EMBEDDINGS:
            return response  # nothing was masked, or nothing in the answer is text
        gate = await shared_gate(self.policy_path)
        parent = _trace_context(user_api_key_dict)
        try:
            if isinstance(response, BaseModel):
                wire = as_wire(response)
                gate.restore_json(slot.fmt, wire, slot.ledger, trace_context=parent)
                return rebuild(slot.fmt, wire, response)
            if isinstance(response, dict):
                restored = copy_json(response)
                gate.restore_json(slot.fmt, restored, slot.ledger, trace_context=parent)
                return restored
        except Exception as exc:  # an answer holds placeholders, not PII: pass it on, do not fail the call
            logger.error("maskgate: restoring a response failed (%s); sent unrestored", type(exc).__name__)
        return response

    async def async_post_call_streaming_iterator_hook(self, user_api_key_dict: UserAPIKeyAuth,
                                                      response: AsyncIterator[Any],
                                                      request_data: dict) -> AsyncGenerator[Any, None]:
        slot = state.slot_of(request_data)
        if slot is None:
            async for chunk in response:
                yield chunk
            return
        restorer = ChunkRestorer(await shared_gate(self.policy_path), slot.fmt, slot.ledger,
                                 _trace_context(user_api_key_dict))
        try:
            async for chunk in response:
                for out in restorer.feed(chunk):
                    yield out
            for out in restorer.finish():
                yield out
        finally:  # the client disconnected or the upstream broke off: reported as aborted
            restorer.close()


def _trace_context(user_api_key_dict: UserAPIKeyAuth | None) -> Context | None:
    """The proxy's request span as the parent of maskgate's spans (None: the current context)."""
    return telemetry.context_with_span(getattr(user_api_key_dict, "parent_otel_span", None))

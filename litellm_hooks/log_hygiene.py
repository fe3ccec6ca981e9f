"""Keeping original values out of what LiteLLM hands its logging callbacks.

The provider only ever sees placeholders, but LiteLLM's logging object holds copies made around the hooks,
and every logging callback (observability backends, spend logs) receives them:

* the request, copied *before* the pre-call hook ran. Chat message dicts are shared with the request and
  masked in place with it, but a completions ``prompt`` or an embeddings/Responses ``input`` string is
  replaced, not mutated, so the logging object kept the original (its ``messages`` view and its ``input``).
  :func:`log_masked_request` points it at the masked input.
* the answer as served to the client, restored by our hooks, which the proxy records
  (``served_output_texts``) *after* the post-call hooks and the stream have run, and lays over the logged
  response. :func:`log_masked_request` makes the logging object's record mask those texts as they are
  stored, using the request's ledger, before any callback or the standard logging payload can see them.
* a refused request, which the proxy would log as the client sent it: :func:`withhold_request` blanks its
  texts (it is never forwarded, so nothing is lost) and :func:`log_refusal` logs the refusal from that
  copy (see :mod:`litellm_hooks.refusals` for why the proxy does not log it itself).

The response objects the logging keeps are the provider's own and untouched (our hooks build new objects),
so they hold placeholders already.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from litellm.constants import LITELLM_LOGGING_NO_UPSTREAM_LLM_CALL
from litellm.litellm_core_utils.litellm_logging import Logging
from litellm.litellm_core_utils.served_output_texts import SERVED_OUTPUT_TEXTS_KEY
from litellm.proxy.litellm_pre_call_utils import refresh_proxy_server_request_body_snapshot

from litellm_hooks.calls import logged_messages, main_input, wire_body
from maskgate import ApiFormat, Ledger
from maskgate.formats import wire_format
from maskgate.formats.base import write_back

__all__ = ["WITHHELD", "log_masked_request", "log_refusal", "withhold_request"]

WITHHELD = "[withheld by maskgate]"


def _logging_object(data: Mapping[str, Any]) -> Logging | None:
    logging_obj = data.get("litellm_logging_obj")
    return logging_obj if isinstance(logging_obj, Logging) else None


def _show_request(logging_obj: Logging, data: Mapping[str, Any], fmt: ApiFormat) -> None:
    key = main_input(fmt)
    if key in data:
        logging_obj.update_messages(logged_messages(data[key]))  # type: ignore[arg-type]
        logging_obj.model_call_details["input"] = data[key]


def log_masked_request(data: dict[str, Any], fmt: ApiFormat, ledger: Ledger) -> None:
    """Show the logging object the request as it was forwarded (masked), and have it record the answer
    served to the client with placeholders."""
    logging_obj = _logging_object(data)
    if logging_obj is None:
        return
    _show_request(logging_obj, data, fmt)
    if ledger:
        logging_obj.model_call_details = ServedTextsMasked(logging_obj.model_call_details, ledger)


def withhold_request(data: dict[str, Any], fmt: ApiFormat) -> None:
    """Blank every text of a request that is being refused, in the request and in the logging's copies."""
    body = wire_body(data)
    try:
        fields = wire_format(fmt).request_fields(body)
        write_back(body, fields, [WITHHELD] * len(fields))
    except Exception:  # a body the format cannot read: withhold its whole main input instead
        body[main_input(fmt)] = WITHHELD
    data.update(body)
    refresh_proxy_server_request_body_snapshot(data)
    logging_obj = _logging_object(data)
    if logging_obj is not None:
        _show_request(logging_obj, data, fmt)


async def log_refusal(data: Mapping[str, Any], refusal: Exception) -> None:
    """Log a refused request as a failure that never reached a provider, from its withheld copy."""
    logging_obj = _logging_object(data)
    if logging_obj is None:
        return
    logging_obj.model_call_details[LITELLM_LOGGING_NO_UPSTREAM_LLM_CALL] = True  # no LLM span for it
    logging_obj.pre_call(input=logging_obj.model_call_details.get("input"), api_key="")
    await logging_obj.async_failure_handler(exception=refusal, traceback_exception="")
    threading.Thread(target=logging_obj.failure_handler, args=(refusal, ""), daemon=True).start()


class ServedTextsMasked(dict):  # type: ignore[type-arg]
    """A logging object's call details whose served texts are masked as they are recorded.

    The proxy records them with one item assignment (``record_served_output_texts``), right after the
    hooks restored them; this is the only place they can be intercepted before a callback reads them.
    """

    __slots__ = ("_ledger",)

    def __init__(self, details: Mapping[str, Any], ledger: Ledger) -> None:
        super().__init__(details)
        self._ledger = ledger

    def __setitem__(self, key: str, value: Any) -> None:
        if key == SERVED_OUTPUT_TEXTS_KEY:
            value = _remask(value, _value_masker(self._ledger))
        super().__setitem__(key, value)


def _value_masker(ledger: Ledger) -> Callable[[str], str]:
    """Replaces each value of ``ledger`` by its token, as restored (verbatim) or JSON-escaped (in tool
    arguments): the exact inverse of restoring, longest value first."""
    replacements: dict[str, str] = {}
    for _, value in ledger.known_values():
        token = ledger.token_for(value)
        if token is not None:
            replacements[value] = token
            replacements.setdefault(json.dumps(value, ensure_ascii=False)[1:-1], token)
    if not replacements:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(v) for v in sorted(replacements, key=len, reverse=True)))
    return lambda text: pattern.sub(lambda match: replacements[match.group()], text)


def _remask(value: Any, mask_text: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_remask(item, mask_text) for item in value)
    return value

"""Keeping original values out of what LiteLLM hands its logging callbacks.

LiteLLM copies the request into its logging object *before* the pre-call hook runs, and records what the
client was served *after* the post-call hooks ran. Both copies would carry personal data to every logging
callback (observability backends, spend logs), although the provider only ever saw placeholders:

* request side: the logging object's ``messages`` were built from the original input. For chat the message
  dicts are shared with the request and masked in place with it, but a completions ``prompt``, an embeddings
  or Responses ``input`` string is replaced, not mutated, so the logging object kept the original. After
  masking, :func:`log_masked_request` points the logging object at the masked input.
* refused requests are logged as failures from the request as it came in: :func:`withhold_request` blanks
  the texts of a request before it is refused (it is never forwarded, so nothing is lost).
* response side: the proxy stores the texts it served (``served_output_texts``, restored by our hooks) and
  lays them over the logged response in the standard logging payload. :func:`mask_logging_payload`, run
  from the logging hooks, puts the placeholders back into those copies using the request's ledger.

The response objects the logging receives are the provider's own, untouched (our hooks build new objects),
so they hold placeholders already.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from litellm.litellm_core_utils.litellm_logging import Logging
from litellm.proxy.litellm_pre_call_utils import refresh_proxy_server_request_body_snapshot

from litellm_hooks.calls import logged_messages, main_input, wire_body
from litellm_hooks.state import slot_of
from maskgate import ApiFormat, Ledger
from maskgate.formats import wire_format
from maskgate.formats.base import write_back

__all__ = ["WITHHELD", "log_masked_request", "mask_logging_payload", "withhold_request"]

WITHHELD = "[withheld by maskgate]"

# Where the proxy keeps the served texts and the payload built from them for the logging callbacks.
_SERVED_COPIES = ("served_output_texts", "standard_logging_object")


def _logging_object(data: Mapping[str, Any]) -> Logging | None:
    logging_obj = data.get("litellm_logging_obj")
    return logging_obj if isinstance(logging_obj, Logging) else None


def log_masked_request(data: dict[str, Any], fmt: ApiFormat) -> None:
    """Show the logging object the request as it was forwarded (masked)."""
    logging_obj = _logging_object(data)
    key = main_input(fmt)
    if logging_obj is not None and key in data:
        logging_obj.update_messages(logged_messages(data[key]))  # type: ignore[arg-type]


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
    log_masked_request(data, fmt)


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
    if isinstance(value, dict):
        return {key: _remask(item, mask_text) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_remask(item, mask_text) for item in value)
    return value


def mask_logging_payload(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The logging payload with the texts served to the client masked again (a new dict; LiteLLM's logging
    object adopts it for every callback that follows)."""
    slot = slot_of(kwargs.get("litellm_params")) or slot_of(kwargs)
    if slot is None or not slot.ledger:
        return kwargs
    mask_text = _value_masker(slot.ledger)
    return {**kwargs, **{key: _remask(kwargs[key], mask_text) for key in _SERVED_COPIES if key in kwargs}}

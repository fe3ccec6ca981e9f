"""Where a request's ledger waits between the hooks: in LiteLLM's own metadata bucket of that request.

LiteLLM hands the same request dict to the pre-call hook, the post-call hook and the stream iterator, so the
ledger rides in it. It must not be a new top-level key: those are sent to the provider as part of the body,
which would hand the real values to the LLM. The metadata bucket is LiteLLM's internal one (``metadata`` on
chat, completions and embeddings; ``litellm_metadata`` on Responses and Messages, where ``metadata`` is the
caller's field and *is* forwarded). LiteLLM resolves that bucket itself (``get_or_create_metadata_bucket``).

Logging callbacks are handed the bucket too. So the ledger travels inside :class:`LedgerSlot`, a string
whose text says nothing: every serialiser (``repr``, ``json``, pydantic, pickle) sees only that text, and a
deep copy of the request shares the slot instead of copying personal data around.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.litellm_core_utils.core_helpers import get_or_create_metadata_bucket

from maskgate import ApiFormat, Ledger

SLOT_KEY = "maskgate"
_METADATA_KEYS = ("litellm_metadata", "metadata")


class LedgerSlot(str):
    """The ledger and wire format of one request, disguised as a harmless string."""

    ledger: Ledger
    fmt: ApiFormat

    def __new__(cls, ledger: Ledger, fmt: ApiFormat) -> LedgerSlot:
        slot = super().__new__(cls, f"<maskgate ledger: {len(ledger)} tokens>")
        slot.ledger = ledger
        slot.fmt = fmt
        return slot

    def __deepcopy__(self, memo: dict[int, Any]) -> LedgerSlot:
        return self

    def __copy__(self) -> LedgerSlot:
        return self

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return str, (str(self),)


def keep(data: dict[str, Any], ledger: Ledger, fmt: ApiFormat) -> None:
    _, bucket = get_or_create_metadata_bucket(data)
    bucket[SLOT_KEY] = LedgerSlot(ledger, fmt)


def slot_of(data: Mapping[str, Any] | None) -> LedgerSlot | None:
    """The slot kept for this request, looked up in either bucket (and in a logging payload's params)."""
    if not isinstance(data, Mapping):
        return None
    for key in _METADATA_KEYS:
        bucket = data.get(key)
        slot = bucket.get(SLOT_KEY) if isinstance(bucket, Mapping) else None
        if isinstance(slot, LedgerSlot):
            return slot
    return None

"""maskgate: PII pseudonymization for LLM traffic, inside the gateways you already run.

The adapter-facing API (see ``docs/architecture.md``)::

    from maskgate import Gate, Policy, format_for_path

    gate = Gate(Policy.load("policy.yaml"))
    fmt = format_for_path("/v1/chat/completions")
    outcome = gate.process_request(fmt, body)
    restored = gate.restore_body(fmt, response, outcome.ledger)

Importing this package is cheap: the detector (and spaCy) loads only when a :class:`Gate` is built.
"""

from maskgate.formats import ApiFormat
from maskgate.ledger import Ledger
from maskgate.pipeline import (
    Action,
    DetectionReport,
    EventRestorer,
    Gate,
    Mode,
    Outcome,
    ReadRequest,
    RestoredBody,
    StreamRestorer,
)
from maskgate.policy import Policy
from maskgate.restoring import RestoreStats
from maskgate.routing import format_for_path

__all__ = [
    "Action",
    "ApiFormat",
    "DetectionReport",
    "EventRestorer",
    "Gate",
    "Ledger",
    "Mode",
    "Outcome",
    "Policy",
    "ReadRequest",
    "RestoreStats",
    "RestoredBody",
    "StreamRestorer",
    "format_for_path",
]

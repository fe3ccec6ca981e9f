"""Structured JSON log lines for the processor, one object per line, with no personal data in them.

Requests are personal data, so nothing derived from their content may be logged: events carry API formats,
modes, entity *types* with counts, statuses and durations. Exceptions are logged by type and stack frames
only — an exception's message can quote the input (``KeyError('Max Mustermann')``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from typing import Any

LOGGER_NAME = "maskgate.extproc"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.msg if isinstance(record.msg, str) else str(type(record.msg).__name__),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["frames"] = [f"{f.filename}:{f.lineno}:{f.name}" for f in traceback.extract_tb(tb)]
        return json.dumps(entry, separators=(",", ":"))


def setup(level: str = "info") -> logging.Logger:
    """Route the processor's logger (and grpc's) to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    return logger


def log(level: int, event: str, **fields: Any) -> None:
    """Log ``event`` with ``fields``; callers pass only counts, names and numbers, never request text."""
    logger = logging.getLogger(LOGGER_NAME)
    if logger.isEnabledFor(level):
        exc_info = fields.pop("exc_info", None)
        logger.log(level, event, extra={"fields": fields}, exc_info=exc_info)


def elapsed_ms(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading), as the log lines give durations."""
    return round((time.perf_counter() - started) * 1000, 2)

"""A LiteLLM logging callback that writes down everything it is handed, for the "no PII in logs" tests.

It runs inside the proxy process (registered under ``litellm_settings: callbacks``), so it appends one JSON
line per logging event to the file named by ``MASKGATE_TEST_LOG_FILE``; the tests read that file. Each line
holds the event name, the call id and the ``repr`` of every argument: ``repr`` reaches into nested dicts,
lists and pydantic objects, which is what an observability backend serialising the payload would see.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

_lock = threading.Lock()


class RecordingLogger(CustomLogger):
    def _record(self, event: str, kwargs: Any, *payload: Any) -> None:
        call_id = kwargs.get("litellm_call_id") if isinstance(kwargs, dict) else None
        line = json.dumps({"event": event, "call_id": call_id, "seen": repr((kwargs, *payload))})
        with _lock, open(os.environ["MASKGATE_TEST_LOG_FILE"], "a", encoding="utf-8") as sink:
            sink.write(line + "\n")

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        self._record("pre_api_call", kwargs, messages)

    def log_post_api_call(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record("post_api_call", kwargs, response_obj)

    def log_stream_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record("stream_event", kwargs, response_obj)

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record("success", kwargs, response_obj)

    def log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        self._record("failure", kwargs, response_obj)

    async def async_log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        self._record("async_pre_api_call", kwargs, messages)

    async def async_log_stream_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                     end_time: Any) -> None:
        self._record("async_stream_event", kwargs, response_obj)

    async def async_log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self._record("async_success", kwargs, response_obj)

    async def async_log_failure_event(self, kwargs: Any, response_obj: Any, start_time: Any,
                                      end_time: Any) -> None:
        self._record("async_failure", kwargs, response_obj)


recorder = RecordingLogger()

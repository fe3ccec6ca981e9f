"""``make demo``: the openai and anthropic SDKs -> Envoy (ext_proc) -> a mock provider, all on loopback.

Starts the mock provider, ``maskgate extproc`` and Envoy (with a config from ``maskgate envoy-config``, the
same as ``envoy/demo.yaml`` apart from the ports, which are picked free), sends three requests carrying
personal data and prints, for each, what the provider received and what the client got back. Everything it
started is stopped again, also on Ctrl-C or an error. Exit status 0 when the provider saw no original value
and every client got all of them back.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import anthropic
import openai

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "examples")]

from anthropic_client import PROMPT as ANTHROPIC_PROMPT  # noqa: E402
from anthropic_client import message  # noqa: E402
from mock_provider import MockProvider, RecordedRequest  # noqa: E402
from openai_client import PROMPT as OPENAI_PROMPT  # noqa: E402
from openai_client import chat_stream  # noqa: E402

from extproc.envoy_config import EnvoySetup, command_line  # noqa: E402
from extproc.local import Envoy, Processor, free_port  # noqa: E402

ORIGINALS = ("Max Mustermann", "DE89370400440532013000", "+49 30 12345678", "Erika Mustermann")
WIDTH = 100


def last_user_text(recorded: RecordedRequest) -> str:
    content = recorded.json()["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def show(
    number: int, title: str, sent: str, recorded: RecordedRequest, got: str, headers: Any = None
) -> bool:
    received = last_user_text(recorded)
    print(f"\n{number}. {title}")
    print(f"   client sent:        {sent}")
    print(f"   provider received:  {received}")
    print(f"   client got:         {got}")
    if headers is not None:
        print(
            f"   maskgate headers:   entities={headers.get('x-maskgate-entities')} "
            f"masked={headers.get('x-maskgate-pii-masked')} unrestored={headers.get('x-maskgate-unrestored')}"
        )
    leaked = [value for value in ORIGINALS if value in recorded.body.decode("utf-8", "replace")]
    missing = [value for value in ORIGINALS if value in sent and value not in got]
    if leaked or missing:
        print(
            f"   PROBLEM: {len(leaked)} original value(s) reached the provider, {len(missing)} not restored"
        )
    return not leaked and not missing


def run_requests(envoy: Envoy, mock: MockProvider) -> bool:
    model = "demo-model"
    oai = openai.OpenAI(base_url=envoy.url + "/v1", api_key="demo-key", max_retries=0)
    raw = oai.chat.completions.with_raw_response.create(
        model=model, messages=[{"role": "user", "content": OPENAI_PROMPT}]
    )
    ok = show(
        1,
        "openai SDK, chat completion",
        OPENAI_PROMPT,
        mock.requests[-1],
        raw.parse().choices[0].message.content or "",
        raw.headers,
    )

    pieces = list(chat_stream(oai, OPENAI_PROMPT, model))
    ok &= show(
        2,
        f"openai SDK, streamed chat completion ({len(pieces)} chunks)",
        OPENAI_PROMPT,
        mock.requests[-1],
        "".join(pieces),
    )

    claude = anthropic.Anthropic(base_url=envoy.url, api_key="demo-key", max_retries=0)
    answer = message(claude, ANTHROPIC_PROMPT, model)
    ok &= show(3, "anthropic SDK, message", ANTHROPIC_PROMPT, mock.requests[-1], answer)
    return ok


def main() -> int:
    print("maskgate demo: SDK -> Envoy + maskgate ext_proc -> mock LLM provider (all on 127.0.0.1)\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on `kill` too, not only on Ctrl-C
    started: list[Any] = []  # registered before starting, so an interrupted start is stopped as well
    try:
        mock = MockProvider(event_delay=0.01)
        started.append(mock)
        mock.start()
        print(f"mock provider            {mock.url}")
        print("maskgate extproc         starting (loading the PII detector takes a moment) ...", flush=True)
        begun = time.monotonic()
        processor = Processor()
        started.append(processor)
        processor.start()
        print(f"maskgate extproc         {processor.address} (ready after {time.monotonic() - begun:.0f} s)")
        setup = EnvoySetup(listen=f"127.0.0.1:{free_port()}", upstream=mock.url, extproc=processor.address)
        envoy = Envoy(setup)
        started.append(envoy)
        envoy.start()
        print(f"envoy                    {envoy.url}")
        print(f"envoy config             {command_line(setup, as_snippet=False)}")
        ok = run_requests(envoy, mock)
        print(
            "\n"
            + (
                "The provider saw placeholders only; every client got its originals back."
                if ok
                else "Something leaked or was not restored: see PROBLEM above."
            )
        )
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\ninterrupted")
        return 130
    except Exception as exc:
        print(f"\ndemo failed: {type(exc).__name__}: {exc}")
        for item in started:
            if isinstance(item, Processor):
                print("\n".join(json.dumps(event) for event in item.events()[-5:]))
        return 1
    finally:
        for item in reversed(started):
            item.stop()
        print("stopped Envoy, maskgate extproc and the mock provider")


if __name__ == "__main__":
    sys.exit(main())

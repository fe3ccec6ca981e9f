"""The official openai SDK, unchanged, talking to an LLM through Envoy + maskgate.

Only ``base_url`` changes: it points at Envoy instead of the provider. The answer comes back with the
originals in it although the provider only ever saw placeholders.

    python examples/openai_client.py --base-url http://127.0.0.1:10000/v1        # the local demo setup
    OPENAI_API_KEY=sk-... python examples/openai_client.py --model gpt-4o-mini   # real provider behind Envoy
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator

import openai

PROMPT = (
    "Summarize the contract for Max Mustermann, IBAN DE89370400440532013000, "
    "phone +49 30 12345678, in one sentence."
)


def chat(client: openai.OpenAI, prompt: str, model: str) -> str:
    completion = client.chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}])
    return completion.choices[0].message.content or ""


def chat_stream(client: openai.OpenAI, prompt: str, model: str) -> Iterator[str]:
    """The answer's text pieces as they arrive (restored by maskgate on the way)."""
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": prompt}], stream=True
    )
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta.content:
                yield choice.delta.content


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:10000/v1", help="Envoy's listener + /v1")
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--prompt", default=PROMPT)
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key=os.environ.get("OPENAI_API_KEY", "demo-key"))
    print("non-streamed:", chat(client, args.prompt, args.model))
    print("streamed:     ", end="")
    for piece in chat_stream(client, args.prompt, args.model):
        print(piece, end="", flush=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

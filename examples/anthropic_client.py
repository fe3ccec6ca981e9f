"""The official anthropic SDK, unchanged, talking to Claude through Envoy + maskgate.

python examples/anthropic_client.py --base-url http://127.0.0.1:10000               # the local demo setup
ANTHROPIC_API_KEY=sk-ant-... python examples/anthropic_client.py --model claude-sonnet-4-5   # real provider
"""

from __future__ import annotations

import argparse
import os
import sys

import anthropic

PROMPT = "Write a two-line reminder to Erika Mustermann (phone +49 30 12345678) about her appointment."


def message(client: anthropic.Anthropic, prompt: str, model: str) -> str:
    reply = client.messages.create(
        model=model, max_tokens=512, messages=[{"role": "user", "content": prompt}]
    )
    return "".join(block.text for block in reply.content if block.type == "text")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:10000", help="Envoy's listener")
    parser.add_argument("--model", default="claude-sonnet-4-5")
    parser.add_argument("--prompt", default=PROMPT)
    args = parser.parse_args()
    client = anthropic.Anthropic(
        base_url=args.base_url, api_key=os.environ.get("ANTHROPIC_API_KEY", "demo-key")
    )
    print(message(client, args.prompt, args.model))
    return 0


if __name__ == "__main__":
    sys.exit(main())

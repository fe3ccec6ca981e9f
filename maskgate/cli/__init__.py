"""The ``maskgate`` command: one entry point, one module per subcommand.

Subcommand modules are imported only when chosen, so ``maskgate detect`` never loads gRPC and
``maskgate extproc`` never loads the LiteLLM extra. Each module exposes ``configure(parser)`` and
``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help). The adapters' commands live in their own packages: this table is the
# composition root, the core itself never imports them.
COMMANDS: dict[str, tuple[str, str]] = {
    "detect": ("maskgate.cli.detect", "detect PII in JSON lines read from stdin"),
    "mask": ("maskgate.cli.mask", "mask a request body (or plain text) read from stdin"),
    "restore": ("maskgate.cli.restore", "restore a response body or SSE stream read from stdin"),
    "extproc": ("extproc.cli", "serve the Envoy ext_proc gRPC service"),
    "envoy-config": ("extproc.envoy_config", "print an Envoy bootstrap or the filter snippet for a mesh"),
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="maskgate", description="PII pseudonymization for LLM traffic.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = argv[0] if argv and argv[0] in COMMANDS else None
    module = None
    for name, (module_name, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.configure(sub)
    args = parser.parse_args(argv)
    assert module is not None  # argparse has already rejected unknown commands
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""``maskgate extproc``: serve the Envoy ext_proc gRPC service."""

from __future__ import annotations

import argparse
import sys

from extproc.server import ServeOptions
from extproc.server import run as serve
from maskgate.policy import Policy, PolicyError


def configure(parser: argparse.ArgumentParser) -> None:
    defaults = ServeOptions()
    parser.add_argument(
        "--listen",
        default=defaults.listen,
        metavar="HOST:PORT|unix:PATH",
        help="address to serve gRPC on (default %(default)s)",
    )
    parser.add_argument(
        "--config", metavar="POLICY.YAML", help="policy file (default: the built-in defaults)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help="worker processes sharing the address, e.g. one per core (default %(default)s)",
    )
    parser.add_argument(
        "--path-prefix",
        default=defaults.path_prefix,
        metavar="PREFIX",
        help="a gateway prefix in front of the API paths, e.g. /openai",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=defaults.threads,
        help="detection threads per worker (default %(default)s)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=defaults.grace,
        metavar="SECONDS",
        help="on SIGTERM, how long streams in flight may take to finish (default %(default)s)",
    )
    parser.add_argument(
        "--log-level", default=defaults.log_level, choices=("debug", "info", "warning", "error")
    )


def run(args: argparse.Namespace) -> int:
    options = ServeOptions(
        listen=args.listen,
        policy=args.config,
        workers=args.workers,
        path_prefix=args.path_prefix,
        threads=args.threads,
        grace=args.grace,
        log_level=args.log_level,
    )
    try:
        options.check()
        if options.policy:
            Policy.load(options.policy)  # report a bad policy once, before any worker starts
    except (ValueError, PolicyError) as exc:
        print(f"maskgate extproc: {exc}", file=sys.stderr)
        return 2
    return serve(options)

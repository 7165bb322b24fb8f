"""Adds Python bytecode to the Lambda zip, which Chalice ships as source only.

Lambda's code directory is read-only, so Python cannot cache what it compiles
there: without ``__pycache__`` in the zip, every cold start compiles every
module it imports (about a second on a 2-core machine; bench/RESULTS.md, P1 "no
.pyc"). Bytecode is compiled with "unchecked hash" invalidation, so it is used
without comparing timestamps (zip entries have none worth trusting), and only
when this Python's version is the Lambda runtime's.
"""

from __future__ import annotations

import compileall
import py_compile
import sys
import tempfile
import zipfile
from pathlib import Path

LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the zip: tracebacks name these paths


def runtime_matches(runtime: str) -> bool:
    """Whether this interpreter compiles bytecode the Lambda ``runtime`` (e.g. python3.11) can load."""
    return runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"


def add_bytecode(zip_path: Path) -> int:
    """Rewrite ``zip_path`` with a ``__pycache__`` entry next to every module; returns how many."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        with zipfile.ZipFile(zip_path) as archive:
            entries = archive.infolist()
            archive.extractall(root)
        compileall.compile_dir(
            root,
            ddir=LAMBDA_TASK_ROOT,
            quiet=2,
            workers=0,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        compiled = sorted(p for p in root.rglob("*.pyc") if "__pycache__" in p.parts)
        rebuilt = zip_path.with_suffix(".zip.tmp")
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry in entries:  # keep Chalice's entries and their permissions as they were
                archive.writestr(entry, (root / entry.filename).read_bytes() if not entry.is_dir() else b"")
            for path in compiled:
                name = path.relative_to(root).as_posix()
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
        rebuilt.replace(zip_path)
    return len(compiled)

"""What the Lambda zip (``out/deployment.zip``, from ``make package``) weighs, and of what.

Read only: the benchmarks never build the zip. Besides the size it says
whether the zip carries compiled bytecode, because without .pyc files Lambda
compiles every module from source on each cold start (its code directory is
read-only, so nothing is cached), which P1's "no .pyc" row measures.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ZipSummary:
    """Size and make-up of a deployment zip."""

    path: Path
    size: int
    uncompressed: int
    entries: int
    pyc_files: int
    largest: list[tuple[str, int]]


def summarize(path: Path, top: int = 5) -> ZipSummary | None:
    """The zip's summary (``top`` largest top-level entries by compressed size), or None if absent."""
    if not path.is_file():
        return None
    by_top: Counter[str] = Counter()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    for info in infos:
        by_top[info.filename.split("/", 1)[0]] += info.compress_size
    return ZipSummary(
        path=path,
        size=path.stat().st_size,
        uncompressed=sum(i.file_size for i in infos),
        entries=len(infos),
        pyc_files=sum(1 for i in infos if i.filename.endswith(".pyc")),
        largest=by_top.most_common(top),
    )

"""``python -m bench.peak_rss OUT -- ARGV...``: run ARGV, then write its peak RSS and CPU time to OUT.

The kernel records a process's peak RSS including the moment between fork
and exec, when it still counts its parent's pages: measured straight from the
benchmark process (which holds the emulator's data) every child would seem as
large as the benchmark. This small launcher forks the child instead, so what
``wait4`` reports is the child's own peak (plus at most this launcher's few MiB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def main() -> None:
    out, separator, *argv = sys.argv[1:]
    if separator != "--" or not argv:
        raise SystemExit("usage: python -m bench.peak_rss OUT -- ARGV...")
    child = subprocess.Popen(argv)
    _, status, usage = os.wait4(child.pid, 0)
    cpu = usage.ru_utime + usage.ru_stime
    Path(out).write_text(json.dumps({"maxrss": usage.ru_maxrss * 1024, "cpu": cpu}))
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()

"""``make run``'s API in a child process that is restarted whenever the app's code changes.

This is the parent half of Chalice's reloader (``chalice local`` does the same
with its own command line): it keeps the listening socket and starts
``python -m devstack.api_server`` on it; the worker exits with Chalice's
restart code when a watched file changes, and a fresh worker imports the new
code. Connections made during a restart wait in the socket's backlog.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from chalice.cli.filewatch import RESTART_REQUEST_RC

ROOT = Path(__file__).resolve().parent.parent
_STOPPED_FROM_OUTSIDE = (-signal.SIGTERM, -signal.SIGINT)


class ReloadingApi:
    """The API worker process and the thread that restarts it."""

    def __init__(self, sock: socket.socket, env: Mapping[str, str], stage: str = "local") -> None:
        self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._sock = sock
        self._env = dict(env)
        self._command = [
            sys.executable,
            "-m",
            "devstack.api_server",
            "--fd",
            str(sock.fileno()),
            "--stage",
            stage,
        ]
        self._lock = threading.Lock()
        self._stopping = False
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._supervise, name="api-reloader", daemon=True)

    def start(self) -> None:
        """Start the first worker."""
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        with self._lock:
            if self._stopping:
                return None
            self._process = subprocess.Popen(
                self._command, cwd=ROOT, env=self._env, pass_fds=[self._sock.fileno()]
            )
            return self._process

    def _supervise(self) -> None:
        while (process := self._spawn()) is not None:
            code = process.wait()
            if self._stopping or code in _STOPPED_FROM_OUTSIDE:
                return  # e.g. a SIGTERM sent to the whole process group, as `timeout` does
            if code != RESTART_REQUEST_RC:
                print(f"The API stopped (exit code {code}); restart make run.", file=sys.stderr, flush=True)
                return
            print("Code changed: the API restarted with it.", flush=True)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the API answers ``GET /health``.

        Raises:
            RuntimeError: it did not answer in time (its traceback is above).
        """
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=timeout) as answer:  # noqa: S310
                answer.read()
        except OSError as error:
            raise RuntimeError(f"the API did not start: {error}") from None

    def stop(self) -> None:
        """Stop the worker and close the socket."""
        with self._lock:
            self._stopping = True
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._thread.join(timeout=10)
        self._sock.close()

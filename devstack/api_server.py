"""The API worker of ``make run``: Chalice's local server under Chalice's reloader.

``python -m devstack.api_server --fd N`` serves the Chalice app on a listening
socket its parent (``devstack.api_process``) holds open, and exits with
Chalice's restart code when the app's code changes; the parent then starts a
fresh worker on the same socket, so a reload never refuses a connection and
port 0 works. Code that does not import (a syntax error mid-edit) gets its
traceback printed and a 503 JSON answer to every request until the next
change (``api_fallback``). Settings come from the environment, and the stage's
``environment_variables`` fill in only what it does not set (``make run``'s
overrides win; an edit to .chalice/config.json applies at the next reload).

Three differences from API Gateway are corrected: Chalice's listen backlog of
5 resets connections when a browser or a test opens a few dozen at once (the
parent listens with a larger one); it keeps only the first of repeated headers,
so two ``Authorization`` headers looked like one good one (API Gateway hands
Locker every value; here repeated headers are joined with ", ", RFC 9110's
combination, which Locker's bearer parsing refuses); and its own answers (a
path no route matches, deeper than Locker's catch-all routes) echo the
``Authorization`` header, where deployed API Gateway's are templated to
Locker's 404. Every method reaches the app, so TRACE or QUERY get Locker's 405
instead of the stdlib's 501 page (which it sends for any method without a
``do_`` handler).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from chalice.cli import reloader
from chalice.cli.factory import CLIFactory
from chalice.cli.filewatch.stat import StatFileWatcher, StatWorkerProcess
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    ThreadedHTTPServer,
)
from chalice.utils import OSUtils

from devstack import api_fallback

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# What the reloader watches: the app's code and its stage settings, not .venv or .local.
WATCHED_FILES = ("app.py", ".chalice/config.json")
WATCHED_PACKAGE = "chalicelib"


class _Server(ThreadedHTTPServer):
    """Chalice's threaded server on an already listening socket."""

    daemon_threads = True

    def __init__(self, sock: socket.socket, handler: Any) -> None:
        super().__init__(sock.getsockname(), handler, bind_and_activate=False)
        self.socket.close()  # type: ignore[has-type]  # the unbound one TCPServer made
        self.socket = sock
        self.server_name, self.server_port = sock.getsockname()[:2]


class _Handler(ChaliceRequestHandler):
    def _parse_payload(self) -> tuple[dict[str, Any], bytes | None]:
        headers, body = super()._parse_payload()
        for name in {n.lower() for n in self.headers}:
            values = self.headers.get_all(name) or []
            if len(values) > 1:
                for key in [k for k in headers if k.lower() == name]:
                    del headers[key]
                headers[name] = ", ".join(values)
        return headers, body

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # Imported here, not at the top: the worker must start even when chalicelib does not import.
        from chalicelib.routes.unmatched import NOT_FOUND

        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        self._send_http_response(404, headers, json.dumps(NOT_FOUND))

    def __getattr__(self, name: str) -> Any:
        # Only what the class lacks gets here: ``do_TRACE``, ``do_QUERY``, ``do_PROPFIND``...
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)


class _AppCode(OSUtils):  # type: ignore[misc]
    """``walk`` for Chalice's stat watcher: only the files that make up the app."""

    def walk(self, path: str, followlinks: bool = False) -> Iterator[tuple[str, list[str], list[str]]]:
        root = Path(path)
        yield str(root), [], [name for name in WATCHED_FILES if (root / name).is_file()]
        for folder, dirs, files in os.walk(root / WATCHED_PACKAGE):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            yield folder, dirs, [f for f in files if f.endswith(".py")]


class _Worker(StatWorkerProcess):  # type: ignore[misc]
    def _start_file_watcher(self, project_dir: str) -> None:
        StatFileWatcher(_AppCode()).watch_for_file_changes(project_dir, self._on_file_change)


def local_server(project_dir: Path, stage: str, sock: socket.socket) -> LocalDevServer:
    """The Chalice app of ``project_dir`` with ``stage``'s settings, serving on ``sock``."""
    factory = CLIFactory(project_dir=str(project_dir), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    for name, value in config.environment_variables.items():
        os.environ.setdefault(name, value)
    app = factory.load_chalice_app()
    # What chalice.local.create_local_server does, with our handler and server classes.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    host, port = sock.getsockname()[:2]
    return LocalDevServer(
        app, config, host, port, handler_cls=_Handler, server_cls=lambda _, handler: _Server(sock, handler)
    )


def _server_or_unavailable(project_dir: Path, stage: str, sock: socket.socket) -> Any:
    try:
        return local_server(project_dir, stage, sock)
    except Exception:  # any error importing the app: a syntax error mid-edit, a bad setting...
        traceback.print_exc()
        print("The API's code does not load: it answers 503 until the next change.", file=sys.stderr)
        return api_fallback.UnavailableServer(_Server(sock, api_fallback.Unavailable))


def _exit_with_parent() -> None:
    """A worker never outlives ``make run``, even when its parent is killed outright."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def main() -> None:
    """Serve until the code changes (exit code 3: restart me) or the parent stops us."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    parser.add_argument("--stage", default="local")
    args = parser.parse_args()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    sock = socket.socket(fileno=args.fd)
    server_factory = partial(_server_or_unavailable, ROOT, args.stage, sock)
    sys.exit(reloader.start_worker_process(server_factory, str(ROOT), _Worker))


if __name__ == "__main__":
    main()

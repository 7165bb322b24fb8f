"""Serves the single-page app from ``web/`` with a generated ``config.json``.

``make run`` serves it in its own process; ``python -m devstack.web_server``
(``make web``) serves it alone, for the API and emulator that
``.local/stack.json`` names, e.g. ``chalice local`` on ``make emulator``.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SPA_LIMITS = ("maxSize", "multipartThreshold", "allowedTypes")  # of stack.json's, what web/config.js reads


class _Handler(SimpleHTTPRequestHandler):
    config_body: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.config_body)))
            self.end_headers()
            self.wfile.write(self.config_body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def spa_config(stack: dict[str, Any]) -> dict[str, Any]:
    """The SPA's ``config.json`` for a local stack (stack.json's content)."""
    config: dict[str, Any] = {
        "apiUrl": stack["apiUrl"],
        "region": stack["region"],
        "cognitoEndpoint": f"{stack['awsEndpointUrl']}/",
        "clientId": stack["clientId"],
    }
    # What the upload panel enforces and shows before any upload, and where it switches to parts.
    limits = {k: v for k, v in stack.get("limits", {}).items() if k in SPA_LIMITS}
    if limits:
        config["limits"] = limits
    return config


def serve(folder: Path, config: dict[str, Any], sock: socket.socket) -> ThreadingHTTPServer:
    """Serve ``folder`` on the listening ``sock`` in a daemon thread; ``/config.json`` answers ``config``."""
    handler = type("WebHandler", (_Handler,), {"config_body": json.dumps(config).encode()})
    address = sock.getsockname()
    server = ThreadingHTTPServer(address, partial(handler, directory=str(folder)), bind_and_activate=False)
    server.socket.close()
    server.socket = sock
    server.server_name, server.server_port = address[:2]
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


def main() -> None:
    """Serve ``web/`` on ``LOCKER_WEB_PORT`` (8080) for the stack in stack.json, until Ctrl-C."""
    from devstack.options import ROOT, Options
    from devstack.sockets import PortBusyError, listen

    options = Options.from_env(os.environ)
    stack_file = options.state_dir / "stack.json"
    if not stack_file.exists():
        raise SystemExit(f"{stack_file} not found: start the emulator first with `make emulator`")
    stack = json.loads(stack_file.read_text())
    try:
        sock = listen(options.web_port, "LOCKER_WEB_PORT")
    except PortBusyError as error:
        raise SystemExit(str(error)) from None
    if f"http://127.0.0.1:{options.web_port}" != stack["webUrl"]:
        print(f"Note: the bucket's CORS rules and the API allow {stack['webUrl']}, not this port.")
    server = serve(ROOT / "web", spa_config(stack), sock)
    print(
        f"Web app on http://127.0.0.1:{sock.getsockname()[1]} for the API at {stack['apiUrl']}; Ctrl-C stops"
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()

"""Serves the single-page app from ``web/`` with a generated ``config.json``."""

from __future__ import annotations

import json
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


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

"""What ``make run``'s API worker serves while the app's code does not load.

A syntax error saved mid-edit must not leave connections hanging in the
listening socket's backlog: every request gets a 503 JSON error (with
``Retry-After``) until the next change reloads the worker.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, HTTPServer


class Unavailable(BaseHTTPRequestHandler):
    """Answers every request while the app's code does not load (the traceback is in the log)."""

    BODY = json.dumps(
        {"Code": "ServiceUnavailable", "Message": "The API's code does not load; see make run's output."}
    ).encode()

    def _answer(self) -> None:
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.send_header("Retry-After", "1")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.BODY)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _answer


class UnavailableServer:
    """A ``LocalDevServer`` stand-in (what Chalice's worker runs and shuts down) for ``server``."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def shutdown(self) -> None:
        self.server.shutdown()

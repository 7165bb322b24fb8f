"""Chalice's local server, made to behave like API Gateway where Locker relies on it.

Three differences matter: its listen backlog of 5 resets connections when a
browser or a test opens a few dozen at once; it keeps only the first of
repeated headers, so two ``Authorization`` headers looked like one good one
(API Gateway hands Locker every value; here repeated headers are joined with
", ", RFC 9110's combination, which Locker's bearer parsing refuses); and its
own answers (a path no route matches, deeper than Locker's catch-all routes)
echo the ``Authorization`` header, where deployed API Gateway's are templated
to Locker's 404. TRACE reaches the app (405) instead of the stdlib's 501 page.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    ThreadedHTTPServer,
)

from chalicelib.routes.unmatched import NOT_FOUND


class _Server(ThreadedHTTPServer):
    request_queue_size = 128
    daemon_threads = True


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
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        self._send_http_response(404, headers, json.dumps(NOT_FOUND))

    do_TRACE = ChaliceRequestHandler._generic_handle


def serve(project_dir: Path, stage: str, port: int) -> LocalDevServer:
    """Serve the Chalice app of ``project_dir`` with ``stage``'s settings on 127.0.0.1, in a thread."""
    factory = CLIFactory(project_dir=str(project_dir), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = factory.load_chalice_app(config.environment_variables)
    # What chalice.local.create_local_server does, with our handler and server classes.
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    server = LocalDevServer(app, config, "127.0.0.1", port, handler_cls=_Handler, server_cls=_Server)
    threading.Thread(target=server.server.serve_forever, name="api", daemon=True).start()
    return server

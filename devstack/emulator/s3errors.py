"""S3's error answers, shaped the way S3 shapes them.

The emulator's gate refuses requests that moto would wrongly accept. Clients
(boto3, browsers, curl users reading the body) must see exactly what real S3
would send: the status, an XML ``<Error>`` document with S3's ``Code`` and
``Message``, and the request-id headers.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from wsgiref.types import StartResponse, WSGIEnvironment
from xml.sax.saxutils import escape

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class S3Error(Exception):
    """A refusal worded like S3's; call it as a WSGI app to send it."""

    def __init__(
        self, status: int, code: str, message: str, details: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})

    def xml(self, request_id: str, host_id: str) -> bytes:
        """The ``<Error>`` document, extra elements in the order S3 lists them."""
        fields = {"Code": self.code, "Message": self.message, **self.details}
        fields.update(RequestId=request_id, HostId=host_id)
        inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
        return f"{_XML_DECLARATION}<Error>{inner}</Error>".encode()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request_id = secrets.token_hex(8).upper()
        host_id = base64.b64encode(secrets.token_bytes(48)).decode()
        body = self.xml(request_id, host_id)
        headers = [
            ("Content-Type", "application/xml"),
            ("x-amz-request-id", request_id),
            ("x-amz-id-2", host_id),
        ]
        if environ.get("REQUEST_METHOD") == "HEAD":
            body = b""  # S3 answers HEAD errors with the status alone
        else:
            headers.append(("Content-Length", str(len(body))))
        start_response(f"{self.status} {HTTPStatus(self.status).phrase}", headers)
        return [body]

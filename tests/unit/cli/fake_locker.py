"""An in-memory Locker, Cognito and storage behind one httpx.MockTransport, for the CLI's unit tests.

It follows API.md closely enough to drive the client: single PUTs pinned by
sha256, multipart uploads whose part URLs pin length and checksum, listing
stored parts, completion that names missing parts, and downloads. Hooks let
a test count requests or make one fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

API = "http://locker.test"
COGNITO = "http://cognito.test/"
STORAGE = "http://storage.test"
CLIENT_ID = "fakeclient"
USER, PASSWORD = "alice@example.com", "Alice-password-1"
MIB = 1024 * 1024


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@dataclass
class FakeFile:
    id: str
    filename: str
    content_type: str
    size: int
    sha256: str | None
    status: str = "pending"
    multipart: bool = False
    body: bytes | None = None
    parts: dict[int, bytes] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "status": self.status,
            "createdAt": "2026-12-01T00:00:00Z",
            "updatedAt": "2026-12-01T00:00:00Z",
            "rejectedReason": None,
        }


class FakeLocker:
    """The fake services; ``transport`` is what the CLI is given."""

    def __init__(self, threshold: int = 8 * MIB, part_size: int = 5 * MIB) -> None:
        self.threshold, self.part_size = threshold, part_size
        self.files: dict[str, FakeFile] = {}
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request
        self.part_puts: list[int] = []  # part numbers whose PUT storage accepted
        self.signed: list[int] = []  # part numbers of every URL signed
        self.before: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.reject_content = False
        self._lock = threading.Lock()
        self.transport = httpx.MockTransport(self._handle)

    # Helpers for tests.
    def issue_token(self) -> str:
        token = f"token-{uuid.uuid4().hex}"
        self.tokens.add(token)
        return token

    def part_size_of(self, file_id: str, number: int) -> int:
        file = self.files[file_id]
        return min(self.part_size, file.size - (number - 1) * self.part_size)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        url = urlsplit(str(request.url))
        with self._lock:
            self.requests.append((request.method, url.path))
        if self.before is not None:
            forced = self.before(request)
            if forced is not None:
                return forced
        origin = f"{url.scheme}://{url.netloc}"
        if origin + "/" == COGNITO:
            return self._cognito(request)
        if origin == STORAGE:
            return self._storage(request, url.path, parse_qs(url.query))
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.tokens:
            return _error(401, "UnauthorizedError", "Unauthorized")
        return self._api(request, url.path)

    def _cognito(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.read())
        params = body["AuthParameters"]
        if body["ClientId"] != CLIENT_ID:
            return httpx.Response(
                400, json={"__type": "ResourceNotFoundException", "message": "no such client"}
            )
        if body["AuthFlow"] == "USER_PASSWORD_AUTH":
            if (params["USERNAME"], params["PASSWORD"]) != (USER, PASSWORD):
                return httpx.Response(
                    400,
                    json={"__type": "NotAuthorizedException", "message": "Incorrect username or password."},
                )
            result = {"AccessToken": self.issue_token(), "RefreshToken": "refresh-1", "ExpiresIn": 3600}
        elif params.get("REFRESH_TOKEN") == "refresh-1":
            result = {"AccessToken": self.issue_token(), "ExpiresIn": 3600}
        else:
            return httpx.Response(
                400, json={"__type": "NotAuthorizedException", "message": "Invalid Refresh Token"}
            )
        return httpx.Response(200, json={"AuthenticationResult": result})

    def _api(self, request: httpx.Request, path: str) -> httpx.Response:
        segments = path.strip("/").split("/")
        method = request.method
        if segments == ["files"] and method == "POST":
            return self._create(json.loads(request.read()))
        if segments == ["files"] and method == "GET":
            return httpx.Response(
                200, json={"items": [f.public() for f in self.files.values()], "nextCursor": None}
            )
        if len(segments) < 2 or segments[0] != "files" or segments[1] not in self.files:
            return _error(404, "NotFoundError", "file not found")
        file = self.files[segments[1]]
        action = segments[2] if len(segments) > 2 else None
        if action is None and method == "GET":
            return httpx.Response(200, json={"file": file.public()})
        if action is None and method == "DELETE":
            del self.files[file.id]
            return httpx.Response(204)
        if action == "parts" and method == "POST":
            return self._sign(file, json.loads(request.read())["parts"])
        if action == "parts" and method == "GET":
            held = [{"partNumber": n, "size": len(b), "etag": "x"} for n, b in sorted(file.parts.items())]
            return httpx.Response(200, json={"parts": held})
        if action == "complete" and method == "POST":
            return self._complete(file)
        if action == "download" and method == "GET":
            if file.status != "ready":
                return _error(409, "ConflictError", "file is not ready")
            return httpx.Response(200, json={"url": f"{STORAGE}/get/{file.id}?sig=1", "method": "GET"})
        return _error(405, "MethodNotAllowedError", "no such route")

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        size = body["size"]
        if size > self.threshold and "sha256" in body:
            return _error(400, "BadRequestError", "sha256 is for uploads of at most the threshold")
        file = FakeFile(uuid.uuid4().hex, body["filename"], body["contentType"], size, body.get("sha256"))
        self.files[file.id] = file
        if size <= self.threshold:
            headers = {"Content-Type": file.content_type, "If-None-Match": "*"}
            if file.sha256:
                headers["x-amz-checksum-sha256"] = file.sha256
            upload = {"method": "PUT", "url": f"{STORAGE}/put/{file.id}?sig=1", "headers": headers}
        else:
            file.multipart = True
            count = -(-size // self.part_size)
            upload = {"method": "MULTIPART", "partSize": self.part_size, "partCount": count}
        return httpx.Response(201, json={"file": file.public(), "upload": upload})

    def _sign(self, file: FakeFile, parts: list[dict[str, Any]]) -> httpx.Response:
        signed = []
        for part in parts:
            number = part["partNumber"]
            self.signed.append(number)
            headers = {"Content-Length": str(self.part_size_of(file.id, number))}
            if "sha256" in part:
                headers["x-amz-checksum-sha256"] = part["sha256"]
            signed.append(
                {"partNumber": number, "url": f"{STORAGE}/part/{file.id}/{number}?sig=1", "headers": headers}
            )
        return httpx.Response(200, json={"parts": signed, "expiresAt": "2099-01-01T00:00:00Z"})

    def _complete(self, file: FakeFile) -> httpx.Response:
        if file.status == "ready":
            return httpx.Response(200, json={"file": file.public()})
        if file.multipart:
            count = -(-file.size // self.part_size)
            missing = [
                n for n in range(1, count + 1) if len(file.parts.get(n, b"")) != self.part_size_of(file.id, n)
            ]
            if missing:
                return _error(409, "ConflictError", f"parts missing: {missing}")
            file.body = b"".join(file.parts[n] for n in range(1, count + 1))
        elif file.body is None:
            return _error(409, "ConflictError", "file has not been uploaded yet")
        if self.reject_content:
            file.status = "rejected"
            return _error(
                422, "UnprocessableEntityError", "upload does not match what was declared: wrong type"
            )
        file.status = "ready"
        return httpx.Response(200, json={"file": file.public()})

    def _storage(self, request: httpx.Request, path: str, query: dict[str, list[str]]) -> httpx.Response:
        kind, file_id, *rest = path.strip("/").split("/")
        file = self.files.get(file_id)
        if file is None or "sig" not in query:
            return httpx.Response(
                403, text="<Error><Code>AccessDenied</Code><Message>denied</Message></Error>"
            )
        if kind == "get":
            assert file.body is not None
            return httpx.Response(200, content=file.body)
        body = request.read()
        if request.headers.get("Content-Length") != str(len(body)):
            return httpx.Response(
                403, text="<Error><Code>SignatureDoesNotMatch</Code><Message>length</Message></Error>"
            )
        pinned = request.headers.get("x-amz-checksum-sha256")
        if pinned is not None and pinned != b64sha(body):
            return httpx.Response(
                400, text="<Error><Code>BadDigest</Code><Message>checksum</Message></Error>"
            )
        if kind == "put":
            if file.body is not None:
                return httpx.Response(
                    412, text="<Error><Code>PreconditionFailed</Code><Message>x</Message></Error>"
                )
            file.body = body
            return httpx.Response(200)
        number = int(rest[0])
        if pinned is None:
            return httpx.Response(
                400, text="<Error><Code>InvalidRequest</Code><Message>unpinned</Message></Error>"
            )
        with self._lock:
            file.parts[number] = body
            self.part_puts.append(number)
        return httpx.Response(200, headers={"ETag": '"x"'})


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"Code": code, "Message": message})

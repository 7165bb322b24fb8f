"""Locker's S3 adapter against the emulator server: what its presigned URLs let a client do.

``Storage`` signs; a client (here ``requests``, as curl or a browser would) sends
the bytes over HTTP to the emulator, whose gate checks signatures and checksums
as S3 does; ``Storage`` then reads back what was stored.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import quote

import pytest
import requests

from chalicelib.storage import Storage, StoredObject
from tests.integration.conftest import BUCKET

KEY = "users/11111111-1111-4111-8111-111111111111/00D261EGZ53HTX9P9CH1PVNAPWY4DVDCQDNC"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
OTHER = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 65))  # same length, other bytes
TIMEOUT = 10


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def storage(aws: dict[str, Any]) -> Storage:
    return Storage(aws["s3"], BUCKET)


def put(storage: Storage, data: bytes, *, sha256: str | None = None, send: bytes | None = None) -> Any:
    """Presign an upload of ``data`` and send ``send`` (``data`` by default) with its headers."""
    upload = storage.presign_put(KEY, "image/png", len(data), sha256, expires=300)
    assert upload.method == "PUT"
    return requests.put(
        upload.url, data=data if send is None else send, headers=upload.headers, timeout=TIMEOUT
    )


def s3_error(response: Any) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0]


def test_a_presigned_put_stores_what_head_then_sees(storage: Storage) -> None:
    assert put(storage, PNG).status_code == 200
    assert storage.head(KEY) == StoredObject(size=len(PNG), content_type="image/png", sha256=None)


def test_a_declared_checksum_is_stored_and_seen(storage: Storage) -> None:
    digest = sha256_b64(PNG)
    assert put(storage, PNG, sha256=digest).status_code == 200
    assert storage.head(KEY) == StoredObject(size=len(PNG), content_type="image/png", sha256=digest)


def test_other_bytes_than_the_checksum_are_refused(storage: Storage) -> None:
    response = put(storage, PNG, sha256=sha256_b64(PNG), send=OTHER)
    assert response.status_code == 400
    assert s3_error(response) == "BadDigest"
    assert storage.head(KEY) is None


@pytest.mark.parametrize(
    ("tamper", "why"),
    [
        (lambda url: url.replace("X-Amz-Expires=300", "X-Amz-Expires=3000"), "longer life"),
        (lambda url: url.replace(KEY, KEY[:-1] + "X"), "another key"),
        (lambda url: url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), "garbled signature"),
    ],
)
def test_a_tampered_upload_url_is_refused(storage: Storage, tamper: Any, why: str) -> None:
    upload = storage.presign_put(KEY, "image/png", len(PNG), None, expires=300)
    url = tamper(upload.url)
    assert url != upload.url, why
    response = requests.put(url, data=PNG, headers=upload.headers, timeout=TIMEOUT)
    assert response.status_code == 403, why
    assert s3_error(response) in ("SignatureDoesNotMatch", "AuthorizationQueryParametersError"), why
    assert storage.head(KEY) is None
    assert storage.head(KEY[:-1] + "X") is None


def test_other_headers_than_the_signed_ones_are_refused(storage: Storage) -> None:
    upload = storage.presign_put(KEY, "image/png", len(PNG), None, expires=300)
    headers = {**upload.headers, "Content-Type": "text/html"}
    response = requests.put(upload.url, data=PNG, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 403
    assert s3_error(response) == "SignatureDoesNotMatch"
    assert storage.head(KEY) is None


def test_an_upload_url_cannot_overwrite_what_it_stored(storage: Storage) -> None:
    upload = storage.presign_put(KEY, "image/png", len(PNG), None, expires=300)
    assert requests.put(upload.url, data=PNG, headers=upload.headers, timeout=TIMEOUT).status_code == 200
    again = requests.put(upload.url, data=OTHER, headers=upload.headers, timeout=TIMEOUT)
    assert again.status_code == 412
    assert storage.first_bytes(KEY, len(PNG)) == PNG


def test_a_presigned_get_serves_the_bytes_as_an_attachment(storage: Storage) -> None:
    assert put(storage, PNG).status_code == 200
    link = storage.presign_get(KEY, "café photo.png", "image/png", expires=60)
    assert link.method == "GET"
    response = requests.get(link.url, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["Content-Type"] == "image/png"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('café photo.png', safe='')}" in disposition


def test_first_bytes_reads_the_start_of_the_object(storage: Storage) -> None:
    assert put(storage, PNG).status_code == 200
    assert storage.first_bytes(KEY, 8) == PNG[:8]
    assert storage.first_bytes(KEY, 10_000) == PNG


def test_delete_removes_the_object_and_may_be_repeated(storage: Storage) -> None:
    assert put(storage, PNG).status_code == 200
    storage.delete(KEY)
    assert storage.head(KEY) is None
    storage.delete(KEY)  # a retried delete of what is gone is fine
    assert storage.head(KEY) is None

"""The gate's checksum check holds whatever the content encoding or body framing.

moto stores a body as sent unless ``x-amz-content-sha256`` announces
``aws-chunked`` framing, and never checks a checksum. These requests used to
slip past the gate: an uploader adding ``Content-Encoding: aws-chunked`` (not
a signed header) or a streaming ``x-amz-content-sha256`` (allowed unsigned)
to a presigned PUT had other bytes stored than the signed checksum.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from devstack.emulator import awschunked
from devstack.emulator.s3errors import S3Error
from tests.emulator.test_s3_gate import (
    BODY,
    KEY,
    OTHER,
    bucket,
    error_code,
    presign_put,
    sha256_b64,
    stored_keys,
)

__all__ = ["bucket"]  # the fixture, imported for the tests below

UNSIGNED_STREAM = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"


def framed(payload: bytes, trailers: str = "") -> bytes:
    """``payload`` in aws-chunked framing, in two chunks, with optional trailer lines."""
    half = len(payload) // 2
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (payload[:half], payload[half:]))
    return chunks + b"0\r\n" + trailers.encode() + b"\r\n"


@pytest.mark.parametrize("encoding", ["aws-chunked", "aws-chunked,gzip", "gzip", "br", "identity"])
def test_any_content_encoding_is_held_to_the_signed_sha256(s3: Any, bucket: str, encoding: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url, data=OTHER, headers={**headers, "Content-Encoding": encoding}, timeout=10)
    assert (response.status_code, error_code(response)) == (400, "BadDigest")
    assert stored_keys(s3) == []


def test_the_right_bytes_with_a_content_encoding_are_stored_as_sent(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url, data=BODY, headers={**headers, "Content-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 200
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY


@pytest.mark.parametrize(
    "mode",
    [UNSIGNED_STREAM, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"],
)
def test_a_presigned_put_cannot_switch_to_streaming_framing(s3: Any, bucket: str, mode: str) -> None:
    url, headers = presign_put(s3)
    sent = {**headers, "x-amz-content-sha256": mode, "Content-Encoding": "aws-chunked"}
    response = requests.put(url, data=OTHER, headers=sent, timeout=10)
    assert response.status_code in (400, 403, 411)
    assert error_code(response) in ("MissingContentLength", "SignatureDoesNotMatch", "AccessDenied")
    assert stored_keys(s3) == []


def _stream(emulator_url: str, body: bytes, **headers: str) -> requests.Response:
    """A header-signed-looking streaming PutObject (the gate lets SDK calls through to moto)."""
    sent = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=" + "0" * 64,
        "x-amz-content-sha256": UNSIGNED_STREAM,
        "Content-Encoding": "aws-chunked",
        **headers,
    }
    return requests.put(f"{emulator_url}/locker-gate-test/{KEY}", data=body, headers=sent, timeout=10)


def test_a_streaming_trailer_checksum_is_checked(emulator: Any, s3: Any, bucket: str) -> None:
    trailer = f"x-amz-checksum-sha256:{sha256_b64(BODY)}\r\n"
    wrong = _stream(
        emulator.url,
        framed(OTHER, trailer),
        **{"x-amz-decoded-content-length": str(len(OTHER)), "x-amz-trailer": "x-amz-checksum-sha256"},
    )
    assert (wrong.status_code, error_code(wrong)) == (400, "BadDigest")
    assert stored_keys(s3) == []
    right = _stream(
        emulator.url,
        framed(BODY, trailer),
        **{"x-amz-decoded-content-length": str(len(BODY)), "x-amz-trailer": "x-amz-checksum-sha256"},
    )
    assert right.status_code == 200, right.text
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY


def test_a_streaming_header_checksum_is_checked_against_the_decoded_bytes(
    emulator: Any, s3: Any, bucket: str
) -> None:
    answer = _stream(
        emulator.url,
        framed(OTHER),
        **{"x-amz-decoded-content-length": str(len(OTHER)), "x-amz-checksum-sha256": sha256_b64(BODY)},
    )
    assert (answer.status_code, error_code(answer)) == (400, "BadDigest")
    assert stored_keys(s3) == []


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (framed(BODY), {}, 411, "MissingContentLength"),
        (framed(BODY), {"x-amz-decoded-content-length": "3"}, 400, "IncompleteBody"),
        (framed(BODY)[:-4], {"x-amz-decoded-content-length": str(len(BODY))}, 400, "IncompleteBody"),
        (BODY, {"x-amz-decoded-content-length": str(len(BODY))}, 400, "IncompleteBody"),
        (
            framed(BODY),
            {"x-amz-decoded-content-length": str(len(BODY)), "x-amz-trailer": "x-amz-checksum-sha256"},
            400,
            "InvalidRequest",
        ),
    ],
    ids=["no-decoded-length", "wrong-decoded-length", "truncated", "not-framed", "promised-trailer-missing"],
)
def test_malformed_streaming_bodies_are_refused(
    emulator: Any, s3: Any, bucket: str, body: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    answer = _stream(emulator.url, body, **headers)
    assert (answer.status_code, error_code(answer)) == (status, code)
    assert stored_keys(s3) == []


def test_decode_is_strict() -> None:
    assert awschunked.decode(framed(b"abcdef", "x-amz-checksum-sha256:xyz\r\n")) == awschunked.Decoded(
        b"abcdef", {"x-amz-checksum-sha256": "xyz"}
    )
    signed = b"3;chunk-signature=" + b"a" * 64 + b"\r\nabc\r\n0;chunk-signature=" + b"b" * 64 + b"\r\n\r\n"
    assert awschunked.decode(signed).payload == b"abc"
    for bad in (b"3\r\nabcd\r\n0\r\n\r\n", b"zz\r\nab\r\n0\r\n\r\n", b"0\r\n\r\nextra", b"3\r\nabc"):
        with pytest.raises(S3Error):
            awschunked.decode(bad)

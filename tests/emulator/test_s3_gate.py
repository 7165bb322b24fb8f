"""The emulator refuses presigned, anonymous and corrupt S3 requests exactly like S3.

Every request is sent over HTTP the way curl or a browser would send it, to a
real emulator server. Each refusal checks the status, S3's XML error code and
that nothing was stored.
"""

from __future__ import annotations

import base64
import hashlib
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit
from xml.etree import ElementTree

import boto3
import botocore.exceptions
import pytest
import requests
from botocore.config import Config

from devstack.emulator.server import Emulator
from tests.integration.conftest import S3_CONFIG

BUCKET = "locker-gate-test"
KEY = "users/sub-1/file-1"
ORIGIN = "http://127.0.0.1:8080"
BODY = b"%PDF-1.7 the right bytes\n"
OTHER = b"%PDF-1.7 the wrong bytes\n"  # same length as BODY


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def bucket(s3: Any) -> str:
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_cors(
        Bucket=BUCKET,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [ORIGIN],
                    "AllowedMethods": ["GET", "PUT", "HEAD"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                }
            ]
        },
    )
    return BUCKET


def presign_put(
    s3: Any, key: str = KEY, body: bytes = BODY, expires: int = 300
) -> tuple[str, dict[str, str]]:
    """An upload URL as Locker hands it out, with the headers the client must send."""
    checksum = sha256_b64(body)
    url = s3.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": BUCKET,
            "Key": key,
            "ContentType": "application/pdf",
            "ContentLength": len(body),
            "IfNoneMatch": "*",
            "ChecksumSHA256": checksum,
        },
        ExpiresIn=expires,
    )
    headers = {"Content-Type": "application/pdf", "If-None-Match": "*", "x-amz-checksum-sha256": checksum}
    return url, headers


def error_code(response: requests.Response) -> str:
    assert response.headers["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error"
    assert root.findtext("Message")
    return root.findtext("Code") or ""


def stored_keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def at(moment: datetime) -> Any:
    """Freeze botocore's signing clock (naive UTC, as botocore uses it)."""
    return mock.patch("botocore.auth.get_current_datetime", return_value=moment.replace(tzinfo=None))


def test_the_right_presigned_put_stores_the_object(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    assert requests.put(url, data=BODY, headers=headers).status_code == 200
    stored = s3.get_object(Bucket=bucket, Key=KEY)
    assert stored["Body"].read() == BODY
    assert stored["ContentType"] == "application/pdf"


def test_the_checksum_a_presigned_put_carried_is_kept(s3: Any, bucket: str) -> None:
    """S3 keeps a verified checksum without the SDK's x-amz-sdk-checksum-algorithm; so must the emulator."""
    url, headers = presign_put(s3)
    assert "x-amz-sdk-checksum-algorithm" not in {name.lower() for name in headers}
    assert requests.put(url, data=BODY, headers=headers).status_code == 200
    stored = s3.head_object(Bucket=bucket, Key=KEY, ChecksumMode="ENABLED")
    assert stored["ChecksumSHA256"] == sha256_b64(BODY)


def test_a_tampered_signature_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    last = url[-1]
    response = requests.put(url[:-1] + ("0" if last != "0" else "1"), data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_a_tampered_query_parameter_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    assert "X-Amz-Expires=300&" in url
    response = requests.put(
        url.replace("X-Amz-Expires=300&", "X-Amz-Expires=3600&"), data=BODY, headers=headers
    )
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_an_expired_url_is_refused(s3: Any, bucket: str) -> None:
    with at(datetime.now(UTC) - timedelta(minutes=10)):
        url, headers = presign_put(s3, expires=60)
    response = requests.put(url, data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    assert ElementTree.fromstring(response.content).findtext("Message") == "Request has expired"
    assert stored_keys(s3) == []


def test_a_url_signed_in_the_future_is_refused(s3: Any, bucket: str) -> None:
    with at(datetime.now(UTC) + timedelta(hours=1)):
        url, headers = presign_put(s3)
    response = requests.put(url, data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    assert ElementTree.fromstring(response.content).findtext("Message") == "Request is not yet valid"
    assert stored_keys(s3) == []


def test_another_content_type_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url, data=BODY, headers={**headers, "Content-Type": "text/html"})
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_another_key_in_the_path_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url.replace("/sub-1/", "/sub-2/"), data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_another_method_is_refused(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=60)
    response = requests.delete(url)
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == [KEY]


@pytest.mark.parametrize("missing", ["Content-Type", "If-None-Match", "x-amz-checksum-sha256"])
def test_a_missing_signed_header_is_refused(s3: Any, bucket: str, missing: str) -> None:
    url, headers = presign_put(s3)
    del headers[missing]
    response = requests.put(url, data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_an_unsigned_amz_header_is_refused(s3: Any, bucket: str) -> None:
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=60)
    response = requests.put(url, data=BODY, headers={"x-amz-acl": "public-read"})
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")
    assert ElementTree.fromstring(response.content).findtext("HeadersNotSigned") == "x-amz-acl"
    assert stored_keys(s3) == []


def test_a_shorter_body_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url, data=BODY[:-1], headers=headers)  # honest, shorter Content-Length
    assert (response.status_code, error_code(response)) == (403, "SignatureDoesNotMatch")
    assert stored_keys(s3) == []


def test_a_body_cut_short_of_its_content_length_is_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    parts = urlsplit(url)
    head = [
        f"PUT {parts.path}?{parts.query} HTTP/1.1",
        f"Host: {parts.netloc}",
        f"Content-Length: {len(BODY)}",
    ]
    head += [f"{name}: {value}" for name, value in headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + BODY[:-5])
        sock.shutdown(socket.SHUT_WR)  # the client stops sending: 5 bytes never arrive
        answer = b"".join(iter(lambda: sock.recv(65536), b""))
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400"
    assert ElementTree.fromstring(rest.partition(b"\r\n\r\n")[2]).findtext("Code") == "IncompleteBody"
    assert stored_keys(s3) == []


def test_other_bytes_than_the_declared_sha256_are_refused(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(url, data=OTHER, headers=headers)
    assert (response.status_code, error_code(response)) == (400, "BadDigest")
    assert stored_keys(s3) == []


def test_the_sdk_is_held_to_its_sha256_too(s3: Any, bucket: str) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.put_object(Bucket=bucket, Key=KEY, Body=OTHER, ChecksumSHA256=sha256_b64(BODY))
    assert caught.value.response["Error"]["Code"] == "BadDigest"
    assert stored_keys(s3) == []


def test_a_malformed_sha256_is_refused(s3: Any, bucket: str) -> None:
    url = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": KEY, "ChecksumSHA256": "bm90LWEtaGFzaA=="},
        ExpiresIn=60,
    )
    response = requests.put(url, data=BODY, headers={"x-amz-checksum-sha256": "bm90LWEtaGFzaA=="})
    assert (response.status_code, error_code(response)) == (400, "InvalidRequest")
    assert stored_keys(s3) == []


def test_a_second_put_cannot_overwrite(s3: Any, bucket: str) -> None:
    url, headers = presign_put(s3)
    assert requests.put(url, data=BODY, headers=headers).status_code == 200
    url, headers = presign_put(s3, body=OTHER)
    response = requests.put(url, data=OTHER, headers=headers)
    assert (response.status_code, error_code(response)) == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY


def test_a_presigned_get_serves_the_requested_headers(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY, ContentType="application/octet-stream")
    disposition = "attachment; filename*=UTF-8''pay%20slip.pdf"
    url = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": KEY,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": "application/pdf",
        },
        ExpiresIn=60,
    )
    response = requests.get(url)
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["Content-Disposition"] == disposition
    assert response.headers["Content-Type"] == "application/pdf"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_download_link_for_a_deleted_key_says_no_such_key(s3: Any, bucket: str, method: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    operation = "get_object" if method == "GET" else "head_object"
    params = {"Bucket": bucket, "Key": KEY, "ResponseContentDisposition": 'attachment; filename="a.pdf"'}
    url = s3.generate_presigned_url(operation, Params=params, ExpiresIn=60)
    s3.delete_object(Bucket=bucket, Key=KEY)
    response = requests.request(method, url)
    assert response.status_code == 404  # moto alone says 403 SignatureDoesNotMatch
    if method == "GET":
        assert error_code(response) == "NoSuchKey"
        assert ElementTree.fromstring(response.content).findtext("Key") == KEY


def test_an_unknown_access_key_is_refused(emulator: Emulator, s3: Any, bucket: str) -> None:
    stranger = boto3.client(
        "s3",
        endpoint_url=emulator.url,
        aws_access_key_id="AKIASTRANGER",
        aws_secret_access_key="whatever",
        config=S3_CONFIG,
    )
    url, headers = presign_put(stranger)
    response = requests.put(url, data=BODY, headers=headers)
    assert (response.status_code, error_code(response)) == (403, "InvalidAccessKeyId")
    assert stored_keys(s3) == []


@pytest.mark.parametrize("expires", ["604801", "soon", "-5", ""])
def test_bad_expiry_parameters_are_refused(s3: Any, bucket: str, expires: str) -> None:
    url, headers = presign_put(s3)
    response = requests.put(
        url.replace("X-Amz-Expires=300", f"X-Amz-Expires={expires}"), data=BODY, headers=headers
    )
    assert (response.status_code, error_code(response)) == (400, "AuthorizationQueryParametersError")
    assert stored_keys(s3) == []


def test_sigv2_presigned_urls_are_refused(emulator: Emulator, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    legacy = boto3.client("s3", endpoint_url=emulator.url, config=Config(signature_version="s3"))
    url = legacy.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": KEY})
    assert "AWSAccessKeyId=" in url
    response = requests.get(url)
    assert (response.status_code, error_code(response)) == (400, "InvalidRequest")


def test_a_refused_head_has_no_body(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    url = s3.generate_presigned_url("head_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=60)
    response = requests.head(url.replace("/file-1?", "/file-2?"))
    assert response.status_code == 403
    assert response.content == b""


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_anonymous_requests_are_refused(s3: Any, bucket: str, method: str) -> None:
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    response = requests.request(method, f"{s3.meta.endpoint_url}/{bucket}/{KEY}", data=OTHER)
    assert response.status_code == 403
    if method != "HEAD":
        assert error_code(response) == "AccessDenied"
    assert s3.get_object(Bucket=bucket, Key=KEY)["Body"].read() == BODY


def test_anonymous_listing_is_refused(s3: Any, bucket: str) -> None:
    response = requests.get(f"{s3.meta.endpoint_url}/{bucket}")
    assert (response.status_code, error_code(response)) == (403, "AccessDenied")


def test_a_preflight_from_the_allowed_origin_is_answered(s3: Any, bucket: str) -> None:
    response = requests.options(
        f"{s3.meta.endpoint_url}/{bucket}/{KEY}",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type,if-none-match,x-amz-checksum-sha256",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


def test_a_preflight_to_the_presigned_url_itself_is_answered_by_cors_rules(s3: Any, bucket: str) -> None:
    # Browsers send the preflight to the full presigned URL, unsigned: S3 ignores the query.
    url, _ = presign_put(s3)
    preflight = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type"}
    allowed = requests.options(url, headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    other = requests.options(url, headers={"Origin": "http://evil.example", **preflight})
    assert other.status_code == 403
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_preflight_from_another_origin_is_refused(s3: Any, bucket: str) -> None:
    response = requests.options(
        f"{s3.meta.endpoint_url}/{bucket}/{KEY}",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert error_code(response) == "AccessForbidden"


def test_an_options_without_origin_is_refused(s3: Any, bucket: str) -> None:
    response = requests.options(f"{s3.meta.endpoint_url}/{bucket}/{KEY}")
    assert (response.status_code, error_code(response)) == (400, "BadRequest")


@pytest.mark.parametrize(("origin", "allowed"), [(ORIGIN, True), ("http://evil.example", False)])
def test_only_the_allowed_origin_reads_responses(s3: Any, bucket: str, origin: str, allowed: bool) -> None:
    url, headers = presign_put(s3)
    put = requests.put(url, data=BODY, headers={**headers, "Origin": origin})
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": KEY}, ExpiresIn=60)
    get = requests.get(get_url, headers={"Origin": origin})
    assert (put.status_code, get.status_code) == (200, 200)
    for response in (put, get):
        assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)


def test_errors_carry_s3_request_ids(s3: Any, bucket: str) -> None:
    response = requests.get(f"{s3.meta.endpoint_url}/{bucket}/{KEY}")
    root = ElementTree.fromstring(response.content)
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]
    assert root.findtext("HostId") == response.headers["x-amz-id-2"]


def test_the_gate_hands_moto_the_body_it_read_without_a_copy() -> None:
    import io

    from werkzeug.wsgi import get_input_stream

    from devstack.emulator.s3gate import read_body

    environ = {"wsgi.input": io.BytesIO(BODY), "CONTENT_LENGTH": str(len(BODY))}
    body = read_body(environ)
    assert body == BODY
    assert get_input_stream(environ).read() is body  # werkzeug would copy it in 64 KiB pieces

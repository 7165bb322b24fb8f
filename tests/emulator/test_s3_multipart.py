"""The emulator checks presigned multipart requests like S3, and keeps upload ids bound to their key.

Every request goes over HTTP as a browser or curl would send it. moto alone
would accept each tampered request below, answer 500 to an unknown upload id
or a form-typed part, and let a part land in another key's upload.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import botocore.exceptions
import pytest
import requests

from devstack import resources
from tests.emulator.test_s3_gate import BUCKET, at, error_code

KEY = "users/sub-1/big-1"
OTHER_KEY = "users/sub-1/big-2"
ORIGIN = "http://127.0.0.1:8080"
FIRST = b"%PDF-1.7\n" + b"a" * (5 * 1024 * 1024 - 9)  # parts but the last are at least 5 MiB
LAST = b"the end\n"
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def bucket(s3: Any) -> str:
    """Locker's bucket as provisioned locally: its CORS rules come from infra/template.json."""
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration=resources.bucket_cors(ORIGIN))
    return BUCKET


def create(s3: Any, key: str = KEY) -> str:
    return str(s3.create_multipart_upload(Bucket=BUCKET, Key=key, ContentType="application/pdf")["UploadId"])


def part_url(s3: Any, upload_id: str, number: int, body: bytes, key: str = KEY, **extra: Any) -> str:
    params = {
        "Bucket": BUCKET,
        "Key": key,
        "UploadId": upload_id,
        "PartNumber": number,
        "ContentLength": len(body),
    }
    return str(s3.generate_presigned_url("upload_part", Params={**params, **extra}, ExpiresIn=300))


def put_part(url: str, body: bytes, **headers: str) -> requests.Response:
    return requests.put(url, data=body, headers=headers, timeout=30)


def parts(s3: Any, upload_id: str, key: str = KEY) -> list[tuple[int, int]]:
    listed = s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id).get("Parts", [])
    return [(p["PartNumber"], p["Size"]) for p in listed]


def complete_body(entries: list[tuple[int, str]]) -> bytes:
    inner = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in entries)
    return f"<CompleteMultipartUpload>{inner}</CompleteMultipartUpload>".encode()


def tamper(url: str) -> str:
    return url[:-4] + ("0000" if not url.endswith("0000") else "1111")


def test_a_whole_upload_through_presigned_urls(s3: Any, bucket: str) -> None:
    create_url = s3.generate_presigned_url(
        "create_multipart_upload", Params={"Bucket": BUCKET, "Key": KEY, "ContentType": "application/pdf"}
    )
    created = requests.post(create_url, headers={"Content-Type": "application/pdf"}, timeout=30)
    assert created.status_code == 200
    upload_id = ElementTree.fromstring(created.content).findtext(f"{S3_NS}UploadId")
    assert upload_id
    etags = {}
    for number, body in ((2, LAST), (1, FIRST)):
        sent = put_part(
            part_url(s3, upload_id, number, body, ChecksumSHA256=sha256_b64(body)),
            body,
            **{"x-amz-checksum-sha256": sha256_b64(body)},
        )
        assert sent.status_code == 200, sent.text
        etags[number] = sent.headers["ETag"]
    list_url = s3.generate_presigned_url(
        "list_parts", Params={"Bucket": BUCKET, "Key": KEY, "UploadId": upload_id}
    )
    listed = requests.get(list_url, timeout=30)
    assert listed.status_code == 200 and listed.text.count("<PartNumber>") == 2
    complete_url = s3.generate_presigned_url(
        "complete_multipart_upload",
        Params={"Bucket": BUCKET, "Key": KEY, "UploadId": upload_id, "IfNoneMatch": "*"},
    )
    body = complete_body(sorted(etags.items()))
    unsigned = requests.post(complete_url, data=body, headers={"Content-Type": "application/xml"}, timeout=30)
    assert unsigned.status_code == 403  # If-None-Match is signed: it must be sent
    done = requests.post(complete_url, data=body, headers={"If-None-Match": "*"}, timeout=30)
    assert done.status_code == 200, done.text
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == FIRST + LAST


@pytest.mark.parametrize("operation", ["create", "part", "list", "complete", "abort"])
def test_every_multipart_operation_checks_its_signature_and_expiry(
    s3: Any, bucket: str, operation: str
) -> None:
    upload_id = create(s3)
    method, name, params, body = {
        "create": ("POST", "create_multipart_upload", {}, b""),
        "part": (
            "PUT",
            "upload_part",
            {"UploadId": upload_id, "PartNumber": 1, "ContentLength": len(LAST)},
            LAST,
        ),
        "list": ("GET", "list_parts", {"UploadId": upload_id}, b""),
        "complete": ("POST", "complete_multipart_upload", {"UploadId": upload_id}, complete_body([(1, "x")])),
        "abort": ("DELETE", "abort_multipart_upload", {"UploadId": upload_id}, b""),
    }[operation]
    url = s3.generate_presigned_url(name, Params={"Bucket": BUCKET, "Key": KEY, **params}, ExpiresIn=60)
    tampered = requests.request(method, tamper(url), data=body, timeout=30)
    assert (tampered.status_code, error_code(tampered)) == (403, "SignatureDoesNotMatch")
    elsewhere = requests.request(method, url.replace(KEY, OTHER_KEY), data=body, timeout=30)
    assert (elsewhere.status_code, error_code(elsewhere)) == (403, "SignatureDoesNotMatch")
    with at(datetime.now(UTC) - timedelta(minutes=5)):
        old = s3.generate_presigned_url(name, Params={"Bucket": BUCKET, "Key": KEY, **params}, ExpiresIn=60)
    expired = requests.request(method, old, data=body, timeout=30)
    assert (expired.status_code, error_code(expired)) == (403, "AccessDenied")
    assert "expired" in expired.text
    assert parts(s3, upload_id) == []


def test_a_part_must_have_its_signed_length_and_checksum(s3: Any, bucket: str) -> None:
    upload_id = create(s3)
    url = part_url(s3, upload_id, 1, FIRST, ChecksumSHA256=sha256_b64(FIRST))
    checksum = {"x-amz-checksum-sha256": sha256_b64(FIRST)}
    shorter = put_part(url, FIRST[:-1], **checksum)
    assert (shorter.status_code, error_code(shorter)) == (403, "SignatureDoesNotMatch")
    other = b"b" * len(FIRST)
    corrupt = put_part(url, other, **checksum)
    assert (corrupt.status_code, error_code(corrupt)) == (400, "BadDigest")
    swapped = put_part(url, other, **{"x-amz-checksum-sha256": sha256_b64(other)})
    assert (swapped.status_code, error_code(swapped)) == (403, "SignatureDoesNotMatch")
    missing = put_part(url, FIRST)
    assert (missing.status_code, error_code(missing)) == (403, "SignatureDoesNotMatch")
    unsigned = put_part(part_url(s3, upload_id, 1, FIRST), FIRST, **checksum)
    assert (unsigned.status_code, error_code(unsigned)) == (403, "AccessDenied")  # header not signed
    assert parts(s3, upload_id) == []
    assert put_part(url, FIRST, **checksum).status_code == 200
    assert parts(s3, upload_id) == [(1, len(FIRST))]


def test_an_unknown_upload_id_is_no_such_upload_not_a_500(s3: Any, bucket: str) -> None:
    create(s3)
    for method, name, params, body in [
        ("PUT", "upload_part", {"PartNumber": 1, "ContentLength": len(LAST)}, LAST),
        ("POST", "complete_multipart_upload", {}, complete_body([(1, "x")])),
        ("GET", "list_parts", {}, b""),
        ("DELETE", "abort_multipart_upload", {}, b""),
    ]:
        url = s3.generate_presigned_url(
            name, Params={"Bucket": BUCKET, "Key": KEY, "UploadId": "no-such-upload", **params}
        )
        answer = requests.request(method, url, data=body, timeout=30)
        assert (answer.status_code, error_code(answer)) == (404, "NoSuchUpload"), name
    with pytest.raises(botocore.exceptions.ClientError) as caught:  # the SDK gets the same answer
        s3.upload_part(Bucket=BUCKET, Key=KEY, UploadId="no-such-upload", PartNumber=1, Body=LAST)
    assert caught.value.response["Error"]["Code"] == "NoSuchUpload"


def test_a_part_for_another_key_never_lands_in_its_upload(s3: Any, bucket: str) -> None:
    mine = create(s3, KEY)
    create(s3, OTHER_KEY)
    answer = put_part(part_url(s3, mine, 1, LAST, key=OTHER_KEY), LAST)
    assert (answer.status_code, error_code(answer)) == (404, "NoSuchUpload")
    assert parts(s3, mine) == []
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        s3.complete_multipart_upload(
            Bucket=BUCKET,
            Key=OTHER_KEY,
            UploadId=mine,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": "x"}]},
        )
    assert caught.value.response["Error"]["Code"] == "NoSuchUpload"


def test_a_part_sent_as_a_form_is_stored_like_any_part(s3: Any, bucket: str) -> None:
    upload_id = create(s3)
    form = "application/x-www-form-urlencoded"
    answer = put_part(part_url(s3, upload_id, 1, LAST), LAST, **{"Content-Type": form})
    assert answer.status_code == 200, answer.text
    assert parts(s3, upload_id) == [(1, len(LAST))]
    query = parse_qs(urlsplit(part_url(s3, upload_id, 1, LAST)).query)
    assert query["uploadId"] == [upload_id]


@pytest.mark.parametrize("method", ["GET", "PUT", "POST", "DELETE", "HEAD"])
def test_the_bucket_cors_lets_the_web_app_do_multipart(s3: Any, bucket: str, method: str) -> None:
    preflight = requests.options(
        f"{s3.meta.endpoint_url}/{BUCKET}/{KEY}?uploadId=x",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type,if-none-match,x-amz-checksum-sha256",
        },
        timeout=30,
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert method in preflight.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("origin", "method", "header"),
    [
        ("http://127.0.0.1:9999", "PUT", "content-type"),
        (ORIGIN, "PATCH", "content-type"),
        (ORIGIN, "PUT", "x-amz-meta-owner"),
        (ORIGIN, "PUT", "authorization"),
    ],
)
def test_the_bucket_cors_allows_nothing_more(
    s3: Any, bucket: str, origin: str, method: str, header: str
) -> None:
    preflight = requests.options(
        f"{s3.meta.endpoint_url}/{BUCKET}/{KEY}",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": header,
        },
        timeout=30,
    )
    assert preflight.status_code == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_a_browser_can_read_the_part_etag(s3: Any, bucket: str) -> None:
    upload_id = create(s3)
    answer = put_part(part_url(s3, upload_id, 1, LAST), LAST, Origin=ORIGIN)
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]


def test_create_holds_the_client_to_the_signed_type_and_headers(s3: Any, bucket: str) -> None:
    url = s3.generate_presigned_url(
        "create_multipart_upload", Params={"Bucket": BUCKET, "Key": KEY, "ContentType": "application/pdf"}
    )
    retyped = requests.post(url, headers={"Content-Type": "text/html"}, timeout=30)
    assert (retyped.status_code, error_code(retyped)) == (403, "SignatureDoesNotMatch")
    extra = requests.post(
        url, headers={"Content-Type": "application/pdf", "x-amz-acl": "public-read"}, timeout=30
    )
    assert (extra.status_code, error_code(extra)) == (403, "AccessDenied")
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []

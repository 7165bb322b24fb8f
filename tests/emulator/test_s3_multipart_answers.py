"""The emulator's multipart answers carry S3's CORS headers and ListParts shape, as a browser needs.

Each request goes over HTTP from the web app's origin, as Uppy sends it, with
presigned URLs. The same requests against moto's own answers
(``uninstall()``) show what the browser would otherwise be refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from devstack.emulator import s3_multipart_answers
from tests.emulator.test_s3_multipart import BUCKET, KEY, LAST, ORIGIN, S3_NS, complete_body, create, part_url
from tests.emulator.test_s3_multipart import bucket as bucket  # the fixture

ELSEWHERE = "http://127.0.0.1:9999"


@pytest.fixture
def moto_answers() -> Iterator[None]:
    """moto's own multipart answers for one test."""
    s3_multipart_answers.uninstall()
    try:
        yield
    finally:
        s3_multipart_answers.install()


def _url(s3: Any, operation: str, **params: Any) -> str:
    return str(s3.generate_presigned_url(operation, Params={"Bucket": BUCKET, "Key": KEY, **params}))


def _send_all(s3: Any, origin: str) -> dict[str, requests.Response]:
    """CreateMultipartUpload, UploadPart, ListParts, CompleteMultipartUpload and an Abort, from ``origin``."""
    headers = {"Origin": origin}
    created = requests.post(
        _url(s3, "create_multipart_upload", ContentType="text/plain"),
        headers={**headers, "Content-Type": "text/plain"},
        timeout=30,
    )
    upload_id = ElementTree.fromstring(created.content).findtext(f"{S3_NS}UploadId") or ""
    put = requests.put(part_url(s3, upload_id, 1, LAST), data=LAST, headers=headers, timeout=30)
    listed = requests.get(_url(s3, "list_parts", UploadId=upload_id), headers=headers, timeout=30)
    completed = requests.post(
        _url(s3, "complete_multipart_upload", UploadId=upload_id),
        data=complete_body([(1, put.headers["ETag"])]),
        headers=headers,
        timeout=30,
    )
    aborted = requests.delete(
        _url(s3, "abort_multipart_upload", UploadId=create(s3)), headers=headers, timeout=30
    )
    return {"create": created, "list": listed, "complete": completed, "abort": aborted}


def test_every_multipart_answer_to_the_allowed_origin_carries_cors(s3: Any, bucket: str) -> None:
    answers = _send_all(s3, ORIGIN)
    assert {n: a.status_code for n, a in answers.items()} == {
        "create": 200,
        "list": 200,
        "complete": 200,
        "abort": 204,
    }
    assert {n: a.headers.get("Access-Control-Allow-Origin") for n, a in answers.items()} == dict.fromkeys(
        answers, ORIGIN
    )
    assert all("ETag" in a.headers["Access-Control-Expose-Headers"] for a in answers.values())


def test_another_origin_gets_no_cors_headers(s3: Any, bucket: str) -> None:
    answers = _send_all(s3, ELSEWHERE)
    assert {n: a.headers.get("Access-Control-Allow-Origin") for n, a in answers.items()} == dict.fromkeys(
        answers
    )


def test_moto_alone_leaves_create_complete_and_abort_without_cors(
    s3: Any, bucket: str, moto_answers: None
) -> None:
    answers = _send_all(s3, ORIGIN)
    missing = {n for n, a in answers.items() if "Access-Control-Allow-Origin" not in a.headers}
    assert missing == {"create", "complete", "abort"}


def test_list_parts_answers_s3s_root_element(s3: Any, bucket: str) -> None:
    upload_id = create(s3)
    requests.put(part_url(s3, upload_id, 1, LAST), data=LAST, timeout=30).raise_for_status()
    listed = requests.get(_url(s3, "list_parts", UploadId=upload_id), timeout=30)
    root = ElementTree.fromstring(listed.content)
    assert root.tag == f"{S3_NS}ListPartsResult"
    assert [p.findtext(f"{S3_NS}Size") for p in root.iter(f"{S3_NS}Part")] == [str(len(LAST))]
    assert [p["Size"] for p in s3.list_parts(Bucket=BUCKET, Key=KEY, UploadId=upload_id)["Parts"]] == [
        len(LAST)
    ]


def test_moto_alone_answers_another_root_element(s3: Any, bucket: str, moto_answers: None) -> None:
    upload_id = create(s3)
    listed = requests.get(_url(s3, "list_parts", UploadId=upload_id), timeout=30)
    assert ElementTree.fromstring(listed.content).tag == f"{S3_NS}ListPartsResponse"


def test_install_is_idempotent_and_reversible() -> None:
    s3_multipart_answers.install()
    assert s3_multipart_answers.installed()
    s3_multipart_answers.uninstall()
    assert not s3_multipart_answers.installed()
    s3_multipart_answers.install()
    assert s3_multipart_answers.installed()

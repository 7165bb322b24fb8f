"""Large files over HTTP: Locker's multipart routes and Uppy's signing flow, against the local stack.

Parts travel exactly as a client sends them (``requests``, never boto3), through
the presigned URLs Locker hands out and the emulator's S3 gate. One case is a
real file over 100 MiB on the default stack; the others use a stack whose
multipart threshold is lowered through its settings, to keep the data small.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

from tests.e2e.api import TIMEOUT, Api, sha256_b64
from tests.e2e.stack import Stack, start

MIB = 1024 * 1024
PART = 5 * MIB
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
WAIT_SECONDS = 20  # a bound, not a measurement: bucket events are asynchronous, as on AWS


def pdf(size: int) -> bytes:
    """``size`` bytes that sniff as a PDF and differ from part to part."""
    head = b"%PDF-1.7\n"
    block = bytes(random.Random(size).getrandbits(8) for _ in range(4096))
    body = head + block * (size // len(block) + 1)
    return body[:size]


@pytest.fixture(scope="module")
def small_parts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack that sends anything above 5 MiB in parts of 5 MiB (S3's smallest)."""
    running = start(
        tmp_path_factory.mktemp("small-parts"),
        {"LOCKER_MULTIPART_THRESHOLD": str(PART), "LOCKER_PART_SIZE": str(PART)},
    )
    yield running
    running.stop()


@pytest.fixture
def carol(small_parts: Stack) -> Api:
    sub, token = small_parts.new_user(f"carol-{uuid.uuid4().hex[:12]}@example.com")
    return Api(small_parts.api, token, sub)


def declare(api: Api, size: int) -> dict[str, Any]:
    answer = api.call(
        "POST", "/files", json={"filename": "big.pdf", "contentType": "application/pdf", "size": size}
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    assert created["upload"]["method"] == "MULTIPART"
    return created


def part_urls(
    api: Api, file_id: str, numbers: list[int], body: bytes | None = None, part: int = PART
) -> dict[int, Any]:
    """Signed parts by number, 100 per request; pinned to each part's sha256 when ``body`` is given."""
    signed: dict[int, Any] = {}
    for start_at in range(0, len(numbers), 100):
        wanted = []
        for n in numbers[start_at : start_at + 100]:
            entry: dict[str, Any] = {"partNumber": n}
            if body is not None:
                entry["sha256"] = sha256_b64(body[(n - 1) * part : n * part])
            wanted.append(entry)
        answer = api.call("POST", f"/files/{file_id}/parts", json={"parts": wanted})
        assert answer.status_code == 200, answer.text
        signed.update({p["partNumber"]: p for p in answer.json()["parts"]})
    return signed


def send(signed: dict[str, Any], chunk: bytes) -> requests.Response:
    headers = {k: v for k, v in signed["headers"].items() if k.lower() != "content-length"}
    return requests.put(signed["url"], data=chunk, headers=headers, timeout=TIMEOUT)


def downloaded(api: Api, file_id: str) -> bytes:
    link = api.call("GET", f"/files/{file_id}/download").json()
    fetched = requests.get(link["url"], timeout=TIMEOUT)
    assert fetched.status_code == 200
    return fetched.content


def multipart_uploads(stack: Stack, key: str) -> list[str]:
    listed = stack.aws("s3").list_multipart_uploads(Bucket=stack.info["bucket"], Prefix=key)
    return [u["UploadId"] for u in listed.get("Uploads", [])]


def test_a_file_over_100_mib_goes_up_in_parallel_parts_and_comes_back_identical(
    alice: Api, stack: Stack
) -> None:
    size = stack.info["limits"]["multipartThreshold"] + 3 * MIB + 17
    body = pdf(size)
    created = declare(alice, size)
    part, count = created["upload"]["partSize"], created["upload"]["partCount"]
    assert part >= PART and count == -(-size // part) and count <= 10_000
    file_id = created["file"]["id"]
    signed = part_urls(alice, file_id, list(range(1, count + 1)), body, part)
    order = list(range(1, count + 1))
    random.Random(7).shuffle(order)
    order.append(order[0])  # one part sent again: the last one wins

    def upload(n: int) -> int:
        return send(signed[n], body[(n - 1) * part : n * part]).status_code

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(upload, order)) == {200}
    held = alice.call("GET", f"/files/{file_id}/parts").json()["parts"]
    assert [p["partNumber"] for p in held] == list(range(1, count + 1))
    assert sum(p["size"] for p in held) == size
    completed = alice.call("POST", f"/files/{file_id}/complete")
    assert (completed.status_code, completed.json()["file"]["status"]) == (200, "ready"), completed.text
    assert hashlib.sha256(downloaded(alice, file_id)).digest() == hashlib.sha256(body).digest()
    assert multipart_uploads(stack, f"users/{alice.sub}/{file_id}") == []


def test_completion_names_the_missing_part_and_the_file_stays_pending(carol: Api) -> None:
    body = pdf(2 * PART + 100)
    file_id = declare(carol, len(body))["file"]["id"]
    signed = part_urls(carol, file_id, [1, 2, 3])
    for n in (3, 1):
        assert send(signed[n], body[(n - 1) * PART : n * PART]).status_code == 200
    early = carol.call("POST", f"/files/{file_id}/complete")
    assert (early.status_code, early.json()["Code"]) == (409, "ConflictError")
    assert early.json()["Message"] == "missing parts: 2"
    assert carol.call("GET", f"/files/{file_id}").json()["file"]["status"] == "pending"
    assert send(signed[2], body[PART : 2 * PART]).status_code == 200
    assert carol.call("POST", f"/files/{file_id}/complete").json()["file"]["status"] == "ready"
    assert downloaded(carol, file_id) == body


def test_a_part_that_does_not_match_its_pinned_sha256_is_refused_by_storage(carol: Api) -> None:
    body = pdf(PART + 10)
    file_id = declare(carol, len(body))["file"]["id"]
    signed = part_urls(carol, file_id, [1], body)[1]
    corrupt = b"x" + body[1:PART]
    answer = send(signed, corrupt)
    assert (answer.status_code, "<Code>BadDigest</Code>" in answer.text) == (400, True)
    other_pin = dict(signed, headers={**signed["headers"], "x-amz-checksum-sha256": sha256_b64(corrupt)})
    assert send(other_pin, corrupt).status_code == 403  # the pin is signed: it cannot be swapped
    too_long = send(signed, body[: PART + 1])
    assert too_long.status_code == 403  # the length is signed too
    assert carol.call("GET", f"/files/{file_id}/parts").json() == {"parts": []}


def test_resume_lists_what_storage_already_holds(carol: Api) -> None:
    body = pdf(2 * PART + 5)
    file_id = declare(carol, len(body))["file"]["id"]
    signed = part_urls(carol, file_id, [1, 3])
    for n in (1, 3):
        assert send(signed[n], body[(n - 1) * PART : n * PART]).status_code == 200
    held = carol.call("GET", f"/files/{file_id}/parts").json()["parts"]
    assert held == [
        {"partNumber": 1, "size": PART, "etag": hashlib.md5(body[:PART]).hexdigest()},
        {"partNumber": 3, "size": 5, "etag": hashlib.md5(body[2 * PART :]).hexdigest()},
    ]


def test_delete_aborts_the_upload_and_gives_the_quota_back(carol: Api, small_parts: Stack) -> None:
    body = pdf(PART + 1)
    file_id = declare(carol, len(body))["file"]["id"]
    signed = part_urls(carol, file_id, [1])
    assert send(signed[1], body[:PART]).status_code == 200
    key = f"users/{carol.sub}/{file_id}"
    assert len(multipart_uploads(small_parts, key)) == 1
    assert carol.call("DELETE", f"/files/{file_id}").status_code == 204
    assert multipart_uploads(small_parts, key) == []
    assert (
        carol.call("POST", f"/files/{file_id}/parts", json={"parts": [{"partNumber": 1}]}).status_code == 404
    )
    usage = small_parts.aws("dynamodb").get_item(
        TableName=small_parts.info["table"], Key={"pk": {"S": f"USER#{carol.sub}"}, "sk": {"S": "QUOTA"}}
    )["Item"]
    assert (int(usage["bytes"]["N"]), int(usage["files"]["N"])) == (0, 0)
    late = requests.put(signed[1]["url"], data=body[:PART], timeout=TIMEOUT)
    assert (late.status_code, "<Code>NoSuchUpload</Code>" in late.text) == (404, True)


def sign(api: Api, **request: Any) -> requests.Response:
    return api.call("POST", "/uploads/sign", json=request)


def test_the_uppy_flow_end_to_end_without_an_sdk(carol: Api, small_parts: Stack) -> None:
    body = pdf(PART + 1234)
    start_answer = sign(
        carol,
        method="POST",
        key="my-name.pdf",
        filename="big.pdf",
        contentType="application/pdf",
        size=len(body),
    )
    assert start_answer.status_code == 200, start_answer.text
    create = start_answer.json()
    key = create["key"]
    assert key.startswith(f"users/{carol.sub}/")
    created = requests.post(create["url"], headers=create["headers"], timeout=TIMEOUT)
    assert created.status_code == 200, created.text
    upload_id = ElementTree.fromstring(created.content).findtext(f"{S3_NS}UploadId")
    etags = []
    for n, chunk in ((2, body[PART:]), (1, body[:PART])):  # Uppy's own part sizes, in any order
        part = sign(carol, method="PUT", key=key, uploadId=upload_id, partNumber=n).json()
        assert "headers" not in part
        sent = requests.put(part["url"], data=chunk, timeout=TIMEOUT)
        assert sent.status_code == 200, sent.text
        etags.append((n, sent.headers["ETag"]))
    listing = sign(carol, method="GET", key=key, uploadId=upload_id).json()
    listed = requests.get(listing["url"], timeout=TIMEOUT)
    assert sorted(int(n) for n in re.findall(r"<PartNumber>(\d+)</PartNumber>", listed.text)) == [1, 2]
    complete = sign(carol, method="POST", key=key, uploadId=upload_id).json()
    assert complete["headers"] == {"If-None-Match": "*"}
    xml = "".join(f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in sorted(etags))
    done = requests.post(
        complete["url"],
        data=f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>",
        headers={"Content-Type": "application/xml", **complete["headers"]},
        timeout=TIMEOUT,
    )
    assert done.status_code == 200, done.text
    file_id = key.rsplit("/", 1)[1]
    deadline = time.monotonic() + WAIT_SECONDS  # the bucket's Object Created event completes it
    status = "pending"
    while status == "pending" and time.monotonic() < deadline:
        time.sleep(0.1)
        status = carol.call("GET", f"/files/{file_id}").json()["file"]["status"]
    assert status == "ready"
    completed = carol.call("POST", f"/files/{file_id}/complete")
    assert completed.json()["file"]["status"] == "ready", completed.text
    assert downloaded(carol, file_id) == body


def test_uppy_single_put_and_refusals(carol: Api, small_parts: Stack) -> None:
    body = pdf(1000)
    put = sign(
        carol, method="PUT", key="x", filename="small.pdf", contentType="application/pdf", size=len(body)
    ).json()
    assert set(put["headers"]) == {"Content-Type", "If-None-Match"}
    assert requests.put(put["url"], data=body, headers=put["headers"], timeout=TIMEOUT).status_code == 200
    file_id = put["key"].rsplit("/", 1)[1]
    assert carol.call("POST", f"/files/{file_id}/complete").json()["file"]["status"] == "ready"
    assert sign(carol, method="DELETE", key=put["key"]).status_code == 400
    assert sign(carol, method="GET", key=put["key"]).status_code == 400
    _, bob_token = small_parts.new_user(f"bob-{uuid.uuid4().hex[:12]}@example.com")
    start_answer = sign(
        carol, method="POST", key="k", filename="b.pdf", contentType="application/pdf", size=PART * 2
    )
    key = start_answer.json()["key"]
    created = requests.post(
        start_answer.json()["url"], headers=start_answer.json()["headers"], timeout=TIMEOUT
    )
    upload_id = ElementTree.fromstring(created.content).findtext(f"{S3_NS}UploadId")
    bob = Api(small_parts.api, bob_token, None)
    assert sign(bob, method="GET", key=key, uploadId=upload_id).status_code == 404
    assert sign(carol, method="GET", key=key, uploadId="not-the-upload").status_code == 404
    abort = sign(carol, method="DELETE", key=key, uploadId=upload_id)
    assert abort.status_code == 200
    assert requests.delete(abort.json()["url"], timeout=TIMEOUT).status_code == 204
    assert carol.call("GET", f"/files/{key.rsplit('/', 1)[1]}").status_code == 404
    assert multipart_uploads(small_parts, key) == []

"""POST /uploads/sign's signer: server-chosen keys, ownership and upload id checked on every request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from chalice.app import BadRequestError, NotFoundError, TooManyRequestsError

from chalicelib import config
from chalicelib.model import CLIENT_MULTIPART_UPLOAD
from chalicelib.multipart_storage import MultipartStorage
from chalicelib.service import Locker
from chalicelib.upload_requests import sign_request
from chalicelib.uppy import UppySigner
from chalicelib.validation import ListQuery, NewFile
from tests.unit.conftest import BUCKET, SETTINGS_ENV, FakeClock

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
MIB = 1024 * 1024
ENV = {**SETTINGS_ENV, "LOCKER_QUOTA_BYTES": str(1024 * MIB), "LOCKER_MULTIPART_THRESHOLD": str(MIB)}
START_PUT = {
    "method": "PUT",
    "key": "anything.png",
    "contentType": "image/png",
    "filename": "a.png",
    "size": 40,
}
START_MULTIPART = {
    "method": "POST",
    "key": "users/someone-else/chosen-by-the-client",
    "contentType": "application/pdf",
    "filename": "big.pdf",
    "size": 200 * MIB,
}


@pytest.fixture
def locker(records: Any, storage: MultipartStorage, clock: FakeClock) -> Locker:
    return Locker(config.load(ENV), records, storage, clock)


def sign(locker: Locker, body: dict[str, Any], owner: str = ALICE) -> dict[str, Any]:
    return UppySigner(locker).sign(owner, sign_request(body))


def signed_headers(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query)["X-Amz-SignedHeaders"][0].split(";")


def started(locker: Locker, aws: dict[str, Any]) -> tuple[str, str]:
    """Start a browser multipart upload the way Uppy does: sign Create, then create it in storage."""
    key = sign(locker, START_MULTIPART)["key"]
    upload_id = aws["s3"].create_multipart_upload(Bucket=BUCKET, Key=key, ContentType="application/pdf")
    return key, upload_id["UploadId"]


def test_put_object_creates_the_pending_file_under_a_server_chosen_key(locker: Locker) -> None:
    answer = sign(locker, START_PUT)
    assert answer["key"].startswith(f"users/{ALICE}/") and answer["key"] != "anything.png"
    assert answer["headers"] == {"Content-Type": "image/png", "If-None-Match": "*"}
    assert f"/{answer['key']}?" in answer["url"]
    assert signed_headers(answer["url"]) == ["content-length", "content-type", "host", "if-none-match"]
    file_id = answer["key"].rsplit("/", 1)[1]
    assert locker.get(ALICE, file_id)["file"]["status"] == "pending"
    assert locker.records.usage(ALICE).bytes == 40


def test_create_multipart_pins_the_type_and_ignores_the_clients_key(locker: Locker) -> None:
    answer = sign(locker, START_MULTIPART)
    assert answer["key"].startswith(f"users/{ALICE}/")
    assert answer["headers"] == {"Content-Type": "application/pdf"}
    assert "uploads" in parse_qs(urlsplit(answer["url"]).query, keep_blank_values=True)
    record = locker.records.get(ALICE, answer["key"].rsplit("/", 1)[1])
    assert (record.upload_kind, record.upload_id) == (CLIENT_MULTIPART_UPLOAD, None)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"contentType": "text/html"}, BadRequestError),
        ({"filename": "a/b"}, BadRequestError),
        ({"size": 0}, BadRequestError),
        ({"size": 6 * 1024 * MIB}, BadRequestError),
        ({"owner": BOB}, BadRequestError),
        ({"size": 2000 * MIB}, TooManyRequestsError),
    ],
)
def test_starting_follows_the_rules_of_post_files(
    locker: Locker, change: dict[str, Any], error: type[Exception]
) -> None:
    for start in (START_PUT, START_MULTIPART):
        with pytest.raises(error):
            sign(locker, {**start, **change})
    assert locker.records.usage(ALICE).files == 0


def test_the_first_confirmed_upload_id_is_recorded_and_no_other_after(
    locker: Locker, aws: dict[str, Any]
) -> None:
    key, upload_id = started(locker, aws)
    with pytest.raises(NotFoundError):  # storage has no such upload: nothing is recorded
        sign(locker, {"method": "PUT", "key": key, "uploadId": "made-up", "partNumber": 1})
    answer = sign(locker, {"method": "PUT", "key": key, "uploadId": upload_id, "partNumber": 2})
    query = parse_qs(urlsplit(answer["url"]).query)
    assert (query["uploadId"], query["partNumber"]) == ([upload_id], ["2"])
    assert "headers" not in answer  # Uppy sizes its own parts: nothing to send but the bytes
    assert locker.records.get(ALICE, key.rsplit("/", 1)[1]).upload_id == upload_id
    second = aws["s3"].create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    with pytest.raises(NotFoundError):
        sign(locker, {"method": "PUT", "key": key, "uploadId": second, "partNumber": 1})


def test_an_upload_of_another_key_is_not_accepted(locker: Locker, aws: dict[str, Any]) -> None:
    key, _ = started(locker, aws)
    _, other = started(locker, aws)
    with pytest.raises(NotFoundError):
        sign(locker, {"method": "GET", "key": key, "uploadId": other})


def test_every_later_request_must_name_the_callers_pending_file(locker: Locker, aws: dict[str, Any]) -> None:
    key, upload_id = started(locker, aws)
    for body, owner in [
        ({"method": "GET", "key": key, "uploadId": upload_id}, BOB),
        ({"method": "GET", "key": key.replace(ALICE, BOB), "uploadId": upload_id}, BOB),
        ({"method": "GET", "key": "users/x", "uploadId": upload_id}, ALICE),
        ({"method": "GET", "uploadId": upload_id}, ALICE),
        ({"method": "POST", "key": sign(locker, START_PUT)["key"], "uploadId": upload_id}, ALICE),
    ]:
        with pytest.raises(NotFoundError):
            sign(locker, body, owner)


def test_list_complete_and_abort_are_signed_for_the_recorded_upload(
    locker: Locker, aws: dict[str, Any]
) -> None:
    key, upload_id = started(locker, aws)
    listed = sign(locker, {"method": "GET", "key": key, "uploadId": upload_id})
    assert "headers" not in listed and urlsplit(listed["url"]).path.endswith(key)
    completed = sign(locker, {"method": "POST", "key": key, "uploadId": upload_id})
    assert completed["headers"] == {"If-None-Match": "*"}
    assert "if-none-match" in signed_headers(completed["url"])
    aborted = sign(locker, {"method": "DELETE", "key": key, "uploadId": upload_id})
    assert parse_qs(urlsplit(aborted["url"]).query)["uploadId"] == [upload_id]
    file_id = key.rsplit("/", 1)[1]
    with pytest.raises(NotFoundError):  # abandoned like DELETE /files/{id}: gone, quota back
        locker.get(ALICE, file_id)
    assert locker.records.usage(ALICE).files == 0
    with pytest.raises(NotFoundError):
        sign(locker, {"method": "GET", "key": key, "uploadId": upload_id})


def test_an_abandoned_upload_is_aborted_by_the_sweep(
    locker: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    key, upload_id = started(locker, aws)
    aws["s3"].create_multipart_upload(Bucket=BUCKET, Key=key)  # a second, never named to Locker
    sign(locker, {"method": "DELETE", "key": key, "uploadId": upload_id})
    clock.advance(3600)
    locker.sweep()
    assert aws["s3"].list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert locker.records.get(ALICE, key.rsplit("/", 1)[1]) is None


@pytest.mark.parametrize(
    "body",
    [
        {"method": "DELETE", "key": "k"},
        {"method": "GET", "key": "k"},
        {"method": "PUT", "key": "k", "partNumber": 1},
        {"method": "PUT", "key": "k", "uploadId": "u"},
        {"method": "GET", "key": "k", "uploadId": "u", "partNumber": 1},
        {"method": "HEAD", "key": "k"},
        {"method": "PUT", "key": "k", "uploadId": "u", "partNumber": 10001},
        {"method": "PUT", "key": 5},
        {"method": "PUT", "key": "k", "expiresIn": "300"},
        {"method": "PUT", "key": "k", "bucket": "other"},
    ],
)
def test_operations_locker_does_not_sign_are_400s(locker: Locker, body: dict[str, Any]) -> None:
    with pytest.raises(BadRequestError):
        sign(locker, body)


def test_expires_in_may_shorten_but_never_lengthen_the_url(locker: Locker) -> None:
    short = sign(locker, {**START_PUT, "expiresIn": 60})
    long = sign(locker, {**START_PUT, "expiresIn": 86400})
    assert parse_qs(urlsplit(short["url"]).query)["X-Amz-Expires"] == ["60"]
    assert parse_qs(urlsplit(long["url"]).query)["X-Amz-Expires"] == ["300"]


def test_locker_multipart_files_keep_their_pinned_part_lengths(locker: Locker) -> None:
    created = locker.create(ALICE, NewFile("big.pdf", "application/pdf", 20 * MIB, None))
    record = locker.records.get(ALICE, created["file"]["id"])
    answer = sign(locker, {"method": "PUT", "key": record.key, "uploadId": record.upload_id, "partNumber": 2})
    assert "content-length" in signed_headers(answer["url"])
    with pytest.raises(BadRequestError):
        sign(locker, {"method": "PUT", "key": record.key, "uploadId": record.upload_id, "partNumber": 3})


def test_racing_upload_ids_record_exactly_one(locker: Locker, aws: dict[str, Any]) -> None:
    key, first = started(locker, aws)
    ids = [first] + [aws["s3"].create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"] for _ in range(5)]

    def attempt(upload_id: str) -> bool:
        try:
            sign(locker, {"method": "GET", "key": key, "uploadId": upload_id})
        except NotFoundError:
            return False
        return True

    with ThreadPoolExecutor(6) as pool:
        won = [u for u, ok in zip(ids, pool.map(attempt, ids), strict=True) if ok]
    assert len(won) == 1
    assert locker.records.get(ALICE, key.rsplit("/", 1)[1]).upload_id == won[0]


def _trail(locker: Locker, file_id: str) -> list[tuple[str, dict[str, str]]]:
    events = locker.trail.for_file(ALICE, file_id, ListQuery(100, None, None))["items"]
    return [(e["type"], e["actor"]) for e in events]


def test_an_abort_through_uppy_writes_deleted_as_delete_files_does(
    locker: Locker, aws: dict[str, Any], clock: FakeClock
) -> None:
    key, upload_id = started(locker, aws)
    aborted_id = key.rsplit("/", 1)[1]
    clock.advance(1)  # events of one millisecond have no order
    sign(locker, {"method": "DELETE", "key": key, "uploadId": upload_id})
    deleted_id = started(locker, aws)[0].rsplit("/", 1)[1]
    clock.advance(1)
    locker.delete(ALICE, deleted_id)
    clock.advance(3600)
    locker.sweep()  # finishing the abort adds nothing more
    actor = {"type": "user", "id": ALICE}
    for file_id in (aborted_id, deleted_id):
        kinds = [(kind, {k: a[k] for k in ("type", "id")}) for kind, a in _trail(locker, file_id)]
        assert kinds == [("deleted", actor), ("created", actor)], file_id == aborted_id

"""Failures after an operation's commit point: the change stands, and the answer says so.

A 503 promises "nothing was changed, try again". So once a change has committed
(a delete begun, a group deleted, a download used), a later
step that fails (its activity event, the cleanup a retry or the sweep finishes)
must not answer 503 (a file's ``created`` event has no such step: it commits in
the create's own transaction, ``test_records_contract``); and an AWS failure no
adapter classified, anywhere, is a 503, never Chalice's 500 (``failures.guarded``). The fault-injection suite
(``tests/faults``) finds these; these tests pin each fix.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from chalice.app import NotFoundError

from chalicelib import failures
from chalicelib.errors import ServiceUnavailableError
from chalicelib.runtime import SharingCases
from chalicelib.service import Locker
from chalicelib.stores import InMemoryStores
from tests.unit.conftest import FakeClock
from tests.unit.test_sharing_service import ALICE, BOB, cases, ready_file, shared_locker, stores

__all__ = ["cases", "shared_locker", "stores"]  # fixtures

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/secret"


def throttled(*_: Any, **__: Any) -> Any:
    raise ClientError({"Error": {"Code": "ThrottlingException", "Message": ARN}}, "PutItem")


def timed_out(*_: Any, **__: Any) -> Any:
    raise ReadTimeoutError(endpoint_url="https://dynamodb.example")


def unavailable(*_: Any, **__: Any) -> Any:
    raise ServiceUnavailableError("storage failed")


@pytest.mark.parametrize("error", [throttled, timed_out])
def test_guarded_turns_an_unclassified_aws_failure_into_a_503_logging_no_message(
    error: Any, auth_log: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ServiceUnavailableError):
        failures.guarded(error)()
    assert ARN not in auth_log.text and "secret" not in auth_log.text
    assert any(r.levelno == logging.WARNING for r in auth_log.records)


def test_guard_routes_wraps_every_view_once() -> None:
    from app import app

    entries = [entry for methods in app.routes.values() for entry in methods.values()]
    assert entries and all(getattr(e.view_function, "_locker_guarded", False) for e in entries)
    before = [e.view_function for e in entries]
    failures.guard_routes(app.routes)
    assert [e.view_function for e in entries] == before


def test_a_lost_activity_event_does_not_fail_a_link_use(
    shared_locker: Locker,
    cases: SharingCases,
    stores: InMemoryStores,
    aws: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file_id = ready_file(shared_locker, aws)
    url = cases.links.create(ALICE, file_id, 600, 1, "http://127.0.0.1")["link"]["url"]
    monkeypatch.setattr(stores.activity, "record", throttled)
    assert cases.links.consume(url.rsplit("/", 1)[1])["url"]  # the one download is served


def test_a_delete_cut_short_after_its_commit_point_is_done_and_the_sweep_finishes_it(
    shared_locker: Locker,
    cases: SharingCases,
    stores: InMemoryStores,
    aws: dict[str, Any],
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob", "expiresAt": None})
    with monkeypatch.context() as patched:
        patched.setattr(stores.grants, "remove_all", unavailable)
        shared_locker.delete(ALICE, file_id)  # no 503: the file is gone for everyone
    for caller in (ALICE, BOB):
        with pytest.raises(NotFoundError):
            shared_locker.get(caller, file_id)
    assert shared_locker.records.usage(ALICE).files == 0
    clock.advance(3600)
    assert shared_locker.sweep() == 1
    assert shared_locker.records.get(ALICE, file_id) is None and stores.grants.for_file(file_id) == []
    assert aws["s3"].list_objects_v2(Bucket="unit-files-bucket")["KeyCount"] == 0


def test_a_group_delete_whose_purge_fails_is_done_and_the_sweep_purges(
    shared_locker: Locker,
    cases: SharingCases,
    stores: InMemoryStores,
    aws: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.groups.create(ALICE, "alice", "brokers")
    cases.groups.add(ALICE, "brokers", "bob")
    cases.grants.grant(ALICE, "alice", file_id, {"group": "brokers", "expiresAt": None})
    with monkeypatch.context() as patched:
        patched.setattr(stores.groups, "purge", throttled)
        cases.groups.delete(ALICE, "brokers")
    with pytest.raises(NotFoundError):
        shared_locker.get(BOB, file_id)
    assert cases.groups.sweep() == 1
    assert stores.grants.for_file(file_id) == [] and stores.groups.pending_purges() == []


def test_a_multipart_start_whose_answer_is_lost_leaves_no_upload(
    aws: dict[str, Any], settings: Any, records: Any, clock: FakeClock
) -> None:
    from chalicelib.multipart_storage import MultipartStorage
    from chalicelib.validation import NewFile

    class LostAnswer:
        """S3 that starts the upload, then loses the answer."""

        def __getattr__(self, name: str) -> Any:
            real = getattr(aws["s3"], name)
            if name != "create_multipart_upload":
                return real

            def started_then_lost(**kwargs: Any) -> Any:
                real(**kwargs)
                raise ReadTimeoutError(endpoint_url="https://s3.example")

            return started_then_lost

    big = Locker(
        settings._replace(multipart_threshold=10),
        records,
        MultipartStorage(LostAnswer(), "unit-files-bucket"),
        clock,
    )
    with pytest.raises(ServiceUnavailableError):
        big.create(ALICE, NewFile("big.png", "image/png", 100, None))
    assert aws["s3"].list_multipart_uploads(Bucket="unit-files-bucket").get("Uploads", []) == []
    assert big.records.usage(ALICE).files == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_link_answers_a_failure_as_503_with_the_link_pages_headers(
    api_env: Any, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    from types import SimpleNamespace

    from chalice.test import Client

    from app import app
    from chalicelib import runtime

    failing = SimpleNamespace(describe=throttled, consume=throttled)
    monkeypatch.setattr(runtime, "sharing", lambda: SimpleNamespace(links=failing))
    with Client(app) as client:
        for accept in ("text/html", "application/json"):
            answer = client.http.request(method, "/l/" + "a" * 43, headers={"Accept": accept})
            assert answer.status_code == 503
            assert answer.headers["Retry-After"] and answer.headers["Referrer-Policy"] == "no-referrer"
            assert answer.headers["Cache-Control"] == "no-store"
            assert ARN not in answer.body.decode()
            if accept == "text/html":
                assert answer.headers["Content-Type"].startswith("text/html")
            else:
                assert answer.json_body["Code"] == "ServiceUnavailableError"

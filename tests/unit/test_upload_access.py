"""Part routes and Uppy's signer ask the one access check: a grantee gets 403, anyone else 404."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import ForbiddenError, NotFoundError

from chalicelib.parts import Parts
from chalicelib.runtime import SharingCases
from chalicelib.service import Locker
from chalicelib.upload_requests import sign_request
from chalicelib.uppy import UppySigner
from tests.unit.test_sharing_service import ALICE, BOB, CAROL, cases, ready_file, shared_locker, stores

__all__ = ["cases", "shared_locker", "stores"]  # the fixtures


def _attempts(locker: Locker, file_id: str) -> list[Any]:
    key = f"users/{ALICE}/{file_id}"
    signer = UppySigner(locker)
    return [
        lambda caller: Parts(locker).sign(caller, file_id, {"parts": [{"partNumber": 1}]}),
        lambda caller: Parts(locker).list(caller, file_id),
        lambda caller: signer.sign(caller, sign_request({"method": "GET", "key": key, "uploadId": "u-1"})),
        lambda caller: signer.sign(
            caller, sign_request({"method": "PUT", "key": key, "uploadId": "u-1", "partNumber": 1})
        ),
    ]


@pytest.mark.parametrize("attempt", range(4), ids=["sign parts", "list parts", "ListParts", "UploadPart"])
def test_a_grantee_is_refused_with_403_and_anyone_else_with_404(
    shared_locker: Locker, cases: SharingCases, aws: dict[str, Any], attempt: int
) -> None:
    file_id = ready_file(shared_locker, aws)
    cases.grants.grant(ALICE, "alice", file_id, {"user": "bob"})
    call = _attempts(shared_locker, file_id)[attempt]
    with pytest.raises(ForbiddenError):
        call(BOB)
    with pytest.raises(NotFoundError):
        call(CAROL)

"""Presigned URLs: what they sign, and expiry that never outlives the credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from chalicelib.errors import ServiceUnavailableError
from chalicelib.storage import Storage

NOW = 1_800_000_000.0


def _client_with_expiring_credentials(seconds_left: float) -> Any:
    expiry = datetime.fromtimestamp(NOW + seconds_left, UTC).isoformat()

    def refresh() -> dict[str, str]:
        return {
            "access_key": "AKIDEXAMPLE",
            "secret_key": "secret",
            "token": "session",
            "expiry_time": expiry,
        }

    credentials = RefreshableCredentials.create_from_metadata(refresh(), refresh, "test")
    session = boto3.session.Session(region_name="eu-west-1")
    session._session._credentials = credentials  # what Lambda's role provider would hand out
    return session.client("s3", config=Config(signature_version="s3v4"))


def test_upload_url_lifetime_is_cut_to_what_the_credentials_have_left() -> None:
    storage = Storage(_client_with_expiring_credentials(120), "bucket", clock=lambda: NOW)
    put = storage.presign_put("users/u/f", "image/png", 10, None, expires=300)
    assert "X-Amz-Expires=120" in put.url
    assert put.expires_at == int(NOW) + 120


def test_upload_url_keeps_the_configured_lifetime_when_credentials_last_longer() -> None:
    storage = Storage(_client_with_expiring_credentials(3600), "bucket", clock=lambda: NOW)
    link = storage.presign_get("users/u/f", "a.png", "image/png", expires=60)
    assert "X-Amz-Expires=60" in link.url
    assert link.expires_at == int(NOW) + 60
    assert "X-Amz-Security-Token=session" in link.url


def test_regional_virtual_host_urls_on_aws(monkeypatch: Any) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    from chalicelib import aws

    url = aws.client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": "locker-files", "Key": "users/u/f", "IfNoneMatch": "*"},
        ExpiresIn=60,
    )
    assert url.startswith("https://locker-files.s3.eu-west-1.amazonaws.com/users/u/f?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert "if-none-match" in url


class _Failing:
    """An S3 client whose every call fails with ``error`` (a ClientError code or an exception)."""

    def __init__(self, error: str | Exception) -> None:
        self.error = error

    def _fail(self, operation: str) -> None:
        if isinstance(self.error, Exception):
            raise self.error
        raise ClientError(
            {"Error": {"Code": self.error, "Message": "arn:aws:iam::1:role/x denied"}}, operation
        )

    def head_object(self, **_: Any) -> None:
        self._fail("HeadObject")

    def get_object(self, **_: Any) -> None:
        self._fail("GetObject")

    def delete_object(self, **_: Any) -> None:
        self._fail("DeleteObject")

    def generate_presigned_url(self, *_: Any, **__: Any) -> None:
        self._fail("PutObject")


@pytest.mark.parametrize("code", ["404", "NoSuchKey", "NotFound"])
def test_only_the_documented_not_there_answers_mean_missing(code: str) -> None:
    storage = Storage(_Failing(code), "bucket")
    assert storage.head("users/u/f") is None
    assert storage.first_bytes("users/u/f", 16) is None  # "not there", never empty content


UNCLASSIFIED: list[Any] = [
    "403",
    "AccessDenied",
    "KMS.DisabledException",
    "KMS.KMSInvalidStateException",
    "SlowDown",
    "ThrottlingException",
    "InternalError",
    "ServiceUnavailable",
    "SomethingNobodyHasSeenYet",
    ReadTimeoutError(endpoint_url="https://s3.example"),
    EndpointConnectionError(endpoint_url="https://s3.example"),
    NoCredentialsError(),
]


@pytest.mark.parametrize("error", UNCLASSIFIED, ids=str)
def test_every_other_failure_is_a_503_never_a_fact(error: str | Exception, caplog: Any) -> None:
    storage = Storage(_Failing(error), "bucket")
    calls = [
        lambda: storage.head("users/u/f"),
        lambda: storage.first_bytes("users/u/f", 16),
        lambda: storage.delete("users/u/f"),
        lambda: storage.presign_put("users/u/f", "image/png", 1, None, 60),
        lambda: storage.presign_get("users/u/f", "a.png", "image/png", 60),
    ]
    for call in calls:
        with pytest.raises(ServiceUnavailableError) as raised:
            call()
        assert raised.value.STATUS_CODE == 503
    assert "arn:" not in caplog.text  # only the error code is logged


def test_a_body_that_breaks_off_is_a_503() -> None:
    class Broken:
        def read(self, _: int) -> bytes:
            raise ResponseStreamingError(error="connection reset")

    class Client(_Failing):
        def get_object(self, **_: Any) -> dict[str, Any]:
            return {"Body": Broken()}

    with pytest.raises(ServiceUnavailableError):
        Storage(Client("unused"), "bucket").first_bytes("users/u/f", 16)


class _NoInternals:
    """A client that presigns but has none of botocore's private credential attributes."""

    def generate_presigned_url(self, operation: str, Params: Any, ExpiresIn: int) -> str:
        return f"https://s3.example/{Params['Key']}?X-Amz-Expires={ExpiresIn}"


class _OddExpiry(_NoInternals):
    """Credentials whose private expiry is not what botocore has today."""

    class _Credentials:
        _expiry_time = "2026-01-01T00:00:00Z"  # a string, not a datetime

        def get_frozen_credentials(self) -> None:
            return None

    class _Signer:
        _credentials = None

    def __init__(self) -> None:
        self._request_signer = self._Signer()
        self._request_signer._credentials = self._Credentials()  # type: ignore[assignment]


@pytest.mark.parametrize("client", [_NoInternals(), _OddExpiry()], ids=["absent", "changed"])
def test_a_botocore_change_keeps_the_wanted_lifetime(client: Any) -> None:
    storage = Storage(client, "bucket", clock=lambda: NOW)
    put = storage.presign_put("users/u/f", "image/png", 10, None, expires=300)
    link = storage.presign_get("users/u/f", "a.png", "image/png", expires=60)
    assert (put.expires_at, link.expires_at) == (int(NOW) + 300, int(NOW) + 60)
    assert "X-Amz-Expires=300" in put.url and "X-Amz-Expires=60" in link.url


def test_download_urls_pin_every_header_the_uploader_could_attach() -> None:
    link = Storage(_client_with_expiring_credentials(3600), "bucket", clock=lambda: NOW).presign_get(
        "users/u/f", "a.png", "image/png", expires=60
    )
    query = parse_qs(urlsplit(link.url).query)
    assert query["response-cache-control"] == ["private, no-store"]
    assert query["response-content-encoding"] == ["identity"]
    assert query["response-content-type"] == ["image/png"]
    assert query["response-content-disposition"][0].startswith("attachment;")

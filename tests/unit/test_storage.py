"""Presigned URLs: what they sign, and expiry that never outlives the credentials."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.credentials import RefreshableCredentials

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


class _Refusing:
    """An S3 client that answers like S3 does for a missing key to a role without ListBucket."""

    def __init__(self, code: str) -> None:
        self.code = code

    def _refuse(self, operation: str) -> None:
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.code, "Message": "Forbidden"}}, operation)

    def head_object(self, **_: Any) -> None:
        self._refuse("HeadObject")

    def get_object(self, **_: Any) -> None:
        self._refuse("GetObject")


def test_a_missing_key_is_missing_even_when_s3_says_403() -> None:
    for code in ("403", "AccessDenied", "404", "NoSuchKey"):
        storage = Storage(_Refusing(code), "bucket")
        assert storage.head("users/u/f") is None
        assert storage.first_bytes("users/u/f", 16) == b""


def test_other_s3_errors_are_not_hidden() -> None:
    import pytest
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        Storage(_Refusing("SlowDown"), "bucket").head("users/u/f")

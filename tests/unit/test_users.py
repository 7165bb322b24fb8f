"""The Cognito directory: a missing user is None, any other Cognito failure a 503, never "no such user"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.errors import ServiceUnavailableError
from chalicelib.users import CognitoDirectory, valid_username


@pytest.fixture
def cognito() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def test_a_user_is_found_by_name_and_an_unknown_one_is_none(cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool, Username="ana", MessageAction="SUPPRESS")
    directory = CognitoDirectory(lambda: cognito, pool)
    found = directory.find("ana")
    assert found is not None and found.name == "ana" and found.id
    assert directory.find("ben") is None


def test_a_cognito_failure_is_a_503_not_a_missing_user(cognito: Any) -> None:
    with pytest.raises(ServiceUnavailableError):
        CognitoDirectory(lambda: cognito, "us-east-1_NoSuchPool").find("ana")


def test_a_name_with_a_final_newline_is_no_username() -> None:
    assert valid_username("ana")
    assert not valid_username("ana\n")

"""The emulator process: ports, reset, and the non-S3 services the gate must not touch."""

from __future__ import annotations

import json
import socket
from typing import Any

import boto3
import pytest
import requests

from devstack.emulator.server import Emulator, PortBusyError, start

ORIGIN = "http://127.0.0.1:8080"
COGNITO_JSON = "application/x-amz-json-1.1"


@pytest.fixture
def user_pool(emulator: Emulator) -> dict[str, str]:
    """A pool, an app client and a confirmed user, made through the signed SDK."""
    idp = boto3.client("cognito-idp", endpoint_url=emulator.url)
    pool = idp.create_user_pool(PoolName="locker")["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="ada@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool, Username="ada@example.com", Password="Secret-pass-1", Permanent=True
    )
    return {"pool": pool, "client": client, "username": "ada@example.com", "password": "Secret-pass-1"}


def test_port_zero_reports_the_real_port(emulator: Emulator) -> None:
    port = int(emulator.url.rsplit(":", 1)[1])
    assert emulator.url.startswith("http://127.0.0.1:")
    assert port > 0
    assert requests.post(f"{emulator.url}/moto-api/reset").status_code == 200


def test_a_busy_port_raises_one_clear_line() -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(PortBusyError) as caught:
            start(port=port)
    message = str(caught.value)
    assert message == f"port {port} on 127.0.0.1 is already in use (set LOCKER_EMULATOR_PORT to use another)"
    assert "\n" not in message
    assert isinstance(caught.value, RuntimeError)


def test_stop_frees_the_port() -> None:
    first = start(port=0)
    port = int(first.url.rsplit(":", 1)[1])
    first.stop()
    again = start(port=port)
    try:
        assert requests.post(f"{again.url}/moto-api/reset").status_code == 200
    finally:
        again.stop()


def test_reset_wipes_every_bucket(emulator: Emulator, s3: Any) -> None:
    s3.create_bucket(Bucket="left-over")
    emulator.reset()
    assert s3.list_buckets()["Buckets"] == []


def test_signed_dynamodb_calls_pass_the_gate(emulator: Emulator) -> None:
    dynamodb = boto3.client("dynamodb", endpoint_url=emulator.url)
    dynamodb.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "a"}})
    assert dynamodb.get_item(TableName="t", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_a_browser_logs_in_with_unsigned_cognito_calls(emulator: Emulator, user_pool: dict[str, str]) -> None:
    response = requests.post(
        f"{emulator.url}/",
        headers={
            "Content-Type": COGNITO_JSON,
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Origin": ORIGIN,
        },
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": user_pool["client"],
                "AuthParameters": {"USERNAME": user_pool["username"], "PASSWORD": user_pool["password"]},
            }
        ),
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["AuthenticationResult"]["AccessToken"].count(".") == 2


def test_a_failed_cognito_call_is_readable_by_the_browser(
    emulator: Emulator, user_pool: dict[str, str]
) -> None:
    response = requests.post(
        f"{emulator.url}/",
        headers={
            "Content-Type": COGNITO_JSON,
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
        },
        data=json.dumps(
            {
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": user_pool["client"],
                "AuthParameters": {"USERNAME": user_pool["username"], "PASSWORD": "wrong-Password-1"},
            }
        ),
    )
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["__type"] == "NotAuthorizedException"


def test_cognito_preflights_are_answered(emulator: Emulator) -> None:
    response = requests.options(
        f"{emulator.url}/",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "x-amz-target", "x-amz-user-agent"} <= allowed


def test_the_jwks_is_public_and_cors_enabled(emulator: Emulator, user_pool: dict[str, str]) -> None:
    response = requests.get(
        f"{emulator.url}/{user_pool['pool']}/.well-known/jwks.json", headers={"Origin": ORIGIN}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json()["keys"][0]["kty"] == "RSA"


def test_s3_gets_no_global_cors(emulator: Emulator, s3: Any) -> None:
    s3.create_bucket(Bucket="no-cors-rules")
    s3.put_object(Bucket="no-cors-rules", Key="k", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "no-cors-rules", "Key": "k"}, ExpiresIn=60
    )
    response = requests.get(url, headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers

"""Cognito calls the local stack and its tests make: users and password log-ins.

Log-ins are unsigned, exactly as a browser, Postman or the AWS CLI would send
them to real Cognito, so they work against AWS by changing the endpoint only.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config


def public_client(endpoint: str, region: str) -> Any:
    """A Cognito client that signs nothing (InitiateAuth needs no AWS credentials)."""
    return boto3.client(
        "cognito-idp", endpoint_url=endpoint, region_name=region, config=Config(signature_version=UNSIGNED)
    )


def login(endpoint: str, region: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    """``USER_PASSWORD_AUTH``: the AuthenticationResult (AccessToken, IdToken, RefreshToken)."""
    answer = public_client(endpoint, region).initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


def create_user(admin: Any, pool_id: str, email: str, password: str) -> str:
    """Create a confirmed user with a permanent password; returns its ``sub``."""
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
    )
    admin.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    attributes = admin.admin_get_user(UserPoolId=pool_id, Username=email)["UserAttributes"]
    return str(next(a["Value"] for a in attributes if a["Name"] == "sub"))


def create_pool(admin: Any, name: str) -> tuple[str, str]:
    """A user pool and a public SPA app client; returns (pool id, client id).

    Local only, so deliberately lenient: any username (an email or not) and
    passwords of 8+ characters, so developers and tests make users quickly.
    The deployed pool (infra/template.json) is strict: email usernames, 12+
    characters with every character class.
    """
    pool = admin.create_user_pool(
        PoolName=name,
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": False,
                "RequireLowercase": False,
                "RequireNumbers": False,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]
    app_client = admin.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=f"{name}-spa",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]
    return str(pool["Id"]), str(app_client["ClientId"])

"""What only exists behind API Gateway: the Cognito authorizer and bucket events.

Locker verifies every token itself (``gateway``); deployed, API Gateway's
Cognito authorizer runs first as well, so junk never costs an invocation. It is
attached only when the stage asks for it: ``chalice local`` would otherwise
"check" it by merely decoding the token, and drops the connection on some inputs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from chalice.app import CognitoUserPoolAuthorizer

log = logging.getLogger("locker.events")

AUTHORIZER_SETTING = "LOCKER_API_AUTHORIZER"
ID_TOKENS_SETTING = "LOCKER_TOKEN_USES"
# The scope every Cognito access token carries; with a scope set, API Gateway
# accepts access tokens (and refuses ID tokens).
ACCESS_SCOPE = "aws.cognito.signin.user.admin"
# infra/template.json replaces this placeholder with the user pool's ARN.
POOL_ARN_PLACEHOLDER = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_REPLACEDBYTEMPLATE"

OBJECT_CREATED_PATTERN: dict[str, Any] = {"source": ["aws.s3"], "detail-type": ["Object Created"]}


def gateway_authorizer(env: Mapping[str, str]) -> CognitoUserPoolAuthorizer | None:
    """API Gateway's Cognito authorizer when the stage sets ``LOCKER_API_AUTHORIZER=cognito``."""
    if env.get(AUTHORIZER_SETTING, "").strip().lower() != "cognito":
        return None
    uses = {u.strip() for u in env.get(ID_TOKENS_SETTING, "access").split(",")}
    scopes = None if "id" in uses else [ACCESS_SCOPE]
    return CognitoUserPoolAuthorizer("LockerUserPool", provider_arns=[POOL_ARN_PLACEHOLDER], scopes=scopes)


def created_key(event: Mapping[str, Any], bucket: str) -> str | None:
    """The object key of an S3 "Object Created" EventBridge event for ``bucket``, else None."""
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return None
    name = (detail.get("bucket") or {}).get("name")
    key = (detail.get("object") or {}).get("key")
    if name != bucket or not isinstance(key, str):
        log.warning("ignoring an event that is not an object created in the files bucket")
        return None
    return key

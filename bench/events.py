"""What Lambda hands Locker's handler: an API Gateway REST proxy event and a context.

The benchmarks call ``app(event, context)`` exactly as the Lambda runtime does
(handler ``app.app``), with the event API Gateway builds for a proxy
integration, so no local server, test client or HTTP hop is timed.
Standard library only: the cold-start children import this too.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

STAGE = "api"
HOST = "abc123.execute-api.us-east-1.amazonaws.com"
NEW_FILE = {"filename": "bench.png", "contentType": "image/png", "size": 1024}


def proxy_event(
    method: str,
    resource: str,
    token: str,
    body: dict[str, Any] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway (REST, proxy integration) event for ``method resource``."""
    headers = {
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
        "Host": HOST,
        "User-Agent": "locker-bench",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if body is not None:
        headers["Content-Type"] = "application/json"
    return {
        "resource": resource,
        "path": resource,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{resource}",
            "stage": STAGE,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": HOST,
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "locker-bench"},
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


def create_file_event(token: str) -> dict[str, Any]:
    """``POST /files`` declaring a small PNG: the request P1 and P2 time."""
    return proxy_event("POST", "/files", token, body=NEW_FILE)


def list_files_event(token: str) -> dict[str, Any]:
    """``GET /files`` (first page, default limit): the request P3 times."""
    return proxy_event("GET", "/files", token)


class LambdaContext:
    """The attributes of the Lambda runtime's context object that handlers read."""

    function_name = "locker-dev"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:locker-dev"
    memory_limit_in_mb = 256
    log_group_name = "/aws/lambda/locker-dev"
    log_stream_name = "bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        """Lambda's deadline countdown; the benchmarks never run close to it."""
        return 30_000

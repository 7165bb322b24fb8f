"""The irreducible ``POST /files``: raw boto3 and PyJWT, nothing else.

What any implementation of the route must do: verify the token with the pool's
key, put the record, reserve quota and record the contract's ``created``
activity event in one transaction, presign the PUT, and read/write JSON. Same
AWS calls, item shapes, conditions and client settings as Locker (SigV4, standard
retries, path-style S3 against a local endpoint), so the only difference P1 and
P2 measure is Locker's own code and Chalice.
"""

from __future__ import annotations

import json
import os
import secrets
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

import boto3
import jwt
from botocore.config import Config

_CONFIG = Config(signature_version="s3v4", retries={"max_attempts": 3, "mode": "standard"})
_S3_CONFIG = _CONFIG.merge(Config(s3={"addressing_style": "path"}))


class Baseline:
    """Clients made once; the JWKS fetched on the first request, like Locker's cache."""

    def __init__(self, env: Mapping[str, str] = os.environ) -> None:
        self.table = env["LOCKER_TABLE"]
        self.bucket = env["LOCKER_BUCKET"]
        self.jwks_url = env["LOCKER_JWKS_URL"]
        pool = env["LOCKER_USER_POOL_ID"]
        self.issuer = f"https://cognito-idp.{pool.split('_')[0]}.amazonaws.com/{pool}"
        self.dynamodb = boto3.client("dynamodb", config=_CONFIG)
        self.s3 = boto3.client("s3", config=_S3_CONFIG)
        self.keys: dict[str, Any] = {}

    def _key(self, token: str) -> Any:
        kid = jwt.get_unverified_header(token)["kid"]
        if kid not in self.keys:
            with urllib.request.urlopen(self.jwks_url, timeout=3) as answer:
                document = json.loads(answer.read())
            self.keys = {k["kid"]: jwt.PyJWK(k, algorithm="RS256").key for k in document["keys"]}
        return self.keys[kid]

    def handle(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a ``POST /files`` proxy event (status 201 and the JSON body)."""
        token = event["headers"]["Authorization"].split(" ", 1)[1]
        claims = jwt.decode(
            token, self._key(token), algorithms=["RS256"], issuer=self.issuer, options={"verify_aud": False}
        )
        declared = json.loads(event["body"])
        owner, file_id, now = claims["sub"], secrets.token_hex(16).upper(), int(time.time())
        size, content_type = declared["size"], declared["contentType"]
        pk = {"S": f"USER#{owner}"}
        item = {
            "pk": pk,
            "sk": {"S": f"FILE#{file_id}"},
            "owner": {"S": owner},
            "id": {"S": file_id},
            "filename": {"S": declared["filename"]},
            "contentType": {"S": content_type},
            "size": {"N": str(size)},
            "status": {"S": "pending"},
            "createdAt": {"N": str(now)},
            "updatedAt": {"N": str(now)},
            "expiresAt": {"N": str(now + 86400)},
            "sweepAt": {"N": str(now + 86400)},
        }
        quota = {
            "TableName": self.table,
            "Key": {"pk": pk, "sk": {"S": "QUOTA"}},
            "UpdateExpression": "ADD #b :b, #f :f",
            "ConditionExpression": "(attribute_not_exists(#b) OR #b <= :maxb) AND "
            "(attribute_not_exists(#f) OR #f <= :maxf)",
            "ExpressionAttributeNames": {"#b": "bytes", "#f": "files"},
            "ExpressionAttributeValues": {
                ":b": {"N": str(size)},
                ":f": {"N": "1"},
                ":maxb": {"N": str(2**53 - size)},
                ":maxf": {"N": str(10**9 - 1)},
            },
        }
        put = {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        created = {"TableName": self.table, "Item": _created_event(owner, file_id, declared["filename"])}
        self.dynamodb.transact_write_items(TransactItems=[{"Put": put}, {"Update": quota}, {"Put": created}])
        params = {
            "Bucket": self.bucket,
            "Key": f"users/{owner}/{file_id}",
            "ContentType": content_type,
            "ContentLength": size,
            "IfNoneMatch": "*",
        }
        url = self.s3.generate_presigned_url("put_object", Params=params, ExpiresIn=300)
        body = {"file": {"id": file_id, "status": "pending"}, "upload": {"method": "PUT", "url": url}}
        return {"statusCode": 201, "body": json.dumps(body)}


def _created_event(owner: str, file_id: str, filename: str) -> dict[str, Any]:
    """The file's ``created`` activity item, on a random one of its write shards (as Locker's)."""
    at_ms, shard = time.time_ns() // 1_000_000, secrets.randbelow(4)
    position = f"{at_ms:013d}#{secrets.token_hex(18).upper()}"
    actor = json.dumps({"type": "user", "id": owner, "name": ""}, separators=(",", ":"))
    return {
        "pk": {"S": f"ACT#{file_id}#{shard}"},
        "sk": {"S": position},
        "apk": {"S": f"ACTO#{owner}#{shard}"},
        "ask": {"S": position},
        "eventId": {"S": position.split("#")[1]},
        "atMs": {"N": str(at_ms)},
        "fileId": {"S": file_id},
        "owner": {"S": owner},
        "type": {"S": "created"},
        "actor": {"S": actor},
        "detail": {"S": json.dumps({"filename": filename}, separators=(",", ":"))},
        "ttl": {"N": str(at_ms // 1000 + 400 * 86400)},
    }

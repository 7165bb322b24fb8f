"""Download links in the one DynamoDB table.

- ``LINK#<sha256 of the token> / LINK``: the link itself, in a partition of its
  own, so downloads through it never write to the owner's or the file's
  partition. ``used`` counts downloads; consuming one is a single conditional
  ``ADD used 1`` (``used < maxDownloads AND expiresAt > now``).
- ``FILE#<id> / LINK#<link id>``: points at it, for the owner's list and for
  deleting a file's links.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dynamo_util import batch_delete, batch_get, failed_condition, key, n, s
from chalicelib.links import MAX_LISTED
from chalicelib.sharing_model import Link

# Expiry is checked in code; TTL only tidies up afterwards.
TTL_MARGIN = 7 * 24 * 3600


def _link_key(hashed: str) -> dict[str, Any]:
    return key(f"LINK#{hashed}", "LINK")


def _pointer_key(file_id: str, link_id: str) -> dict[str, Any]:
    return key(f"FILE#{file_id}", f"LINK#{link_id}")


def _link(item: dict[str, Any]) -> Link:
    return Link(
        id=item["linkId"]["S"],
        file_id=item["fileId"]["S"],
        owner=item["owner"]["S"],
        token_hash=item["pk"]["S"].removeprefix("LINK#"),
        created_at=int(item["createdAt"]["N"]),
        expires_at=int(item["expiresAt"]["N"]),
        max_downloads=int(item["maxDownloads"]["N"]),
        used=int(item["used"]["N"]),
    )


class DynamoLinks:
    """Links backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def create(self, link: Link) -> None:
        item = {
            **_link_key(link.token_hash),
            "linkId": s(link.id),
            "fileId": s(link.file_id),
            "owner": s(link.owner),
            "createdAt": n(link.created_at),
            "expiresAt": n(link.expires_at),
            "maxDownloads": n(link.max_downloads),
            "used": n(link.used),
            "ttl": n(link.expires_at + TTL_MARGIN),
        }
        pointer = {**_pointer_key(link.file_id, link.id), "tokenHash": s(link.token_hash)}
        self._db.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": self._table, "Item": pointer}},
            ]
        )

    def by_hash(self, hashed: str) -> Link | None:
        found = self._db.get_item(TableName=self._table, Key=_link_key(hashed), ConsistentRead=True)
        return _link(found["Item"]) if "Item" in found else None

    def consume(self, hashed: str, now: int) -> Link | None:
        try:
            found = self._db.update_item(
                TableName=self._table,
                Key=_link_key(hashed),
                UpdateExpression="ADD used :one",
                ConditionExpression="attribute_exists(pk) AND used < maxDownloads AND expiresAt > :now",
                ExpressionAttributeValues={":one": n(1), ":now": n(now)},
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if failed_condition(exc):
                return None
            raise
        return _link(found["Attributes"])

    def _pointers(self, file_id: str, limit: int | None) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :link)",
            "ExpressionAttributeValues": {":pk": s(f"FILE#{file_id}"), ":link": s("LINK#")},
            "ScanIndexForward": False,
            "ConsistentRead": True,
        }
        if limit is not None:
            request["Limit"] = limit
        items: list[dict[str, Any]] = self._db.query(**request)["Items"]
        return items

    def for_file(self, file_id: str) -> list[Link]:
        pointers = self._pointers(file_id, MAX_LISTED)
        items = batch_get(self._db, self._table, [_link_key(p["tokenHash"]["S"]) for p in pointers])
        return sorted(map(_link, items), key=lambda link: link.id, reverse=True)

    def remove(self, file_id: str, link_id: str) -> Link | None:
        pointer = self._db.get_item(
            TableName=self._table, Key=_pointer_key(file_id, link_id), ConsistentRead=True
        ).get("Item")
        if pointer is None:
            return None
        hashed = pointer["tokenHash"]["S"]
        try:
            found = self._db.delete_item(
                TableName=self._table,
                Key=_link_key(hashed),
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if not failed_condition(exc):
                raise
            found = {}
        self._db.delete_item(TableName=self._table, Key=_pointer_key(file_id, link_id))
        return _link(found["Attributes"]) if "Attributes" in found else None

    def remove_all(self, file_id: str) -> None:
        while True:
            pointers = self._pointers(file_id, 25)
            if not pointers:
                return
            # The link first, its pointer after: a retry still finds what is left.
            batch_delete(self._db, self._table, [_link_key(p["tokenHash"]["S"]) for p in pointers])
            batch_delete(self._db, self._table, [{"pk": p["pk"], "sk": p["sk"]} for p in pointers])

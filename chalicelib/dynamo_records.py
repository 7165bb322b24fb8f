"""Records in one DynamoDB table: a user's files and quota share a partition.

Layout: ``pk = USER#<sub>``; files at ``sk = FILE#<id>`` (ids sort by creation
time, so a reverse Query lists newest first), the quota counter at ``sk = QUOTA``.
The counter also carries ``version``, bumped by every quota change, so a
recount (``dynamo_recount``) can never race one. Pending and deleting files
carry ``sweepAt``, which puts them in the sparse ``sweep`` index the scheduled
sweep reads. ``ttl`` is only a backstop for
DynamoDB's own (lagging) expiry: correctness never depends on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from chalicelib import writes
from chalicelib.dynamo_recount import VERSION, recount
from chalicelib.dynamo_util import batch_get, conditional_write
from chalicelib.failures import unclassified
from chalicelib.model import DELETING, PENDING, PUT_UPLOAD, READY, REJECTED, FileRecord
from chalicelib.reads import Read, Table, item_key
from chalicelib.records import Quota, QuotaExceeded, Usage, sweep_at
from chalicelib.writes import Write

SWEEP_INDEX = "sweep"
QUOTA_SK = "QUOTA"
# DynamoDB's TTL deletes without giving quota back, so it must never beat the sweep.
TTL_MARGIN = 3 * 24 * 3600
REJECTED_KEEP = 7 * 24 * 3600


def _pk(owner: str) -> dict[str, str]:
    return {"S": f"USER#{owner}"}


def _key(owner: str, file_id: str) -> dict[str, Any]:
    return {"pk": _pk(owner), "sk": {"S": f"FILE#{file_id}"}}


def _ttl(record: FileRecord) -> int | None:
    if record.status == PENDING and record.expires_at is not None:
        return record.expires_at + TTL_MARGIN
    if record.status == REJECTED:
        return record.updated_at + REJECTED_KEEP
    return None


def to_item(record: FileRecord) -> dict[str, Any]:
    """The DynamoDB item for ``record``."""
    item: dict[str, Any] = {
        **_key(record.owner, record.id),
        "owner": {"S": record.owner},
        "id": {"S": record.id},
        "filename": {"S": record.filename},
        "contentType": {"S": record.content_type},
        "size": {"N": str(record.size)},
        "status": {"S": record.status},
        "createdAt": {"N": str(record.created_at)},
        "updatedAt": {"N": str(record.updated_at)},
    }
    optional = {
        "sha256": ("S", record.sha256),
        "expiresAt": ("N", record.expires_at),
        "rejectedReason": ("S", record.rejected_reason),
        "uploadKind": ("S", record.upload_kind if record.multipart else None),
        "uploadId": ("S", record.upload_id),
        "partSize": ("N", record.part_size),
        "sweepAt": ("N", sweep_at(record)),
        "ttl": ("N", _ttl(record)),
    }
    for name, (kind, value) in optional.items():
        if value is not None:
            item[name] = {kind: str(value)}
    return item


def from_item(item: dict[str, Any]) -> FileRecord:
    """The record stored in ``item``."""

    def opt(name: str, kind: str) -> Any:
        return item[name][kind] if name in item else None

    expires = opt("expiresAt", "N")
    part_size = opt("partSize", "N")
    return FileRecord(
        owner=item["owner"]["S"],
        id=item["id"]["S"],
        filename=item["filename"]["S"],
        content_type=item["contentType"]["S"],
        size=int(item["size"]["N"]),
        sha256=opt("sha256", "S"),
        status=item["status"]["S"],
        created_at=int(item["createdAt"]["N"]),
        updated_at=int(item["updatedAt"]["N"]),
        expires_at=int(expires) if expires is not None else None,
        rejected_reason=opt("rejectedReason", "S"),
        upload_kind=opt("uploadKind", "S") or PUT_UPLOAD,
        upload_id=opt("uploadId", "S"),
        part_size=int(part_size) if part_size is not None else None,
    )


class DynamoRecords:
    """Records backed by a DynamoDB table (see the module docstring for the layout)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def _quota_change(self, owner: str, size: int, files: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": _pk(owner), "sk": {"S": QUOTA_SK}},
                # ``version`` tells a recount that the counter moved (dynamo_recount).
                "UpdateExpression": "ADD #b :b, #f :f, #v :one",
                "ExpressionAttributeNames": {"#b": "bytes", "#f": "files", "#v": VERSION},
                "ExpressionAttributeValues": {
                    ":b": {"N": str(size)},
                    ":f": {"N": str(files)},
                    ":one": {"N": "1"},
                },
            }
        }

    def _replace(
        self, old: FileRecord, new: FileRecord | None, expected: str, also: Sequence[Write] = ()
    ) -> bool:
        """Swap ``old`` for ``new`` if its status is still ``expected``, moving quota as needed,
        in one transaction with ``also``."""
        condition = {
            "ConditionExpression": "#s = :expected",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":expected": {"S": expected}},
            "TableName": self._table,
        }
        if new is None:
            write = {"Delete": {"Key": _key(old.owner, old.id), **condition}}
        else:
            write = {"Put": {"Item": to_item(new), **condition}}
        actions = [write]
        if old.counted and (new is None or not new.counted):
            actions.append(self._quota_change(old.owner, -old.size, -1))
        actions += writes.actions(also)
        swapped = conditional_write(
            "DynamoDB TransactWriteItems", lambda: self._db.transact_write_items(TransactItems=actions)
        )
        if swapped:
            writes.applied(also)
        return swapped

    def create(self, record: FileRecord, quota: Quota, also: Sequence[Write] = ()) -> None:
        if record.size > quota.max_bytes:
            raise QuotaExceeded
        # Limits are computed here: arithmetic inside a ConditionExpression is
        # not portable (the emulator answers 500).
        reserve = self._quota_change(record.owner, record.size, 1)
        reserve["Update"]["ConditionExpression"] = (
            "(attribute_not_exists(#b) OR #b <= :maxb) AND (attribute_not_exists(#f) OR #f <= :maxf)"
        )
        reserve["Update"]["ExpressionAttributeValues"].update(
            {":maxb": {"N": str(quota.max_bytes - record.size)}, ":maxf": {"N": str(quota.max_files - 1)}}
        )
        put = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(record),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        # put and reserve come first: a cancellation names their conditions by position.
        actions = [put, reserve, *writes.actions(also)]
        written = conditional_write(
            "DynamoDB TransactWriteItems", lambda: self._db.transact_write_items(TransactItems=actions)
        )
        if not written:
            raise QuotaExceeded
        writes.applied(also)

    def get(self, owner: str, file_id: str) -> FileRecord | None:
        with unclassified("DynamoDB GetItem"):
            found = self._db.get_item(TableName=self._table, Key=_key(owner, file_id), ConsistentRead=True)
        return from_item(found["Item"]) if "Item" in found else None

    def read_record(self, owner: str, file_id: str) -> Read[FileRecord | None]:
        wanted = _key(owner, file_id)

        def answer(items: Any) -> FileRecord | None:
            item = items.get(item_key(wanted))
            return from_item(item) if item is not None else None

        return Read(Table(self._db, self._table), (wanted,), answer)

    def mark_ready(self, record: FileRecord, now: int) -> bool:
        return self._replace(record, record.evolve(status=READY, updated_at=now, expires_at=None), PENDING)

    def reject(self, record: FileRecord, reason: str, now: int) -> bool:
        rejected = record.evolve(status=REJECTED, updated_at=now, expires_at=None, rejected_reason=reason)
        return self._replace(record, rejected, PENDING)

    def begin_delete(self, record: FileRecord, now: int, also: Sequence[Write] = ()) -> bool:
        deleting = record.evolve(status=DELETING, updated_at=now, expires_at=None)
        return self._replace(record, deleting, record.status, also)

    def finish_delete(self, record: FileRecord) -> None:
        self._replace(record, None, DELETING)

    def set_upload_id(self, record: FileRecord, upload_id: str) -> bool:
        return conditional_write(
            "DynamoDB UpdateItem",
            lambda: self._db.update_item(
                TableName=self._table,
                Key=_key(record.owner, record.id),
                UpdateExpression="SET uploadId = :u",
                ConditionExpression="#s = :pending AND attribute_not_exists(uploadId)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":u": {"S": upload_id}, ":pending": {"S": PENDING}},
            ),
        )

    def reclaim(self, record: FileRecord, now: int) -> bool:
        if not record.expired(now):
            return False
        return self._replace(record, None, PENDING)

    def page(
        self, owner: str, after_id: str | None, count: int, status: str | None = None
    ) -> tuple[list[FileRecord], str | None]:
        values = {":pk": _pk(owner), ":file": {"S": "FILE#"}}
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :file)",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": count,  # items read, before the filter: what bounds the call's cost
        }
        if status is not None:
            query["FilterExpression"] = "#s = :status"
            query["ExpressionAttributeNames"] = {"#s": "status"}
            values[":status"] = {"S": status}
        if after_id is not None:
            query["ExclusiveStartKey"] = _key(owner, after_id)
        with unclassified("DynamoDB Query"):
            found = self._db.query(**query)
        last = found.get("LastEvaluatedKey")
        resume = last["sk"]["S"].removeprefix("FILE#") if last else None
        return [from_item(i) for i in found["Items"]], resume

    def due(self, now: int, owner: str | None = None) -> Iterator[tuple[str, str]]:
        paginator = self._db.get_paginator("query" if owner else "scan")
        request: dict[str, Any] = {"TableName": self._table, "IndexName": SWEEP_INDEX}
        values = {":now": {"N": str(now)}}
        if owner:
            request["KeyConditionExpression"] = "pk = :pk AND sweepAt <= :now"
            values[":pk"] = _pk(owner)
        else:
            request["FilterExpression"] = "sweepAt <= :now"
        request["ExpressionAttributeValues"] = values
        with unclassified("DynamoDB sweep index"):
            pages = iter(paginator.paginate(**request))
        while True:
            with unclassified("DynamoDB sweep index"):
                page = next(pages, None)
            if page is None:
                return
            for item in page["Items"]:
                yield item["pk"]["S"].removeprefix("USER#"), item["sk"]["S"].removeprefix("FILE#")

    def usage(self, owner: str) -> Usage:
        with unclassified("DynamoDB GetItem"):
            found = self._db.get_item(
                TableName=self._table, Key={"pk": _pk(owner), "sk": {"S": QUOTA_SK}}, ConsistentRead=True
            )
        item = found.get("Item", {})
        return Usage(int(item.get("bytes", {"N": "0"})["N"]), int(item.get("files", {"N": "0"})["N"]))

    def recount(self, owner: str) -> Usage | None:
        return recount(self._db, self._table, _pk(owner), {"pk": _pk(owner), "sk": {"S": QUOTA_SK}})

    def get_many(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], FileRecord]:
        items = batch_get(self._db, self._table, [_key(owner, file_id) for owner, file_id in keys])
        records = [from_item(item) for item in items]
        return {(r.owner, r.id): r for r in records}

"""Everything Locker stores, read whole: the input of the invariant checks and the repairs.

``read_inventory`` is the one place Locker reads its whole table: a paged,
consistent Scan, plus paged listings of the bucket's objects and multipart
uploads under ``users/``; only the offline checker (``make doctor``) calls it, and
Locker's request paths and functions never Scan the table (their role may not).
The sweep's repair pass reads owner by owner instead (``read_owner``: Queries
of the owner's partition and listings of their prefix). Items of types
it does not know (activity, groups, anything added later) are skipped, so new
item types never break the checker.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.dynamo_inbox import GROUPS, group_ids_of
from chalicelib.dynamo_records import QUOTA_SK, from_item
from chalicelib.model import FileRecord, is_file_id
from chalicelib.records import Usage

USERS = "users/"


@dataclass(frozen=True)
class StoredObject:
    """One object under ``users/``: its key, size and when it was written (epoch seconds)."""

    key: str
    size: int
    modified: int


@dataclass(frozen=True)
class OpenUpload:
    """One multipart upload in progress under ``users/``."""

    key: str
    upload_id: str
    initiated: int


@dataclass(frozen=True)
class Reference:
    """A grant or link item that names a file; ``table_key`` is the item's own key."""

    kind: str  # "grant" or "link"
    file_id: str
    ref_id: str
    owner: str | None
    table_key: dict[str, Any]


@dataclass(frozen=True)
class BadRecord:
    """A file item whose key does not match its owner and id, or that does not parse."""

    owner: str | None
    file_id: str | None
    detail: str


@dataclass
class Inventory:
    """What the table and the bucket hold."""

    records: dict[tuple[str, str], FileRecord] = field(default_factory=dict)
    bad_records: list[BadRecord] = field(default_factory=list)
    counters: dict[str, Usage] = field(default_factory=dict)
    references: list[Reference] = field(default_factory=list)
    objects: list[StoredObject] = field(default_factory=list)
    uploads: list[OpenUpload] = field(default_factory=list)
    # Each user's memberships (``MEMBEROF#`` items) and, where read, the group ids their inbox keeps.
    memberships: dict[str, set[str]] = field(default_factory=dict)
    inbox_groups: dict[str, set[str]] = field(default_factory=dict)
    complete_groups: set[str] = field(default_factory=set)  # users whose kept ids are complete


def _epoch(value: Any) -> int:
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def _file_item(item: dict[str, Any], pk: str, sk: str, found: Inventory) -> None:
    owner, file_id = pk.removeprefix("USER#"), sk.removeprefix("FILE#")
    try:
        record = from_item(item)
    except (KeyError, ValueError, TypeError):
        found.bad_records.append(BadRecord(owner, file_id, "the record does not parse"))
        return
    if (record.owner, record.id) != (owner, file_id) or "/" in owner or not is_file_id(file_id):
        found.bad_records.append(BadRecord(owner, file_id, "the record's owner or id differs from its key"))
        return
    found.records[(owner, file_id)] = record


def _references(item: dict[str, Any], pk: str, sk: str, found: Inventory) -> None:
    file_id, table_key = pk.removeprefix("FILE#"), {"pk": item["pk"], "sk": item["sk"]}
    if sk == "GRANTS":
        for name, value in item.items():
            if name[:2] in ("U#", "G#") and "M" in value:
                entry = value["M"]
                owner = entry.get("owner", {}).get("S")
                found.references.append(Reference("grant", file_id, entry["id"]["S"], owner, table_key))
    elif sk.startswith("GRANT#") and "id" in item:
        owner = item.get("owner", {}).get("S")
        found.references.append(Reference("grant", file_id, item["id"]["S"], owner, table_key))
    elif sk.startswith("LINK#"):
        found.references.append(Reference("link", file_id, sk.removeprefix("LINK#"), None, table_key))


def _classify(item: dict[str, Any], found: Inventory) -> None:
    pk, sk = item.get("pk", {}).get("S", ""), item.get("sk", {}).get("S", "")
    if pk.startswith("USER#") and sk.startswith("FILE#"):
        _file_item(item, pk, sk, found)
    elif pk.startswith("USER#") and sk == QUOTA_SK:
        used = Usage(int(item.get("bytes", {"N": "0"})["N"]), int(item.get("files", {"N": "0"})["N"]))
        found.counters[pk.removeprefix("USER#")] = used
    elif pk.startswith("USER#") and sk.startswith("MEMBEROF#"):
        found.memberships.setdefault(pk.removeprefix("USER#"), set()).add(sk.removeprefix("MEMBEROF#"))
    elif pk.startswith("INBOX#") and sk == GROUPS:
        user = pk.removeprefix("INBOX#")
        found.inbox_groups[user], complete = group_ids_of(item)
        if complete:
            found.complete_groups.add(user)
    elif pk.startswith("FILE#"):
        _references(item, pk, sk, found)
    elif pk.startswith("LINK#") and sk == "LINK" and "fileId" in item and "linkId" in item:
        owner = item.get("owner", {}).get("S")
        found.references.append(
            Reference(
                "link", item["fileId"]["S"], item["linkId"]["S"], owner, {"pk": item["pk"], "sk": item["sk"]}
            )
        )


def _listings(s3: Any, bucket: str, prefix: str, found: Inventory) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            found.objects.append(StoredObject(obj["Key"], int(obj["Size"]), _epoch(obj["LastModified"])))
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            found.uploads.append(OpenUpload(upload["Key"], upload["UploadId"], _epoch(upload["Initiated"])))


def _partition(dynamodb: Any, table: str, pk: str, found: Inventory) -> None:
    request = {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
        "ConsistentRead": True,
    }
    for page in dynamodb.get_paginator("query").paginate(**request):
        for item in page.get("Items", []):
            _classify(item, found)


def read_inventory(s3: Any, dynamodb: Any, bucket: str, table: str) -> Inventory:
    """Read the whole table (a Scan: offline only) and everything under ``users/`` in the bucket."""
    found = Inventory()
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page.get("Items", []):
            _classify(item, found)
    _listings(s3, bucket, USERS, found)
    return found


def owners(s3: Any, bucket: str) -> list[str]:
    """The owner prefixes under ``users/`` holding an object or a multipart upload (paged listings)."""
    found: set[str] = set()
    for operation in ("list_objects_v2", "list_multipart_uploads"):
        for page in s3.get_paginator(operation).paginate(Bucket=bucket, Prefix=USERS, Delimiter="/"):
            found.update(p["Prefix"][len(USERS) : -1] for p in page.get("CommonPrefixes", []))
            # moto lists uploads whole, ignoring the delimiter: take their keys' owner part too.
            found.update(u["Key"].split("/")[1] for u in page.get("Uploads", []) if u["Key"].count("/") >= 2)
    return sorted(found)


def read_owner(s3: Any, dynamodb: Any, bucket: str, table: str, owner: str) -> Inventory:
    """One owner's part, by Queries and listings only (what the sweep reads; never a Scan).

    The owner's partition (records, counter), their objects and uploads, and the
    grant and link items of each file id found in storage without a record.
    """
    found = Inventory()
    _partition(dynamodb, table, f"USER#{owner}", found)
    _listings(s3, bucket, f"{USERS}{owner}/", found)
    known = {file_id for _, file_id in found.records}
    stray = {k.rsplit("/", 1)[-1] for k in [o.key for o in found.objects] + [u.key for u in found.uploads]}
    for file_id in sorted(i for i in stray - known if is_file_id(i)):
        _partition(dynamodb, table, f"FILE#{file_id}", found)
    # Under this owner's prefix, so theirs: a link's pointer names no owner itself.
    found.references = [r if r.owner else replace(r, owner=owner) for r in found.references]
    return found


def content_type(s3: Any, bucket: str, key: str) -> str | None:
    """The stored object's Content-Type ("" if none), or None when it is gone."""
    try:
        return str(s3.head_object(Bucket=bucket, Key=key).get("ContentType", ""))
    except s3.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise

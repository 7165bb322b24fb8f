"""Grants in the one DynamoDB table, apart from the owner's partition.

A file's grants live in its own partition ``pk = FILE#<id>``:
- ``sk = GRANTS``: the summary authorisation reads (one consistent GetItem):
  one map attribute per grantee (``U#<sub>`` / ``G#<group id>``) and a count ``n``
  that keeps a file at 100 grants, and ``deleting``, set by the record's own
  ``begin_delete`` transaction (``write_deleting``): from then on the file has no
  live grant for ``grant_times`` and takes no new one (every grant write is
  conditional on its absence). Once its
  grants are gone, ``remove_all`` leaves the summary as that mark alone, with a TTL a
  day on: a grant request that read the file as ready before the delete still finds
  it (file ids are never reused; a request lasts seconds, and TTL never deletes early);
- ``sk = GRANT#<grantee>``: one item per grant, carrying ``gpk = GRANTEE#<grantee>``
  and ``gsk = <ms>#<file id>`` for the ``grantee`` index (a new member's entries come
  from it), and ``file``, the card of the ready file (``model.card``) its entries copy.
Both change in one transaction, so they never disagree; a user grant's "shared
with me" entry (``dynamo_inbox``) is written and removed in that same transaction.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.dynamo_inbox import card_attribute, card_text, entry_item, entry_key
from chalicelib.dynamo_util import batch_delete, batch_get, failed_condition, key, n, newest_first, s
from chalicelib.grants import MAX_GRANTS_PER_FILE, FileDeleting, GrantTime, TooManyGrants
from chalicelib.inbox import entry
from chalicelib.model import from_card
from chalicelib.reads import Read, Table, fetch, item_key
from chalicelib.sharing_model import USER, Grant, Grantee
from chalicelib.writes import Write

GRANTEE_INDEX = "grantee"
SUMMARY = "GRANTS"
DELETING = "deleting"  # the summary's mark of a file going away
TOMBSTONE_KEEP = 24 * 3600  # how long a deleted file's mark outlives its grants, at least
# Expired grants are missing grants in code; TTL only tidies up long after.
TTL_MARGIN = 30 * 24 * 3600


def _pk(file_id: str) -> str:
    return f"FILE#{file_id}"


def _entry(grant: Grant) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": s(grant.id),
        "owner": s(grant.owner),
        "ownerName": s(grant.owner_name),
        "type": s(grant.grantee.type),
        "gid": s(grant.grantee.id),
        "name": s(grant.grantee.name),
        "createdMs": n(grant.created_ms),
    }
    if grant.expires_at is not None:
        entry["expiresAt"] = n(grant.expires_at)
    return entry


def _grant(file_id: str, entry: dict[str, Any]) -> Grant:
    expires, owner = entry.get("expiresAt"), entry["owner"]["S"]
    return Grant(
        id=entry["id"]["S"],
        file_id=file_id,
        owner=owner,
        owner_name=entry["ownerName"]["S"],
        grantee=Grantee(entry["type"]["S"], entry["gid"]["S"], entry["name"]["S"]),
        created_ms=int(entry["createdMs"]["N"]),
        expires_at=int(expires["N"]) if expires else None,
        file=from_card(owner, file_id, card_text(entry)),
    )


def _inbox_key(grant: Grant) -> dict[str, Any]:
    return entry_key(entry(grant, grant.grantee.id))


def _from_summary(item: dict[str, Any]) -> list[Grant]:
    if not item:
        return []
    file_id = item["pk"]["S"].removeprefix("FILE#")
    grants = [_grant(file_id, value["M"]) for name, value in item.items() if name[:2] in ("U#", "G#")]
    return sorted(grants, key=lambda g: g.position, reverse=True)


class DynamoGrants:
    """Grants backed by DynamoDB (layout in the module docstring)."""

    def __init__(self, client: Any, table: str) -> None:
        self._db = client
        self._table = table

    def _grant_item(self, grant: Grant) -> dict[str, Any]:
        item = {
            **key(_pk(grant.file_id), f"GRANT#{grant.grantee.key}"),
            "fileId": s(grant.file_id),
            "gpk": s(f"GRANTEE#{grant.grantee.key}"),
            "gsk": s(grant.position),
            **_entry(grant),
            **card_attribute(grant.file),
        }
        if grant.expires_at is not None:
            item["ttl"] = n(grant.expires_at + TTL_MARGIN)
        return item

    def _write(self, grant: Grant, new: bool) -> None:
        names = {"#k": grant.grantee.key, "#n": "n", "#d": DELETING}
        values: dict[str, Any] = {":v": {"M": _entry(grant)}}
        if new:
            update = "SET #k = :v ADD #n :one"
            condition = "attribute_not_exists(#k) AND (attribute_not_exists(#n) OR #n < :max)"
            values.update({":one": n(1), ":max": n(MAX_GRANTS_PER_FILE)})
        else:
            update, condition = "SET #k = :v", "attribute_exists(#k)"
            del names["#n"]
        condition += " AND attribute_not_exists(#d)"  # a file being deleted takes no grant
        summary = {
            "TableName": self._table,
            "Key": key(_pk(grant.file_id), SUMMARY),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        put = {"TableName": self._table, "Item": self._grant_item(grant)}
        items: list[dict[str, Any]] = [{"Update": summary}, {"Put": put}]
        if grant.grantee.type == USER:  # rewritten on an update too: that heals a lost entry
            inbox = {"TableName": self._table, "Item": entry_item(entry(grant, grant.grantee.id))}
            items.append({"Put": inbox})
        self._db.transact_write_items(TransactItems=items)

    def put(self, grant: Grant) -> tuple[Grant, bool]:
        for _ in range(3):  # a concurrent grant for the same grantee, or a delete: look again
            summary = self._summary(grant.file_id)
            if DELETING in summary:
                raise FileDeleting
            existing = next((g for g in _from_summary(summary) if g.grantee.key == grant.grantee.key), None)
            # The summary keeps no card: the stored grant takes the one given.
            stored = (
                grant if existing is None else replace(existing, expires_at=grant.expires_at, file=grant.file)
            )
            try:
                self._write(stored, new=existing is None)
            except ClientError as exc:
                if not failed_condition(exc):
                    raise
                if existing is None and len(self.for_file(grant.file_id)) >= MAX_GRANTS_PER_FILE:
                    raise TooManyGrants from None
                continue
            return stored, existing is None
        raise TooManyGrants

    def _summary(self, file_id: str) -> dict[str, Any]:
        """The file's summary item (consistent read); no item is an empty summary."""
        found = self._db.get_item(TableName=self._table, Key=key(_pk(file_id), SUMMARY), ConsistentRead=True)
        return found.get("Item") or {}

    def for_file(self, file_id: str) -> list[Grant]:
        return _from_summary(self._summary(file_id))

    def read_for_file(self, file_id: str) -> Read[list[Grant]]:
        wanted = key(_pk(file_id), SUMMARY)

        def answer(items: Any) -> list[Grant]:
            item = items.get(item_key(wanted))
            return _from_summary(item) if item is not None else []

        return Read(Table(self._db, self._table), (wanted,), answer)

    def for_files(self, file_ids: Any) -> dict[str, list[Grant]]:
        ids = set(file_ids)
        found = {i["pk"]["S"].removeprefix("FILE#"): _from_summary(i) for i in self._summaries(ids)}
        return {file_id: found.get(file_id, []) for file_id in ids}

    def _summaries(self, file_ids: set[str]) -> list[dict[str, Any]]:
        return batch_get(self._db, self._table, [key(_pk(f), SUMMARY) for f in file_ids])

    def grant_times(self, file_ids: Any, grantees: Any) -> dict[str, dict[str, GrantTime]]:
        read = self.read_grant_times(file_ids, grantees)
        return fetch(read)[read]

    def read_grant_times(self, file_ids: Any, grantees: Any) -> Read[dict[str, dict[str, GrantTime]]]:
        ids, keys = set(file_ids), sorted(set(grantees))
        wanted = {file_id: key(_pk(file_id), SUMMARY) for file_id in ids} if keys else {}
        # Only the two times of only these grantees' entries: a small answer, whatever else the file has.
        fields = (*((k, name) for k in keys for name in ("createdMs", "expiresAt")), (DELETING,))

        def answer(items: Any) -> dict[str, dict[str, GrantTime]]:
            found: dict[str, dict[str, GrantTime]] = {file_id: {} for file_id in ids}
            for file_id, summary_key in wanted.items():
                item = items.get(item_key(summary_key), {})
                if DELETING in item:
                    continue  # a file going away grants nothing
                for grantee in keys:
                    value = item.get(grantee, {}).get("M")
                    if value is not None and "createdMs" in value:
                        expires = value.get("expiresAt")
                        found[file_id][grantee] = GrantTime(
                            int(value["createdMs"]["N"]), int(expires["N"]) if expires else None
                        )
            return found

        return Read(Table(self._db, self._table), tuple(wanted.values()), answer, fields)

    def write_deleting(self, file_id: str) -> Write:
        mark = {
            "TableName": self._table,
            "Key": key(_pk(file_id), SUMMARY),
            # Makes a summary if the file has none; remove_all keeps the mark.
            "UpdateExpression": "SET #d = :yes",
            "ExpressionAttributeNames": {"#d": DELETING},
            "ExpressionAttributeValues": {":yes": {"BOOL": True}},
        }
        return Write(({"Update": mark},))

    def remove(self, file_id: str, grant_id: str) -> Grant | None:
        grant = next((g for g in self.for_file(file_id) if g.id == grant_id), None)
        if grant is None:
            return None
        summary = {
            "TableName": self._table,
            "Key": key(_pk(file_id), SUMMARY),
            "UpdateExpression": "REMOVE #k ADD #n :minus",
            "ConditionExpression": "#k.id = :id",
            "ExpressionAttributeNames": {"#k": grant.grantee.key, "#n": "n"},
            "ExpressionAttributeValues": {":minus": n(-1), ":id": s(grant_id)},
        }
        delete = {"TableName": self._table, "Key": key(_pk(file_id), f"GRANT#{grant.grantee.key}")}
        items: list[dict[str, Any]] = [{"Update": summary}, {"Delete": delete}]
        if grant.grantee.type == USER:
            items.append({"Delete": {"TableName": self._table, "Key": _inbox_key(grant)}})
        try:
            self._db.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if failed_condition(exc):
                return None  # revoked concurrently
            raise
        return grant

    def remove_all(self, file_id: str) -> None:
        grants = self.for_file(file_id)
        # Grant items and user entries first, the summary last: a retry still knows what to delete.
        keys = [key(_pk(file_id), f"GRANT#{g.grantee.key}") for g in grants]
        keys += [_inbox_key(g) for g in grants if g.grantee.type == USER]
        batch_delete(self._db, self._table, keys)
        tombstone = {
            **key(_pk(file_id), SUMMARY),
            DELETING: {"BOOL": True},
            "ttl": n(int(time.time()) + TOMBSTONE_KEEP),
        }
        self._db.put_item(TableName=self._table, Item=tombstone)

    def by_grantee(self, grantee_key: str, before: str | None, count: int) -> list[Grant]:
        found = self._db.query(
            TableName=self._table,
            IndexName=GRANTEE_INDEX,
            **newest_first("gpk", "gsk", f"GRANTEE#{grantee_key}", before, count),
        )
        return [_grant(i["fileId"]["S"], i) for i in found["Items"]]

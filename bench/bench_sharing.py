"""P6 and P7: what sharing costs a reader, against what the owner pays for the same kind of page.

P6 times ``GET /files/{file_id}/download`` for one file, asked by a reader who reaches it through a
group grant (one BatchGetItem: the grant summary, the owner's record, the reader's membership and
the group) versus asked by its owner (one read of their own record); same
file, same size. Its control row times the same pair with the three-round check it replaced
(``bench/access_before.py``), in the same run.
P7 times ``GET /shared?limit=50`` for a reader in 20 groups, each granted 100 files, versus the
owner's ``GET /files?limit=50`` over the same 2,000 files. Both run ``app(event, context)`` warm,
as the Lambda runtime calls it. The groups, members and each group's first grant are made through
the API itself; the ready file records are written straight to the table (as P3 does), and so
are the other grants, as copies of the items the API wrote for that group's first grant: its
summary and grant item, and the reader's "shared with me" entry its fan-out wrote (on a loaded
two-core machine, 2,000 grant transactions through moto take many minutes and time nothing of
interest).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from bench.access_before import three_rounds
from bench.common import alternate, row
from bench.events import STAGE, LambdaContext, proxy_event
from bench.stack import REGION, BenchStack
from chalicelib.dynamo_records import to_item
from chalicelib.model import READY, FileRecord, card, new_file_id

P6_TARGET = 1.3
P7_TARGET = 2.0
READER = "bench-reader@example.com"
PASSWORD = "Locker-bench-2026"
PAGE = 50


def event(method: str, template: str, token: str, body: Any = None, **params: str) -> dict[str, Any]:
    """A proxy event for a route with path parameters (``/files/{file_id}/download``, ``file_id=...``)."""
    path = template.format(**params)
    built = proxy_event(method, template, token, body=body)
    built["path"] = path
    built["pathParameters"] = params or None
    built["requestContext"]["path"] = f"/{STAGE}{path}"
    return built


def _call(request: dict[str, Any], expect: int) -> dict[str, Any]:
    from app import app

    response: dict[str, Any] = app(request, LambdaContext())
    if response["statusCode"] != expect:
        method, path = request["httpMethod"], request["path"]
        raise RuntimeError(f"{method} {path} answered {response['statusCode']}: {response['body'][:200]}")
    return response


def _reader(stack: BenchStack) -> tuple[str, str]:
    """A second user in the bench pool; returns their access token and ``sub``."""
    from devstack import cognito

    pool = stack.env["LOCKER_USER_POOL_ID"]
    sub: str = cognito.create_user(stack.client("cognito-idp"), pool, READER, PASSWORD)
    client_id = stack.env["LOCKER_CLIENT_IDS"].split(",")[0]
    token: str = cognito.login(stack.emulator.url, REGION, client_id, READER, PASSWORD)["AccessToken"]
    return token, sub


def _ready_files(stack: BenchStack, count: int) -> list[FileRecord]:
    """``count`` ready files of the bench user, of one size, written straight to the table."""
    db, now = stack.client("dynamodb"), int(time.time())
    base = now * 1000 - count  # distinct, increasing creation times: newest last
    records = [
        FileRecord(
            owner=stack.sub,
            id=new_file_id(base + n),
            filename=f"shared-{n}.png",
            content_type="image/png",
            size=1024,
            sha256=None,
            status=READY,
            created_at=now,
            updated_at=now,
        )
        for n in range(count)
    ]
    items = [{"PutRequest": {"Item": to_item(record)}} for record in records]
    for start in range(0, len(items), 25):
        batch = {stack.table: items[start : start + 25]}
        while batch:
            batch = db.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}
    return records


def _group(stack: BenchStack, name: str) -> None:
    _call(event("POST", "/groups", stack.token, {"name": name}), 201)
    _call(event("POST", "/groups/{name}/members", stack.token, {"user": READER}, name=name), 201)


def _grant(stack: BenchStack, file_id: str, group: str) -> None:
    _call(event("POST", "/files/{file_id}/grants", stack.token, {"group": group}, file_id=file_id), 201)


def _copy_grant(stack: BenchStack, model: str, files: list[FileRecord], reader: str) -> None:
    """Give ``files`` the same grant as ``model`` has, each a millisecond older than the last.

    The API's grant of ``model`` wrote items in the file's partition (the summary and the grant)
    and the reader's entry in their own partition; each copy is the same items with the file id,
    the grant's creation time and the file's card (``model.card``) replaced.
    """
    db = stack.client("dynamodb")
    items = db.query(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"FILE#{model}"}},
        ConsistentRead=True,
    )["Items"]
    items += db.query(
        TableName=stack.table,
        KeyConditionExpression="pk = :pk",
        FilterExpression="fileId = :file",
        ExpressionAttributeValues={":pk": {"S": f"INBOX#{reader}"}, ":file": {"S": model}},
        ConsistentRead=True,
    )["Items"]
    if not any(item["pk"]["S"].startswith("INBOX#") for item in items):
        raise RuntimeError("the group grant wrote no entry for its member")
    created = next(item for item in items if "createdMs" in item)["createdMs"]["N"]
    template = json.dumps(items)
    puts = []
    if not all("file" in item for item in items if "gpk" in item or item["pk"]["S"].startswith("INBOX#")):
        raise RuntimeError("the grant wrote no file card")
    for age, file in enumerate(files, start=1):
        copied = json.loads(template.replace(model, file.id).replace(created, str(int(created) - age)))
        for item in copied:
            if "file" in item:
                item["file"] = {"S": card(file)}
        puts.extend({"PutRequest": {"Item": item}} for item in copied)
    for start in range(0, len(puts), 25):
        batch = {stack.table: puts[start : start + 25]}
        while batch:
            batch = db.batch_write_item(RequestItems=batch).get("UnprocessedItems") or {}


def _p6(
    as_reader: dict[str, Any], as_owner: dict[str, Any], rounds: int, inner: int
) -> tuple[dict[str, object], dict[str, object]]:
    """P6, then its control: the same requests with the three-round check it replaced."""
    from chalicelib import runtime

    def reader() -> object:
        return _call(as_reader, 200)

    def owner() -> object:
        return _call(as_owner, 200)

    p6 = row(
        "P6 download URL via a group grant vs owner", *alternate(reader, owner, rounds, inner), P6_TARGET
    )
    p6["note"] = (
        f"Median time per request over {rounds} alternating batches of {inner}, warm. The reader reaches "
        "the file through a group grant: Locker reads, in one consistent BatchGetItem of the base table, "
        "the file's grant summary, the owner's record (the owner of a file id never changes, so the "
        "container keeps it once read, and knows the reader owns no record of it), the reader's "
        "membership and the group (the groups with grants on the file at its last check: a hint, "
        "checked against the summary read in the same batch); the owner's own request reads their "
        "record. Both presign the same 1 KiB file and record a `download_issued` event."
    )
    with three_rounds(runtime.locker()):
        old_reader, old_owner = alternate(reader, owner, rounds, inner)
    before = row("P6 control: the three-round check before", old_reader, old_owner, None)
    before["note"] = (
        "The same requests, timed the same way in the same run, with the check P6 replaced "
        "(bench/access_before.py): the reader's own record, then the grant summary, then the membership "
        "and group (one BatchGetItem) beside the owner's record, three rounds in a row; the owner's side "
        "is unchanged (one GetItem)."
    )
    return p6, before


def run(
    stack: BenchStack, rounds: int = 41, inner: int = 10, groups: int = 20, per_group: int = 100
) -> list[dict[str, object]]:
    """Time P6 and P7 and return their rows."""
    reader, reader_sub = _reader(stack)
    tag = uuid.uuid4().hex[:6]
    started = time.perf_counter()
    names = [f"bench-{tag}-{n}" for n in range(groups)]
    files = _ready_files(stack, groups * per_group)
    file_ids = [f.id for f in files]
    for n, name in enumerate(names):
        _group(stack, name)
        first, *others = files[n * per_group : (n + 1) * per_group]
        _grant(stack, first.id, name)
        _copy_grant(stack, first.id, others, reader_sub)
    setup_s = time.perf_counter() - started

    target = file_ids[-per_group]  # reached through the last group's grant, made by the API
    as_reader = event("GET", "/files/{file_id}/download", reader, file_id=target)
    as_owner = event("GET", "/files/{file_id}/download", stack.token, file_id=target)
    p6, before = _p6(as_reader, as_owner, rounds, inner)

    shared = event("GET", "/shared", reader)
    shared["queryStringParameters"] = {"limit": str(PAGE)}
    files = event("GET", "/files", stack.token)
    files["queryStringParameters"] = {"limit": str(PAGE)}

    def page(request: dict[str, Any]) -> Any:
        def call() -> object:
            body = json.loads(_call(request, 200)["body"])
            if len(body["items"]) != min(PAGE, groups * per_group):
                raise RuntimeError(f"{request['path']} gave {len(body['items'])} items")
            return body

        return call

    p7_shared, p7_files = alternate(page(shared), page(files), max(3, rounds // 2), 1)
    p7 = row(f"P7 GET /shared ({groups} groups x {per_group}) vs /files", p7_shared, p7_files, P7_TARGET)
    p7["note"] = (
        f"Median of {max(3, rounds // 2)} alternating requests per side, pages of {PAGE}. The reader is in "
        f"{groups} groups, each granted {per_group} of the owner's {groups * per_group:,} files; the owner "
        "lists the same files. `GET /shared` makes one consistent Query of the reader's own partition (the "
        "ids of their groups, kept there by every membership change, then their entries: one per file and "
        "source grant, written by each grant's fan-out with the card of the ready file it shows), then "
        "verifies every entry in one consistent BatchGetItem: the grant summaries (projected to the "
        "reader's grantees' two times and the mark a delete's first step sets) with the page's groups "
        "(projected to the name); the file records are not read. The same two calls for 1 group or 100, "
        "where the pull model made one index Query per group; `GET /files` is one "
        "Query. Both Queries read a partition of some 2,000 items, which moto sorts whole on every Query "
        "(DynamoDB reads only the page): that share, the same on both sides, is larger here than it would "
        "be on DynamoDB, which flatters this ratio. "
        f"Setting up the groups, members and {groups * per_group:,} grants took {setup_s:.1f} s."
    )
    return [p6, before, p7]

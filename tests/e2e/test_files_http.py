"""The files API over HTTP against the stack `make run` starts, with real uploads."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.e2e.api import Api, put, sha256_b64
from tests.e2e.stack import ROOT, Stack

PNG = (ROOT / "assets" / "1.png").read_bytes()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 2


def test_health_needs_no_token(stack: Stack) -> None:
    answer = requests.get(stack.api + "/health", timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_demo_user_sees_the_seeded_assets(demo: Api) -> None:
    listed = demo.call("GET", "/files").json()["items"]
    seeded = {p.name for p in Path(ROOT / "assets").iterdir() if p.is_file()}
    assert {f["filename"] for f in listed if f["status"] == "ready"} >= seeded


def test_png_round_trip(alice: Api) -> None:
    created = alice.declare(PNG, filename="2.png", sha256=sha256_b64(PNG))
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    assert created.headers["X-Content-Type-Options"] == "nosniff"
    file_id = created.json()["file"]["id"]
    assert put(created.json()["upload"], PNG).status_code == 200
    completed = alice.call("POST", f"/files/{file_id}/complete")
    assert completed.json()["file"]["status"] == "ready"
    assert alice.call("POST", f"/files/{file_id}/complete").json() == completed.json()
    assert [f["id"] for f in alice.call("GET", "/files").json()["items"]] == [file_id]
    assert alice.call("GET", f"/files/{file_id}").json()["file"]["filename"] == "2.png"
    link = alice.call("GET", f"/files/{file_id}/download").json()
    fetched = requests.get(link["url"], timeout=10)
    assert fetched.content == PNG
    assert fetched.headers["Content-Type"] == "image/png"
    assert fetched.headers["Content-Disposition"] == "attachment; filename=\"2.png\"; filename*=UTF-8''2.png"
    assert alice.call("DELETE", f"/files/{file_id}").status_code == 204
    assert alice.call("GET", f"/files/{file_id}").status_code == 404
    assert alice.call("DELETE", f"/files/{file_id}").status_code == 404
    assert requests.get(link["url"], timeout=10).status_code in (403, 404)  # 404 with ListBucket on users/


def test_jpeg_declared_as_png_is_rejected_and_removed(alice: Api, stack: Stack) -> None:
    created = alice.declare(JPEG).json()
    assert put(created["upload"], JPEG).status_code == 200
    completed = alice.call("POST", f"/files/{created['file']['id']}/complete")
    # The bucket's ObjectCreated event runs the same checks, asynchronously: whichever comes
    # first rejects (422); completing an already rejected file is a 409 naming the reason.
    assert (completed.status_code, completed.json()["Code"]) in (
        (422, "UnprocessableEntityError"),
        (409, "ConflictError"),
    )
    assert "image/png" in completed.json()["Message"]
    file = alice.call("GET", f"/files/{created['file']['id']}").json()["file"]
    assert file["status"] == "rejected" and "image/png" in file["rejectedReason"]
    listed = stack.aws("s3").list_objects_v2(Bucket=stack.info["bucket"], Prefix=f"users/{alice.sub}/")
    assert listed["KeyCount"] == 0
    assert alice.call("POST", f"/files/{created['file']['id']}/complete").status_code == 409


def test_short_body_and_wrong_checksum_are_refused_by_storage(alice: Api) -> None:
    short = alice.declare(PNG).json()
    assert put(short["upload"], PNG[:-10]).status_code == 403
    assert alice.call("POST", f"/files/{short['file']['id']}/complete").status_code == 409
    checked = alice.declare(PNG, sha256=sha256_b64(PNG)).json()
    tampered = PNG[:-1] + b"\x00"
    answer = put(checked["upload"], tampered, **{"x-amz-checksum-sha256": sha256_b64(tampered)})
    assert answer.status_code == 403  # the checksum header is signed: it cannot be swapped
    answer = put(checked["upload"], tampered)
    assert (answer.status_code, "<Code>BadDigest</Code>" in answer.text) == (400, True)
    assert alice.call("POST", f"/files/{checked['file']['id']}/complete").status_code == 409


def test_replayed_put_after_completion_cannot_overwrite(alice: Api) -> None:
    created = alice.declare(PNG).json()
    assert put(created["upload"], PNG).status_code == 200
    alice.call("POST", f"/files/{created['file']['id']}/complete")
    evil = PNG[:8] + b"\x01" * (len(PNG) - 8)
    assert put(created["upload"], evil).status_code == 412
    link = alice.call("GET", f"/files/{created['file']['id']}/download").json()
    assert requests.get(link["url"], timeout=10).content == PNG


def test_other_users_get_404_everywhere_and_never_see_each_other(alice: Api, bob: Api) -> None:
    mine = alice.upload(PNG)
    bob.upload(PNG)
    for method, path in [
        ("GET", f"/files/{mine['id']}"),
        ("POST", f"/files/{mine['id']}/complete"),
        ("GET", f"/files/{mine['id']}/download"),
        ("DELETE", f"/files/{mine['id']}"),
    ]:
        answer = bob.call(method, path)
        assert (answer.status_code, answer.json()) == (
            404,
            {"Code": "NotFoundError", "Message": "file not found"},
        )
    assert [f["id"] for f in alice.call("GET", "/files").json()["items"]] == [mine["id"]]
    assert alice.call("GET", f"/files/{mine['id']}").status_code == 200


def test_cursors_are_bound_to_their_user(alice: Api, bob: Api) -> None:
    for _ in range(3):
        assert bob.declare(PNG).status_code == 201
    page = bob.call("GET", "/files", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["nextCursor"]
    answer = alice.call("GET", "/files", params={"cursor": page["nextCursor"]})
    assert (answer.status_code, answer.json()["Code"]) == (400, "BadRequestError")
    rest = bob.call("GET", "/files", params={"limit": 2, "cursor": page["nextCursor"]}).json()
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None


def test_parallel_declarations_never_exceed_the_quota(alice: Api, stack: Stack) -> None:
    size = stack.info["limits"]["quotaBytes"] // 10  # the quota holds ten (above 100 MiB: multipart)

    def declare(_: int) -> int:
        return alice.call(
            "POST", "/files", json={"filename": "big.pdf", "contentType": "application/pdf", "size": size}
        ).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = sorted(pool.map(declare, range(20)))
    assert codes == [201] * 10 + [429] * 10
    usage = stack.aws("dynamodb").get_item(
        TableName=stack.info["table"], Key={"pk": {"S": f"USER#{alice.sub}"}, "sk": {"S": "QUOTA"}}
    )["Item"]
    assert (int(usage["bytes"]["N"]), int(usage["files"]["N"])) == (10 * size, 10)


def test_bad_requests_get_clear_4xx_json(alice: Api) -> None:
    cases = [
        (dict(json={"filename": "a.png", "contentType": "image/png", "size": 1, "owner": "x"}), 400),
        (dict(json={"filename": "a.png", "contentType": "image/png", "size": None}), 400),
        (dict(data=b"not json", headers={"Content-Type": "application/json"}), 400),
        (dict(data=b"{}", headers={"Content-Type": "text/plain"}), 415),
        (
            dict(data=b'{"filename": "' + b"x" * 17000 + b'"}', headers={"Content-Type": "application/json"}),
            413,
        ),
    ]
    codes = {400: "BadRequestError", 413: "RequestEntityTooLargeError", 415: "UnsupportedMediaType"}
    for kwargs, status in cases:
        answer = alice.call("POST", "/files", **kwargs)
        assert answer.status_code == status, answer.text
        assert answer.json()["Code"] == codes[status]
        assert "Traceback" not in answer.text and "arn:" not in answer.text
    for params in ({"limit": "0"}, {"limit": "101"}, {"status": "gone"}, {"cursor": "x.y"}):
        assert alice.call("GET", "/files", params=params).status_code == 400
    assert alice.call("GET", f"/files/{uuid.uuid4()}").status_code == 404


def test_no_token_is_401_with_a_bearer_challenge(stack: Stack) -> None:
    answer = requests.get(stack.api + "/files", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["Code"] == "UnauthorizedError"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in answer.headers["WWW-Authenticate"]


def test_cors_allows_exactly_the_web_origin(stack: Stack) -> None:
    origin = stack.info["webUrl"]
    preflight = requests.options(
        stack.api + "/files",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    other = requests.options(
        stack.api + "/files",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_ten_parallel_completions_make_one_transition(alice: Api, stack: Stack) -> None:
    created = alice.declare(PNG).json()
    file_id = created["file"]["id"]
    assert put(created["upload"], PNG).status_code == 200
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: alice.call("POST", f"/files/{file_id}/complete"), range(10)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1  # the same file, the same updatedAt, for everyone
    assert stack.log_path.read_text().count(f"file {file_id} is ready") == 1


def test_users_made_with_the_emulators_cognito_api_can_use_locker(stack: Stack) -> None:
    """API.md: admin_create_user + admin_set_user_password, then USER_PASSWORD_AUTH, as in real Cognito."""
    admin, pool = stack.aws("cognito-idp"), stack.info["userPoolId"]
    username = f"carol-{uuid.uuid4().hex[:8]}"
    admin.admin_create_user(UserPoolId=pool, Username=username, TemporaryPassword="Temp-pass-1")
    admin.admin_set_user_password(UserPoolId=pool, Username=username, Password="Passw0rd!", Permanent=True)
    token = stack.login(username, "Passw0rd!")["AccessToken"]
    answer = requests.get(stack.api + "/files", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert (answer.status_code, answer.json()) == (200, {"items": [], "nextCursor": None})


def test_routes_without_a_body_ignore_its_content_type(alice: Api) -> None:
    created = alice.declare(PNG).json()
    assert put(created["upload"], PNG).status_code == 200
    form = {"Content-Type": "application/x-www-form-urlencoded"}  # what `curl -X POST -d ''` sends
    completed = alice.call("POST", f"/files/{created['file']['id']}/complete", data=b"", headers=form)
    assert (completed.status_code, completed.json()["file"]["status"]) == (200, "ready")
    assert alice.call("DELETE", f"/files/{created['file']['id']}", headers=form).status_code == 204
    refused = alice.call("POST", "/files", data=b"filename=a.png", headers=form)
    assert (refused.status_code, refused.json()["Code"]) == (415, "UnsupportedMediaType")

"""Sharing, groups, download links and activity over HTTP, against the stack `make run` starts."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
import requests

from tests.e2e.api import Api
from tests.e2e.stack import ROOT, Stack

PNG = (ROOT / "assets" / "1.png").read_bytes()
TIMEOUT = 30
HTML = {"Accept": "text/html,application/xhtml+xml"}
JSON = {"Accept": "application/json"}


@dataclass
class User:
    api: Api
    name: str

    def call(self, method: str, path: str, **kwargs: object) -> requests.Response:
        return self.api.call(method, path, **kwargs)  # type: ignore[arg-type]


def _user(stack: Stack) -> User:
    name = f"user-{uuid.uuid4().hex[:12]}@example.com"
    sub, token = stack.new_user(name)
    return User(Api(stack.api, token, sub), name)


@pytest.fixture
def owner(stack: Stack) -> User:
    return _user(stack)


@pytest.fixture
def reader(stack: Stack) -> User:
    return _user(stack)


@pytest.fixture
def stranger(stack: Stack) -> User:
    return _user(stack)


def _group_name() -> str:
    return f"g-{uuid.uuid4().hex[:12]}"


def test_a_direct_grant_lets_the_reader_get_and_download_until_revoked(owner: User, reader: User) -> None:
    file = owner.api.upload(PNG)
    granted = owner.call("POST", f"/files/{file['id']}/grants", json={"user": reader.name})
    assert granted.status_code == 201, granted.text
    grant = granted.json()["grant"]
    assert grant["grantee"] == {"type": "user", "id": reader.api.sub, "name": reader.name}
    seen = reader.call("GET", f"/files/{file['id']}").json()["file"]
    assert seen["access"] == "shared" and seen["owner"] == {"id": owner.api.sub, "name": owner.name}
    assert owner.call("GET", f"/files/{file['id']}").json()["file"]["access"] == "owner"
    url = reader.call("GET", f"/files/{file['id']}/download").json()["url"]
    assert requests.get(url, timeout=TIMEOUT).content == PNG
    shared = reader.call("GET", "/shared").json()
    assert [(f["id"], f["sharedVia"]) for f in shared["items"]] == [(file["id"], {"type": "user"})]
    assert owner.call("DELETE", f"/files/{file['id']}/grants/{grant['id']}").status_code == 204
    assert reader.call("GET", f"/files/{file['id']}/download").status_code == 404  # at once
    assert reader.call("GET", "/shared").json()["items"] == []


def test_granting_again_updates_the_expiry(owner: User, reader: User) -> None:
    file = owner.api.upload(PNG)
    first = owner.call("POST", f"/files/{file['id']}/grants", json={"user": reader.name})
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    again = owner.call(
        "POST", f"/files/{file['id']}/grants", json={"user": reader.name, "expiresAt": expires}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["grant"]["id"] == first.json()["grant"]["id"]
    assert again.json()["grant"]["expiresAt"] == expires
    listed = owner.call("GET", f"/files/{file['id']}/grants").json()["items"]
    assert [g["id"] for g in listed] == [first.json()["grant"]["id"]]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"user": "nobody-{}@example.com"}, 404),
        ({"group": "no-such-group-{}"}, 404),
        ({"user": "SELF"}, 400),
        ({"user": "x", "group": "y"}, 400),
        ({"user": "READER", "expiresAt": "2000-01-01T00:00:00Z"}, 400),
        ({"user": "READER", "expiresAt": "2099-01-01T00:00:00Z"}, 400),
        ({"user": "READER", "role": "writer"}, 400),
    ],
)
def test_bad_grants_are_refused(owner: User, reader: User, body: dict[str, str], status: int) -> None:
    file = owner.api.upload(PNG)
    names = {"SELF": owner.name, "READER": reader.name}
    sent = {k: names.get(v, v.format(uuid.uuid4().hex[:8])) for k, v in body.items()}
    answer = owner.call("POST", f"/files/{file['id']}/grants", json=sent)
    assert answer.status_code == status, answer.text
    assert set(answer.json()) == {"Code", "Message"}


def test_granting_a_file_that_is_not_ready_is_a_conflict(owner: User, reader: User) -> None:
    pending = owner.api.declare(PNG).json()["file"]
    answer = owner.call("POST", f"/files/{pending['id']}/grants", json={"user": reader.name})
    assert answer.status_code == 409


def test_a_grantee_gets_403_on_every_owner_route_and_a_stranger_404_everywhere(
    owner: User, reader: User, stranger: User
) -> None:
    file = owner.api.upload(PNG)
    grant = owner.call("POST", f"/files/{file['id']}/grants", json={"user": reader.name}).json()["grant"]
    link = owner.call("POST", f"/files/{file['id']}/links", json={}).json()["link"]
    base = f"/files/{file['id']}"
    owner_only = [
        ("DELETE", base, None),
        ("POST", f"{base}/complete", None),
        ("GET", f"{base}/grants", None),
        ("POST", f"{base}/grants", {"user": stranger.name}),
        ("DELETE", f"{base}/grants/{grant['id']}", None),
        ("GET", f"{base}/links", None),
        ("POST", f"{base}/links", {}),
        ("DELETE", f"{base}/links/{link['id']}", None),
        ("GET", f"{base}/activity", None),
    ]
    for method, path, body in owner_only:
        answer = reader.call(method, path, json=body)
        assert answer.status_code == 403, (method, path, answer.text)
        assert answer.json()["Code"] == "ForbiddenError"
    for method, path, body in [("GET", base, None), ("GET", f"{base}/download", None), *owner_only]:
        answer = stranger.call(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json() == {"Code": "NotFoundError", "Message": "file not found"}
    assert owner.call("GET", base).status_code == 200  # nothing above changed anything


def test_a_group_grant_follows_membership_at_once(owner: User, reader: User, stranger: User) -> None:
    name = _group_name()
    created = owner.call("POST", "/groups", json={"name": name})
    assert created.status_code == 201
    assert created.json()["group"]["role"] == "manager" and created.json()["group"]["memberCount"] == 1
    assert owner.call("POST", "/groups", json={"name": name}).status_code == 409
    added = owner.call("POST", f"/groups/{name}/members", json={"user": reader.name})
    assert added.status_code == 201 and added.json()["member"]["id"] == reader.api.sub
    assert owner.call("POST", f"/groups/{name}/members", json={"user": reader.name}).status_code == 200
    file = owner.api.upload(PNG)
    assert owner.call("POST", f"/files/{file['id']}/grants", json={"group": name}).status_code == 201
    assert reader.call("GET", f"/files/{file['id']}/download").status_code == 200
    shared = reader.call("GET", "/shared").json()["items"]
    assert [(f["id"], f["sharedVia"]) for f in shared] == [(file["id"], {"type": "group", "name": name})]
    assert [g["role"] for g in reader.call("GET", "/groups").json()["items"]] == ["member"]
    # Members may not manage; strangers do not see the group at all.
    assert reader.call("GET", f"/groups/{name}/members").status_code == 403
    assert reader.call("DELETE", f"/groups/{name}").status_code == 403
    for method, path, body in [
        ("GET", f"/groups/{name}/members", None),
        ("POST", f"/groups/{name}/members", {"user": stranger.name}),
        ("DELETE", f"/groups/{name}/members/{reader.api.sub}", None),
        ("DELETE", f"/groups/{name}", None),
    ]:
        answer = stranger.call(method, path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    assert stranger.call("GET", "/groups").json()["items"] == []
    assert stranger.call("GET", f"/files/{file['id']}").status_code == 404
    members = owner.call("GET", f"/groups/{name}/members").json()["items"]
    assert {m["id"] for m in members} == {owner.api.sub, reader.api.sub}
    # Leaving takes effect on the next request.
    assert reader.call("DELETE", f"/groups/{name}/members/{reader.api.sub}").status_code == 204
    assert reader.call("GET", f"/files/{file['id']}/download").status_code == 404
    assert reader.call("GET", "/shared").json()["items"] == []


def test_removing_a_member_and_deleting_a_group_take_effect_at_once(owner: User, reader: User) -> None:
    name = _group_name()
    owner.call("POST", "/groups", json={"name": name})
    owner.call("POST", f"/groups/{name}/members", json={"user": reader.name})
    file = owner.api.upload(PNG)
    owner.call("POST", f"/files/{file['id']}/grants", json={"group": name})
    assert owner.call("DELETE", f"/groups/{name}/members/{reader.api.sub}").status_code == 204
    assert reader.call("GET", f"/files/{file['id']}").status_code == 404
    owner.call("POST", f"/groups/{name}/members", json={"user": reader.name})
    assert reader.call("GET", f"/files/{file['id']}").status_code == 200
    assert owner.call("DELETE", f"/groups/{name}").status_code == 204
    assert reader.call("GET", f"/files/{file['id']}").status_code == 404
    assert owner.call("GET", f"/files/{file['id']}/grants").json()["items"] == []
    assert reader.call("GET", "/groups").json()["items"] == []
    # The name is free again, and the new group inherits no grant.
    owner.call("POST", "/groups", json={"name": name})
    owner.call("POST", f"/groups/{name}/members", json={"user": reader.name})
    assert reader.call("GET", f"/files/{file['id']}").status_code == 404


def test_shared_lists_each_file_once_newest_grant_first_with_a_bound_cursor(
    owner: User, reader: User, stranger: User
) -> None:
    name = _group_name()
    owner.call("POST", "/groups", json={"name": name})
    owner.call("POST", f"/groups/{name}/members", json={"user": reader.name})
    files = [owner.api.upload(PNG) for _ in range(3)]
    for file in files:
        owner.call("POST", f"/files/{file['id']}/grants", json={"group": name})
    owner.call("POST", f"/files/{files[0]['id']}/grants", json={"user": reader.name})  # newest grant
    first = reader.call("GET", "/shared?limit=2").json()
    assert [f["id"] for f in first["items"]] == [files[0]["id"], files[2]["id"]]
    assert first["items"][0]["sharedVia"] == {"type": "user"}
    rest = reader.call("GET", f"/shared?limit=2&cursor={first['nextCursor']}").json()
    assert [f["id"] for f in rest["items"]] == [files[1]["id"]]  # files[0] is not repeated
    assert stranger.call("GET", f"/shared?cursor={first['nextCursor']}").status_code == 400
    assert reader.call("GET", f"/files?cursor={first['nextCursor']}").status_code == 400
    assert reader.call("GET", f"/activity?cursor={first['nextCursor']}").status_code == 400


def _link(owner: User, file_id: str, **body: int) -> dict[str, object]:
    answer = owner.call("POST", f"/files/{file_id}/links", json=body)
    assert answer.status_code == 201, answer.text
    link: dict[str, object] = answer.json()["link"]
    return link


def test_the_link_page_never_consumes_and_a_post_downloads(owner: User) -> None:
    file = owner.api.upload(PNG, filename='<b onclick="x">pay&slip.png')
    link = _link(owner, file["id"], maxDownloads=2)
    url = str(link["url"])
    assert "/l/" in url and link["downloadsLeft"] == 2 and "token" not in link
    for _ in range(3):  # mail scanners fetch links first
        page = requests.get(url, headers=HTML, timeout=TIMEOUT)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "&lt;b onclick=&quot;x&quot;&gt;pay&amp;slip.png" in page.text and "<b " not in page.text
    assert '<form method="post">' in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for answer in (page, requests.get(url, headers=JSON, timeout=TIMEOUT)):
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    described = requests.get(url, headers=JSON, timeout=TIMEOUT).json()
    assert described["downloadsLeft"] == 2 and described["size"] == len(PNG)
    used = requests.post(
        url,
        data="",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert used.status_code == 303 and used.headers["Referrer-Policy"] == "no-referrer"
    assert requests.get(used.headers["Location"], timeout=TIMEOUT).content == PNG
    as_json = requests.post(url, headers=JSON, timeout=TIMEOUT)
    assert as_json.status_code == 200 and set(as_json.json()) == {"url", "expiresAt"}
    for answer in (
        requests.post(url, allow_redirects=False, timeout=TIMEOUT),
        requests.get(url, headers=JSON, timeout=TIMEOUT),
    ):
        assert answer.status_code == 404 and answer.json()["Code"] == "NotFoundError"
        assert answer.headers["Cache-Control"] == "no-store"
    gone = requests.get(url, headers=HTML, timeout=TIMEOUT)
    assert gone.status_code == 404 and gone.headers["Content-Type"].startswith("text/html")
    listed = owner.call("GET", f"/files/{file['id']}/links").json()["items"]
    assert [(x["id"], x["downloadsLeft"]) for x in listed] == [(link["id"], 0)]
    assert all("url" not in x for x in listed)


def test_twenty_parallel_posts_on_a_one_download_link_give_one_303(owner: User) -> None:
    file = owner.api.upload(PNG)
    url = str(_link(owner, file["id"])["url"])
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(
            pool.map(
                lambda _: requests.post(url, allow_redirects=False, timeout=TIMEOUT).status_code, range(20)
            )
        )
    assert sorted(codes) == [303] + [404] * 19


def test_revoked_unknown_and_deleted_links_are_the_same_404(owner: User) -> None:
    file = owner.api.upload(PNG)
    revoked = _link(owner, file["id"])
    assert owner.call("DELETE", f"/files/{file['id']}/links/{revoked['id']}").status_code == 204
    deleted = _link(owner, file["id"])
    assert owner.call("DELETE", f"/files/{file['id']}").status_code == 204
    unknown = str(revoked["url"]).rsplit("/", 1)[0] + "/" + "A" * 43
    answers = [
        requests.get(str(u), headers=JSON, timeout=TIMEOUT)
        for u in (revoked["url"], deleted["url"], unknown, str(revoked["url"]) + "x")
    ]
    assert {(a.status_code, a.text) for a in answers} == {(404, answers[0].text)}


def test_bad_link_bodies_are_refused(owner: User) -> None:
    file = owner.api.upload(PNG)
    for body in (
        {"maxDownloads": 0},
        {"maxDownloads": 101},
        {"expiresIn": 59},
        {"expiresIn": "60"},
        {"x": 1},
    ):
        assert owner.call("POST", f"/files/{file['id']}/links", json=body).status_code == 400
    answer = owner.call(
        "POST", f"/files/{file['id']}/links", data="{}", headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415


def test_activity_records_who_did_what_and_outlives_the_file(owner: User, reader: User) -> None:
    file = owner.api.upload(PNG)
    grant = owner.call("POST", f"/files/{file['id']}/grants", json={"user": reader.name}).json()["grant"]
    reader.call("GET", f"/files/{file['id']}/download")
    owner.call("DELETE", f"/files/{file['id']}/grants/{grant['id']}")
    link = _link(owner, file["id"])
    requests.post(str(link["url"]), allow_redirects=False, timeout=TIMEOUT)
    owner.call("DELETE", f"/files/{file['id']}/links/{link['id']}")
    trail = owner.call("GET", f"/files/{file['id']}/activity").json()
    kinds = [e["type"] for e in trail["items"]]
    assert kinds == [
        "link_removed",
        "link_used",
        "link_created",
        "grant_removed",
        "download_issued",
        "grant_added",
        "uploaded",
        "created",
    ]
    download = trail["items"][4]
    assert download["actor"] == {"type": "user", "id": reader.api.sub, "name": reader.name}
    assert trail["items"][1]["actor"] == {"type": "link", "id": link["id"]}
    assert str(link["url"]).rsplit("/", 1)[1] not in str(trail) and "http" not in str(trail)
    assert owner.call("DELETE", f"/files/{file['id']}").status_code == 204
    everything = owner.call("GET", "/activity?limit=3").json()
    assert [e["type"] for e in everything["items"]] == ["deleted", "link_removed", "link_used"]
    more = owner.call("GET", f"/activity?limit=100&cursor={everything['nextCursor']}").json()
    assert len(more["items"]) == 6 and more["nextCursor"] is None
    assert reader.call("GET", "/activity").json()["items"] == []

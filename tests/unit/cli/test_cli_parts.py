"""The pure pieces of the CLI: the part plan, ranged reads, exit codes, endpoint resolution."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from locker_cli import config, errors, parts


@given(size=st.integers(1, 5 * 2**30), part_size=st.integers(5 * 2**20, 5 * 2**30))  # up to 1,024 parts
def test_the_plan_covers_the_file_exactly_once(size: int, part_size: int) -> None:
    count = -(-size // part_size)
    planned = parts.plan(size, part_size, count)
    assert [p.number for p in planned] == list(range(1, count + 1))
    assert planned[0].offset == 0
    for before, after in itertools.pairwise(planned):
        assert after.offset == before.offset + before.length
        assert before.length == part_size
    assert planned[-1].offset + planned[-1].length == size
    assert 0 < planned[-1].length <= part_size


@pytest.mark.parametrize(("size", "part_size", "count"), [(10, 5, 3), (10, 5, 1), (0, 5, 1), (11, 5, 2)])
def test_a_plan_that_does_not_fit_the_size_is_refused(size: int, part_size: int, count: int) -> None:
    with pytest.raises(ValueError, match=r"parts|positive"):
        parts.plan(size, part_size, count)


def test_a_range_is_read_and_hashed_in_chunks(tmp_path: Path) -> None:
    data = os.urandom(3 * parts.CHUNK + 123)
    path = tmp_path / "f"
    path.write_bytes(data)
    with path.open("rb") as f:
        got = list(parts.chunks(f.fileno(), 100, 2 * parts.CHUNK + 5))
        assert b"".join(got) == data[100 : 100 + 2 * parts.CHUNK + 5]
        assert max(len(c) for c in got) == parts.CHUNK
        digest = parts.sha256_b64(f.fileno(), 7, 1000)
    assert digest == base64.b64encode(hashlib.sha256(data[7:1007]).digest()).decode()


def test_a_file_that_shrinks_while_read_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    with path.open("rb") as f, pytest.raises(OSError, match="shorter"):
        list(parts.chunks(f.fileno(), 0, 10))


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, errors.REFUSED),
        (401, errors.AUTH),
        (403, errors.REFUSED),
        (404, errors.NOT_FOUND),
        (409, errors.REFUSED),
        (422, errors.INTEGRITY),
        (429, errors.REFUSED),
        (500, errors.UNAVAILABLE),
        (503, errors.UNAVAILABLE),
    ],
)
def test_http_statuses_map_to_documented_exit_codes(status: int, code: int) -> None:
    assert errors.exit_code_for(status) == code
    assert errors.ApiError(status, "X", "words").exit_code == code


def test_endpoints_resolve_flag_then_environment_then_stack(tmp_path: Path) -> None:
    stack_file = tmp_path / "stack.json"
    stack_file.write_text(
        json.dumps(
            {
                "apiUrl": "http://127.0.0.1:1/",
                "awsEndpointUrl": "http://127.0.0.1:2",
                "clientId": "stack-client",
                "limits": {"multipartThreshold": 123},
            }
        )
    )
    stack = config.read_stack(stack_file)
    assert stack is not None and stack.demo_user is None
    env = {config.ENV_CLIENT_ID: "env-client"}
    got = config.resolve({"region": "eu-west-1"}, env, stack.endpoints)
    assert got == config.Endpoints(
        "http://127.0.0.1:1", "https://cognito-idp.eu-west-1.amazonaws.com/", "env-client", 123
    )
    flags = {"client_id": "flag-client", "api_url": "https://api.example/v1/", "cognito_url": "http://c/"}
    flagged = config.resolve(flags, env, stack.endpoints)
    assert flagged == config.Endpoints("https://api.example/v1", "http://c/", "flag-client", 123)
    with pytest.raises(errors.CliError, match="--region or --cognito-url") as raised:
        config.resolve({"api_url": "https://api.example"}, env, None)
    assert raised.value.exit_code == errors.USAGE


def test_the_stack_file_location_follows_the_flag_and_variables() -> None:
    assert config.stack_path(Path("x.json"), {config.ENV_STACK: "y.json"}) == Path("x.json")
    assert config.stack_path(None, {config.ENV_STACK: "y.json"}) == Path("y.json")
    assert config.stack_path(None, {config.ENV_STATE_DIR: "/s"}) == Path("/s/stack.json")
    assert config.stack_path(None, {}) == Path(".local/stack.json")


def test_a_malformed_stack_json_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "stack.json"
    bad.write_text('{"apiUrl": 1}')
    with pytest.raises(errors.CliError) as raised:
        config.read_stack(bad)
    assert raised.value.exit_code == errors.USAGE
    assert config.read_stack(tmp_path / "absent.json") is None

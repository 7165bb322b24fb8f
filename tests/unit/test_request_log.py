"""One JSON log line per request, which is also its EMF document when it counted, through the real app."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib import jwks, metrics, requestlog, runtime
from tests import tokens
from tests.unit.conftest import CLIENT, POOL, SETTINGS_ENV

SUB = str(uuid.uuid4())
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
FILENAME = "tax-return-secret-name.png"
PROBE = "probe-header-value-6c1f"
FIELDS = {"type", "requestId", "route", "method", "status", "latencyMs", "caller", "code"}


@pytest.fixture
def wired(
    aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[Any]:
    """The app on moto with a JWKS served without network; locker.* records go to caplog too."""
    for name, value in SETTINGS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(jwks, "fetch_url", tokens.fake_fetcher())
    runtime.reset()
    parent = logging.getLogger("locker")
    parent.addHandler(caplog.handler)
    yield aws
    parent.removeHandler(caplog.handler)
    runtime.reset()


def token(sub: str = SUB) -> str:
    return tokens.mint(tokens.claims(tokens.issuer(POOL), CLIENT, sub=sub))


def output(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> tuple[list[Any], str]:
    """The JSON lines printed so far, and everything logged at all (stdout, stderr, locker.*)."""
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return lines, out + err + caplog.text


def requests_logged(lines: list[Any]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("type") == "request"]


def emf(lines: list[Any]) -> list[dict[str, Any]]:
    """The EMF documents among ``lines``, each checked against the envelope CloudWatch requires."""
    documents = [line for line in lines if "_aws" in line]
    for doc in documents:
        assert isinstance(doc["_aws"]["Timestamp"], int)
        [directive] = doc["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == metrics.NAMESPACE
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(doc[name], str) for name in dimension_set)
        assert directive["Metrics"]
        for metric in directive["Metrics"]:
            assert metric["Unit"] == "Count"
            assert isinstance(doc[metric["Name"]], int)
    return documents


def own_fields(line: dict[str, Any]) -> set[str]:
    """A request line's members other than the EMF document it may also be."""
    if "_aws" not in line:
        return set(line)
    names = {m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    return set(line) - {"_aws", "Service"} - names


def counted(lines: list[Any]) -> dict[str, int]:
    return {m["Name"]: d[m["Name"]] for d in emf(lines) for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}


def create(client: Client, bearer: str) -> Any:
    body = {"filename": FILENAME, "contentType": "image/png", "size": len(PNG)}
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json", "X-Probe": PROBE}
    return client.http.post("/files", headers=headers, body=json.dumps(body))


def test_a_request_logs_one_line_without_secrets(
    wired: dict[str, Any], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    bearer = token()
    with Client(app) as client:
        created = create(client, bearer)
    assert created.status_code == 201
    url = created.json_body["upload"]["url"]
    lines, everything = output(capsys, caplog)
    [line] = requests_logged(lines)
    assert own_fields(line) == FIELDS
    assert [line] == emf(lines)  # one line: the request's log record and its metrics
    assert next(iter(line)) == "type"  # the record's own members first: its lines still start alike
    assert (line["route"], line["method"], line["status"], line["code"]) == ("/files", "POST", 201, None)
    assert isinstance(line["requestId"], str) and line["requestId"]
    assert isinstance(line["latencyMs"], float) and line["latencyMs"] >= 0
    assert line["caller"] == requestlog.caller_hash(SETTINGS_ENV["LOCKER_CURSOR_KEY"].encode(), SUB)
    for secret in (bearer, *bearer.split("."), SUB, FILENAME, url, url.split("?")[0], PROBE):
        assert secret not in everything
    assert counted(lines) == {metrics.UPLOADS_CREATED: 1}


def test_a_refused_token_logs_the_code_and_counts_an_auth_failure(
    wired: dict[str, Any], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    bearer = tokens.tamper(token(), sub=str(uuid.uuid4()))
    with Client(app) as client:
        answer = client.http.get(f"/files/{'f' * 26}", headers={"Authorization": f"Bearer {bearer}"})
    assert answer.status_code == 401
    lines, everything = output(capsys, caplog)
    [line] = requests_logged(lines)
    assert (line["route"], line["status"], line["code"], line["caller"]) == (
        "/files/{file_id}",
        401,
        "UnauthorizedError",
        None,
    )
    assert "f" * 26 not in everything  # the route template is logged, never the path
    for secret in (bearer, *bearer.split(".")):
        assert secret not in everything
    assert counted(lines) == {metrics.AUTH_FAILURES: 1}


def test_every_use_case_counts_once(
    wired: dict[str, Any], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Authorization": f"Bearer {token()}"}
    with Client(app) as client:
        good, bad = create(client, token()).json_body, create(client, token()).json_body
        for made, body, stored_type in ((good, PNG, "image/png"), (bad, b"not a png at all", "image/png")):
            key = f"users/{SUB}/{made['file']['id']}"
            wired["s3"].put_object(
                Bucket=SETTINGS_ENV["LOCKER_BUCKET"], Key=key, Body=body, ContentType=stored_type
            )
            client.http.post(f"/files/{made['file']['id']}/complete", headers=headers)
        url = client.http.get(f"/files/{good['file']['id']}/download", headers=headers).json_body["url"]
        while create(client, token()).status_code == 201:
            pass
    lines, everything = output(capsys, caplog)
    logged = requests_logged(lines)
    assert [line["code"] for line in logged if line["status"] == 422] == ["UnprocessableEntityError"]
    assert logged[-1]["code"] == "TooManyRequestsError"
    assert emf(lines) == logged  # every request here counted: its one line is its EMF document
    totals: dict[str, int] = {}
    for doc in emf(lines):
        for metric in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            totals[metric["Name"]] = totals.get(metric["Name"], 0) + doc[metric["Name"]]
    assert totals == {
        metrics.UPLOADS_CREATED: int(SETTINGS_ENV["LOCKER_QUOTA_FILES"])
        + 1,  # the rejected one gave its quota back
        metrics.UPLOADS_COMPLETED: 1,
        metrics.UPLOADS_REJECTED: 1,
        metrics.DOWNLOADS_ISSUED: 1,
        metrics.QUOTA_REFUSALS: 1,
    }
    assert url not in everything and FILENAME not in everything


def test_an_event_invocation_flushes_its_metrics(
    wired: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    with Client(app) as client:
        made = create(client, token()).json_body
        key = f"users/{SUB}/{made['file']['id']}"
        bucket = SETTINGS_ENV["LOCKER_BUCKET"]
        wired["s3"].put_object(Bucket=bucket, Key=key, Body=PNG, ContentType="image/png")
        capsys.readouterr()
        event = client.events.generate_cw_event(
            source="aws.s3",
            detail_type="Object Created",
            detail={"bucket": {"name": bucket}, "object": {"key": key}, "reason": "PutObject"},
            resources=[f"arn:aws:s3:::{bucket}"],
        )
        client.lambda_.invoke("object_created", event)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert counted(lines) == {metrics.UPLOADS_COMPLETED: 1}
    assert requests_logged(lines) == []


def test_caller_hash_is_keyed_and_stable() -> None:
    key = b"k" * 32
    assert requestlog.caller_hash(key, SUB) == requestlog.caller_hash(key, SUB)
    assert requestlog.caller_hash(key, SUB) != requestlog.caller_hash(key, str(uuid.uuid4()))
    assert requestlog.caller_hash(key, SUB) != requestlog.caller_hash(b"j" * 32, SUB)
    assert len(requestlog.caller_hash(key, SUB)) == requestlog.CALLER_HASH_CHARS


def test_an_unknown_metric_name_is_refused() -> None:
    with metrics.scope(), pytest.raises(ValueError, match="unknown metric"):
        metrics.count("UploadsCreatd")


def test_a_scope_that_counted_nothing_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with metrics.scope():
        pass
    with metrics.scope():
        metrics.count(metrics.GRANTS, 2)
    [line] = capsys.readouterr().out.splitlines()
    assert counted([json.loads(line)]) == {metrics.GRANTS: 2}


def test_the_document_route_is_logged_by_its_name(
    wired: dict[str, Any], capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """A route template with a dot (``/openapi.json``) is still a route, not an unloggable value."""
    with Client(app) as client:
        answer = client.http.get("/openapi.json")
    assert answer.status_code == 200
    lines, _ = output(capsys, caplog)
    [line] = requests_logged(lines)
    assert (line["route"], line["method"], line["status"]) == ("/openapi.json", "GET", 200)
    assert own_fields(line) == set(line) == FIELDS  # it counted nothing: no EMF members


def test_what_a_request_counted_before_it_failed_is_still_printed(capsys: pytest.CaptureFixture[str]) -> None:
    def failing(_: Any) -> Any:
        metrics.count(metrics.GRANTS)
        raise RuntimeError("escaped every handler")

    with pytest.raises(RuntimeError, match="escaped"):
        requestlog.middleware(None, failing)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert counted(lines) == {metrics.GRANTS: 1}
    assert requests_logged(lines) == []

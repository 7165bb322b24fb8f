"""One contract for the idempotency stores: the in-memory fake and DynamoDB (in-process moto)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.dynamo_idempotency import DynamoIdempotency
from chalicelib.errors import ServiceUnavailableError
from chalicelib.idempotency_store import Entry, IdempotencyStore, InMemoryIdempotency
from tests.unit.conftest import TABLE, SerializedClient

NOW = 1_800_000_000


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> IdempotencyStore:
    if request.param == "memory":
        return InMemoryIdempotency()
    aws = request.getfixturevalue("aws")
    table = aws["dynamodb"].list_tables()["TableNames"][0]  # unit or integration table
    return DynamoIdempotency(SerializedClient(aws["dynamodb"]), table)


def entry(claim: str = "c1", entry_id: str = "e" * 64, at: int = NOW, fingerprint: str = "f1") -> Entry:
    return Entry(entry_id, fingerprint, claim, at + 60, at + 86400)


def test_a_claim_is_exclusive_and_is_read_back(store: IdempotencyStore) -> None:
    assert store.get("e" * 64) is None
    assert store.claim(entry("c1"), NOW)
    assert not store.claim(entry("c2"), NOW + 1)
    assert store.get("e" * 64) == entry("c1")
    assert store.claim(entry("c3", entry_id="d" * 64), NOW)  # another id is another entry


def test_a_finished_entry_keeps_its_answer_and_cannot_be_released(store: IdempotencyStore) -> None:
    store.claim(entry("c1"), NOW)
    assert not store.finish("e" * 64, "c2", 201, b"other")  # not this claim's
    assert store.finish("e" * 64, "c1", 201, b"\x00sealed\xff")
    assert not store.finish("e" * 64, "c1", 200, b"again")  # finished once
    store.release("e" * 64, "c1")
    found = store.get("e" * 64)
    assert found is not None and found.done
    assert (found.status, found.answer) == (201, b"\x00sealed\xff")
    # A finished entry holds past its lease, until it expires.
    assert not store.claim(entry("c2", at=NOW + 3600), NOW + 3600)
    assert store.claim(entry("c2", at=NOW + 86400), NOW + 86400)
    replaced = store.get("e" * 64)
    assert replaced is not None and replaced.claim == "c2" and not replaced.done


def test_release_frees_the_key_only_for_its_own_claim(store: IdempotencyStore) -> None:
    store.claim(entry("c1"), NOW)
    store.release("e" * 64, "c2")
    assert store.get("e" * 64) == entry("c1")
    store.release("e" * 64, "c1")
    assert store.get("e" * 64) is None
    store.release("e" * 64, "c1")  # safe to repeat
    assert store.claim(entry("c2"), NOW)


def test_an_abandoned_claim_is_taken_over_after_its_lease(store: IdempotencyStore) -> None:
    store.claim(entry("c1"), NOW)
    assert not store.claim(entry("c2", at=NOW + 59), NOW + 59)
    assert store.claim(entry("c2", at=NOW + 60), NOW + 60)
    # The first claimant can no longer store its answer or drop the new claim.
    assert not store.finish("e" * 64, "c1", 201, b"late")
    store.release("e" * 64, "c1")
    found = store.get("e" * 64)
    assert found is not None and found.claim == "c2"


def test_concurrent_claims_have_exactly_one_winner(store: IdempotencyStore) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda i: store.claim(entry(f"c{i}"), NOW), range(20)))
    assert won.count(True) == 1
    found = store.get("e" * 64)
    assert found is not None and found.claim == f"c{won.index(True)}"


def _failing(code: str) -> Any:
    def fail(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": code, "Message": "arn:aws:secret"}}, "Op")

    return fail


class _Broken:
    def __getattr__(self, name: str) -> Any:
        return _failing("ProvisionedThroughputExceededException")


def test_dynamodb_failures_are_503s_never_a_claim_or_a_miss() -> None:
    broken = DynamoIdempotency(_Broken(), TABLE)
    for call in (
        lambda: broken.claim(entry(), NOW),
        lambda: broken.get("e" * 64),
        lambda: broken.finish("e" * 64, "c1", 201, b"x"),
        lambda: broken.release("e" * 64, "c1"),
    ):
        with pytest.raises(ServiceUnavailableError):
            call()

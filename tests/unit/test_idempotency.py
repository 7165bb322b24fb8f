"""The Idempotency mechanism on the in-memory store: replay, conflicts, failures, leases, secrets."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chalicelib.errors import BadRequestError, ConflictError, ServiceUnavailableError
from chalicelib.idempotency import LEASE, MAX_AGE, OTHER_BODY, Answer, Idempotency, KeyInUse, canonical
from chalicelib.idempotency_store import Entry, InMemoryIdempotency
from tests.unit.conftest import FakeClock

SECRET = b"s" * 32
KEY = "retry-7f3a"
SCOPE = "11111111-1111-4111-8111-111111111111\0POST /files/{file_id}/links\0file_id=F1"
TOKEN_URL = "http://127.0.0.1/l/TOKEN-abcdefghijklmnopqrstuvwxyz0123456789ABCD"


class Work:
    """A view stand-in that counts its runs and answers (or raises) what it is told."""

    def __init__(self, answer: Answer | None = None, error: Exception | None = None) -> None:
        self.runs = 0
        self.answer = answer or Answer(201, {"link": {"id": "L1", "url": TOKEN_URL}})
        self.error = error

    def __call__(self) -> Answer:
        self.runs += 1
        if self.error is not None:
            raise self.error
        return self.answer


@pytest.fixture
def store() -> InMemoryIdempotency:
    return InMemoryIdempotency()


@pytest.fixture
def idem(store: InMemoryIdempotency, clock: FakeClock) -> Idempotency:
    return Idempotency(store, SECRET, clock)


def test_a_retry_with_the_same_body_replays_the_first_answer_without_working(idem: Idempotency) -> None:
    work = Work()
    first = idem.run(KEY, SCOPE, {"maxDownloads": 3}, work)
    again = idem.run(KEY, SCOPE, {"maxDownloads": 3}, work)
    assert work.runs == 1
    assert (first.status, first.body, first.replayed) == (201, work.answer.body, False)
    assert (again.status, again.body, again.replayed) == (201, work.answer.body, True)


def test_the_body_is_compared_canonically_and_another_body_is_a_409(idem: Idempotency) -> None:
    work = Work()
    idem.run(KEY, SCOPE, {"maxDownloads": 3, "expiresIn": 60}, work)
    assert idem.run(KEY, SCOPE, {"expiresIn": 60, "maxDownloads": 3}, work).replayed
    with pytest.raises(ConflictError, match=OTHER_BODY):
        idem.run(KEY, SCOPE, {"maxDownloads": 4, "expiresIn": 60}, work)
    assert work.runs == 1
    assert canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_keys_are_scoped_by_caller_route_and_file(idem: Idempotency) -> None:
    work = Work()
    for scope in (
        SCOPE,
        SCOPE.replace("F1", "F2"),
        "other-sub" + SCOPE[36:],
        SCOPE.replace("links", "grants"),
    ):
        assert not idem.run(KEY, scope, {}, work).replayed
    assert work.runs == 4
    assert not idem.run("another-key", SCOPE, {}, work).replayed
    assert work.runs == 5


def test_an_answer_expires_after_24_hours_compared_in_code(idem: Idempotency, clock: FakeClock) -> None:
    work = Work()
    idem.run(KEY, SCOPE, {}, work)
    clock.advance(MAX_AGE - 1)
    assert idem.run(KEY, SCOPE, {}, work).replayed
    clock.advance(1)
    assert not idem.run(KEY, SCOPE, {"other": "body is fine now"}, work).replayed
    assert work.runs == 2


@pytest.mark.parametrize(
    "failure",
    [
        BadRequestError("bad"),
        ConflictError("not ready"),
        ServiceUnavailableError("down"),
        RuntimeError("bug"),
    ],
)
def test_a_failed_first_call_does_not_poison_the_key(idem: Idempotency, failure: Exception) -> None:
    failing = Work(error=failure)
    with pytest.raises(type(failure)):
        idem.run(KEY, SCOPE, {"a": 1}, failing)
    work = Work()
    assert not idem.run(KEY, SCOPE, {"a": 1}, work).replayed
    assert work.runs == 1
    assert idem.run(KEY, SCOPE, {"a": 1}, work).replayed


def test_a_non_2xx_answer_is_not_stored(idem: Idempotency) -> None:
    work = Work(answer=Answer(409, {"Code": "ConflictError", "Message": "x"}))
    idem.run(KEY, SCOPE, {}, work)
    idem.run(KEY, SCOPE, {}, work)
    assert work.runs == 2


def test_a_retry_during_the_first_call_gets_key_in_use_and_one_call_works(idem: Idempotency) -> None:
    inside, release = threading.Event(), threading.Event()
    outcomes: list[Any] = []

    def slow() -> Answer:
        inside.set()
        release.wait(5)
        return Answer(201, {"file": {"id": "F"}})

    first = threading.Thread(target=lambda: outcomes.append(idem.run(KEY, SCOPE, {}, slow)))
    first.start()
    inside.wait(5)
    never = Work()
    with pytest.raises(KeyInUse):
        idem.run(KEY, SCOPE, {}, never)
    with pytest.raises(ConflictError, match=OTHER_BODY):  # another body is told apart even now
        idem.run(KEY, SCOPE, {"x": 1}, never)
    release.set()
    first.join()
    assert never.runs == 0
    assert idem.run(KEY, SCOPE, {}, never).body == {"file": {"id": "F"}}


class Vanishing(InMemoryIdempotency):
    """A store whose claimant dies mid-work: its release never happens."""

    def release(self, entry_id: str, claim: str) -> None:
        return None


def test_a_claim_abandoned_by_a_crash_is_taken_over_after_the_lease(clock: FakeClock) -> None:
    store = Vanishing()
    idem = Idempotency(store, SECRET, clock)
    with pytest.raises(RuntimeError):
        idem.run(KEY, SCOPE, {}, Work(error=RuntimeError("the process died here")))
    work = Work()
    clock.advance(LEASE - 1)
    with pytest.raises(KeyInUse):
        idem.run(KEY, SCOPE, {}, work)
    clock.advance(1)
    assert not idem.run(KEY, SCOPE, {}, work).replayed
    assert work.runs == 1


def test_the_store_holds_neither_the_key_nor_the_body_nor_the_answer_in_clear(
    idem: Idempotency, store: InMemoryIdempotency
) -> None:
    idem.run(KEY, SCOPE, {"user": "bob@example.com"}, Work())
    [entry] = store._entries.values()
    stored = repr(entry).encode() + (entry.answer or b"")
    for secret in (KEY, "TOKEN-abcdefghij", "bob@example.com", "11111111-1111", "L1"):
        assert secret.encode() not in stored
    assert KEY not in entry.id and len(entry.id) == 64


def test_without_the_clients_key_the_answer_cannot_be_opened(store: InMemoryIdempotency) -> None:
    Idempotency(store, SECRET, lambda: 0.0).run(KEY, SCOPE, {}, Work())
    [entry] = store._entries.values()
    # A guessed key finds no entry: the work runs again under the guess.
    work = Work()
    Idempotency(store, SECRET, lambda: 0.0).run("guessed-key", SCOPE, {}, work)
    assert work.runs == 1
    # A changed answer is refused by AES-GCM rather than replayed.
    assert entry.answer is not None
    tampered = Entry(entry.id, entry.fingerprint, entry.claim, 0, MAX_AGE, 201, entry.answer[:-1] + b"\x00")
    store._entries[entry.id] = tampered
    with pytest.raises(ConflictError, match="cannot be read"):
        Idempotency(store, SECRET, lambda: 1.0).run(KEY, SCOPE, {}, Work())


class FlakyStore(InMemoryIdempotency):
    """Fails ``finish`` or ``release`` the way DynamoDB does (503)."""

    def __init__(self, fail: str) -> None:
        super().__init__()
        self.fail = fail

    def finish(self, entry_id: str, claim: str, status: int, answer: bytes) -> bool:
        if self.fail == "finish":
            raise ServiceUnavailableError("down")
        return super().finish(entry_id, claim, status, answer)

    def release(self, entry_id: str, claim: str) -> None:
        if self.fail == "release":
            raise ServiceUnavailableError("down")
        super().release(entry_id, claim)


def test_a_store_failure_after_the_work_still_answers_the_work(clock: FakeClock) -> None:
    work = Work()
    answer = Idempotency(FlakyStore("finish"), SECRET, clock).run(KEY, SCOPE, {}, work)
    assert (answer.status, answer.replayed, work.runs) == (201, False, 1)


def test_a_release_failure_keeps_the_views_own_error(clock: FakeClock) -> None:
    with pytest.raises(ConflictError, match="not ready"):
        Idempotency(FlakyStore("release"), SECRET, clock).run(
            KEY, SCOPE, {}, Work(error=ConflictError("not ready"))
        )

"""Where idempotency entries live: the store contract and an in-memory fake.

An entry is claimed (written without an answer) by the one request that does
the work, then finished with the sealed answer, or released if the work failed.
The store never sees an Idempotency-Key, a request body or an answer in the
clear: ``id`` and ``fingerprint`` are keyed hashes and ``answer`` is AES-GCM
ciphertext (``chalicelib.idempotency``). Expiry is always compared by the
caller's clock: DynamoDB's TTL is only a backstop. ``dynamo_idempotency`` holds
the real store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True)
class Entry:
    """One Idempotency-Key's record, in the caller's scope."""

    id: str
    fingerprint: str
    claim: str
    lease_until: int
    expires_at: int
    status: int | None = None
    answer: bytes | None = None

    @property
    def done(self) -> bool:
        """Whether the answer is stored (the work finished)."""
        return self.status is not None

    def takeable(self, now: int) -> bool:
        """Whether a new claim may replace this entry: expired, or abandoned mid-work."""
        return now >= self.expires_at or (not self.done and now >= self.lease_until)


class IdempotencyStore(Protocol):
    """The store contract (run against both implementations in the unit tests)."""

    def claim(self, entry: Entry, now: int) -> bool:
        """Write ``entry`` unless a live one holds its id; whether it was written (atomic)."""

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id (consistent read), expired or not."""

    def finish(self, entry_id: str, claim: str, status: int, answer: bytes) -> bool:
        """Store the answer if ``claim`` still holds the unfinished entry; whether it did."""

    def release(self, entry_id: str, claim: str) -> None:
        """Drop the unfinished entry if ``claim`` still holds it (the key may be used again)."""


class InMemoryIdempotency:
    """A faithful in-process IdempotencyStore, for tests."""

    def __init__(self) -> None:
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def claim(self, entry: Entry, now: int) -> bool:
        with self._lock:
            held = self._entries.get(entry.id)
            if held is not None and not held.takeable(now):
                return False
            self._entries[entry.id] = entry
            return True

    def get(self, entry_id: str) -> Entry | None:
        with self._lock:
            return self._entries.get(entry_id)

    def _held(self, entry_id: str, claim: str) -> Entry | None:
        held = self._entries.get(entry_id)
        return held if held is not None and held.claim == claim and not held.done else None

    def finish(self, entry_id: str, claim: str, status: int, answer: bytes) -> bool:
        with self._lock:
            held = self._held(entry_id, claim)
            if held is None:
                return False
            self._entries[entry_id] = replace(held, status=status, answer=answer)
            return True

    def release(self, entry_id: str, claim: str) -> None:
        with self._lock:
            if self._held(entry_id, claim) is not None:
                del self._entries[entry_id]

"""Idempotent creates: a retry with the same Idempotency-Key gets the first answer, nothing more.

One mechanism for every route that opts in (``routes.idempotent``). A key is
scoped to the caller's ``sub``, the route and its path parameters, so nobody can
reach another's answer. The first request claims the key (one conditional
write) and does the work; only a success (2xx) is stored. A failure releases the
claim: Locker's 4xx and 503 answers change nothing, so a retry may simply try
again (Stripe replays 4xx; here that would pin a passing 409 or 429 for 24 h).
A retry while the first is still working gets ``KeyInUse`` (409 with Retry-After)
rather than waiting: waiting would hold a Lambda for each retry.

Secrets: a link's answer holds its token, and the table must not. The store sees
only ``HMAC(server secret, scope, key)`` as the id, an HMAC of the canonical body,
and the answer sealed with AES-GCM under a key derived (HKDF) from the raw
Idempotency-Key, the server secret and the scope: without the client's key,
a table reader cannot recover the answer, or even test a guess of the body.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from chalicelib.errors import ConflictError, ServiceUnavailableError
from chalicelib.idempotency_store import Entry, IdempotencyStore

MAX_AGE = 24 * 3600
# Longer than the API function may run (30 s): a claim is only taken over once its holder is gone.
LEASE = 60
_ATTEMPTS = 3
OTHER_BODY = "this Idempotency-Key was already used with another request body"
UNREADABLE = "the answer stored for this Idempotency-Key cannot be read; use a new key"
log = logging.getLogger("locker.idempotency")
log.setLevel(logging.INFO)  # Chalice sets the "locker" logger to ERROR


class KeyInUse(Exception):
    """Another request with the same key is still at work (answered 409 with Retry-After)."""


@dataclass(frozen=True)
class Answer:
    """What a route answered: its status and JSON body; ``replayed`` when it came from the store."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def canonical(body: Mapping[str, Any]) -> bytes:
    """One byte string per JSON value: key order and spacing do not matter."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class _Keys:
    lookup: str
    sealing: bytes
    mac: bytes

    @classmethod
    def derive(cls, secret: bytes, key: str, scope: str) -> _Keys:
        # Imported here: only requests with a key pay for them, never a cold start.
        from cryptography.hazmat.primitives.hashes import SHA256
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        context = scope.encode("utf-8", "surrogatepass") + b"\0"
        lookup = hmac.new(secret, b"lookup\0" + context + key.encode(), sha256).hexdigest()
        info = b"locker idempotency v1\0" + context
        material = HKDF(SHA256(), length=64, salt=secret, info=info).derive(key.encode())
        return cls(lookup, material[:32], material[32:])

    def fingerprint(self, body: Mapping[str, Any]) -> str:
        return hmac.new(self.mac, canonical(body), sha256).hexdigest()

    def seal(self, answer: Answer) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        plain = canonical({"status": answer.status, "body": answer.body})
        return nonce + AESGCM(self.sealing).encrypt(nonce, plain, self.lookup.encode())

    def open(self, sealed: bytes) -> Answer:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            plain = AESGCM(self.sealing).decrypt(sealed[:12], sealed[12:], self.lookup.encode())
        except InvalidTag:
            raise ConflictError(UNREADABLE) from None
        stored = json.loads(plain)
        return Answer(int(stored["status"]), stored["body"], replayed=True)


class Idempotency:
    """Runs work at most once per (scope, key) within ``MAX_AGE`` and replays its answer."""

    def __init__(
        self, store: IdempotencyStore, secret: bytes, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._secret = secret
        self._clock = clock

    def run(self, key: str, scope: str, body: Mapping[str, Any], work: Callable[[], Answer]) -> Answer:
        """``work()``'s answer, or the stored answer of an earlier success with this key.

        Raises:
            ConflictError: the key was used with another body in this scope.
            KeyInUse: a request with this key is still at work.
            ServiceUnavailableError: the store failed before any work was done.
        """
        keys = _Keys.derive(self._secret, key, scope)
        fingerprint = keys.fingerprint(body)
        for _ in range(_ATTEMPTS):
            now = int(self._clock())
            entry = Entry(keys.lookup, fingerprint, secrets.token_hex(16), now + LEASE, now + MAX_AGE)
            if self._store.claim(entry, now):
                return self._work(entry, keys, work)
            found = self._store.get(keys.lookup)
            if found is None or found.takeable(now):
                continue  # released or abandoned between the two calls: claim again
            if not hmac.compare_digest(found.fingerprint, fingerprint):
                raise ConflictError(OTHER_BODY)
            if not found.done or found.answer is None:
                raise KeyInUse
            log.info("idempotent replay")
            return keys.open(found.answer)
        raise KeyInUse

    def _work(self, entry: Entry, keys: _Keys, work: Callable[[], Answer]) -> Answer:
        try:
            answer = work()
        except BaseException:
            self._release(entry)
            raise
        if not 200 <= answer.status < 300:
            self._release(entry)
            return answer
        try:
            if not self._store.finish(entry.id, entry.claim, answer.status, keys.seal(answer)):
                log.warning("idempotency claim was taken over before the answer was stored")
        except ServiceUnavailableError:
            # The work is done: answer it; a retry after the lease would do it again.
            log.warning("idempotency answer could not be stored")
        return answer

    def _release(self, entry: Entry) -> None:
        try:
            self._store.release(entry.id, entry.claim)
        except ServiceUnavailableError:
            log.warning("idempotency claim could not be released; it lapses after its lease")

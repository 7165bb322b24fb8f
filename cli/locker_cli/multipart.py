"""Sending a multipart upload's parts with N workers, each part pinned by its SHA-256.

One signer thread reads ahead: it hashes the next N parts from disk in
parallel and asks Locker to sign their URLs in one call (each URL pins the
part's length and checksum), keeping at most 2N signed parts waiting so no URL
grows old. N workers take signed parts and stream them to storage. A part
that fails is signed again on its own and resent a few times (a fresh URL
also cures an expired one); parts may go in any order and again (the last one
wins). Ctrl-C or a part that keeps failing stops every thread at its next chunk.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime

import httpx

from locker_cli import retry
from locker_cli.api import LockerApi
from locker_cli.errors import INTEGRITY, UNAVAILABLE, CliError
from locker_cli.parts import Cancelled, Part, sha256_b64
from locker_cli.progress import Bar
from locker_cli.storage import StorageError, put_range

POLL_SECONDS = 0.2
FRESH_SECONDS = 60  # a URL with less life left than this is signed again before use


@dataclass(frozen=True)
class Signed:
    """A part with its checksum and a URL for exactly those bytes."""

    part: Part
    sha256: str
    url: str
    headers: dict[str, str]
    expires_at: float


_DONE = object()


class PartSender:
    """Sends parts of one open file to one pending multipart upload."""

    def __init__(
        self,
        api: LockerApi,
        storage: httpx.Client,
        file_id: str,
        fd: int,
        bar: Bar,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api, self.storage, self.file_id, self.fd, self.bar = api, storage, file_id, fd, bar
        self._sleep = sleep
        self.cancel = threading.Event()
        self.sent = 0  # parts stored by this run
        self._count = threading.Lock()

    def send_all(self, parts: list[Part], workers: int) -> None:
        """Send ``parts`` with ``workers`` threads; raises the first failure (or KeyboardInterrupt)."""
        workers = max(1, min(workers, len(parts)))
        self.cancel = threading.Event()  # a fresh one: an earlier call set its own when it ended
        ready: queue.Queue[object] = queue.Queue(maxsize=2 * workers)
        pool = ThreadPoolExecutor(max_workers=workers + 1, thread_name_prefix="part")
        futures: list[Future[None]] = [pool.submit(self._sign_ahead, parts, ready, workers)]
        futures += [pool.submit(self._work, ready) for _ in range(workers)]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()
        except BaseException:
            self.cancel.set()
            raise
        finally:
            self.cancel.set()  # also releases threads still waiting on the queue
            pool.shutdown(wait=True)

    def _sign_ahead(self, parts: list[Part], ready: queue.Queue[object], workers: int) -> None:
        """Hash ``workers`` parts at a time in parallel, sign them in one call, queue them."""
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hash") as hashing:
            for start in range(0, len(parts), workers):
                batch = parts[start : start + workers]
                sums = list(hashing.map(self._hash, batch))
                for signed in self._sign(list(zip(batch, sums, strict=True))):
                    self._put(ready, signed)
        self._put(ready, _DONE)

    def _hash(self, part: Part) -> str:
        return sha256_b64(self.fd, part.offset, part.length, self.cancel)

    def _sign(self, hashed: list[tuple[Part, str]]) -> list[Signed]:
        request = [{"partNumber": part.number, "sha256": sha256} for part, sha256 in hashed]
        answer = self.api.sign_parts(self.file_id, request)
        urls = {int(item["partNumber"]): item for item in answer["parts"]}
        expires = expires_at(answer) or time.time() + FRESH_SECONDS  # unreadable: use it at once
        return [
            Signed(part, sha256, urls[part.number]["url"], urls[part.number]["headers"], expires)
            for part, sha256 in hashed
        ]

    def _put(self, ready: queue.Queue[object], item: object) -> None:
        while True:
            if self.cancel.is_set():
                raise Cancelled
            try:
                ready.put(item, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def _work(self, ready: queue.Queue[object]) -> None:
        while True:
            if self.cancel.is_set():
                raise Cancelled
            try:
                item = ready.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if item is _DONE:
                ready.put(_DONE)  # for the other workers (never blocks: this one just took a slot)
                return
            assert isinstance(item, Signed)
            self._send(item)

    def _send(self, signed: Signed) -> None:
        part = signed.part
        for attempt in range(retry.ATTEMPTS):
            if attempt or signed.expires_at - time.time() < FRESH_SECONDS:
                signed = self._sign([(part, signed.sha256)])[0]
            moved = 0

            def on_chunk(count: int) -> None:
                nonlocal moved
                moved += count
                self.bar.advance(count)

            try:
                put_range(self.storage, signed.url, signed.headers, self.fd, part, on_chunk, self.cancel)
            except (httpx.HTTPError, StorageError) as error:
                self.bar.advance(-moved)
                if attempt + 1 < retry.ATTEMPTS and _worth_retrying(error):
                    self._sleep(retry.wait_seconds(attempt))
                    continue
                raise _as_cli_error(part, error) from None
            with self._count:
                self.sent += 1
            return


def expires_at(answer: dict[str, object]) -> float | None:
    """``expiresAt`` of a sign answer as epoch seconds, if present and readable."""
    raw = answer.get("expiresAt")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _worth_retrying(error: Exception) -> bool:
    if isinstance(error, StorageError):
        return error.status >= 500 or error.status == 403  # 403: expired or skewed URL; a new one may do
    return isinstance(error, httpx.TransportError)


def _as_cli_error(part: Part, error: Exception) -> CliError:
    if isinstance(error, StorageError):
        if error.code == "BadDigest":
            return CliError(
                f"part {part.number} changed while it was being sent: start the upload again", INTEGRITY
            )
        return CliError(f"part {part.number}: {error.message}", error.exit_code)
    return CliError(
        f"part {part.number}: the connection to storage failed ({type(error).__name__})", UNAVAILABLE
    )

"""Sending a multipart upload's parts with N workers, each part pinned by its SHA-256.

Each worker takes the next part, hashes it from disk, asks Locker to sign a
URL for exactly that part and checksum, and streams the part to storage. A
failed part is signed again and resent a few times (a fresh URL also cures
an expired one); parts may go in any order and again (the last one wins).
Ctrl-C or a part that keeps failing stops every worker at its next chunk.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait

import httpx

from locker_cli import retry
from locker_cli.api import LockerApi
from locker_cli.errors import INTEGRITY, UNAVAILABLE, CliError
from locker_cli.parts import Part, sha256_b64
from locker_cli.progress import Bar
from locker_cli.storage import StorageError, put_range


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
        pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="part")
        futures: list[Future[None]] = [pool.submit(self._send, part) for part in parts]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()
        except BaseException:
            self.cancel.set()
            raise
        finally:
            for future in futures:
                future.cancel()
            pool.shutdown(wait=True)

    def _send(self, part: Part) -> None:
        checksum = sha256_b64(self.fd, part.offset, part.length, self.cancel)
        for attempt in range(retry.ATTEMPTS):
            signed = self.api.sign_parts(self.file_id, [{"partNumber": part.number, "sha256": checksum}])[0]
            moved = 0

            def on_chunk(count: int) -> None:
                nonlocal moved
                moved += count
                self.bar.advance(count)

            try:
                put_range(
                    self.storage, signed["url"], signed["headers"], self.fd, part, on_chunk, self.cancel
                )
            except (httpx.HTTPError, StorageError) as error:
                self.bar.advance(-moved)
                if attempt + 1 < retry.ATTEMPTS and _worth_retrying(error):
                    self._sleep(retry.wait_seconds(attempt))
                    continue
                raise _as_cli_error(part, error) from None
            with self._count:
                self.sent += 1
            return


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

"""``locker upload``: declare, send the bytes, complete; resume an unfinished multipart upload.

Small files (up to the multipart threshold) go in one presigned PUT pinned by
the whole file's SHA-256; larger ones in parts (:mod:`locker_cli.multipart`).
A multipart upload is remembered locally (:mod:`locker_cli.resume`) before
its first part, so rerunning the same command after Ctrl-C or a lost
connection asks storage which parts it holds and sends only the others.
"""

from __future__ import annotations

import contextlib
import mimetypes
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from locker_cli import progress, retry
from locker_cli.api import LockerApi
from locker_cli.errors import INTEGRITY, INTERRUPTED, UNAVAILABLE, USAGE, ApiError, CliError
from locker_cli.multipart import PartSender
from locker_cli.parts import Part, plan, sha256_b64
from locker_cli.resume import ResumeStore, Unfinished
from locker_cli.storage import StorageError, put_range


@dataclass(frozen=True)
class Outcome:
    """What an upload did: the completed file and how many parts this run sent."""

    file: dict[str, Any]
    parts: int  # 0 for a single PUT
    sent: int
    already_stored: int


@dataclass(frozen=True)
class Options:
    """How to upload one local file."""

    path: Path
    filename: str | None = None
    content_type: str | None = None
    workers: int = 4
    quiet: bool = False


class Uploader:
    """Uploads local files for one signed-in user."""

    def __init__(
        self, api: LockerApi, storage: httpx.Client, resume: ResumeStore, username: str, threshold: int
    ) -> None:
        self.api, self.storage, self.resume, self.username, self.threshold = (
            api,
            storage,
            resume,
            username,
            threshold,
        )

    def upload(self, options: Options) -> Outcome:
        """Upload (or resume) ``options.path``; raises CliError."""
        path = options.path
        try:
            size = path.stat().st_size
            handle = path.open("rb")
        except OSError as error:
            raise CliError(f"cannot read {path}: {error.strerror}", USAGE) from None
        with handle:
            if size == 0:
                raise CliError(f"{path} is empty: Locker stores files of 1 byte or more", USAGE)
            fd = handle.fileno()
            unfinished = self.resume.find(self.api.base_url, self.username, path)
            if unfinished is not None:
                resumed = self._resume(unfinished, fd, size, options)
                if resumed is not None:
                    return resumed
            return self._start(fd, size, options)

    def _start(self, fd: int, size: int, options: Options) -> Outcome:
        name = options.filename or options.path.name
        content_type = options.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        declaration: dict[str, Any] = {"filename": name, "contentType": content_type, "size": size}
        if size <= self.threshold:
            declaration["sha256"] = sha256_b64(fd, 0, size)
        try:
            created = self.api.create_file(declaration)
        except ApiError as error:
            if error.status != 400 or "sha256" not in declaration:
                raise
            # A deployment with a lower multipart threshold than we know of refuses a whole-file
            # sha256 (its parts are pinned instead): declare again without it.
            del declaration["sha256"]
            created = self.api.create_file(declaration)
        file, upload = created["file"], created["upload"]
        if upload["method"] == "MULTIPART":
            unfinished = Unfinished(file["id"], int(upload["partSize"]), int(upload["partCount"]))
            self.resume.remember(self.api.base_url, self.username, options.path, unfinished)
            return self._multipart(unfinished, fd, size, options, {})
        return self._single(file, upload, fd, size, options)

    def _resume(self, unfinished: Unfinished, fd: int, size: int, options: Options) -> Outcome | None:
        """Continue a remembered upload; None when it is gone and a new one must start."""
        try:
            file = self.api.get_file(unfinished.file_id)
            if file["status"] == "ready":
                self._forget(options)
                return Outcome(file, unfinished.part_count, 0, unfinished.part_count)
            if file["status"] != "pending":
                raise ApiError(409, "ConflictError", "the upload is no longer pending")
            held = {int(p["partNumber"]): int(p["size"]) for p in self.api.stored_parts(unfinished.file_id)}
        except ApiError as error:
            if error.status not in (404, 409):
                raise
            self._forget(options)  # expired, deleted or rejected: start over
            return None
        return self._multipart(unfinished, fd, size, options, held)

    def _multipart(
        self, unfinished: Unfinished, fd: int, size: int, options: Options, held: dict[int, int]
    ) -> Outcome:
        try:
            parts = plan(size, unfinished.part_size, unfinished.part_count)
        except ValueError as error:
            raise CliError(f"Locker's part plan does not fit this file: {error}") from None
        todo = [p for p in parts if held.get(p.number) != p.length]
        stored = len(parts) - len(todo)
        bar = progress.bar(
            options.filename or options.path.name,
            size,
            quiet=options.quiet,
            done=sum(p.length for p in parts if p not in todo),
        )
        sender = PartSender(self.api, self.storage, unfinished.file_id, fd, bar)
        try:
            sender.send_all(todo, options.workers)
            file = self._complete(unfinished.file_id, sender, parts, options)
        except KeyboardInterrupt:
            raise CliError(
                f"interrupted: {stored + sender.sent} of {len(parts)} parts are in storage; "
                "run the same command to resume",
                INTERRUPTED,
            ) from None
        except CliError as error:
            if error.exit_code != UNAVAILABLE:
                raise
            raise CliError(
                f"{error.message}; {stored + sender.sent} of {len(parts)} parts are in storage: "
                "run the same command to resume",
                UNAVAILABLE,
            ) from None
        finally:
            bar.close()
        self._forget(options)
        return Outcome(file, len(parts), sender.sent, stored)

    def _complete(
        self, file_id: str, sender: PartSender, parts: list[Part], options: Options
    ) -> dict[str, Any]:
        """Complete; if Locker still misses parts (409), send those once more and complete again."""
        for attempt in range(2):
            try:
                return self.api.complete(file_id)
            except ApiError as error:
                if error.status == 422:
                    self._forget(options)
                    raise CliError(f"Locker rejected the upload: {error.detail}", INTEGRITY) from None
                if error.status != 409 or attempt:
                    raise
            held = {int(p["partNumber"]): int(p["size"]) for p in self.api.stored_parts(file_id)}
            missing = [p for p in parts if held.get(p.number) != p.length]
            if not missing:
                raise CliError("Locker refuses to complete although storage holds every part")
            sender.send_all(missing, options.workers)
        raise AssertionError("unreachable")

    def _single(
        self, file: dict[str, Any], upload: dict[str, Any], fd: int, size: int, options: Options
    ) -> Outcome:
        bar = progress.bar(options.filename or options.path.name, size, quiet=options.quiet)
        try:
            self._put_once(upload, fd, size, bar)
            completed = self.api.complete(file["id"])
        except ApiError as error:
            if error.status == 422:  # rejected (final, counts nothing): the record stays to say why
                raise CliError(f"Locker rejected the upload: {error.detail}", INTEGRITY) from None
            self._drop(file["id"])
            raise
        except BaseException:
            self._drop(file["id"])  # nothing half-written: give the reservation back
            raise
        finally:
            bar.close()
        return Outcome(completed, 0, 0, 0)

    def _put_once(self, upload: dict[str, Any], fd: int, size: int, bar: progress.Bar) -> None:
        for attempt in range(retry.ATTEMPTS):
            moved = 0

            def on_chunk(count: int) -> None:
                nonlocal moved
                moved += count
                bar.advance(count)

            try:
                put_range(self.storage, upload["url"], upload["headers"], fd, Part(1, 0, size), on_chunk)
                return
            except StorageError as error:
                if error.status == 412:
                    return  # an earlier attempt's bytes are there already (If-None-Match: *)
                if error.status < 500 or attempt + 1 == retry.ATTEMPTS:
                    raise
            except httpx.TransportError:
                if attempt + 1 == retry.ATTEMPTS:
                    raise CliError("the connection to storage failed; try again", UNAVAILABLE) from None
            bar.advance(-moved)
            time.sleep(retry.wait_seconds(attempt))

    def _drop(self, file_id: str) -> None:
        with contextlib.suppress(CliError):  # else the pending file expires by itself
            self.api.delete(file_id)

    def _forget(self, options: Options) -> None:
        self.resume.forget(self.api.base_url, self.username, options.path)

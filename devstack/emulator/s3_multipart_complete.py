"""CompleteMultipartUpload in one pass over the parts, as S3 assembles an object without copies.

moto's ``FakeMultipart.complete`` reads every part twice, appends it to a
``bytearray`` of the object's whole size and, for a full-object checksum (its
default, ``CRC64NVME``, is a CRC32 without ``awscrt``), to a second one, then
copies both into ``bytes`` and checksums the copy: completing a 1 GiB upload
holds four 1 GiB buffers and takes seconds on its own thread while every
client waits. While ``install()`` is in effect each part is read once, written
to the new object's spool (an ``s3_object_bytes.Assembled``, which the new key
adopts) and added to the checksum as it goes. The checks, their order and
errors (``InvalidPart``, ``EntityTooSmall``, ``MalformedXML``), the ETag and the
checksums are moto's own. A checksum this module cannot compute part by part
(``CRC64NVME`` with ``awscrt``, ``CRC32C`` with the ``crc32c`` library) leaves
the completion to moto, and so does an emulator without ``s3_object_bytes``
installed, which teaches the new key to adopt the spool.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import tempfile
from collections.abc import Iterator

from moto import settings
from moto.core.compat import HAS_CRT
from moto.s3.exceptions import EntityTooSmall, InvalidPart, MalformedXML
from moto.s3.models import FakeMultipart, MultipartChecksumBuilder
from moto.utilities.utils import md5_hash

from devstack.emulator import s3_object_bytes
from devstack.emulator.s3_object_bytes import Assembled

_ORIGINAL_COMPLETE = FakeMultipart.complete
Checksum = tuple[str, str, int] | None


def _computed_as_crc32(algorithm: str) -> bool:
    """Whether moto's ``compute_checksum`` is ``binascii.crc32`` for ``algorithm`` here."""
    if algorithm == "CRC32":
        return True
    if algorithm == "CRC64NVME":
        return not HAS_CRT
    if algorithm == "CRC32C":
        try:
            import crc32c  # noqa: F401  (moto uses it when it is installed)
        except ImportError:
            return True
    return False


def _complete(self: FakeMultipart, body: Iterator[tuple[int, str]]) -> tuple[bytes, str, Checksum]:
    builder = MultipartChecksumBuilder(
        self.metadata.get("x-amz-checksum-algorithm"), self.metadata.get("x-amz-checksum-type")
    )
    composite = builder.checksum_type == "COMPOSITE"
    if not s3_object_bytes.installed() or (
        not composite and not _computed_as_crc32(builder.checksum_algorithm)
    ):
        return _ORIGINAL_COMPLETE(self, body)
    spool_size = settings.get_s3_default_key_buffer_size()
    spool: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(spool_size)  # noqa: SIM115 (the key keeps it)
    try:
        return _assemble(self, body, builder, spool, spool_size)
    except BaseException:
        spool.close()
        raise


def _assemble(
    multipart: FakeMultipart,
    body: Iterator[tuple[int, str]],
    builder: MultipartChecksumBuilder,
    spool: tempfile.SpooledTemporaryFile[bytes],
    spool_size: int,
) -> tuple[bytes, str, Checksum]:
    decode_hex = codecs.getdecoder("hex_codec")
    md5s = bytearray()
    crc, size, count, last = 0, 0, 0, None
    for number, etag in body:
        part = multipart.parts.get(number)
        if part is None or part.etag.replace('"', "") != etag.replace('"', ""):
            raise InvalidPart()
        if last is not None and last.contentsize < settings.S3_UPLOAD_PART_MIN_SIZE:
            raise EntityTooSmall()
        md5s.extend(decode_hex(part.etag.replace('"', ""))[0])  # type: ignore[arg-type]
        value = part.value
        if builder.checksum_type == "COMPOSITE":
            builder.addPart(value)
        else:
            crc = binascii.crc32(value, crc)
        if size + len(value) > spool_size:
            spool.rollover()  # straight to the file (a no-op once rolled)
        spool.write(value)
        size += len(value)
        last, count = part, count + 1
    if count == 0:
        raise MalformedXML
    if builder.checksum_type == "COMPOSITE":
        checksum = builder.build()
    else:
        checksum = (builder.checksum_type, base64.b64encode(crc.to_bytes(4, "big")).decode(), 1)
    etag = f"{md5_hash(bytes(md5s)).hexdigest()}-{count}"
    return Assembled(spool, size), etag, checksum  # type: ignore[return-value]  # a key adopts it


def install() -> None:
    """Complete multipart uploads in one pass (idempotent; with ``s3_object_bytes`` installed)."""
    FakeMultipart.complete = _complete  # type: ignore[method-assign,assignment]


def uninstall() -> None:
    """Restore moto's own completion (tests compare the two)."""
    FakeMultipart.complete = _ORIGINAL_COMPLETE  # type: ignore[method-assign]


def installed() -> bool:
    """Whether multipart uploads currently complete in one pass."""
    return FakeMultipart.complete is _complete  # type: ignore[comparison-overlap]

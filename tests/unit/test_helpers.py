"""Small pure pieces: ids, cursors, content sniffing, Content-Disposition."""

from __future__ import annotations

import base64
import string

import pytest
from chalice.app import BadRequestError
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import cursor, sniff
from chalicelib.disposition import attachment
from chalicelib.model import is_file_id, new_file_id

KEY = b"k" * 32


def test_ids_are_unguessable_and_sort_by_time() -> None:
    ids = [new_file_id(1_800_000_000_000 + i) for i in range(50)]
    assert ids == sorted(ids)
    assert len(set(new_file_id(1) for _ in range(1000))) == 1000
    assert all(is_file_id(i) and len(i) == 36 for i in ids)
    assert not is_file_id(ids[0].lower())
    assert not is_file_id(ids[0][:-1] + "U")  # not in Crockford's alphabet


def test_cursor_round_trip_and_binding() -> None:
    file_id = new_file_id()
    token = cursor.encode(KEY, "alice", file_id)
    assert cursor.decode(KEY, "alice", token) == file_id
    with pytest.raises(BadRequestError):
        cursor.decode(KEY, "bob", token)
    with pytest.raises(BadRequestError):
        cursor.decode(b"x" * 32, "alice", token)


def test_cursors_are_bound_to_their_list() -> None:
    file_id = new_file_id()
    token = cursor.encode(KEY, "alice", file_id, scope="files?status=ready")
    assert cursor.decode(KEY, "alice", token, scope="files?status=ready") == file_id
    for other in ("files?status=pending", "files", "shared"):
        with pytest.raises(BadRequestError):
            cursor.decode(KEY, "alice", token, scope=other)


CURSOR_CHARS = string.ascii_letters + string.digits + "-_.=+/ %~\u00e9"


def test_every_one_character_change_to_a_cursor_is_refused() -> None:
    """Insertions, deletions and substitutions anywhere, including ones a lenient base64 decoder ignores."""
    token = cursor.encode(KEY, "alice", new_file_id())
    changed = {token + "=", token + "==", token.replace(".", "=.", 1), " " + token, token + "\n"}
    for at in range(len(token) + 1):
        changed.update(token[:at] + c + token[at:] for c in CURSOR_CHARS)
    for at in range(len(token)):
        changed.add(token[:at] + token[at + 1 :])
        changed.update(token[:at] + c + token[at + 1 :] for c in CURSOR_CHARS)
    changed.discard(token)
    for candidate in changed:
        with pytest.raises(BadRequestError):
            cursor.decode(KEY, "alice", candidate)


def test_non_canonical_trailing_bits_are_refused() -> None:
    token = cursor.encode(KEY, "alice", new_file_id())
    payload, mac = token.split(".")
    alphabet = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
    last = alphabet.index(mac[-1])
    # 16 MAC bytes are 22 characters: the last one carries 2 bits and 4 unused ones.
    for low in range(1, 16):
        twin = mac[:-1] + alphabet[last ^ low]
        assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(mac + "==")
        with pytest.raises(BadRequestError):
            cursor.decode(KEY, "alice", f"{payload}.{twin}")


@given(st.text(max_size=600))
def test_arbitrary_cursors_are_refused_cleanly(text: str) -> None:
    with pytest.raises(BadRequestError, match="cursor is invalid"):
        cursor.decode(KEY, "alice", text)


@pytest.mark.parametrize(
    ("content_type", "head", "ok"),
    [
        ("image/png", b"\x89PNG\r\n\x1a\nrest", True),
        ("image/png", b"\xff\xd8\xff\xe0", False),
        ("image/jpeg", b"\xff\xd8\xff\xe0", True),
        ("image/gif", b"GIF89a...", True),
        ("image/gif", b"GIF90a...", False),
        ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", True),
        ("image/webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", False),
        ("application/pdf", b"%PDF-1.7", True),
        ("application/pdf", b"<html>", False),
        ("text/plain", "h\u00e9llo".encode(), True),
        ("text/plain", b"a\x00b", False),
        ("text/plain", b"\xff\xfe", False),
        ("text/plain", b"a" * 4095 + "\u00e9".encode()[:1], True),
    ],
)
def test_sniffing(content_type: str, head: bytes, ok: bool) -> None:
    assert sniff.matches(content_type, head) is ok


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("payslip.pdf", "attachment; filename=\"payslip.pdf\"; filename*=UTF-8''payslip.pdf"),
        (
            'r\u00e9sum\u00e9 "v2";.pdf',
            "attachment; filename=\"resume _v2__.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22%3B.pdf",
        ),
        ("\u8cc7\u6599", "attachment; filename=\"download\"; filename*=UTF-8''%E8%B3%87%E6%96%99"),
    ],
)
def test_content_disposition(filename: str, expected: str) -> None:
    assert attachment(filename) == expected

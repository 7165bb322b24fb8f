"""Request parsing: every bad input is a 400 (or 413) that names the field."""

from __future__ import annotations

import base64
import hashlib
import json
import unicodedata
from typing import Any

import pytest
from chalice.app import BadRequestError
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import config
from chalicelib.errors import RequestEntityTooLargeError
from chalicelib.validation import filename, json_object, list_query, new_file
from tests.unit.conftest import SETTINGS_ENV

SETTINGS = config.load(SETTINGS_ENV)
GOOD = {"filename": "payslip.pdf", "contentType": "application/pdf", "size": 1234}
DIGEST = base64.b64encode(hashlib.sha256(b"x").digest()).decode()


def test_a_good_declaration() -> None:
    declared = new_file({**GOOD, "sha256": DIGEST}, SETTINGS)
    assert (declared.filename, declared.content_type, declared.size, declared.sha256) == (
        "payslip.pdf",
        "application/pdf",
        1234,
        DIGEST,
    )


def test_filenames_are_nfc_normalised() -> None:
    assert (
        new_file({**GOOD, "filename": "re\u0301sume\u0301.pdf"}, SETTINGS).filename == "r\u00e9sum\u00e9.pdf"
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"filename": ""}, "filename"),
        ({"filename": "x" * 256}, "filename"),
        ({"filename": "a/b.pdf"}, "filename"),
        ({"filename": "a\\b.pdf"}, "filename"),
        ({"filename": "a\nb.pdf"}, "filename"),
        ({"filename": "a\x00b.pdf"}, "filename"),
        ({"filename": "gpj.\u202eexe"}, "filename"),
        ({"filename": ".."}, "filename"),
        ({"filename": "\ud800.png"}, "filename"),
        ({"filename": "a\udfff"}, "filename"),
        ({"filename": "a\u200bb.png"}, "filename"),
        ({"filename": "\ufeffa.png"}, "filename"),
        ({"filename": "a\ue000.png"}, "filename"),
        ({"filename": "a\U000e0080.png"}, "filename"),
        ({"filename": "a\u2028b.png"}, "filename"),
        ({"filename": 5}, "filename"),
        ({"filename": None}, "filename"),
        ({"contentType": "text/html"}, "contentType"),
        ({"contentType": "IMAGE/PNG"}, "contentType"),
        ({"contentType": None}, "contentType"),
        ({"size": 0}, "size"),
        ({"size": -1}, "size"),
        ({"size": 5 * 1024**3 + 1}, "size"),
        ({"size": 100 * 1024**2 + 1, "sha256": DIGEST}, "sha256"),
        ({"size": 1.5}, "size"),
        ({"size": 12.0}, "size"),
        ({"size": True}, "size"),
        ({"size": "12"}, "size"),
        ({"size": None}, "size"),
        ({"sha256": None}, "sha256"),
        ({"sha256": "abc"}, "sha256"),
        ({"sha256": base64.b64encode(b"x" * 31).decode()}, "sha256"),
        ({"sha256": DIGEST.replace("=", "!")}, "sha256"),
        ({"owner": "someone-else"}, "owner"),
        ({"key": "users/x/y"}, "key"),
        ({"status": "ready"}, "status"),
        ({"id": "01"}, "id"),
    ],
)
def test_bad_fields_are_named(change: dict[str, Any], field: str) -> None:
    with pytest.raises(BadRequestError, match=field):
        new_file({**GOOD, **change}, SETTINGS)


@pytest.mark.parametrize("missing", ["filename", "contentType", "size"])
def test_required_fields(missing: str) -> None:
    body = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(BadRequestError, match=f"{missing} is required"):
        new_file(body, SETTINGS)


@pytest.mark.parametrize(
    "raw", [b"", b"[]", b"null", b'"x"', b"{", b'{"a": NaN}', b'{"a": 1, "a": 2}', b"\xff\xfe", b"[" * 5000]
)
def test_bodies_that_are_not_one_json_object(raw: bytes) -> None:
    with pytest.raises(BadRequestError):
        json_object(raw)


def test_bodies_over_16_kib_are_too_large() -> None:
    raw = json.dumps({**GOOD, "filename": "x" * 17000}).encode()
    with pytest.raises(RequestEntityTooLargeError):
        json_object(raw)
    assert json_object(json.dumps(GOOD).encode()) == GOOD


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "\u0661"},
        {"status": "deleting"},
    ],
)
def test_bad_list_queries(params: dict[str, str]) -> None:
    with pytest.raises(BadRequestError):
        list_query(params)


def test_list_query_defaults_and_ignores_unknown_parameters() -> None:
    query = list_query({"colour": "blue"})
    assert (query.limit, query.cursor, query.status) == (50, None, None)
    assert list_query({"limit": "100", "status": "ready", "cursor": "abc"}).limit == 100


@given(st.text(max_size=300))
def test_any_filename_is_accepted_or_refused_cleanly(name: str) -> None:
    try:
        declared = new_file({**GOOD, "filename": name}, SETTINGS)
    except BadRequestError as exc:
        assert "filename" in str(exc)
    else:
        assert 1 <= len(declared.filename) <= 255
        assert "/" not in declared.filename and "\\" not in declared.filename


# Every Bidi_Control character (Unicode's PropList.txt).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE_ONLY = [
    " ",
    " . ",
    "...",
    "\u3000",  # ideographic space
    "\u00a0",  # no-break space
    "\u2003\u2009",
    "\u200b",  # zero-width space
    "\u200c\u200d",
    "\ufeff",  # byte order mark
    "\u2060",  # word joiner
    "\u3164",  # Hangul filler
    "\u2800",  # blank Braille pattern
    "\u0301",  # a combining mark on nothing
    ". \u3000.\u00a0",
]


@pytest.mark.parametrize("control", list(BIDI_CONTROLS), ids=lambda c: f"U+{ord(c):04X}")
def test_every_bidi_control_is_refused(control: str) -> None:
    with pytest.raises(BadRequestError, match="filename"):
        filename(f"invoice{control}fdp.exe")


@pytest.mark.parametrize("name", INVISIBLE_ONLY, ids=lambda n: "+".join(f"U+{ord(c):04X}" for c in n))
def test_names_that_show_nothing_are_refused(name: str) -> None:
    with pytest.raises(BadRequestError, match="filename"):
        filename(name)


@pytest.mark.parametrize(
    "name", ["r\u00e9sum\u00e9.pdf", "\u8cc7\u6599.pdf", "..a", " a ", "-", "\U0001f4c4.pdf", "x" * 255]
)
def test_ordinary_names_pass(name: str) -> None:
    assert filename(name) == name


@given(st.text(max_size=300))
def test_an_accepted_name_keeps_every_rule(name: str) -> None:
    try:
        accepted = filename(name)
    except BadRequestError as exc:
        assert str(exc).startswith("filename")
        return
    assert accepted == unicodedata.normalize("NFC", name)
    assert 1 <= len(accepted) <= 255
    assert not any(unicodedata.category(c).startswith("C") for c in accepted)
    assert "/" not in accepted and "\\" not in accepted
    assert any(unicodedata.category(c)[0] in "LNPS" and c != "." for c in accepted)


@given(
    st.text(alphabet=st.characters(categories=["Zs", "Cf"], include_characters="."), min_size=1, max_size=40)
)
def test_spaces_dots_and_format_characters_alone_are_refused(name: str) -> None:
    with pytest.raises(BadRequestError, match="filename"):
        filename(name)


@given(
    st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=100),
    st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn"]),
    st.integers(min_value=0, max_value=100),
)
def test_any_control_format_surrogate_or_unassigned_character_is_refused(
    base: str, bad: str, at: int
) -> None:
    with pytest.raises(BadRequestError, match="filename"):
        filename(base[:at] + bad + base[at:])


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"filename": "\\ud800.png"}', "filename"),
        (b'{"filename": "a\\udc00"}', "filename"),
        (b'{"tags": [{"deep": "\\udfff"}]}', "tags"),
        (b'{"\\ud800": 1}', "field names"),
    ],
)
def test_lone_surrogates_anywhere_in_a_body_are_a_400(raw: bytes, field: str) -> None:
    with pytest.raises(BadRequestError, match=field):
        json_object(raw)


def test_escaped_surrogate_pairs_are_ordinary_text() -> None:
    assert json_object(b'{"filename": "\\ud83d\\udcc4.pdf"}') == {"filename": "\U0001f4c4.pdf"}

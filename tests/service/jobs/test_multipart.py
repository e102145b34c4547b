"""Multipart batch bodies: one card per file, refused whole on the first error."""

from __future__ import annotations

import pytest

from service.batches.jsonl import BatchInputError
from service.batches.multipart import parse_multipart

TYPE = "multipart/form-data; boundary=b0und"


def _part(name: bytes, content: bytes, filename: bytes | None = None) -> bytes:
    disposition = b'form-data; name="' + name + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename + b'"'
    return b"--b0und\r\nContent-Disposition: " + disposition + b"\r\n\r\n" + content


def _body(*parts: bytes) -> bytes:
    return b"\r\n".join(parts) + b"\r\n--b0und--\r\n"


def test_files_become_cards_named_after_them_and_fields_are_ignored() -> None:
    body = _body(
        _part(b"files", b"# A\n", b"a.md"),
        _part(b"note", b"ignored"),
        _part(b"files", b"# B\n", b""),
        _part(b"files", b"# C\n", "c\u00e9.md".encode()),
    )
    cards = parse_multipart(body, TYPE, max_items=10)
    assert [(c.item_id, c.content, c.kind) for c in cards] == [
        ("a.md", b"# A\n", "text"),
        ("file-2", b"# B\n", "text"),
        ("c\u00e9.md", b"# C\n", "text"),
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (_body(_part(b"files", b"x", b"a.md")), "multipart/form-data", "boundary"),
        (_part(b"files", b"# A, cut short", b"a.md"), TYPE, "closing boundary"),
        (_body(_part(b"files", b"x", b"a\x00.md")), TYPE, "NUL"),
        (_body(_part(b"files", b"x", b"a" * 301)), TYPE, "over 300 characters"),
        (
            _body(_part(b"files", b"x", b"a.md"), _part(b"files", b"y", b"a.md")),
            TYPE,
            "duplicate file name 'a.md'",
        ),
        (_body(*(_part(b"f", b"x", b"%d" % n) for n in range(4))), TYPE, "more than 3"),
        (_body(*(_part(b"f", b"x") for n in range(4))), TYPE, "more than 3 parts"),
        (_body(_part(b"note", b"only a field")), TYPE, "no files"),
    ],
)
def test_refusals(body: bytes, content_type: str, message: str) -> None:
    with pytest.raises(BatchInputError, match=message):
        parse_multipart(body, content_type, max_items=3)

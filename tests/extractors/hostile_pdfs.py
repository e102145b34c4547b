"""Build small hostile PDFs in memory: decompression bombs and glyph floods.

Each is a valid one-page PDF (Helvetica, a correct xref table) whose single
content stream is Flate-compressed; the compressed stream is built from a
repeated chunk so that even a 200 MB bomb never exists uncompressed here.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Final

MB: Final = 1024 * 1024


def deflate(chunk: bytes, times: int, *, head: bytes = b"", tail: bytes = b"") -> bytes:
    """Compress `head + chunk * times + tail` without building it."""
    packer = zlib.compressobj(9)
    block = chunk * max(1, MB // len(chunk))
    parts = [packer.compress(head)]
    remaining = len(chunk) * times
    while remaining > 0:
        piece = block[:remaining]
        parts.append(packer.compress(piece))
        remaining -= len(piece)
    parts.append(packer.compress(tail))
    parts.append(packer.flush())
    return b"".join(parts)


def one_page_pdf(stream: bytes, *, filters: str = "/FlateDecode") -> bytes:
    """Wrap an encoded content stream into a one-page PDF."""
    objects: Iterable[bytes] = (
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode())
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
        b" /Encoding /WinAnsiEncoding >>",
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(offsets) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def text_pdf(text: str) -> bytes:
    """A normal PDF showing one line of text (Flate-compressed)."""
    content = b"BT /F1 12 Tf 72 720 Td (%s) Tj ET\n" % text.encode("latin-1")
    return one_page_pdf(zlib.compress(content))


def inflate_bomb(size: int = 200 * MB) -> bytes:
    """A PDF whose content stream inflates to `size` bytes of spaces."""
    return one_page_pdf(deflate(b" ", size))


def glyph_flood(glyphs: int = 1_000_000) -> bytes:
    """A PDF whose content draws `glyphs` characters, one `(x) Tj` each."""
    head = b"BT /F1 1 Tf 72 720 Td\n"
    return one_page_pdf(deflate(b"(x) Tj\n", glyphs, head=head, tail=b"ET\n"))


def long_string(glyphs: int = 1_000_000) -> bytes:
    """A PDF with one `Tj` whose string has `glyphs` characters: few tokens."""
    content = b"BT /F1 1 Tf 72 720 Td (" + b"x" * glyphs + b") Tj ET\n"
    return one_page_pdf(zlib.compress(content, 9))

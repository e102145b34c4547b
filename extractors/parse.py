"""Turn a user's file into a `Document` whose text every citation can index.

The text is never rewritten: no newline translation, no normalisation, no
stripping of front matter. Only a byte-order mark is dropped (it is encoding,
not content). What is refused is refused with an `InputError` that tells the
user why, before any extractor sees it.
"""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path
from typing import Any, Final

from extractors.errors import (
    EmptyDocumentError,
    InputError,
    TooLargeError,
    UnsupportedFormatError,
)
from extractors.frontmatter import read_front_matter
from extractors.pdf_limits import DEFAULT_PDF_LIMITS, PdfLimits
from extractors.pdf_sandbox import read_pdf
from extractors.sniff import decode_text, is_pdf, known_binary_format, text_media_type
from extractors.types import Document, MediaType

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
"""20 MiB: far above any license or model card, low enough to bound the work."""

_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
_FORM_FEED: Final = "\f"


def parse_path(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_limits: PdfLimits | None = None,
) -> Document:
    """Read and parse a file, refusing it by size before reading a byte of it."""
    data = _read_bounded(path, max_bytes)
    return parse_bytes(data, name=path.name, max_bytes=max_bytes, pdf_limits=pdf_limits)


def parse_bytes(
    data: bytes,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_limits: PdfLimits | None = None,
) -> Document:
    """Parse the bytes of a text, Markdown or PDF document; the type comes from content.

    `name` is only used as `Document.source`, in messages, and to break a
    Markdown/plain-text tie. A PDF is read in a sandboxed process within
    `pdf_limits` (`DEFAULT_PDF_LIMITS` when None). Raises an `InputError`
    subclass for anything that cannot be read as a document.
    """
    source = _describe(name)
    _check_size(len(data), max_bytes, source)
    if not data:
        raise EmptyDocumentError(f"{source} is empty")
    doc_id = hashlib.sha256(data).hexdigest()
    # Magic numbers first: an archive may hold a PDF within its first KiB.
    binary = known_binary_format(data)
    if binary is not None:
        raise UnsupportedFormatError(
            f"{source} is a {binary}; clausewise reads plain text, Markdown and PDF"
        )
    if is_pdf(data):
        limits = DEFAULT_PDF_LIMITS if pdf_limits is None else pdf_limits
        pdf = read_pdf(data, source=source, limits=limits)
        return _document(doc_id, pdf.text, "application/pdf", name, {}, pdf.page_starts)
    text = decode_text(data, source=source).text
    if not text.strip():
        raise EmptyDocumentError(f"{source} contains only white space")
    media_type = text_media_type(text, name)
    metadata = read_front_matter(text) if media_type == "text/markdown" else {}
    return _document(doc_id, text, media_type, name, metadata, page_starts(text))


def line_starts(text: str) -> tuple[int, ...]:
    """Offsets where lines begin: 0 and after each LF, CRLF or lone CR."""
    return (0, *(match.end() for match in _LINE_BREAK.finditer(text)))


def page_starts(text: str) -> tuple[int, ...]:
    """Offsets where pages begin: 0 and after each form feed."""
    starts = [0]
    index = text.find(_FORM_FEED)
    while index != -1:
        starts.append(index + 1)
        index = text.find(_FORM_FEED, index + 1)
    return tuple(starts)


def _document(
    doc_id: str,
    text: str,
    media_type: MediaType,
    name: str | None,
    metadata: dict[str, Any],
    pages: tuple[int, ...],
) -> Document:
    """Assemble the Document with its line index computed once."""
    return Document(
        id=doc_id,
        text=text,
        media_type=media_type,
        source=name,
        metadata=metadata,
        line_starts=line_starts(text),
        page_starts=pages,
    )


def _read_bounded(path: Path, max_bytes: int) -> bytes:
    """Read a regular file, checking its size with stat first and again after."""
    source = _describe(path.name)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError(f"{path} does not exist") from exc
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path} is a directory, not a document")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} is not a regular file")
    _check_size(info.st_size, max_bytes, source)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    _check_size(len(data), max_bytes, source)  # the file may have grown since stat
    return data


def _check_size(size: int, max_bytes: int, source: str) -> None:
    """Refuse a document over the limit, saying both sizes."""
    if max_bytes < 1:
        raise ValueError(f"max_bytes must be positive, got {max_bytes}")
    if size > max_bytes:
        raise TooLargeError(
            f"{source} is {_human_size(size)} ({size:,} bytes), over the "
            f"{_human_size(max_bytes)} limit ({max_bytes:,} bytes)"
        )


def _human_size(size: int) -> str:
    """Format a byte count the way users read file sizes."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"


def _describe(name: str | None) -> str:
    """Name the document in messages: its file name when there is one."""
    return f"'{name}'" if name else "the document"

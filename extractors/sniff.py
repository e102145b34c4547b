"""Tell what a document really is from its bytes, and decode it without rewriting.

Users mislabel files (a PDF saved as `.txt`, a model card without `.md`), so
the type comes from the content; the name only breaks a Markdown/plain tie.
Decoding never translates newlines or normalises anything: the decoded text is
what every citation offset will index.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from extractors.errors import DecodeError, UnsupportedFormatError
from extractors.frontmatter import find_front_matter
from extractors.types import MediaType

PDF_SIGNATURE: Final = b"%PDF-"
PDF_HEADER_WINDOW: Final = 1024
"""PDF readers accept the header anywhere in the first KiB (junk may precede it)."""

# (offset, magic bytes, what it is). Only signatures that ordinary text cannot
# start with; weak ones (e.g. `MZ`) are left to the NUL-byte check.
_MAGIC: Final[tuple[tuple[int, bytes, str], ...]] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"RIFF", "RIFF media file (WebP, WAV or AVI)"),
    (0, b"PK\x03\x04", "ZIP archive"),
    (0, b"PK\x05\x06", "ZIP archive"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"\xfd7zXZ\x00", "xz archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"Rar!\x1a\x07", "RAR archive"),
    (0, b"\x28\xb5\x2f\xfd", "Zstandard archive"),
    (4, b"\x31\x41\x59\x26\x53\x59", "bzip2 archive"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"\xca\xfe\xba\xbe", "Java class or Mach-O binary"),
    (0, b"\xcf\xfa\xed\xfe", "Mach-O binary"),
    (0, b"\xce\xfa\xed\xfe", "Mach-O binary"),
    (0, b"\x00asm", "WebAssembly module"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Microsoft Office file"),
    (0, b"{\\rtf", "RTF document"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (4, b"ftyp", "MP4/QuickTime media file"),
    (0, b"\x1a\x45\xdf\xa3", "Matroska/WebM media file"),
    (0, b"fLaC", "FLAC audio file"),
    (0, b"OggS\x00", "Ogg media file"),
    (0, b"wOFF", "WOFF font"),
    (0, b"wOF2", "WOFF2 font"),
)

# What a ZIP archive holds, for a message the user recognises.
_ZIP_KINDS: Final[tuple[tuple[bytes, str], ...]] = (
    (b"word/", "Word document (.docx)"),
    (b"xl/", "Excel workbook (.xlsx)"),
    (b"ppt/", "PowerPoint presentation (.pptx)"),
    (b"application/vnd.oasis.opendocument", "OpenDocument file"),
    (b"application/epub+zip", "EPUB book"),
)

# BOMs, longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: Final[tuple[tuple[bytes, str], ...]] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CONTROL_CHARS: Final = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_CONTROL_BYTES: Final = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_NON_CONTROL_BYTES: Final = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
MAX_CONTROL_SHARE: Final = 0.10
"""Above this share of control characters, "text" is really binary data."""

_UTF16_SAMPLE: Final = 4096


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, and how, so a caller can report the encoding."""

    text: str
    encoding: str
    bom: bool


def is_pdf(data: bytes) -> bool:
    """Return True when the bytes carry a PDF header where readers look for one."""
    return PDF_SIGNATURE in data[:PDF_HEADER_WINDOW]


def known_binary_format(data: bytes) -> str | None:
    """Name the binary format the bytes start with, so a refusal can say what."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return _zip_kind(data) if kind == "ZIP archive" else kind
    return None


def _zip_kind(data: bytes) -> str:
    """Tell Office and e-book files from plain ZIP archives: users know them so."""
    for marker, kind in _ZIP_KINDS:
        if marker in data:
            return kind
    return "ZIP archive"


def decode_text(data: bytes, *, source: str = "the document") -> DecodedText:
    """Decode text bytes exactly (BOM removed, newlines untouched).

    Raises DecodeError for bytes that are not valid in the detected encoding,
    and UnsupportedFormatError for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _decode(data, encoding, len(bom), source)
            _reject_control_heavy(text, source)
            return DecodedText(text=text, encoding=encoding, bom=True)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        text = _decode(data, utf16, 0, source)
        _reject_control_heavy(text, source)
        return DecodedText(text=text, encoding=utf16, bom=False)
    _reject_binary_bytes(data, source)
    return DecodedText(
        text=_decode(data, "utf-8", 0, source), encoding="utf-8", bom=False
    )


def _decode(data: bytes, encoding: str, skip: int, source: str) -> str:
    """Decode strictly; a bad byte is reported at its offset in the whole file."""
    try:
        return data[skip:].decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        raise DecodeError(
            f"{source} is not valid {encoding.upper()} text: byte 0x{data[offset]:02x} "
            f"at offset {offset} cannot be decoded ({exc.reason}); "
            "save it as UTF-8 and try again"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """Spot BOM-less UTF-16 by its NULs: ASCII text puts one in every other byte.

    An odd byte count cannot be UTF-16, so such data is left to the binary check.
    """
    sample = data[:_UTF16_SAMPLE]
    pairs = len(sample) // 2
    if pairs == 0 or len(data) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    if odd_nuls >= pairs * 0.25 and even_nuls <= odd_nuls * 0.1:
        return "utf-16-le"
    if even_nuls >= pairs * 0.25 and odd_nuls <= even_nuls * 0.1:
        return "utf-16-be"
    return None


def _reject_binary_bytes(data: bytes, source: str) -> None:
    """Refuse NULs and control-heavy bytes before UTF-8 blames a random byte."""
    if b"\x00" in data:
        raise UnsupportedFormatError(
            f"{source} looks like binary data (it contains NUL bytes), "
            "not a text, Markdown or PDF document"
        )
    controls = len(data.translate(None, _NON_CONTROL_BYTES))
    _raise_if_control_heavy(controls, len(data), source)


def _reject_control_heavy(text: str, source: str) -> None:
    """Apply the binary-data test to text decoded from UTF-16/32 or a UTF-8 BOM."""
    if "\x00" in text:
        raise UnsupportedFormatError(
            f"{source} looks like binary data (it contains NUL characters), "
            "not a text, Markdown or PDF document"
        )
    controls = sum(1 for _ in _CONTROL_CHARS.finditer(text))
    _raise_if_control_heavy(controls, len(text), source)


def _raise_if_control_heavy(controls: int, total: int, source: str) -> None:
    """Raise when control characters make up too much of the content to be text."""
    if total and controls / total > MAX_CONTROL_SHARE:
        raise UnsupportedFormatError(
            f"{source} looks like binary data ({controls} of {total} characters "
            "are control characters), not a text, Markdown or PDF document"
        )


# Markdown evidence: (pattern, weight). Weight 2 is markup plain prose almost
# never has; weight 1 is markup plain-text licenses also use now and then.
_MD_FLAGS: Final = re.MULTILINE
_MD_SIGNALS: Final[tuple[tuple[re.Pattern[str], int], ...]] = (
    (re.compile(r"^ {0,3}#{1,6}[ \t]+\S", _MD_FLAGS), 2),
    (re.compile(r"!?\[[^\[\]\n]+\]\([^()\s]+(?:[ \t]+\"[^\"\n]*\")?\)"), 2),
    (re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S", _MD_FLAGS), 2),
    (
        re.compile(
            r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)+\|?[ \t]*\r?$",
            _MD_FLAGS,
        ),
        2,
    ),
    (re.compile(r"^ {0,3}(?:```|~~~)", _MD_FLAGS), 2),
    (re.compile(r"\*\*[^\s*][^*\n]*\*\*"), 2),
    (re.compile(r"(?<![\w*])\*[^\s*][^*\n]*\*(?![\w*])"), 1),
    (re.compile(r"`[^`\n]+`"), 1),
    (re.compile(r"<https?://[^<>\s]+>"), 1),
    (re.compile(r"^[ \t]*\S[^\n]*\n {0,3}=+[ \t]*\r?$", _MD_FLAGS), 1),
    (re.compile(r"^ {0,3}>[ \t]?\S", _MD_FLAGS), 1),
    (re.compile(r"</?(?:br|div|p|details|summary|img|a|sup|sub|span)\b[^<>\n]*>"), 1),
)
_BULLET: Final = re.compile(r"^ {0,3}[-*+][ \t]+\S", _MD_FLAGS)
MARKDOWN_THRESHOLD: Final = 3
"""A score at or above this is Markdown whatever the name; 1 to 2 is a tie."""
_MARKDOWN_SUFFIXES: Final = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx"})
_SCAN_CHARS: Final = 200_000
"""Markup shows early; scanning a bounded prefix keeps sniffing fast on big files."""


def markdown_score(text: str) -> int:
    """Weigh the kinds of Markdown markup present (each kind counts once)."""
    head = text[:_SCAN_CHARS]
    if find_front_matter(head) is not None:
        return MARKDOWN_THRESHOLD
    score = sum(weight for pattern, weight in _MD_SIGNALS if pattern.search(head))
    bullets = _BULLET.finditer(head)
    if next(bullets, None) is not None and next(bullets, None) is not None:
        score += 1
    return score


def text_media_type(text: str, name: str | None = None) -> MediaType:
    """Decide Markdown vs plain text from content; the name only breaks a tie."""
    score = markdown_score(text)
    if score >= MARKDOWN_THRESHOLD:
        return "text/markdown"
    if score > 0 and name is not None:
        if PurePath(name).suffix.lower() in _MARKDOWN_SUFFIXES:
            return "text/markdown"
    return "text/plain"

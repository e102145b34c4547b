from __future__ import annotations

import codecs

import pytest

from extractors.errors import DecodeError, UnsupportedFormatError
from extractors.sniff import (
    MARKDOWN_THRESHOLD,
    decode_text,
    is_pdf,
    known_binary_format,
    markdown_score,
    text_media_type,
)

PROSE = "The licensee may copy the files.\nNo other rights are given.\n"


# --- PDF and binary signatures ----------------------------------------------


def test_pdf_header_found_within_first_kib() -> None:
    assert is_pdf(b"%PDF-1.7\n...")
    assert is_pdf(b"junk before the header " * 10 + b"%PDF-1.4\n")


def test_pdf_header_after_first_kib_is_not_pdf() -> None:
    assert not is_pdf(b"x" * 1024 + b"%PDF-1.4\n")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"\x7fELF\x02\x01\x01", "ELF executable"),
        (b"PK\x03\x04\x14\x00somefile.txt", "ZIP archive"),
        (b"PK\x03\x04\x14\x00word/document.xml", "Word document (.docx)"),
    ],
)
def test_known_binary_formats_are_named(data: bytes, kind: str) -> None:
    assert known_binary_format(data) == kind


def test_text_has_no_binary_format() -> None:
    assert known_binary_format(PROSE.encode()) is None


# --- decoding ----------------------------------------------------------------


def test_plain_utf8_is_decoded_as_is() -> None:
    decoded = decode_text("Caf\u00e9 terms\r\nline two\r\n".encode())
    assert decoded.text == "Caf\u00e9 terms\r\nline two\r\n"
    assert (decoded.encoding, decoded.bom) == ("utf-8", False)


@pytest.mark.parametrize(
    ("bom", "codec", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    ],
)
def test_bom_is_honoured_and_removed(bom: bytes, codec: str, encoding: str) -> None:
    decoded = decode_text(bom + PROSE.encode(codec))
    assert decoded.text == PROSE
    assert (decoded.encoding, decoded.bom) == (encoding, True)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(codec: str) -> None:
    decoded = decode_text(PROSE.encode(codec))
    assert decoded.text == PROSE
    assert (decoded.encoding, decoded.bom) == (codec, False)


def test_invalid_utf8_names_the_byte_offset() -> None:
    data = b"Valid start, then " + b"\xe9" + b" a Latin-1 byte."
    with pytest.raises(DecodeError, match=r"offset 18\b") as info:
        decode_text(data, source="'terms.txt'")
    assert "'terms.txt'" in str(info.value)
    assert "0xe9" in str(info.value)


def test_invalid_utf8_after_bom_counts_the_bom() -> None:
    with pytest.raises(DecodeError, match=r"offset 5\b"):
        decode_text(codecs.BOM_UTF8 + b"ab\xff")


def test_nul_bytes_are_binary_data() -> None:
    junk = bytes([7, 0, 200, 13, 0, 0, 91, 255, 0, 3, 250, 0, 1, 0, 0, 9] * 8)
    with pytest.raises(UnsupportedFormatError, match="binary data"):
        decode_text(junk)


def test_control_heavy_bytes_are_binary_data() -> None:
    with pytest.raises(UnsupportedFormatError, match="control characters"):
        decode_text(b"\x01\x02\x03ab\x04\x05\x06cd\x1b\x1b")


def test_a_few_control_characters_are_tolerated() -> None:
    text = "Red \x1b[31mwarning\x1b[0m text in an otherwise long plain line.\n"
    assert decode_text(text.encode()).text == text


# --- Markdown or plain text --------------------------------------------------


def test_plain_prose_scores_zero() -> None:
    assert markdown_score(PROSE) == 0


def test_front_matter_alone_makes_markdown() -> None:
    text = "---\nlicense: mit\n---\nJust words here.\n"
    assert markdown_score(text) >= MARKDOWN_THRESHOLD
    assert text_media_type(text, "card.txt") == "text/markdown"


def test_headings_links_and_emphasis_make_markdown() -> None:
    text = "# Terms\n\nRead the [policy](https://example.com/p) **before** use.\n"
    assert text_media_type(text) == "text/markdown"


def test_table_and_lists_make_markdown() -> None:
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n"
    assert text_media_type(text, None) == "text/markdown"


def test_md_name_on_plain_prose_is_text() -> None:
    assert text_media_type(PROSE, "notes.md") == "text/plain"


def test_extension_breaks_a_tie_only() -> None:
    text = "Some terms.\n\n- first item\n- second item\n"
    assert 0 < markdown_score(text) < MARKDOWN_THRESHOLD
    assert text_media_type(text, "terms.md") == "text/markdown"
    assert text_media_type(text, "terms.txt") == "text/plain"
    assert text_media_type(text, None) == "text/plain"


def test_odd_length_data_with_a_nul_is_binary_not_utf16() -> None:
    with pytest.raises(UnsupportedFormatError, match="NUL"):
        decode_text(b"abc\x00def")

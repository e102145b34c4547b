from __future__ import annotations

import codecs
import hashlib
import io
import json
import os
from pathlib import Path

import pdfplumber
import pytest

from extractors.errors import (
    DecodeError,
    EmptyDocumentError,
    InputError,
    PdfError,
    TooLargeError,
    UnsupportedFormatError,
)
from extractors.frontmatter import FRONT_MATTER_ERROR
from extractors.parse import (
    DEFAULT_MAX_BYTES,
    line_starts,
    page_starts,
    parse_bytes,
    parse_path,
)
from extractors.types import CharSpan, Citation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parse"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
CRLF_CORPUS_DOC = "tencent-hunyuan-community-license-hunyuan-a13b.txt"

PROSE = b"Widget Terms\n\nYou may run the widget.\nYou may not resell it.\n"


# --- plain text ----------------------------------------------------------------


def test_plain_text_document() -> None:
    doc = parse_bytes(PROSE, name="terms.txt")
    assert doc.text == PROSE.decode()
    assert doc.media_type == "text/plain"
    assert doc.source == "terms.txt"
    assert doc.id == hashlib.sha256(PROSE).hexdigest()
    assert doc.metadata == {}
    assert doc.line_starts == (0, 13, 14, 38, 61)
    assert doc.page_starts == (0,)


def test_line_of_and_page_of() -> None:
    doc = parse_bytes(b"one\ntwo\fthree\nfour\ffive")
    assert doc.page_starts == (0, 8, 19)
    positions = {word: doc.text.index(word) for word in ("one", "two", "three", "four")}
    assert doc.line_of(positions["one"]) == 1
    assert doc.line_of(positions["two"]) == 2
    assert doc.line_of(positions["three"]) == 2  # a form feed is not a line break
    assert doc.line_of(positions["four"]) == 3
    assert [doc.page_of(doc.text.index(w)) for w in ("two", "three", "five")] == [
        1,
        2,
        3,
    ]


def test_crlf_is_kept_and_lone_cr_ends_a_line() -> None:
    data = b"First line\r\nSecond line\r\nold Mac line\rlast"
    doc = parse_bytes(data)
    assert doc.text == data.decode()
    assert "\r\n" in doc.text
    assert doc.line_starts == (0, 12, 25, 38)
    assert doc.line_of(doc.text.index("last")) == 4


def test_helpers_agree_with_the_spec() -> None:
    assert line_starts("a\r\nb\rc\n") == (0, 3, 5, 7)
    assert page_starts("p1\fp2\f") == (0, 3, 6)


def test_bom_is_removed_and_offsets_index_the_text() -> None:
    doc = parse_bytes(codecs.BOM_UTF8 + PROSE)
    assert doc.text == PROSE.decode()
    assert doc.id == hashlib.sha256(codecs.BOM_UTF8 + PROSE).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + PROSE.decode().encode("utf-16-le"),
        codecs.BOM_UTF16_BE + PROSE.decode().encode("utf-16-be"),
        PROSE.decode().encode("utf-16-le"),
    ],
)
def test_utf16_documents(data: bytes) -> None:
    assert parse_bytes(data).text == PROSE.decode()


# --- Markdown ------------------------------------------------------------------


def test_markdown_front_matter_is_read_and_kept_in_the_text() -> None:
    raw = (FIXTURES / "model_card.md").read_bytes()
    doc = parse_path(FIXTURES / "model_card.md")
    assert doc.media_type == "text/markdown"
    assert doc.text == raw.decode()
    assert doc.text.startswith("---\nlicense: other\n")
    assert doc.metadata["license"] == "other"
    assert doc.metadata["license_name"] == "example-community-license"
    assert doc.metadata["license_link"] == "https://example.com/LICENSE"
    assert doc.metadata["base_model"] == "example-org/base-7b"
    assert doc.metadata["extra_gated_prompt"].startswith("Please read and accept")
    assert doc.metadata["tags"] == ["text-generation"]
    sentence = "Commercial use needs a separate written agreement with Example Corp."
    start = raw.index(sentence.encode())
    citation = Citation.from_span(doc, CharSpan(start, start + len(sentence)))
    citation.verify(doc)
    assert citation.quote == sentence
    assert citation.line == raw[:start].count(b"\n") + 1 == 19


def test_front_matter_with_crlf() -> None:
    data = b"---\r\nlicense: apache-2.0\r\n---\r\n# Card\r\nBody text.\r\n"
    doc = parse_bytes(data)
    assert doc.metadata == {"license": "apache-2.0"}
    assert doc.text == data.decode()


def test_invalid_front_matter_is_recorded_not_raised() -> None:
    data = b"---\nlicense: [unclosed\nname: x\n---\n# Card\n\nBody.\n"
    doc = parse_bytes(data, name="card.md")
    assert doc.media_type == "text/markdown"
    assert doc.text == data.decode()
    assert set(doc.metadata) == {FRONT_MATTER_ERROR}
    assert "not valid YAML" in doc.metadata[FRONT_MATTER_ERROR]


def test_non_mapping_front_matter_is_recorded() -> None:
    doc = parse_bytes(b"---\n- just\n- a list\n---\n# Card\n")
    assert doc.metadata == {
        FRONT_MATTER_ERROR: "front matter is a YAML list, not a mapping"
    }


def test_md_name_on_plain_prose_is_text() -> None:
    doc = parse_bytes(PROSE, name="readme.md")
    assert doc.media_type == "text/plain"


# --- refusals ------------------------------------------------------------------


def test_png_is_refused_by_name_of_type() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
    with pytest.raises(UnsupportedFormatError, match="PNG image"):
        parse_bytes(png, name="terms.txt")


def test_zip_holding_a_pdf_is_refused_as_zip() -> None:
    data = b"PK\x03\x04\x0a\x00" + b"\x00" * 24 + b"terms.pdf%PDF-1.4\n%%EOF\n"
    with pytest.raises(UnsupportedFormatError, match="ZIP archive"):
        parse_bytes(data, name="terms.pdf")


def test_random_bytes_with_nuls_are_refused() -> None:
    junk = hashlib.sha512(b"seed").digest() * 4 + b"\x00\x01\x00\x02"
    with pytest.raises(UnsupportedFormatError, match="binary data"):
        parse_bytes(junk)


def test_invalid_utf8_reports_offset() -> None:
    with pytest.raises(DecodeError, match="offset 7"):
        parse_bytes(b"Terms: \xff\xfe broken", name="bad.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", codecs.BOM_UTF8 + b"\n"])
def test_empty_and_whitespace_only(data: bytes) -> None:
    with pytest.raises(EmptyDocumentError):
        parse_bytes(data)


def test_too_large_bytes_message_has_size_and_limit() -> None:
    with pytest.raises(TooLargeError, match=r"2,000 bytes.*1,024 bytes"):
        parse_bytes(b"a" * 2000, name="big.txt", max_bytes=1024)


def test_too_large_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"b" * 4096)

    def refuse_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", refuse_open)
    with pytest.raises(TooLargeError, match="4.0 KiB"):
        parse_path(path, max_bytes=1000)


def test_default_limit_is_20_mib() -> None:
    assert DEFAULT_MAX_BYTES == 20 * 1024 * 1024


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        parse_path(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        parse_path(tmp_path)


# --- PDF -----------------------------------------------------------------------


def test_pdf_with_two_pages() -> None:
    doc = parse_path(FIXTURES / "two_pages.pdf")
    assert doc.media_type == "application/pdf"
    assert doc.text == (
        "Sample Terms for Widgets\nYou may use the widget at home."
        "\fSecond Page\nDisputes go to the courts of Atlantis."
    )
    assert doc.page_starts == (0, doc.text.index("\f") + 1)
    assert doc.page_of(doc.text.index("widget")) == 1
    assert doc.page_of(doc.text.index("Atlantis")) == 2
    assert doc.line_of(doc.text.index("You may")) == 2
    assert doc.source == "two_pages.pdf"


def test_txt_name_on_pdf_bytes_is_parsed_as_pdf() -> None:
    data = (FIXTURES / "two_pages.pdf").read_bytes()
    doc = parse_bytes(data, name="terms.txt")
    assert doc.media_type == "application/pdf"
    assert doc.id == hashlib.sha256(data).hexdigest()


def test_encrypted_pdf_asks_for_a_password() -> None:
    data = (FIXTURES / "encrypted.pdf").read_bytes()
    with pytest.raises(PdfError, match="encrypted.*password"):
        parse_bytes(data, name="locked.pdf")
    # The fixture is really encrypted, not merely broken: the password opens it.
    with pdfplumber.open(io.BytesIO(data), password="open-sesame") as pdf:
        assert "Secret Terms" in (pdf.pages[0].extract_text() or "")


def test_truncated_pdf() -> None:
    data = (FIXTURES / "two_pages.pdf").read_bytes()
    with pytest.raises(PdfError, match="truncated"):
        parse_bytes(data[: len(data) * 2 // 3])


def test_corrupt_pdf_wraps_the_pdfminer_error() -> None:
    data = b"%PDF-1.4\n" + bytes(range(1, 200)) + b"\n%%EOF\n"
    with pytest.raises(PdfError, match="corrupt") as info:
        parse_bytes(data)
    assert info.value.__cause__ is not None


def test_pdf_without_text() -> None:
    with pytest.raises(PdfError, match="no extractable text"):
        parse_path(FIXTURES / "blank.pdf")


# --- the labelled corpus ---------------------------------------------------------


def _corpus_pdfs() -> list[str]:
    if not CORPUS.is_dir():
        return []
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return sorted(e["file"] for e in manifest if e["file"].endswith(".pdf"))


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
@pytest.mark.parametrize("name", _corpus_pdfs())
def test_corpus_pdf_matches_reference_text(name: str) -> None:
    doc = parse_path(CORPUS / "docs" / name)
    expected = (CORPUS / "docs" / f"{name}.txt").read_bytes().decode("utf-8")
    assert doc.text == expected
    assert len(doc.page_starts) == expected.count("\f") + 1


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_corpus_crlf_document_keeps_its_cr() -> None:
    path = CORPUS / "docs" / CRLF_CORPUS_DOC
    doc = parse_path(path)
    assert "\r\n" in doc.text
    assert doc.text == path.read_bytes().decode("utf-8")
    assert os.path.getsize(path) == len(doc.text.encode("utf-8"))

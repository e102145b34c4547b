"""What a PDF reader returns, apart from the reader: importing it loads no pdfplumber.

The sandbox and its wire format only carry this value; pdfplumber (about a
tenth of a second to import) is loaded where PDFs are read, in the reader
process, not in every process that might receive one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PdfText:
    """The extracted text and where each page starts in it."""

    text: str
    page_starts: tuple[int, ...]

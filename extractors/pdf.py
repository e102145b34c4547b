"""PDF text extraction, exactly as the labelled corpus was made.

The corpus `.pdf.txt` files are pdfplumber 0.11.10's `extract_text()` per page,
joined by form feeds; gold offsets index that text, so this module must produce
it byte for byte and must not tidy it up.

This is the one place that talks to pdfplumber/pdfminer. Their exceptions are
many and undocumented, so every failure is caught here and re-raised as
`PdfError` with the cause chained: nothing from them escapes unwrapped.
"""

from __future__ import annotations

import io
from typing import Final

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from extractors.errors import InputError, PdfError, PdfTooLargeError
from extractors.pdf_text import PdfText

PAGE_SEPARATOR: Final = "\f"
EOF_MARKER: Final = b"%%EOF"
EOF_WINDOW: Final = 1024
"""Readers expect `%%EOF` in the last KiB; without it the file was cut short."""


def extract_pdf(
    data: bytes, *, source: str = "the PDF", max_pages: int | None = None
) -> PdfText:
    """Extract the text of every page, pages separated by a form feed.

    This runs pdfplumber in the calling process with no bound on its cost:
    untrusted PDFs go through `extractors.pdf_sandbox.read_pdf`, which runs
    this in a limited child process. Raises PdfError when the PDF is
    truncated, encrypted, corrupt, or has no extractable text (a scanned
    image needs OCR first), and PdfTooLargeError when it has more than
    `max_pages` pages (counted before any text is extracted).
    """
    if EOF_MARKER not in data[-EOF_WINDOW:]:
        raise PdfError(
            f"{source} looks truncated (no %%EOF marker at its end); "
            "download or export it again"
        )
    pages = _page_texts(data, source, max_pages)
    if not pages:
        raise PdfError(f"{source} has no pages")
    text = PAGE_SEPARATOR.join(pages)
    if not text.strip():
        raise PdfError(
            f"{source} has no extractable text (it may be a scanned image); "
            "run OCR on it or supply a text version"
        )
    return PdfText(text=text, page_starts=_page_starts(pages))


def _page_starts(pages: list[str]) -> tuple[int, ...]:
    """Offsets where each page begins: just after each separating form feed."""
    starts = [0]
    for page in pages[:-1]:
        starts.append(starts[-1] + len(page) + len(PAGE_SEPARATOR))
    return tuple(starts)


def _page_texts(data: bytes, source: str, max_pages: int | None) -> list[str]:
    """Run pdfplumber; translate any failure of it into a PdfError with a reason.

    MemoryError and our own InputErrors (the page limit, or a budget limit
    that `extractors.pdf_guards` raised inside pdfminer) pass through, even
    when pdfplumber wrapped them: they are the real reason, not corruption.
    """
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if max_pages is not None and len(pdf.pages) > max_pages:
                raise PdfTooLargeError(
                    f"{source} has {len(pdf.pages)} pages, over the limit of "
                    f"{max_pages}"
                )
            texts: list[str] = []
            for page in pdf.pages:
                texts.append(page.extract_text() or "")
                page.close()
            return texts
    except Exception as exc:  # the single pdfplumber boundary: see module doc
        cause = _unwrap(exc)
        if isinstance(cause, MemoryError | InputError):
            raise cause from None
        raise _pdf_error(exc, source) from exc


def _pdf_error(exc: Exception, source: str) -> PdfError:
    """Build the user-facing error for a pdfplumber/pdfminer failure."""
    cause = _unwrap(exc)
    if isinstance(cause, PDFPasswordIncorrect):
        return PdfError(
            f"{source} is encrypted and needs a password to open; "
            "remove the password protection and try again"
        )
    if isinstance(cause, PDFEncryptionError):
        return PdfError(
            f"{source} is encrypted with an unsupported method ({cause}); "
            "save an unencrypted copy and try again"
        )
    reason = str(cause).strip() or "no detail given"
    return PdfError(
        f"{source} is corrupt or not a readable PDF: {type(cause).__name__}: {reason}"
    )


def _unwrap(exc: BaseException) -> BaseException:
    """Find the pdfminer error that pdfplumber wrapped (it passes it as args[0])."""
    if isinstance(exc, PdfminerException) and exc.args:
        inner = exc.args[0]
        if isinstance(inner, BaseException):
            return _unwrap(inner)
    return exc

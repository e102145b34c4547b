"""How much one PDF may cost to read, and the running count against it.

A PDF is a program: a 3 KB file can draw a million glyphs, a 100 KB one can
inflate to gigabytes. `PdfLimits` bounds each kind of work; `Budget` counts
the work as pdfminer does it (see `extractors.pdf_guards`) and refuses the
PDF the moment a count passes its limit, long before memory runs out. Time
and memory are bounded by the sandbox itself (`extractors.pdf_sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from extractors.errors import PdfTooLargeError

MIB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PdfLimits:
    """The most one PDF may take to read.

    The largest PDF of the labelled corpus (a 24-page, 1.2 MB guide) inflates
    to 0.3 MB, has 115,000 content tokens and 39,000 characters, and takes
    about 3 s and 60 MB; the counted defaults allow five to ten times that.
    Every character drawn costs pdfminer and pdfplumber 30 to 60
    microseconds and a few KB, so the character and token limits are what
    keep a flood short (a million `(x) Tj` is refused after about 7 s instead
    of a minute and 2 GB); time and memory are backstops that kill the
    reader.
    """

    timeout_s: float = 30.0
    """Wall-clock seconds before the reader process is killed."""
    cpu_s: int = 30
    """CPU seconds before the kernel stops the reader (RLIMIT_CPU)."""
    max_memory_bytes: int = 1024 * MIB
    """Address space of the reader process (RLIMIT_AS)."""
    max_inflated_bytes: int = 32 * MIB
    """Bytes that compressed streams (Flate, LZW, RunLength) may expand to.

    Kept low because pdfminer's lexer is slow on what it inflates: one page
    whose content stream inflates to 60 MB (a 120 KB file) kept a reader busy
    past a 30 s time limit, while one of 32 MB is refused in milliseconds. The
    corpus's PDFs inflate to 0.3 MB at most."""
    max_content_tokens: int = 1_000_000
    """Operators and operands read from page content streams."""
    max_chars: int = 200_000
    """Characters (glyphs) drawn on all pages together."""
    max_pages: int | None = None
    """Pages; None leaves the count to the other limits."""

    def __post_init__(self) -> None:
        """Refuse a limit that would refuse everything or nothing at all."""
        if self.timeout_s <= 0 or self.cpu_s < 1:
            raise ValueError("PDF time limits must be positive")
        counted = (
            self.max_memory_bytes,
            self.max_inflated_bytes,
            self.max_content_tokens,
            self.max_chars,
        )
        if min(counted) < 1 or (self.max_pages is not None and self.max_pages < 1):
            raise ValueError("PDF size limits must be positive")


DEFAULT_PDF_LIMITS: Final = PdfLimits()


class Budget:
    """What one parse has used so far; raises `PdfTooLargeError` past a limit.

    The first error raised is kept in `breach`: pdfminer swallows some
    exceptions (a broken font, a bad stream) and carries on, so the reader
    checks `breach` at the end rather than trusting that the error arrived.
    """

    __slots__ = ("breach", "chars", "inflated", "limits", "source", "tokens")

    def __init__(self, limits: PdfLimits, source: str) -> None:
        self.limits = limits
        self.source = source
        self.inflated = 0
        self.tokens = 0
        self.chars = 0
        self.breach: PdfTooLargeError | None = None

    def inflate_room(self) -> int:
        """Return how many more bytes streams may inflate to."""
        return max(0, self.limits.max_inflated_bytes - self.inflated)

    def charge_inflated(self, size: int) -> None:
        """Count bytes a decompression produced."""
        self.inflated += size
        if self.inflated > self.limits.max_inflated_bytes:
            self._refuse(
                f"inflates to more than {self.limits.max_inflated_bytes:,} bytes "
                "of decompressed data (a decompression bomb?)"
            )

    def charge_token(self) -> None:
        """Count one operator or operand read from a content stream."""
        self.tokens += 1
        if self.tokens > self.limits.max_content_tokens:
            self._refuse(
                f"has more than {self.limits.max_content_tokens:,} operators and "
                "operands in its page content; it is too complex to read"
            )

    def charge_char(self) -> None:
        """Count one character drawn."""
        self.chars += 1
        if self.chars > self.limits.max_chars:
            self._refuse(f"draws more than {self.limits.max_chars:,} characters")

    def _refuse(self, reason: str) -> None:
        error = PdfTooLargeError(f"{self.source} {reason}")
        if self.breach is None:
            self.breach = error
        raise error

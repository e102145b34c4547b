"""The clausewise exception hierarchy.

Every error raised on purpose by the engine derives from `ClausewiseError`, so
callers (the CLI, the service) can turn any of them into a clear message
without catching unrelated bugs::

    ClausewiseError
    ├── ConfigError          bad pattern/rule/profile data; raised at load time
    ├── InputError           a document we refuse to read (the user's fault)
    │   ├── EmptyDocumentError
    │   ├── UnsupportedFormatError   binary junk, unknown type
    │   ├── DecodeError              not valid UTF-8/UTF-16 text
    │   ├── PdfError                 encrypted or corrupt PDF
    │   ├── TooLargeError            over the size limit
    │   └── PdfLimitError            reading the PDF passed a resource limit
    │       ├── PdfTooLargeError     too many inflated bytes, content tokens,
    │       │                        characters or pages (also a TooLargeError)
    │       ├── PdfResourceError     out of time or memory; the reader was killed
    │       └── PdfBusyError         every PDF reader slot stayed busy (try later)
    ├── ModelError           the model stage cannot run
    │   ├── ModelUnavailableError         weights or optional packages not installed
    │   └── ModelIntegrityError      weights whose SHA-256 is not the pinned one,
    │                                or a corrupt conversion cache
    ├── ExtractionError      an extractor failed on a document (a bug)
    └── CitationError        a citation that does not verify (always a bug)
"""

from __future__ import annotations


class ClausewiseError(Exception):
    """Base of every error clausewise raises on purpose."""


class ConfigError(ClausewiseError):
    """Pattern, rule, profile or engine configuration data is invalid."""


class InputError(ClausewiseError):
    """A document cannot be read; the message says why in user terms."""


class EmptyDocumentError(InputError):
    """The document has no text at all."""


class UnsupportedFormatError(InputError):
    """The bytes are not a text, Markdown or PDF document."""


class DecodeError(InputError):
    """The bytes look like text but do not decode in any supported encoding."""


class PdfError(InputError):
    """The PDF is encrypted, corrupt, or has no extractable text."""


class TooLargeError(InputError):
    """The document exceeds the configured size limit."""


class PdfLimitError(InputError):
    """Reading the PDF would pass a resource limit, so the reader was stopped.

    A small PDF can inflate to gigabytes or draw millions of glyphs; these
    errors refuse it instead of letting it starve the process (see
    `extractors.pdf_sandbox`).
    """


class PdfTooLargeError(PdfLimitError, TooLargeError):
    """The PDF holds more than allowed: inflated bytes, content, characters, pages."""


class PdfResourceError(PdfLimitError):
    """Reading the PDF took more time or memory than allowed, or its reader died."""


class PdfBusyError(PdfLimitError):
    """Every reader slot stayed busy for the whole time limit: not the PDF's fault.

    Readers run at most a few at a time (`extractors.pdf_sandbox`), so a flood
    of costly PDFs uses a bounded share of the machine; a PDF that waited its
    whole time limit for a slot is refused, to be sent again later.
    """


class ModelError(ClausewiseError):
    """The model stage cannot run; the message says what to install or fix."""


class ModelUnavailableError(ModelError):
    """Model weights or the optional packages that run them are not installed."""


class ModelIntegrityError(ModelError):
    """Weights do not hash to the pinned SHA-256, or a cached copy is corrupt."""


class ExtractionError(ClausewiseError):
    """An extractor failed on a document; carries the extractor's name."""

    def __init__(self, message: str, *, extractor: str, document: str) -> None:
        super().__init__(f"{extractor} failed on {document}: {message}")
        self.extractor = extractor
        self.document = document


class CitationError(ClausewiseError):
    """A citation does not match the text it claims to quote."""

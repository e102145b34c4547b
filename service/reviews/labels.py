"""A reviewed document as a gold label file (ANNOTATION.md, "Gold file format").

The offsets index the stored text, which is the text `clausewise eval`
reads back from the exported document: an exported text document is its
stored text byte for byte, and a PDF travels as the text it was parsed to
(`NAME.txt`), since that text is what every offset indexes.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Final

from service.documents.tables import DocumentRecord
from service.reviews.state import Review

_SUFFIX: Final = {
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".txt",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def document_file_name(document: DocumentRecord) -> str:
    """Return a safe file name for the document, with its type's extension."""
    stem = PurePosixPath(document.name or "").name
    suffix = _SUFFIX[document.media_type]
    for known in (".pdf", ".txt", ".md", ".markdown"):
        if stem.lower().endswith(known):
            stem = stem[: -len(known)]
            break
    stem = _UNSAFE.sub("-", stem).strip(".-") or f"document-{document.id.hex[:8]}"
    return stem[:150] + suffix


def gold_labels(review: Review, doc_name: str) -> dict[str, Any]:
    """Return the review's kept clauses in the gold file format."""
    return {
        "doc": doc_name,
        "spans": [
            {
                "type": c.type.value,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
                "params": dict(c.params),
            }
            for c in review.kept
        ],
    }

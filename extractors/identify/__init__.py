"""Known-license identification: which license a text is, and what it changed.

A text is fingerprinted (normalised words, SHA-256, sampled shingle hashes)
and compared with an index of known licenses and use policies built from the
labelled corpus (`python -m extractors.identify.build`). Model cards get an
extra check of their declared license and base model.
"""

from collections.abc import Sequence
from typing import Any

from extractors.identify.index import (
    ClauseRecord,
    IndexEntry,
    LicenseIndex,
    load_default_index,
    load_index,
)
from extractors.identify.match import (
    Candidate,
    ClauseDifference,
    Identification,
    identify,
)
from extractors.identify.modelcard import KnownLicense, ModelCardNote, check_model_card
from extractors.types import ClauseTag, Document

__all__ = [
    "Candidate",
    "ClauseDifference",
    "ClauseRecord",
    "Identification",
    "IndexEntry",
    "KnownLicense",
    "LicenseIndex",
    "ModelCardNote",
    "check_model_card",
    "identify",
    "identify_document",
    "load_default_index",
    "load_index",
]


def identify_document(
    document: Document, clauses: Sequence[ClauseTag]
) -> dict[str, Any]:
    """Identify `document` against the shipped index, as JSON for the engine.

    Model cards (a document with front matter) also get their declared
    license and base model checked.
    """
    identification = identify(document, clauses, load_default_index())
    result = identification.to_dict()
    if document.metadata:
        notes = check_model_card(document, identification)
        result["model_card_notes"] = [note.to_dict() for note in notes]
    return result

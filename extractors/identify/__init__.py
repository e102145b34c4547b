"""Known-license identification: which license a text is, and what it changed.

A text is fingerprinted (normalised words, SHA-256, sampled shingle hashes)
and compared with an index of known licenses and use policies built from the
labelled corpus (`python -m extractors.identify.build`). Model cards get an
extra check of their declared license and base model.
"""

from collections.abc import Sequence
from dataclasses import dataclass

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
from extractors.result_json import LicenseJSON
from extractors.types import ClauseTag, Document

__all__ = [
    "Candidate",
    "ClauseDifference",
    "ClauseRecord",
    "Identification",
    "IndexEntry",
    "KnownLicense",
    "LicenseIndex",
    "LicenseReport",
    "ModelCardNote",
    "check_model_card",
    "identify",
    "identify_document",
    "load_default_index",
    "load_index",
]


@dataclass(frozen=True, slots=True)
class LicenseReport:
    """What the engine says of a document's license: the match, and card notes."""

    identification: Identification
    model_card_notes: tuple[ModelCardNote, ...] | None = None
    """Only for a document with front matter (a model card)."""

    def to_dict(self) -> LicenseJSON:
        """Return the JSON form (`license` of a result)."""
        result = self.identification.to_dict()
        if self.model_card_notes is not None:
            result["model_card_notes"] = [n.to_dict() for n in self.model_card_notes]
        return result


def identify_document(
    document: Document, clauses: Sequence[ClauseTag]
) -> LicenseReport:
    """Identify `document` against the shipped index.

    Model cards (a document with front matter) also get their declared
    license and base model checked.
    """
    identification = identify(document, clauses, load_default_index())
    notes = None
    if document.metadata:
        notes = check_model_card(document, identification)
    return LicenseReport(identification, notes)

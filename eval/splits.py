"""Which documents a figure is measured on, and whether it is in sample.

A figure measured on documents the patterns were written or tuned against
says little about a license nobody here has read. The corpus is therefore
split by family (`eval/data/locked_split.json`): the *locked* families are
never trained on, tuned on or read for errors, and are scored only at the end
of a piece of work; everything else is the *development* split, where every
pattern figure is in sample (trained models are scored out of family there,
by `eval.ablation`). `clausewise eval --split` picks the split, and its
report says which kind of figure it prints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Final

from eval.corpus import Corpus, GoldDocument
from extractors.errors import ConfigError

LOCKED_SPLIT: Final = Path(__file__).resolve().parent / "data" / "locked_split.json"


class Split(StrEnum):
    """The parts of a corpus `clausewise eval` can score."""

    DEV = "dev"
    LOCKED = "locked"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class LockedFamilies:
    """The families set aside, and when."""

    families: frozenset[str]
    created: str

    def holds(self, document: GoldDocument) -> bool:
        """Return True when `document` belongs to a locked family."""
        return document.family in self.families


def load_locked(path: Path = LOCKED_SPLIT) -> LockedFamilies:
    """Read the locked families; a broken file is a ConfigError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LockedFamilies(frozenset(data["families"]), str(data["created"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"cannot read the locked split {path}: {exc}") from exc


def select(corpus: Corpus, split: Split, locked: LockedFamilies) -> Corpus:
    """Return the corpus with only the documents of `split`."""
    if split is Split.ALL:
        return corpus
    keep = split is Split.LOCKED
    documents = tuple(d for d in corpus.documents if locked.holds(d) == keep)
    return replace(corpus, documents=documents)


def sample_note(split: Split, locked: LockedFamilies) -> str:
    """Say, in the report, whether the pattern figures are in or out of sample."""
    families = ", ".join(sorted(locked.families))
    if split is Split.LOCKED:
        return (
            f"Split 'locked' (families set aside on {locked.created}: {families}):"
            " OUT OF SAMPLE for the patterns and every trained head. Score it at"
            " the end of a piece of work only; do not read its errors."
        )
    scope = "all documents" if split is Split.ALL else "the development split"
    return (
        f"Split '{split.value}' ({scope}): pattern figures are IN SAMPLE (the"
        " patterns were written and tuned against these documents); trained"
        " heads are scored out of family by `clausewise ablation`."
    )

"""A written sentence tagged inside a small document, by one pattern engine.

The wording tests put each sentence between a heading and an unrelated
sentence, so that they also check the tag cites exactly the sentence.
"""

from __future__ import annotations

from functools import cache

from extractors.engine import ClauseEngine, build_engine
from extractors.parse import parse_bytes
from extractors.types import ClauseTag, Document


@cache
def pattern_engine() -> ClauseEngine:
    """The shipped patterns, built once for every wording test."""
    return build_engine(identify=False)


def framed_tags(
    text: str, *, head: str, tail: str, name: str
) -> tuple[Document, tuple[ClauseTag, ...]]:
    """Return the document `head + text + tail` and the clauses tagged in it."""
    document = parse_bytes((head + text + tail).encode("utf-8"), name=name)
    clauses, _ = pattern_engine().tag(document)
    return document, clauses

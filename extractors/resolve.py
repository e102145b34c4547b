"""Document-level resolution: fill parameters that a clause states by reference.

A clause often points elsewhere in the same document: `exclusively in the
Territory` means whatever the definition of "Territory" excludes; `the AUP`
is named in full, with its URL, where it is defined; `the courts where the
Licensor is located` follow the governing-law sentence; a policy is
`updatable` when the document lets the licensor change it. Each clause type
that resolves anything says how in its spec (`ClauseSpec.resolve`); this stage
runs those resolvers over the tagged clauses of one document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extractors.clauses import REGISTRY
from extractors.clauses.spec import DocumentContext
from extractors.types import ClauseTag, Document


def resolve(document: Document, tags: Sequence[ClauseTag]) -> list[ClauseTag]:
    """Return `tags` with parameters resolved against the whole document.

    Every resolver reads the document's facts from the tags as tagged, so the
    order in which clauses are resolved does not matter.
    """
    context = DocumentContext(document.text, tags)
    resolved: list[ClauseTag] = []
    for tag in tags:
        params = dict(tag.params)
        resolver = REGISTRY[tag.clause_type].resolve
        if resolver is not None:
            quote = document.text[tag.span.start : tag.span.end]
            params = resolver(params, quote, context)
        resolved.append(replace(tag, params=params))
    return resolved

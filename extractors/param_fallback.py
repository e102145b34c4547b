"""A fallback for parameters the parsers cannot read, and the check it must pass.

The parsers in `extractors.clauses` read values by wording; a threshold
stated as "up to 50 employees" or a law named as "the courts sitting in King
County, Washington" can defeat them. A `ParamFiller` (a local LLM, see
`models.llm_params`) may propose the missing values, but a generative model
also invents values. So every proposal is grounded before it is used: a
region or jurisdiction must be named in the clause's own text, a threshold's
value must be an amount written in it, and every field must be one that
ANNOTATION.md allows. A proposal that fails is dropped, with its reason kept
for `--explain`; the parsers' own values are never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from extractors.clauses import REGISTRY
from extractors.clauses.spec import Params
from extractors.labels import ClauseType
from extractors.types import ClauseTag


class ParamFiller(Protocol):
    """Proposes parameters for a clause whose values the parsers missed."""

    @property
    def name(self) -> str:  # pragma: no cover - a protocol
        """Return the filler's identity (model and prompt version)."""
        ...

    def propose(self, clause_type: ClauseType, text: str) -> Mapping[str, Any]:
        """Return the proposed parameters (possibly wrong: they are checked)."""
        ...


def fill_params(
    tags: Sequence[ClauseTag], text: str, filler: ParamFiller
) -> list[ClauseTag]:
    """Return `tags` with grounded proposals for the values the parsers missed.

    Each proposal's outcome, kept or refused and why, is added to the
    clause's explanation note.
    """
    filled: list[ClauseTag] = []
    for tag in tags:
        params = dict(tag.params)
        if not needs_fallback(tag.clause_type, params):
            filled.append(tag)
            continue
        quote = text[tag.span.start : tag.span.end]
        proposal = filler.propose(tag.clause_type, quote)
        found, said = grounded(tag.clause_type, quote, proposal, params)
        verdict = f"params from {filler.name}: {said}"
        verdict += " (kept)" if found is not None else " (refused)"
        before = tag.explanation.note
        note = f"{before}; {verdict}" if before else verdict
        filled.append(
            replace(
                tag,
                params=found if found is not None else tag.params,
                explanation=replace(tag.explanation, note=note),
            )
        )
    return filled


def needs_fallback(clause_type: ClauseType, params: Mapping[str, Any]) -> bool:
    """Return True when the parsers left the key value of a groundable type empty."""
    spec = REGISTRY[clause_type]
    if spec.ground is None or spec.key_field is None:
        return False
    return not params.get(spec.key_field)


def grounded(
    clause_type: ClauseType, text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Return `params` completed by the parts of `proposal` the text supports.

    The second value says what was taken or why nothing was. How a proposal
    is checked is the clause type's (`ClauseSpec.ground`).
    """
    ground = REGISTRY[clause_type].ground
    if ground is None:
        return None, f"no fallback for {clause_type.value}"
    return ground(text, proposal, params)

"""A fallback for parameters the parsers cannot read, and the check it must pass.

The parsers in `extractors.params` read values by wording; a threshold
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
from extractors.clauses.common import named_in
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
    """Return True when the parsers left this clause's key value empty."""
    spec = REGISTRY.get(clause_type)
    if spec is not None:
        return spec.ground is not None and not params.get(str(spec.key_field))
    if clause_type is ClauseType.GOVERNING_LAW:
        return not params.get("jurisdiction")
    if clause_type is ClauseType.GEOGRAPHIC_RESTRICTION:
        return not params.get("regions")
    return False


def grounded(
    clause_type: ClauseType, text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Return `params` completed by the parts of `proposal` the text supports.

    The second value says what was taken or why nothing was.
    """
    spec = REGISTRY.get(clause_type)
    if spec is not None and spec.ground is not None:
        return spec.ground(text, proposal, params)
    if clause_type is ClauseType.GOVERNING_LAW:
        code = proposal.get("jurisdiction")
        if not isinstance(code, str) or not named_in(code, text):
            return None, f"jurisdiction {code!r} is not named in the clause"
        return {**params, "jurisdiction": code}, f"jurisdiction {code}"
    if clause_type is ClauseType.GEOGRAPHIC_RESTRICTION:
        codes = proposal.get("regions")
        if not isinstance(codes, list) or not codes:
            return None, "no regions proposed"
        if not all(isinstance(c, str) and named_in(c, text) for c in codes):
            return None, f"regions {codes!r} are not all named in the clause"
        return {**params, "regions": list(codes)}, f"regions {', '.join(codes)}"
    return None, f"no fallback for {clause_type.value}"

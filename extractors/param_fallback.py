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

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from typing import Any, Protocol

from extractors.labels import ClauseType
from extractors.params import (
    THRESHOLD_CONSEQUENCES,
    THRESHOLD_METRICS,
    Params,
    all_amounts,
)
from extractors.pattern_data import load_regions
from extractors.types import ClauseTag

CURRENCIES = frozenset({"USD", "EUR", "GBP", "CNY", "JPY", "INR", "KRW", "CHF", "SGD"})
"""Currencies a proposal may name (ISO 4217; others are dropped)."""


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
    if clause_type is ClauseType.GOVERNING_LAW:
        return not params.get("jurisdiction")
    if clause_type is ClauseType.GEOGRAPHIC_RESTRICTION:
        return not params.get("regions")
    if clause_type is ClauseType.USAGE_THRESHOLD:
        return not params.get("thresholds")
    return False


def grounded(
    clause_type: ClauseType, text: str, proposal: Mapping[str, Any], params: Params
) -> tuple[Params | None, str]:
    """Return `params` completed by the parts of `proposal` the text supports.

    The second value says what was taken or why nothing was.
    """
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
    if clause_type is ClauseType.USAGE_THRESHOLD:
        return _grounded_thresholds(text, proposal.get("thresholds"), params)
    return None, f"no fallback for {clause_type.value}"


def _grounded_thresholds(
    text: str, proposed: object, params: Params
) -> tuple[Params | None, str]:
    if not isinstance(proposed, list) or not proposed:
        return None, "no thresholds proposed"
    amounts = set(all_amounts(text))
    kept: list[dict[str, Any]] = []
    for item in proposed:
        if not isinstance(item, Mapping):
            return None, "a threshold is not an object"
        value = item.get("value")
        if not isinstance(value, int | float) or int(value) not in amounts:
            return None, f"value {value!r} is not an amount written in the clause"
        metric = item.get("metric")
        if metric not in THRESHOLD_METRICS:
            return None, f"metric {metric!r} is not one ANNOTATION.md defines"
        found: dict[str, Any] = {"metric": metric, "value": int(value)}
        currency = item.get("currency")
        if str(metric).endswith("revenue") and currency in CURRENCIES:
            found["currency"] = currency
        consequence = item.get("consequence")
        known = consequence in THRESHOLD_CONSEQUENCES
        found["consequence"] = consequence if known else "other"
        kept.append(found)
    values = ", ".join(f"{t['metric']} {t['value']:,}" for t in kept)
    return {**params, "thresholds": kept}, f"thresholds {values}"


def named_in(code: str, text: str) -> bool:
    """Return True when a name of region `code` appears in `text` as a phrase.

    A US state also counts by its bare name ("Washington" for `US-WA`).
    """
    names = _names().get(code)
    if not names:
        return False
    folded = " ".join(text.lower().split())
    return any(
        re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", folded) for name in names
    )


@cache
def _names() -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for code, names in load_regions().items():
        bare = {
            name.removeprefix("state of ").removesuffix(" state")
            for name in names
            if code.startswith("US-")
        }
        found[code] = tuple({*names, *bare})
    return found

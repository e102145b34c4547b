"""The rules stage: clause tags in, cited and ordered `RiskFinding`s out.

`apply_rules` is pure. Tags that fire the same rule with the same parameters
(after normalisation: case, white space, list order, scalar-or-list) make one
finding citing every span, so a license that excludes the same regions in
three sentences reports one market exclusion with three citations. With an
organisation profile, each finding's severity and verdict sentence come from
the rule's verdict function; without one, the rule's default severity stands.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from extractors.errors import CitationError
from extractors.labels import SEVERITY_ORDER
from extractors.risk.profile import OrgProfile
from extractors.risk.regions import format_regions, region_name
from extractors.risk.rules import RiskRule
from extractors.risk.verdicts import VERDICTS, Case, as_list, words
from extractors.types import CharSpan, Citation, ClauseTag, Document, RiskFinding


def apply_rules(
    document: Document,
    tags: Sequence[ClauseTag],
    rules: Sequence[RiskRule],
    profile: OrgProfile | None = None,
) -> tuple[RiskFinding, ...]:
    """Turn `tags` into findings, most severe first, then by first citation.

    :raises CitationError: when a tag's span lies outside `document.text`.
    """
    groups: dict[tuple[int, Hashable], list[ClauseTag]] = {}
    for index, rule in enumerate(rules):
        for tag in tags:
            if rule.matches(tag):
                key = (index, normalise_params(tag.params))
                groups.setdefault(key, []).append(tag)
    findings = [
        _finding(document, rules[index], grouped, profile)
        for (index, _), grouped in groups.items()
    ]
    return tuple(sorted(findings, key=_order))


def _order(finding: RiskFinding) -> tuple[int, int, str]:
    first = finding.citations[0].start
    return SEVERITY_ORDER.index(finding.severity), first, finding.rule_id


def _finding(
    document: Document,
    rule: RiskRule,
    tags: Sequence[ClauseTag],
    profile: OrgProfile | None,
) -> RiskFinding:
    ordered = sorted(tags, key=lambda tag: (tag.span.start, tag.span.end))
    spans = dict.fromkeys(tag.span for tag in ordered)
    params = ordered[0].params
    severity, verdict = rule.severity, None
    if profile is not None and rule.verdict is not None:
        judged = VERDICTS[rule.verdict](Case(params, profile, rule.severity))
        severity, verdict = judged.severity, judged.sentence
    return RiskFinding(
        rule_id=rule.id,
        category=rule.category,
        severity=severity,
        title=rule.title,
        rationale=render_rationale(rule, params),
        citations=tuple(_cite(document, span) for span in spans),
        clause_types=tuple(dict.fromkeys(tag.clause_type for tag in ordered)),
        verdict=verdict,
    )


def _cite(document: Document, span: CharSpan) -> Citation:
    """Cite `span`, refusing one that runs past the text (a slice would hide it)."""
    if span.end > len(document.text):
        raise CitationError(
            f"span [{span.start}, {span.end}) runs past the end of document "
            f"{document.id!r} ({len(document.text)} characters)"
        )
    return Citation.from_span(document, span)


def normalise_params(value: object) -> Hashable:
    """Return a hashable key under which equivalent params compare equal.

    Strings fold case and white space, lists ignore order and duplicates, a
    one-item list equals its item, whole floats equal ints, and None-valued
    keys are dropped (`{"url": None}` is the same as no url).
    """
    if isinstance(value, Mapping):
        items = (
            (str(k), normalise_params(v)) for k, v in value.items() if v is not None
        )
        return tuple(sorted(items, key=lambda item: item[0]))
    if isinstance(value, list | tuple | set | frozenset):
        members = frozenset(normalise_params(item) for item in value)
        return next(iter(members)) if len(members) == 1 else members
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, Hashable) else repr(value)


# -- rationale rendering -----------------------------------------------------------

_FALLBACKS: Mapping[str, str] = {
    "thresholds": "an unstated threshold",
    "regions": "unnamed regions",
    "kind": "a notice",
    "text": "none prescribed",
    "policy": "an unnamed policy",
    "url": "no URL given",
    "updatable": "no",
    "target": "terms",
    "jurisdiction": "an unstated jurisdiction",
}


def render_rationale(rule: RiskRule, params: Mapping[str, Any]) -> str:
    """Fill the rule's rationale `{placeholders}` with params written as prose."""
    names = rule.placeholders
    return rule.rationale.format_map(
        {name: render_param(name, params) for name in names}
    )


def render_param(name: str, params: Mapping[str, Any]) -> str:
    """Write one param for a rationale: `700M monthly active users`, `the EU, GB`."""
    values = as_list(params.get(name))
    if name == "thresholds":
        text = " or ".join(_threshold(v) for v in values if isinstance(v, Mapping))
    elif name == "regions":
        text = format_regions(str(v).upper() for v in values)
    elif name == "jurisdiction":
        text = ", ".join(f"{v} ({region_name(str(v))})" for v in values)
    elif name == "text":
        text = " or ".join(f'"{v}"' for v in values)
    elif name == "updatable":
        text = "yes" if values == [True] else ""
    elif name in ("policy", "url"):
        text = ", ".join(str(v) for v in values)
    else:
        text = words(values)
    return text or _FALLBACKS.get(name, "unstated")


def _threshold(threshold: Mapping[str, Any]) -> str:
    value, unit = threshold.get("value"), threshold.get("currency")
    metric = words(threshold.get("metric") or "units")
    if not isinstance(value, int | float) or isinstance(value, bool):
        return f"an unstated number of {metric}"
    return (
        f"{unit} {format_compact(value)} {metric}"
        if unit
        else f"{format_compact(value)} {metric}"
    )


def format_compact(value: float) -> str:
    """Write a big figure the way a summary does: 700000000 -> 700M."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{round(value / size, 2):g}{suffix}"
    return f"{value:g}"

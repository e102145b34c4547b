"""Verdict functions: what a finding means for one organisation.

Each reads a `Case` (the finding's clause params, an `OrgProfile`, the rule's
default severity) and returns a severity with one sentence a lawyer can act
on. They are registered by explicit name in `VERDICTS`; rule files name them
and an unknown name fails at rule load. When the profile lacks what a verdict
needs, the default severity stands and the sentence names the missing profile
field: an unknown is never reported as safe.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from extractors.labels import SEVERITY_ORDER, Severity
from extractors.risk.profile import IntendedUse, OrgProfile
from extractors.risk.regions import country_of, expand_regions, format_regions
from extractors.risk.regions import region_name as _name


@dataclass(frozen=True, slots=True)
class Case:
    """One finding to judge: its clause params, the profile, the rule's default."""

    params: Mapping[str, Any]
    profile: OrgProfile
    default: Severity


@dataclass(frozen=True, slots=True)
class Verdict:
    """A profile-specific severity and the sentence that justifies it."""

    severity: Severity
    sentence: str


VerdictFunction = Callable[[Case], Verdict]


def as_list(value: object) -> list[Any]:
    """Treat a scalar as a one-item list: ANNOTATION params switch between both."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def words(value: object) -> str:
    """Spell lower_snake parameter values as prose: `license_copy` -> license copy."""
    return ", ".join(str(item).replace("_", " ") for item in as_list(value))


def format_amount(value: float) -> str:
    """Write a figure in full with thousands separators, as a verdict quotes it."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def most_severe(severities: Iterable[Severity]) -> Severity:
    """Return the most severe of `severities`, in `SEVERITY_ORDER`."""
    return min(severities, key=SEVERITY_ORDER.index)


def _missing(field: str, what: str, default: Severity) -> Verdict:
    note = f"{field} is not in profile, so {what} cannot be checked; add it."
    return Verdict(default, note)


_State = Literal["reached", "under", "unknown"]
_CONSEQUENCES: Mapping[str, tuple[Severity, str]] = {
    "license_required": (Severity.BLOCKER, "you need a separate license first"),
    "rights_terminate": (Severity.BLOCKER, "your rights under the license end"),
    "fee_required": (Severity.HIGH, "a fee becomes due"),
    "attribution_required": (Severity.MEDIUM, "an attribution duty applies"),
}
_USERS = {"monthly_active_users": "monthly", "daily_active_users": "daily"}


def _figure(threshold: Mapping[str, Any], profile: OrgProfile) -> float | str:
    """Return the profile's figure for the metric, else why it cannot be had."""
    metric, currency = str(threshold.get("metric")), threshold.get("currency")
    if metric in _USERS:
        figure = getattr(profile, metric)
        return f"{metric} is not in profile" if figure is None else float(figure)
    if metric != "annual_revenue":
        return f"the profile has no {words(metric)} figure"
    revenue = profile.annual_revenue
    if revenue is None:
        return "annual_revenue is not in profile"
    if revenue.currency != currency:
        return f"your revenue is in {revenue.currency}, the threshold in {currency}"
    return revenue.amount


def _check(threshold: Mapping[str, Any], case: Case) -> tuple[_State, Verdict]:
    """Judge one threshold: reached, under, or unknown for want of a figure."""
    value, metric = threshold.get("value"), str(threshold.get("metric"))
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "unknown", Verdict(case.default, "A threshold value could not be read.")
    unit = f"{threshold['currency']} " if threshold.get("currency") else ""
    limit, figure = f"{unit}{format_amount(value)}", _figure(threshold, case.profile)
    if isinstance(figure, str):
        why = f"The {limit} {words(metric)} threshold cannot be checked: {figure}."
        return "unknown", Verdict(case.default, why)
    if metric in _USERS:
        subject = f"Your {format_amount(figure)} {words(metric)} are"
    else:
        subject = f"Your annual revenue of {unit}{format_amount(figure)} is"
    if figure < value:
        under = f"{subject} under the {limit} threshold."
        return "under", Verdict(Severity.DOES_NOT_APPLY, under)
    severity, outcome = _CONSEQUENCES.get(
        str(threshold.get("consequence")), (Severity.HIGH, "other terms apply")
    )
    reached = f"{subject} at or over the {limit} threshold: {outcome}."
    return "reached", Verdict(severity, reached)


def scale_limit(case: Case) -> Verdict:
    """Compare each user or revenue threshold with the profile's own figures.

    One threshold reached is enough; otherwise one unknown figure keeps the
    default severity, and only all figures under their thresholds clear it.
    """
    found = [
        _check(t, case)
        for t in as_list(case.params.get("thresholds"))
        if isinstance(t, Mapping)
    ]
    if not found:
        return Verdict(case.default, "No threshold could be read; check it by hand.")
    reached = [verdict for state, verdict in found if state == "reached"]
    if reached:
        return _joined(reached, most_severe(v.severity for v in reached))
    unknown = any(state == "unknown" for state, _ in found)
    severity = case.default if unknown else Severity.DOES_NOT_APPLY
    return _joined([verdict for _, verdict in found], severity)


def _joined(verdicts: Sequence[Verdict], severity: Severity) -> Verdict:
    return Verdict(severity, " ".join(v.sentence for v in verdicts))


def market_exclusion(case: Case) -> Verdict:
    """Check the profile's regions against excluded regions or a limited territory."""
    codes = [str(code).upper() for code in as_list(case.params.get("regions"))]
    mode, regions = case.params.get("mode"), case.profile.regions
    if not codes or mode not in ("excluded", "only"):
        return Verdict(case.default, "The regions could not be read; check by hand.")
    named = format_regions(codes)
    if regions is None:
        return _missing("regions", f"whether you operate in {named}", case.default)
    listed, yours = expand_regions(codes), format_regions(regions) or "none"
    if mode == "only":
        out = [r for r in regions if not expand_regions([r]) <= listed]
        if out:
            found = (
                f"You operate in {format_regions(out)}; the grant covers only {named}."
            )
            return Verdict(Severity.BLOCKER, found)
        clear = (
            f"All your regions ({yours}) lie inside the grant's territory ({named})."
        )
        return Verdict(Severity.DOES_NOT_APPLY, clear)
    hit = [r for r in regions if expand_regions([r]) & listed]
    if hit:
        found = f"You operate in {format_regions(hit)}; the grant excludes {named}."
        return Verdict(Severity.BLOCKER, found)
    clear = f"None of your regions ({yours}) is excluded; the grant excludes {named}."
    return Verdict(Severity.DOES_NOT_APPLY, clear)


def foreign_law(case: Case) -> Verdict:
    """Flag a governing law or forum outside every region the profile operates in."""
    law, countries = case.params.get("jurisdiction"), case.profile.countries
    if not isinstance(law, str) or not law:
        return Verdict(case.default, "The governing law could not be read.")
    if countries is None:
        return _missing("regions", f"whether {law} law is local", case.default)
    if country_of(law) in countries:
        local = f"The governing law ({law}) is in {country_of(law)}, where you operate."
        return Verdict(Severity.INFO, local)
    yours = format_regions(case.profile.regions or ()) or "none"
    foreign = f"Disputes go under {law} ({_name(law)}) law, outside your regions "
    return Verdict(Severity.MEDIUM, f"{foreign}({yours}); plan for foreign counsel.")


@dataclass(frozen=True, slots=True)
class UseTest:
    """A verdict that turns on whether the profile plans any of `uses`.

    `hit` applies when it does, `miss` when it does not; their texts may name
    `{limit}` (research only / non-commercial) and `{duty}` (attribution kinds).
    """

    uses: frozenset[IntendedUse]
    what: str
    hit: tuple[Severity, str]
    miss: tuple[Severity, str]

    def __call__(self, case: Case) -> Verdict:
        """Judge `case` by the profile's intended uses."""
        planned = case.profile.intended_uses
        if planned is None:
            return _missing("intended_uses", self.what, case.default)
        scopes = as_list(case.params.get("scope"))
        limit = "research only" if "research_only" in scopes else "non-commercial"
        duty = words(case.params.get("kind")) or "a notice"
        severity, text = self.hit if planned & self.uses else self.miss
        return Verdict(severity, text.format(limit=limit, duty=duty))


_COMMERCIAL = frozenset({IntendedUse.COMMERCIAL})
_SHARING = frozenset({IntendedUse.REDISTRIBUTION, IntendedUse.PUBLISH_DERIVATIVES})
_SHARE = "You plan to share the model or derivatives; "
_NO_SHARE = (
    "You do not plan to share copies or derivatives; the {} binds only if you do."
)
_NOT_COMMERCIAL = "You plan no commercial use, so the {} does not bind you."

noncommercial_grant = UseTest(
    _COMMERCIAL,
    "commercial use",
    (Severity.BLOCKER, "You plan commercial use; the grant is {limit}."),
    (Severity.DOES_NOT_APPLY, _NOT_COMMERCIAL.format("{limit} limit")),
)
commercial_permission = UseTest(
    _COMMERCIAL,
    "commercial use",
    (Severity.HIGH, "You plan commercial use: get the licensor's permission first."),
    (Severity.DOES_NOT_APPLY, _NOT_COMMERCIAL.format("permission requirement")),
)
hosting_ban = UseTest(
    frozenset({IntendedUse.HOSTING}),
    "hosting",
    (Severity.BLOCKER, "You plan to host the model; the license forbids hosting."),
    (Severity.DOES_NOT_APPLY, "You plan no hosting, so the ban does not bind you."),
)
output_use = UseTest(
    frozenset({IntendedUse.TRAINING_ON_OUTPUTS}),
    "training on outputs",
    (Severity.HIGH, "You plan to train on outputs, which the license restricts."),
    (Severity.LOW, "You do not plan to train on outputs; check other output uses."),
)
attribution_duty = UseTest(
    _SHARING,
    "redistribution",
    (Severity.MEDIUM, _SHARE + "each copy needs: {duty}."),
    (Severity.INFO, _NO_SHARE.format("duty ({duty})")),
)
downstream_obligation = UseTest(
    _SHARING,
    "redistribution",
    (Severity.MEDIUM, _SHARE + "your terms must pass the use restrictions on."),
    (Severity.INFO, _NO_SHARE.format("flow-down duty")),
)


def policy_drift(case: Case) -> Verdict:
    """Rate terms the licensor may rewrite after acceptance above fixed ones."""
    policy = case.params.get("policy") or "the incorporated policy"
    if case.params.get("updatable") is True:
        drift = f"The licensor may change {policy} after you accept it; record the "
        return Verdict(Severity.HIGH, drift + "version you rely on and monitor it.")
    if target := case.params.get("target"):
        change = (
            f"The licensor may change the {target} on its own; review new versions."
        )
        return Verdict(Severity.MEDIUM, change)
    return Verdict(Severity.MEDIUM, f"You are bound to {policy}; review it first.")


def ip_retaliation(case: Case) -> Verdict:
    """Note IP retaliation: it bites only if the organisation sues the licensor."""
    del case  # the clause reads the same for every organisation
    note = "An IP claim against the licensor would end your license; weigh that first."
    return Verdict(Severity.INFO, note)


VERDICTS: Mapping[str, VerdictFunction] = MappingProxyType(
    {
        "attribution_duty": attribution_duty,
        "commercial_permission": commercial_permission,
        "downstream_obligation": downstream_obligation,
        "foreign_law": foreign_law,
        "hosting_ban": hosting_ban,
        "ip_retaliation": ip_retaliation,
        "market_exclusion": market_exclusion,
        "noncommercial_grant": noncommercial_grant,
        "output_use": output_use,
        "policy_drift": policy_drift,
        "scale_limit": scale_limit,
    }
)
"""Every verdict function a rule file may name, by that name."""

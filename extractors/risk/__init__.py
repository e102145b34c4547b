"""The rules stage: clause tags -> risk findings -> verdicts for an organisation.

Rules are YAML data (`rules/default.yml`), loaded and validated by
`load_rules`; `apply_rules` maps tags to cited findings; an `OrgProfile`
(`load_profile`) turns each finding's default severity into a verdict.
"""

from extractors.risk.apply import apply_rules, normalise_params, render_rationale
from extractors.risk.profile import (
    IntendedUse,
    Money,
    OrgProfile,
    load_profile,
    profile_from_mapping,
)
from extractors.risk.regions import EEA_MEMBERS, EU_MEMBERS, expand_regions
from extractors.risk.rules import (
    DEFAULT_RULES_PATH,
    PLACEHOLDERS,
    Condition,
    Operator,
    RiskRule,
    load_default_rules,
    load_rules,
    rules_sha256,
)
from extractors.risk.verdicts import VERDICTS, Case, Verdict, VerdictFunction

__all__ = [
    "Case",
    "Condition",
    "DEFAULT_RULES_PATH",
    "EEA_MEMBERS",
    "EU_MEMBERS",
    "IntendedUse",
    "Money",
    "Operator",
    "OrgProfile",
    "PLACEHOLDERS",
    "RiskRule",
    "VERDICTS",
    "Verdict",
    "VerdictFunction",
    "apply_rules",
    "expand_regions",
    "load_default_rules",
    "load_profile",
    "load_rules",
    "normalise_params",
    "profile_from_mapping",
    "render_rationale",
    "rules_sha256",
]
